//! A data directory holds two replicas: `local.sqlite`, a local-only workspace (demo data, no
//! server), and `replica.sqlite`, the replica of the server the user signed in to. The second is
//! active while its user is signed in. Signing in as someone else replaces it, but never while it
//! still holds unsent changes.

use crate::credentials;
use crate::error::{ReplicaError, Result};
use crate::replica::{meta_get, meta_set, Mode, Replica};
use crate::sync::{self, http_client};
use std::path::{Path, PathBuf};
use tandem_sync::{DeviceId, LoginRequest, LoginResponse, Secret};
use uuid::Uuid;

/// The desktop app's identifier; its data directory is named after it.
pub const APP_IDENTIFIER: &str = "app.tandem.desktop";

/// The app's own data directory (`~/.local/share/app.tandem.desktop` on Linux), shared by the
/// desktop app and the CLI.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_IDENTIFIER)
}

#[derive(Clone, Debug)]
pub struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn local_path(&self) -> PathBuf {
        self.dir.join("local.sqlite")
    }

    fn server_path(&self) -> PathBuf {
        self.dir.join("replica.sqlite")
    }

    /// The replica to work on: the server replica while signed in, else the local workspace.
    pub async fn open(&self) -> Result<Replica> {
        if self.server_path().exists() {
            let r = Replica::open(&self.server_path(), Mode::Server).await?;
            if r.meta("signed_in").await?.as_deref() == Some("1") {
                return Ok(r);
            }
            r.close().await;
        }
        Replica::open(&self.local_path(), Mode::Local).await
    }

    /// Signs in: logs in to the server, keeps the token in the OS keyring, and makes the
    /// server replica active. The first sync is up to the caller.
    pub async fn sign_in(&self, url: &str, user: &str, password: Secret) -> Result<Replica> {
        let url = parse_server_url(url)?;
        let user = user.trim();
        if user.is_empty() {
            return Err(ReplicaError::BadInput("user: is required".into()));
        }
        let mut existing = None;
        if self.server_path().exists() {
            let r = Replica::open(&self.server_path(), Mode::Server).await?;
            let same = r.meta("server_url").await?.as_deref() == Some(url.as_str())
                && r.meta("user").await?.as_deref() == Some(user);
            if same {
                existing = Some(r);
            } else {
                let pending = r.pending_count().await?;
                if pending > 0 {
                    return Err(ReplicaError::UnsentChanges {
                        pending,
                        user: r.meta("user").await?.unwrap_or_default(),
                        url: r.meta("server_url").await?.unwrap_or_default(),
                    });
                }
                r.close().await;
                self.remove_server_files()?;
            }
        }
        let device = match &existing {
            Some(r) => {
                r.device_id().await?.ok_or_else(|| ReplicaError::Corrupt("replica without a device id".into()))?
            }
            None => DeviceId(Uuid::now_v7()),
        };
        let login: LoginResponse = sync::post_json(
            &http_client()?,
            &url,
            tandem_sync::paths::LOGIN,
            None,
            &LoginRequest { user: user.to_owned(), password, device_id: device, device_name: Some(device_name()) },
        )
        .await?;
        credentials::store(device, &login.token)?;
        let replica = match existing {
            Some(r) => r,
            None => Replica::open(&self.server_path(), Mode::Server).await?,
        };
        let mut conn = replica.pool.acquire().await?;
        meta_set(&mut conn, "server_url", &url).await?;
        meta_set(&mut conn, "user", &login.user).await?;
        meta_set(&mut conn, "role", &login.role).await?;
        meta_set(&mut conn, "device_id", &device.to_string()).await?;
        let next: i64 = meta_get(&mut conn, "next_seq").await?.and_then(|s| s.parse().ok()).unwrap_or(1);
        if next <= login.last_seq {
            meta_set(&mut conn, "next_seq", &(login.last_seq + 1).to_string()).await?;
        }
        meta_set(&mut conn, "signed_in", "1").await?;
        drop(conn);
        tracing::info!(user = %login.user, device = %device, "signed in");
        Ok(replica)
    }

    /// After the server said this device or its user was revoked: erases the server replica
    /// (outbox included: the company withdrew this device's access) and its token, and returns
    /// the local workspace.
    pub async fn erase_revoked(&self, replica: &Replica) -> Result<Replica> {
        if let Some(device) = replica.device_id().await? {
            credentials::forget(device)?;
        }
        // Closes every handle to the file (all clones share the pool).
        replica.pool.close().await;
        self.remove_server_files()?;
        tracing::warn!("this device was revoked: its replica was erased");
        let local = Replica::open(&self.local_path(), Mode::Local).await?;
        local.set_meta("last_error", &ReplicaError::Revoked.to_string()).await?;
        local.set_meta("last_error_code", &ReplicaError::Revoked.code()).await?;
        Ok(local)
    }

    fn remove_server_files(&self) -> Result<()> {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", self.server_path().display()));
            if p.exists() {
                std::fs::remove_file(p)?;
            }
        }
        Ok(())
    }

    /// Forgets the token and goes back to the local workspace. The server replica and its
    /// unsent changes stay on disk for the next sign-in of the same user.
    pub async fn sign_out(&self) -> Result<Replica> {
        if self.server_path().exists() {
            let r = Replica::open(&self.server_path(), Mode::Server).await?;
            if let Some(device) = r.device_id().await? {
                credentials::forget(device)?;
            }
            r.set_meta("signed_in", "0").await?;
            r.close().await;
        }
        Replica::open(&self.local_path(), Mode::Local).await
    }
}

fn device_name() -> String {
    let host = std::env::var("HOSTNAME").ok().or_else(|| std::fs::read_to_string("/etc/hostname").ok());
    let host = host.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()).unwrap_or_else(|| "device".into());
    format!("{host} ({})", std::env::consts::OS)
}

/// `http(s)://host[:port][/path]`, without a trailing slash.
fn parse_server_url(raw: &str) -> Result<String> {
    let bad = |why: &str| ReplicaError::BadInput(format!("server URL {:?}: {why}", raw.trim()));
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with https:// (or http:// for a local test server)"));
    }
    if url.host_str().is_none() {
        return Err(bad("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse_server_url;

    #[test]
    fn server_urls_are_checked_and_normalised() {
        assert_eq!(
            parse_server_url(" https://tandem.example.com/ ").ok().as_deref(),
            Some("https://tandem.example.com")
        );
        assert_eq!(parse_server_url("http://127.0.0.1:8080").ok().as_deref(), Some("http://127.0.0.1:8080"));
        for bad in ["tandem.example.com", "ftp://x.org", "https://", "http://x.org/?a=1"] {
            assert!(parse_server_url(bad).is_err(), "{bad} must be refused");
        }
    }
}
