//! Background sync: soon after every local change, at once when the server announces a change
//! (live updates), every few seconds while signed in as a fallback, and at once on "Sync now".
//! Network failures back off (2 s doubling to 60 s) without ever blocking the user's writes,
//! which keep going to the outbox.

use crate::state::AppState;
use std::time::Duration;
use tandem_replica::{Mode, Replica, ReplicaError};
use tauri::{AppHandle, Emitter, Manager};

pub const STATUS_EVENT: &str = "tandem://sync-status";
pub const DATA_EVENT: &str = "tandem://data-changed";

const POLL: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Reconnecting the live stream: 1 s doubling to 30 s; back to 1 s once a stream delivered.
const LIVE_MIN_BACKOFF: Duration = Duration::from_secs(1);
const LIVE_MAX_BACKOFF: Duration = Duration::from_secs(30);

pub fn spawn(app: AppHandle) {
    spawn_live(app.clone());
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
    // A burst of progress reports (pages, index steps) sends one status at a time: the next
    // report after it went out sends the latest.
    let emitting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let result = replica
        .sync(&move |p| {
            progress_app.state::<AppState>().set_live(|l| l.progress = Some(p.clone()));
            if emitting.swap(true, std::sync::atomic::Ordering::AcqRel) {
                return;
            }
            let app = progress_app.clone();
            let emitting = emitting.clone();
            tauri::async_runtime::spawn(async move {
                emit_status(&app, &app.state::<AppState>()).await;
                emitting.store(false, std::sync::atomic::Ordering::Release);
            });
        })
        .await;
    let ok = result.is_ok();
    state.set_live(|l| {
        l.syncing = false;
        l.progress = None;
        l.online = !matches!(&result, Err(ReplicaError::Offline { .. }));
    });
    if matches!(result, Err(ReplicaError::Revoked)) {
        // The company withdrew this device's access: erase its data, say so, go local.
        match state.workspace.erase_revoked(&replica).await {
            Ok(local) => {
                state.switch_to(local).await;
                switched(app, state).await;
            }
            Err(e) => tracing::error!(error = %e, "could not erase the revoked replica"),
        }
        return false;
    }
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

/// After sign-in or sign-out: the whole data set changed, and the live stream belongs to
/// another replica (or to none).
pub async fn switched(app: &AppHandle, state: &AppState) {
    state.set_live(|l| *l = Default::default());
    let _ = app.emit(DATA_EVENT, serde_json::json!({}));
    emit_status(app, state).await;
    state.relisten.notify_one();
    state.wake.notify_one();
}

/// Keeps a live-update stream open while the active replica is in server mode: an announced
/// version above the replica's cursor wakes the sync at once. Reconnects with back-off; starts
/// over with the new replica after a sign-in or sign-out.
fn spawn_live(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut backoff = LIVE_MIN_BACKOFF;
        loop {
            let state = app.state::<AppState>();
            let replica = state.replica().await;
            if replica.mode() != Mode::Server {
                state.relisten.notified().await;
                continue;
            }
            let heard = tokio::select! {
                heard = listen_once(&app, &state, &replica) => Some(heard),
                () = state.relisten.notified() => None,
            };
            match heard {
                // Switched: listen again at once, to the new replica.
                None => {
                    backoff = LIVE_MIN_BACKOFF;
                    continue;
                }
                Some(true) => backoff = LIVE_MIN_BACKOFF,
                Some(false) => backoff = (backoff * 2).min(LIVE_MAX_BACKOFF),
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = state.relisten.notified() => backoff = LIVE_MIN_BACKOFF,
            }
        }
    });
}

/// One live stream until it ends; true if it delivered at least one event (it was connected).
async fn listen_once(app: &AppHandle, state: &AppState, replica: &Replica) -> bool {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // The callback cannot wait, so the versions go to `react` below; `listen` drops `tx` when
    // the stream ends, which lets `react` finish too.
    let listening = replica.listen(move |v| {
        let _ = tx.send(v);
    });
    let react = async {
        let mut heard = false;
        while let Some(version) = rx.recv().await {
            if !heard {
                heard = true;
                state.set_live(|l| l.online = true);
                emit_status(app, state).await;
            }
            match replica.cursor().await {
                Ok(cursor) if version <= cursor => {}
                Ok(_) => state.wake.notify_one(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the sync cursor");
                    state.wake.notify_one();
                }
            }
        }
        heard
    };
    let (result, heard) = tokio::join!(listening, react);
    match result {
        Ok(()) => tracing::debug!("live stream ended"),
        Err(ReplicaError::Offline { .. }) if !heard => tracing::debug!("live stream: server unreachable"),
        Err(e) => tracing::info!(error = %e, "live stream stopped"),
    }
    if heard {
        // The stream broke: until the next sync says otherwise, the server may be gone.
        state.set_live(|l| l.online = false);
        emit_status(app, state).await;
        state.wake.notify_one();
    }
    heard
}
