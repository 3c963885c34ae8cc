//! Signed auto-update from the company's own Tandem server.
//!
//! The app asks its server at start and every few hours (`GET /updates/{os}/{arch}/{version}`
//! with the device id, which decides a staged rollout). A release it is offered is downloaded
//! in the background and checked against the public key compiled into the app (minisign, in
//! `tauri.conf.json`); only then does the UI show "update ready" with the release notes. The
//! user decides when to install; the app then replaces itself and relaunches. An artifact whose
//! signature does not match is refused and never installed.
//!
//! The server to ask is the signed-in server, or `TANDEM_UPDATE_URL` (a separate release
//! server, or a local workspace that has no server).

use crate::state::AppState;
use serde::Serialize;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_updater::{Update, UpdaterExt};
use tokio::sync::Mutex;

pub const UPDATE_EVENT: &str = "tandem://update-status";

/// First check shortly after start (the window and the first sync go first), then every 4 hours.
const FIRST_CHECK: Duration = Duration::from_secs(3);
const EVERY: Duration = Duration::from_secs(4 * 3600);

/// An update downloaded and verified, waiting for the user.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    pub version: String,
    pub notes: String,
    pub date: Option<String>,
}

/// What the UI shows about updates.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStatus {
    pub current: String,
    /// The server asked, or `None` when there is none to ask.
    pub source: Option<String>,
    pub checking: bool,
    /// Bytes downloaded and expected, while a download runs.
    pub downloaded: Option<u64>,
    pub total: Option<u64>,
    pub ready: Option<Ready>,
    pub last_check: Option<String>,
    /// Why the last check or download failed (a refused signature says so).
    pub error: Option<String>,
}

#[derive(Default)]
pub struct Updates {
    status: std::sync::Mutex<UpdateStatus>,
    pending: Mutex<Option<(Update, Vec<u8>)>>,
    /// One check at a time (the timer and "Check for updates" may meet).
    running: Mutex<()>,
    pub wake: tokio::sync::Notify,
}

impl std::fmt::Debug for Updates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updates").field("status", &self.status()).finish_non_exhaustive()
    }
}

impl Updates {
    pub fn new(current: String) -> Self {
        Self { status: std::sync::Mutex::new(UpdateStatus { current, ..Default::default() }), ..Default::default() }
    }

    pub fn status(&self) -> UpdateStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn set(&self, app: &AppHandle, f: impl FnOnce(&mut UpdateStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
        let _ = app.emit(UPDATE_EVENT, self.status());
    }
}

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_CHECK).await;
        loop {
            check(&app).await;
            let updates = app.state::<Updates>();
            let _ = tokio::time::timeout(EVERY, updates.wake.notified()).await;
        }
    });
}

/// The update endpoint for this device, or `None` when there is no server to ask.
async fn endpoint(app: &AppHandle) -> Option<(String, tauri::Url)> {
    let status = app.state::<AppState>().status().await.ok();
    let base = std::env::var("TANDEM_UPDATE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| status.as_ref().and_then(|s| s.status.server_url.clone()))?;
    let base = base.trim().trim_end_matches('/').to_owned();
    let device = match status.and_then(|s| s.status.device_id) {
        Some(d) => d,
        None => install_id(app),
    };
    // `{{...}}` are filled in by the updater: OS, architecture, running version, installer kind.
    let raw =
        format!("{base}/updates/{{{{target}}}}/{{{{arch}}}}/{{{{current_version}}}}?device={device}&installer={{{{bundle_type}}}}");
    match tauri::Url::parse(&raw) {
        Ok(u) => Some((base, u)),
        Err(e) => {
            tracing::warn!(error = %e, url = %raw, "bad update URL");
            None
        }
    }
}

/// A stable id for a device that is not signed in (rollouts still need one).
fn install_id(app: &AppHandle) -> String {
    let path = app.state::<AppState>().workspace.dir().join("install-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        if uuid::Uuid::parse_str(id.trim()).is_ok() {
            return id.trim().to_owned();
        }
    }
    let id = uuid::Uuid::now_v7().to_string();
    if let Err(e) = std::fs::write(&path, &id) {
        tracing::warn!(error = %e, "cannot keep the install id");
    }
    id
}

/// One check: ask, download, verify; the UI hears about each step.
pub async fn check(app: &AppHandle) {
    let updates = app.state::<Updates>();
    let _one = updates.running.lock().await;
    let Some((source, url)) = endpoint(app).await else {
        updates.set(app, |s| {
            s.source = None;
            s.error = None;
        });
        return;
    };
    updates.set(app, |s| {
        s.source = Some(source.clone());
        s.checking = true;
        s.error = None;
    });
    let result = check_and_download(app, &updates, url).await;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    updates.set(app, |s| {
        s.checking = false;
        s.downloaded = None;
        s.total = None;
        s.last_check = Some(now);
        match result {
            Ok(Some(ready)) => s.ready = Some(ready),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "update check failed");
                s.error = Some(e);
            }
        }
    });
}

async fn check_and_download(app: &AppHandle, updates: &Updates, url: tauri::Url) -> Result<Option<Ready>, String> {
    let updater = app
        .updater_builder()
        .endpoints(vec![url])
        .and_then(|b| b.timeout(Duration::from_secs(120)).build())
        .map_err(|e| format!("the update check is not set up: {e}"))?;
    let Some(update) = updater.check().await.map_err(|e| format!("could not check for updates: {e}"))? else {
        return Ok(None);
    };
    if let Some((have, _)) = updates.pending.lock().await.as_ref() {
        if have.version == update.version {
            return Ok(updates.status().ready);
        }
    }
    tracing::info!(version = %update.version, "update offered; downloading");
    let progress_app = app.clone();
    let mut got: u64 = 0;
    let mut last_emit = std::time::Instant::now();
    let bytes = update
        .download(
            move |chunk, total| {
                got += chunk as u64;
                if last_emit.elapsed() > Duration::from_millis(200) {
                    last_emit = std::time::Instant::now();
                    let n = got;
                    progress_app.state::<Updates>().set(&progress_app, |s| {
                        s.downloaded = Some(n);
                        s.total = total;
                    });
                }
            },
            || {},
        )
        .await
        .map_err(|e| refusal(&update.version, &e))?;
    let ready = Ready {
        version: update.version.clone(),
        notes: update.body.clone().unwrap_or_default(),
        date: update.date.map(|d| d.to_string()),
    };
    tracing::info!(version = %ready.version, "update downloaded and verified; waiting for the user");
    *updates.pending.lock().await = Some((update, bytes));
    Ok(Some(ready))
}

/// What the user reads when a download is refused.
fn refusal(version: &str, e: &tauri_plugin_updater::Error) -> String {
    use tauri_plugin_updater::Error as E;
    match e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => format!(
            "update {version} was refused: its signature does not match this app's release key, so it was not \
             installed ({e})"
        ),
        other => format!("update {version} could not be downloaded: {other}"),
    }
}

/// Installs the downloaded update (verified again) and relaunches the app.
pub async fn install(app: &AppHandle) -> Result<(), String> {
    let updates = app.state::<Updates>();
    let Some((update, bytes)) = updates.pending.lock().await.take() else {
        return Err("no update is ready to install".into());
    };
    tracing::info!(version = %update.version, "installing the update");
    if let Err(e) = update.install(&bytes) {
        let msg = format!("update {} could not be installed: {e}", update.version);
        updates.set(app, |s| {
            s.ready = None;
            s.error = Some(msg.clone());
        });
        return Err(msg);
    }
    // Unsent changes are in the replica's outbox on disk: nothing to flush before the restart.
    tracing::info!(version = %update.version, "update installed; relaunching");
    app.restart()
}
