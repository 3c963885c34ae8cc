//! Background sync: soon after every local change, every few seconds while signed in, and at
//! once on "Sync now". Network failures back off (2 s doubling to 60 s) without ever blocking
//! the user's writes, which keep going to the outbox.

use crate::state::AppState;
use std::time::Duration;
use tandem_replica::{Mode, ReplicaError};
use tauri::{AppHandle, Emitter, Manager};

pub const STATUS_EVENT: &str = "tandem://sync-status";
pub const DATA_EVENT: &str = "tandem://data-changed";

const POLL: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut backoff = Duration::ZERO;
        loop {
            let state = app.state::<AppState>();
            let ok = sync_once(&app, &state).await;
            backoff = if ok { Duration::ZERO } else { (backoff * 2).clamp(Duration::from_secs(2), MAX_BACKOFF) };
            let wait = if backoff.is_zero() { POLL } else { backoff };
            // A local change or "Sync now" cuts the wait short.
            let _ = tokio::time::timeout(wait, state.wake.notified()).await;
            // Let a burst of edits settle into one push.
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    });
}

/// One sync round if signed in; returns false on failure (for the back-off).
pub async fn sync_once(app: &AppHandle, state: &AppState) -> bool {
    let replica = state.replica().await;
    if replica.mode() != Mode::Server {
        return true;
    }
    state.set_live(|l| {
        l.syncing = true;
        l.progress = None;
    });
    emit_status(app, state).await;
    let progress_app = app.clone();
    let result = replica
        .sync(&move |p| {
            progress_app.state::<AppState>().set_live(|l| l.progress = Some(p.clone()));
            let app = progress_app.clone();
            tauri::async_runtime::spawn(async move { emit_status(&app, &app.state::<AppState>()).await });
        })
        .await;
    let ok = result.is_ok();
    state.set_live(|l| {
        l.syncing = false;
        l.progress = None;
        l.online = !matches!(&result, Err(ReplicaError::Offline { .. }));
    });
    match &result {
        Ok(report) if report.pulled > 0 || report.rejected > 0 => {
            let _ = app.emit(DATA_EVENT, serde_json::json!({}));
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "sync failed"),
    }
    emit_status(app, state).await;
    ok
}

pub async fn emit_status(app: &AppHandle, state: &AppState) {
    match state.status().await {
        Ok(s) => {
            let _ = app.emit(STATUS_EVENT, s);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the sync status"),
    }
}

/// After a local write: refresh the indicator's pending count and sync soon.
pub fn changed_locally(app: &AppHandle, state: &AppState) {
    state.wake.notify_one();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        emit_status(&app, &state).await;
    });
}

/// After sign-in or sign-out: the whole data set changed.
pub async fn switched(app: &AppHandle, state: &AppState) {
    state.set_live(|l| *l = Default::default());
    let _ = app.emit(DATA_EVENT, serde_json::json!({}));
    emit_status(app, state).await;
    state.wake.notify_one();
}
