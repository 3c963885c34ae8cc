//! What the app holds while it runs: the workspace, the active replica, and the sync indicator.

use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use tandem_replica::{Progress, Replica, ReplicaError, Status, Workspace};
use tokio::sync::{Notify, RwLock};

/// The sync indicator: the replica's persistent status plus what only the running app knows.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    #[serde(flatten)]
    pub status: Status,
    pub online: bool,
    pub syncing: bool,
    pub progress: Option<Progress>,
}

/// Why the workspace could not be opened at start (`code`, `message`): the app then shows only
/// this, e.g. after an update whose migration failed and was rolled back.
#[derive(Debug, Default)]
pub struct StartupFailure(pub Option<(String, String)>);

#[derive(Debug, Default, Clone)]
pub struct Live {
    pub online: bool,
    pub syncing: bool,
    pub progress: Option<Progress>,
}

#[derive(Debug)]
pub struct AppState {
    pub workspace: Workspace,
    replica: RwLock<Arc<Replica>>,
    pub live: std::sync::Mutex<Live>,
    /// Wakes the background sync (after a local change, a sign-in, "Sync now").
    pub wake: Notify,
    /// Restarts the live-update listener (after a sign-in or sign-out switched the replica).
    pub relisten: Notify,
}

impl AppState {
    pub async fn open(dir: PathBuf) -> Result<Self, ReplicaError> {
        let workspace = Workspace::new(dir);
        let replica = workspace.open().await?;
        if replica.seed_demo_once().await? {
            tracing::info!("local workspace filled with demo data");
        }
        Ok(Self {
            workspace,
            replica: RwLock::new(Arc::new(replica)),
            live: Default::default(),
            wake: Notify::new(),
            relisten: Notify::new(),
        })
    }

    pub async fn replica(&self) -> Arc<Replica> {
        self.replica.read().await.clone()
    }

    pub async fn switch_to(&self, next: Replica) {
        *self.replica.write().await = Arc::new(next);
    }

    pub fn live(&self) -> Live {
        self.live.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn set_live(&self, f: impl FnOnce(&mut Live)) {
        if let Ok(mut l) = self.live.lock() {
            f(&mut l);
        }
    }

    pub async fn status(&self) -> Result<AppStatus, ReplicaError> {
        let status = self.replica().await.status().await?;
        let live = self.live();
        Ok(AppStatus { status, online: live.online, syncing: live.syncing, progress: live.progress })
    }
}
