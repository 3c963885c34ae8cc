//! Reminders as desktop notifications: every 30 s (and soon after an activity is planned or
//! moved) the replica is asked for the reminders due now; each is shown as a native
//! notification, marked as shown (so it fires once, on every device of the user) and announced
//! to the window, which shows it in-app too.
//!
//! A notification that cannot be shown (no notification server, e.g. a headless session) is
//! logged, never fatal: the in-app reminder still appears.

use crate::state::AppState;
use crate::sync_loop;
use serde::Serialize;
use std::time::Duration;
use tandem_core::Activity;
use tandem_replica::Replica;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

pub const REMINDER_EVENT: &str = "tandem://reminder";

const EVERY: Duration = Duration::from_secs(30);

/// One round at a time: two rounds at once would both show a reminder before either marks it.
static ROUND: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What the window hears about a reminder (camelCase, like the other DTOs).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub id: String,
    pub kind: String,
    pub subject: String,
    /// `YYYY-MM-DD HH:MM`, or null for an activity without a due time.
    pub due: Option<String>,
    pub account: Option<String>,
    pub account_name: Option<String>,
}

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            check(&app).await;
        }
    });
}

/// A round soon, e.g. after an activity with a reminder in the past was planned.
pub fn check_soon(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move { check(&app).await });
}

async fn check(app: &AppHandle) {
    let _round = ROUND.lock().await;
    let Some(state) = app.try_state::<AppState>() else { return };
    let replica = state.replica().await;
    let due = match replica.due_reminders().await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the due reminders");
            return;
        }
    };
    if due.is_empty() {
        return;
    }
    for activity in &due {
        let reminder = describe(&replica, activity).await;
        let body = match (&reminder.due, &reminder.account_name) {
            (Some(due), Some(name)) => format!("{due} · {name}"),
            (Some(due), None) => due.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => String::new(),
        };
        if let Err(e) = app.notification().builder().title(&reminder.subject).body(body).show() {
            tracing::warn!(error = %e, "cannot show the reminder as a desktop notification");
        }
        if let Err(e) = replica.mark_reminded(&reminder.id).await {
            tracing::warn!(error = %e, id = %reminder.id, "cannot mark the reminder as shown");
        }
        if let Err(e) = app.emit(REMINDER_EVENT, &reminder) {
            tracing::warn!(error = %e, "cannot announce the reminder to the window");
        }
    }
    sync_loop::changed_locally(app, &state);
}

async fn describe(replica: &Replica, a: &Activity) -> Reminder {
    let account = a.links.account.map(|id| id.to_string());
    let account_name = match &account {
        Some(id) => replica.account(id).await.ok().map(|d| d.account.name),
        None => None,
    };
    Reminder {
        id: a.id.to_string(),
        kind: a.kind.as_str().to_owned(),
        subject: a.subject.to_string(),
        due: a.due.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
        account,
        account_name,
    }
}
