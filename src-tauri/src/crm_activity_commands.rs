//! Activity and quote commands (the timeline, e-mail logging, the calendar; quotes from draft
//! to accepted order): parse (serde), call the replica, map the error. Nothing else.
//!
//! Everything is written on the device first (offline too) and decided again by the server;
//! after a write the background sync is woken. Reminders run in [`reminders`].

pub mod reminders;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::sync_loop;
use chrono::NaiveDate;
use serde::Serialize;
use tandem_core::{Activity, ActivityInput, FieldError, Quote};
use tandem_replica::{DocPage, LinkInput, QuoteLineInput, ReplicaError};
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

/// The longest calendar one call reads (six weeks, a month view).
const MAX_CALENDAR_DAYS: u64 = 42;

/// One day of the calendar, its activities by time.
#[derive(Debug, Serialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub activities: Vec<Activity>,
}

#[tauri::command]
pub async fn crm_timeline(
    state: S<'_>,
    links: LinkInput,
    after: Option<String>,
    limit: u32,
) -> ApiResult<DocPage<Activity>> {
    Ok(state.replica().await.timeline(&links, after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn crm_add_activity(
    app: AppHandle,
    state: S<'_>,
    links: LinkInput,
    input: ActivityInput,
) -> ApiResult<String> {
    let id = state.replica().await.add_activity(&links, &input).await?;
    sync_loop::changed_locally(&app, &state);
    reminders::check_soon(&app);
    Ok(id.to_string())
}

/// `source`: the raw e-mail (RFC 5322), pasted or read from an .eml file.
#[tauri::command]
pub async fn crm_log_email(app: AppHandle, state: S<'_>, links: LinkInput, source: String) -> ApiResult<String> {
    let id = state.replica().await.log_email(&links, source.as_bytes()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

#[tauri::command]
pub async fn crm_complete_activity(app: AppHandle, state: S<'_>, id: String) -> ApiResult<Activity> {
    let activity = state.replica().await.complete_activity(&id).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(activity)
}

/// `due` and `reminder` are `YYYY-MM-DD HH:MM`; without a reminder an existing one moves along.
#[tauri::command]
pub async fn crm_reschedule_activity(
    app: AppHandle,
    state: S<'_>,
    id: String,
    due: String,
    reminder: Option<String>,
) -> ApiResult<Activity> {
    let activity = state.replica().await.reschedule_activity(&id, &due, reminder.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    reminders::check_soon(&app);
    Ok(activity)
}

/// `days` days from `from` (`YYYY-MM-DD`; a week view passes its Monday and 7).
#[tauri::command]
pub async fn crm_calendar(state: S<'_>, from: String, days: u64) -> ApiResult<Vec<CalendarDay>> {
    let from = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").map_err(|_| {
        ReplicaError::Validation(FieldError::new("from", format!("{from:?} is not a date (use YYYY-MM-DD)")).into())
    })?;
    let days = days.clamp(1, MAX_CALENDAR_DAYS);
    let list = state.replica().await.calendar(from, days).await?;
    Ok(list.into_iter().map(|(date, activities)| CalendarDay { date, activities }).collect())
}

#[tauri::command]
pub async fn crm_quotes(
    state: S<'_>,
    account: Option<String>,
    after: Option<String>,
    limit: u32,
) -> ApiResult<DocPage<Quote>> {
    Ok(state.replica().await.quotes(account.as_deref(), after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn crm_quote(state: S<'_>, id: String) -> ApiResult<Quote> {
    Ok(state.replica().await.quote(&id).await?)
}

/// Returns the new (draft) quote's id.
#[tauri::command]
pub async fn crm_create_quote(
    app: AppHandle,
    state: S<'_>,
    account: String,
    deal: Option<String>,
    lines: Vec<QuoteLineInput>,
    discount: Option<String>,
    valid_until: Option<String>,
) -> ApiResult<String> {
    let deal = deal.filter(|d| !d.trim().is_empty());
    let id = state
        .replica()
        .await
        .create_quote(&account, deal.as_deref(), &lines, discount.as_deref(), valid_until.as_deref())
        .await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

#[tauri::command]
pub async fn crm_update_quote(
    app: AppHandle,
    state: S<'_>,
    id: String,
    lines: Vec<QuoteLineInput>,
    discount: Option<String>,
    valid_until: Option<String>,
) -> ApiResult<Quote> {
    let quote = state.replica().await.update_quote(&id, &lines, discount.as_deref(), valid_until.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(quote)
}

/// `step`: `request_approval`, `approve`, `refuse_approval` (needs `reason`), `send` or `reject`.
#[tauri::command]
pub async fn crm_quote_step(
    app: AppHandle,
    state: S<'_>,
    id: String,
    step: String,
    reason: Option<String>,
) -> ApiResult<Quote> {
    let quote = state.replica().await.quote_step(&id, &step, reason.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(quote)
}

/// `selected`: the SKUs of the optional lines the customer chose. Returns the new order's id.
#[tauri::command]
pub async fn crm_accept_quote(app: AppHandle, state: S<'_>, id: String, selected: Vec<String>) -> ApiResult<String> {
    let order = state.replica().await.accept_quote(&id, &selected).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(order.to_string())
}

#[tauri::command]
pub async fn crm_quote_approval_reasons(state: S<'_>, id: String) -> ApiResult<Vec<String>> {
    Ok(state.replica().await.quote_approval_reasons(&id).await?)
}
