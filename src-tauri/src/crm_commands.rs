//! CRM commands (pipelines, deals, the forecast): parse (serde), call the replica, map the
//! error. Nothing else.
//!
//! Deals are written on the device first (offline too) and decided again by the server; the
//! background sync sends them at once.

use crate::error::ApiResult;
use crate::state::AppState;
use crate::sync_loop;
use tandem_core::{Deal, DealInput, Forecast, Granularity, GroupBy, Pipeline};
use tandem_replica::DocPage;
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

#[tauri::command]
pub async fn crm_pipelines(state: S<'_>) -> ApiResult<Vec<Pipeline>> {
    Ok(state.replica().await.pipelines().await?)
}

#[tauri::command]
pub async fn crm_create_pipeline(app: AppHandle, state: S<'_>, name: String) -> ApiResult<String> {
    let id = state.replica().await.create_pipeline(&name).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

#[tauri::command]
pub async fn crm_deals(
    state: S<'_>,
    account: Option<String>,
    after: Option<String>,
    limit: u32,
) -> ApiResult<DocPage<Deal>> {
    Ok(state.replica().await.deals(account.as_deref(), after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn crm_deal(state: S<'_>, id: String) -> ApiResult<Deal> {
    Ok(state.replica().await.deal(&id).await?)
}

#[tauri::command]
pub async fn crm_create_deal(
    app: AppHandle,
    state: S<'_>,
    account: String,
    contact: Option<String>,
    pipeline: Option<String>,
    input: DealInput,
) -> ApiResult<String> {
    let contact = contact.filter(|c| !c.trim().is_empty());
    let id = state.replica().await.create_deal(&account, contact.as_deref(), pipeline.as_deref(), &input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

#[tauri::command]
pub async fn crm_move_deal(
    app: AppHandle,
    state: S<'_>,
    id: String,
    stage: String,
    lost_reason: Option<String>,
) -> ApiResult<Deal> {
    let deal = state.replica().await.move_deal(&id, &stage, lost_reason.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(deal)
}

#[tauri::command]
pub async fn crm_forecast(state: S<'_>, granularity: Granularity, group_by: GroupBy) -> ApiResult<Forecast> {
    Ok(state.replica().await.forecast(granularity, group_by).await?)
}
