//! The sync client: push the outbox in order, pull changes after the cursor, rebase.

use crate::credentials;
use crate::error::{ReplicaError, Result};
use crate::ops::Touched;
use crate::rebase;
use crate::replica::{meta_clear, meta_set, Mode, Replica};
use crate::search;
use crate::store::Touch;
use chrono::Utc;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::{Connection as _, Row, SqliteConnection};
use std::time::Duration;
use tandem_sync::{
    paths, AuditPage, AuditRequest, Change, ClientInfo, DeviceId, ErrorBody, Mutation, Op, Outcome, PullRequest,
    PullResponse, PushRequest, PushResponse, Secret, Version, MAX_PULL_LIMIT, MAX_PUSH_MUTATIONS, PROTOCOL_VERSION,
};

/// How far a sync has come, for a progress bar or line.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub phase: &'static str,
    pub done: u64,
    pub total: Option<u64>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub applied: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub cursor: i64,
}

/// Changes per pull page, each applied in one SQLite transaction: the largest the server
/// allows while taking a fresh copy (fewer round trips and statements), smaller afterwards.
/// `TANDEM_PULL_PAGE` overrides it (tests use small pages to exercise paging and resuming).
fn pull_page(fresh_copy: bool) -> u32 {
    std::env::var("TANDEM_PULL_PAGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| (1..=MAX_PULL_LIMIT).contains(n))
        .unwrap_or(if fresh_copy { MAX_PULL_LIMIT } else { 2_000 })
}

/// How the connection that writes pulled pages is set for the pull, and set back after it
/// (SQLite's defaults): a 64 MiB page cache; statement journals (a multi-row statement's undo)
/// in memory rather than a temporary file; a WAL checkpoint every 64 MiB rather than 4 MiB, so
/// the pages every commit touches (B-tree interiors, indexes) are copied into the database
/// less often.
const PULL_SETTINGS: [&str; 3] =
    ["PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY", "PRAGMA wal_autocheckpoint = 16384"];
const IDLE_SETTINGS: [&str; 3] =
    ["PRAGMA cache_size = -2000", "PRAGMA temp_store = DEFAULT", "PRAGMA wal_autocheckpoint = 1000"];

/// A pull request running on its own task; dropping it stops the request.
struct Prefetch(tokio::task::JoinHandle<Result<PullResponse>>);

impl Prefetch {
    async fn result(&mut self) -> Result<PullResponse> {
        (&mut self.0).await.map_err(|e| ReplicaError::Corrupt(format!("pull task: {e}")))?
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What this build runs, for the server.
fn client_info() -> ClientInfo {
    ClientInfo { app: env!("CARGO_PKG_VERSION").to_owned(), schema: crate::replica::schema_version() }
}

pub(crate) fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("tandem/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ReplicaError::Offline { url: String::new(), reason: e.to_string() })
}

pub(crate) async fn post_json<Req: Serialize, Resp: DeserializeOwned>(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&Secret>,
    body: &Req,
) -> Result<Resp> {
    let mut req = http.post(format!("{base}{path}")).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t.expose());
    }
    let offline = |e: reqwest::Error| ReplicaError::Offline { url: base.to_owned(), reason: without_url(&e) };
    let resp = req.send().await.map_err(offline)?;
    let status = resp.status();
    if status.is_success() {
        return resp.json().await.map_err(offline);
    }
    let text = resp.text().await.unwrap_or_default();
    let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
        Ok(b) => (b.code, b.message),
        Err(_) => (format!("http_{}", status.as_u16()), text.chars().take(200).collect()),
    };
    Err(ReplicaError::Server { status: status.as_u16(), code, message }.classify())
}

/// The error and its causes, without the URL (which the caller already names).
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(&format!(" for url ({u})"), "");
    }
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s = format!("{s}: {inner}");
        src = inner.source();
    }
    s
}

impl Replica {
    /// The server URL, this device's id and its token from the keyring; `NotSignedIn` without them.
    pub(crate) async fn server_session(&self) -> Result<(String, DeviceId, Secret)> {
        let url = self.meta("server_url").await?.ok_or(ReplicaError::NotSignedIn)?;
        let device = self.device_id().await?.ok_or(ReplicaError::NotSignedIn)?;
        let token = credentials::load(device)?.ok_or(ReplicaError::NotSignedIn)?;
        Ok((url, device, token))
    }

    /// Pushes every pending mutation, then pulls until up to date. Records the time of the
    /// last good sync, or the error, for the sync indicator.
    pub async fn sync(&self, progress: &(dyn Fn(Progress) + Send + Sync)) -> Result<SyncReport> {
        let result = self.sync_inner(progress).await;
        let mut conn = self.pool.acquire().await?;
        match &result {
            Ok(_) => {
                meta_set(&mut conn, "last_sync_at", &Utc::now().to_rfc3339()).await?;
                meta_clear(&mut conn, "last_error").await?;
                meta_clear(&mut conn, "last_error_code").await?;
            }
            Err(e) => {
                meta_set(&mut conn, "last_error", &e.to_string()).await?;
                meta_set(&mut conn, "last_error_code", &e.code()).await?;
            }
        }
        result
    }

    async fn sync_inner(&self, progress: &(dyn Fn(Progress) + Send + Sync)) -> Result<SyncReport> {
        if self.mode() != Mode::Server {
            return Err(ReplicaError::NotSignedIn);
        }
        let (url, device, token) = self.server_session().await?;
        let http = http_client()?;
        let mut report = SyncReport::default();

        // Push: in order, in batches; each answer is recorded before the next batch goes.
        loop {
            let batch = self.pending_batch().await?;
            if batch.is_empty() {
                break;
            }
            let req = PushRequest {
                protocol: PROTOCOL_VERSION,
                client: Some(client_info()),
                device_id: device,
                mutations: batch,
            };
            let resp: PushResponse = post_json(&http, &url, paths::PUSH, Some(&token), &req).await?;
            if resp.results.is_empty() {
                return Err(ReplicaError::Server {
                    status: 200,
                    code: "no_progress".into(),
                    message: "the server answered a push without handling any mutation".into(),
                });
            }
            let (applied, rejected) = self.record_results(&resp).await?;
            report.applied += applied;
            report.rejected += rejected;
            progress(Progress { phase: "push", done: (report.applied + report.rejected) as u64, total: None });
        }

        // Pull: page by page, each page applied and rebased in one transaction. A device that
        // starts from nothing takes a fresh copy: no per-row search indexing, one rebuild at
        // the end (see `search`), and the largest pages. The next page is fetched (and decoded,
        // on another thread) while this one is written: the server's cursor is known from the
        // page itself, so the two overlap.
        if self.cursor().await?.0 == 0 {
            self.start_fresh_copy().await?;
        }
        let limit = pull_page(self.fresh_copy_pending().await?);
        let fetch = |cursor: Version, count_remaining: bool| {
            let req = PullRequest {
                protocol: PROTOCOL_VERSION,
                client: Some(client_info()),
                device_id: device,
                cursor,
                limit,
                count_remaining,
            };
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            Prefetch(tokio::spawn(async move {
                post_json::<_, PullResponse>(&http, &url, paths::PULL, Some(&token), &req).await
            }))
        };
        // One connection writes every page: its page cache stays warm from page to page (a
        // pooled connection taken per page starts cold, and the B-trees of a large copy are far
        // bigger than SQLite's default 2 MB cache). It is set for bulk writing during the pull
        // ([`PULL_SETTINGS`]) and set back at the end.
        let mut writer = self.pool.acquire().await?;
        for pragma in PULL_SETTINGS {
            sqlx::query(pragma).execute(&mut *writer).await?;
        }
        let pulled = self.pull_pages(&mut writer, &fetch, &mut report, progress).await;
        for pragma in IDLE_SETTINGS {
            sqlx::query(pragma).execute(&mut *writer).await?;
        }
        pulled?;
        self.finish_fresh_copy(progress).await?;
        Ok(report)
    }

    /// Pulls and writes pages until the server has nothing more, each page's successor
    /// fetched while it is written.
    async fn pull_pages(
        &self,
        writer: &mut SqliteConnection,
        fetch: &(dyn Fn(Version, bool) -> Prefetch + Send + Sync),
        report: &mut SyncReport,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<()> {
        let mut fresh_copy_taken = false;
        let mut total = None;
        let mut next = fetch(self.cursor().await?, true);
        loop {
            let waited = std::time::Instant::now();
            let page: PullResponse = match next.result().await {
                Err(ReplicaError::Server { code, message, .. }) if code == "snapshot_required" && !fresh_copy_taken => {
                    // Offline past the tombstone retention: start over from a fresh copy of the
                    // server's data. The outbox stays and is replayed on top.
                    tracing::warn!(%message, "taking a fresh copy of the server's data");
                    self.reset_to_empty_base().await?;
                    self.start_fresh_copy().await?;
                    fresh_copy_taken = true;
                    next = fetch(Version(0), total.is_none());
                    continue;
                }
                other => other?,
            };
            report.pulled += page.changes.len();
            if let Some(rest) = page.remaining {
                total.get_or_insert(report.pulled as u64 + rest);
            }
            if page.has_more {
                next = fetch(page.cursor, false);
            }
            // On an error here `next` is dropped, which stops its request.
            let waited = waited.elapsed();
            let written = std::time::Instant::now();
            self.apply_page_on(writer, &page).await?;
            tracing::debug!(
                changes = page.changes.len(),
                waited_ms = waited.as_millis() as u64,
                written_ms = written.elapsed().as_millis() as u64,
                "pulled page written"
            );
            report.cursor = page.cursor.0;
            progress(Progress { phase: "pull", done: report.pulled as u64, total });
            if !page.has_more {
                return Ok(());
            }
        }
    }

    async fn fresh_copy_pending(&self) -> Result<bool> {
        search::fresh_copy_pending(&mut *self.pool.acquire().await?).await
    }

    async fn start_fresh_copy(&self) -> Result<()> {
        let _w = self.write.lock().await;
        let mut tx = self.begin_write().await?;
        search::start_fresh_copy(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// After the last page of a fresh copy: the search index, built once from what arrived.
    async fn finish_fresh_copy(&self, progress: &(dyn Fn(Progress) + Send + Sync)) -> Result<()> {
        let _w = self.write.lock().await;
        let mut tx = self.begin_write().await?;
        if !search::fresh_copy_pending(&mut tx).await? {
            // Ended explicitly: a dropped write transaction would hold the write lock until its
            // pooled connection is used again.
            tx.rollback().await?;
            return Ok(());
        }
        progress(Progress { phase: "index", done: 0, total: None });
        let started = std::time::Instant::now();
        let indexed = search::rebuild(&mut tx, &|what, done, total| {
            tracing::debug!(what, done, total, "search index");
            progress(Progress { phase: "index", done, total: Some(total) });
        })
        .await?;
        tx.commit().await?;
        tracing::info!(
            indexed,
            took_ms = started.elapsed().as_millis() as u64,
            "search index rebuilt after a fresh copy"
        );
        Ok(())
    }

    /// A page of the server's audit log (admins; online only: the log is not replicated).
    /// The server's version and protocol (`GET /health`), for the About view; `None` in a
    /// local-only workspace.
    pub async fn server_health(&self) -> Result<Option<tandem_sync::Health>> {
        let Some(base) = self.meta("server_url").await? else { return Ok(None) };
        let offline = |e: reqwest::Error| ReplicaError::Offline { url: base.clone(), reason: without_url(&e) };
        let resp = http_client()?.get(format!("{base}{}", tandem_sync::paths::HEALTH)).send().await.map_err(offline)?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ReplicaError::Server {
                status: status.as_u16(),
                code: format!("http_{}", status.as_u16()),
                message: "the server's health check failed".into(),
            });
        }
        Ok(Some(resp.json().await.map_err(offline)?))
    }

    pub async fn audit(&self, before: Option<i64>, limit: u32, record: Option<&str>) -> Result<AuditPage> {
        if self.mode() != Mode::Server {
            return Err(ReplicaError::NotSignedIn);
        }
        let record = record
            .map(|r| {
                uuid::Uuid::parse_str(r.trim())
                    .map_err(|_| ReplicaError::BadInput(format!("record: {r:?} is not an id")))
            })
            .transpose()?;
        let (url, _device, token) = self.server_session().await?;
        post_json(&http_client()?, &url, paths::AUDIT, Some(&token), &AuditRequest { before, limit, record }).await
    }

    pub(crate) async fn pending_batch(&self) -> Result<Vec<Mutation>> {
        let rows = sqlx::query("SELECT seq, op, made_at FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?")
            .bind(MAX_PUSH_MUTATIONS as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                let op: String = r.get("op");
                let made_at: String = r.get("made_at");
                Ok(Mutation {
                    seq: r.get("seq"),
                    made_at: made_at.parse().map_err(|e: chrono::ParseError| ReplicaError::Corrupt(e.to_string()))?,
                    op: serde_json::from_str(&op).map_err(|e| ReplicaError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    pub(crate) async fn record_results(&self, resp: &PushResponse) -> Result<(usize, usize)> {
        let _w = self.write.lock().await;
        let mut tx = self.begin_write().await?;
        let mut touch = Touch::load(&mut tx).await?;
        let mut undo = Touched::default();
        let (mut applied, mut rejected) = (0, 0);
        for r in &resp.results {
            match &r.outcome {
                Outcome::Applied { version } => {
                    sqlx::query("UPDATE outbox SET state = 'applied', applied_version = ? WHERE seq = ?")
                        .bind(version.0)
                        .bind(r.seq)
                        .execute(&mut *tx)
                        .await?;
                    applied += 1;
                }
                Outcome::Rejected { code, reason } => {
                    let row = sqlx::query("DELETE FROM outbox WHERE seq = ? RETURNING op, made_at")
                        .bind(r.seq)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if let Some(row) = row {
                        let json: String = row.get("op");
                        let op: Op = serde_json::from_str(&json).map_err(|e| ReplicaError::Corrupt(e.to_string()))?;
                        sqlx::query(
                            "INSERT OR REPLACE INTO rejected (seq, op, description, code, reason, made_at, rejected_at)
                             VALUES (?, ?, ?, ?, ?, ?, ?)",
                        )
                        .bind(r.seq)
                        .bind(&json)
                        .bind(op.describe())
                        .bind(code)
                        .bind(reason)
                        .bind(row.get::<String, _>("made_at"))
                        .bind(Utc::now().to_rfc3339())
                        .execute(&mut *tx)
                        .await?;
                        tracing::warn!(seq = r.seq, mutation = op.name(), %reason, "the server rejected a mutation");
                        undo.add(&op);
                    }
                    rejected += 1;
                }
            }
        }
        // Undo the optimistic state of what was refused (and refresh pending flags).
        rebase::rebuild(&mut tx, &mut touch, undo).await?;
        touch.save(&mut tx).await?;
        tx.commit().await?;
        Ok((applied, rejected))
    }

    /// Forgets the server state (base tables, view and cursor) but not the outbox, whose
    /// mutations are replayed at once so the user keeps seeing their own unsent work.
    pub(crate) async fn reset_to_empty_base(&self) -> Result<()> {
        let _w = self.write.lock().await;
        let mut tx = self.begin_write().await?;
        for table in ["base_accounts", "base_contacts", "accounts", "contacts"] {
            // Fixed table names, nothing from outside.
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        meta_set(&mut tx, "cursor", "0").await?;
        let mut touch = Touch::load(&mut tx).await?;
        rebase::rebuild(&mut tx, &mut touch, Touched::default()).await?;
        touch.save(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    #[cfg(test)]
    pub(crate) async fn apply_page(&self, page: &PullResponse) -> Result<()> {
        self.apply_page_on(&mut *self.pool.acquire().await?, page).await
    }

    /// Writes one pulled page on `conn` in one transaction, and rebases the view on it.
    pub(crate) async fn apply_page_on(&self, conn: &mut SqliteConnection, page: &PullResponse) -> Result<()> {
        let _w = self.write.lock().await;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        // Part of a fresh copy: the search triggers stand aside (until this commit).
        let fresh = search::fresh_copy_pending(&mut tx).await?;
        if fresh {
            search::pause(&mut tx).await?;
        }
        let mut touch = Touch::load(&mut tx).await?;
        // Accounts, contacts and documents that arrive (most of a first sync) go in bulk; deletes
        // and conflicts row by row, after everything that came before them in the page.
        let (mut accounts, mut contacts, mut docs) = (Vec::new(), Vec::new(), Vec::new());
        for change in &page.changes {
            match change {
                Change::Account { version, data: Some(a), .. } => accounts.push((version.0, a)),
                Change::Contact { version, data: Some(c), .. } => contacts.push((version.0, c)),
                Change::Doc { version, id, data: Some(doc) } => docs.push((*id, version.0, doc)),
                _ => {
                    crate::bulk::write_accounts(&mut tx, &mut touch, &accounts).await?;
                    crate::bulk::write_contacts(&mut tx, &contacts).await?;
                    crate::docs::write_many(&mut tx, &docs).await?;
                    accounts.clear();
                    contacts.clear();
                    docs.clear();
                    rebase::write_change(&mut tx, &mut touch, change).await?;
                }
            }
        }
        crate::bulk::write_accounts(&mut tx, &mut touch, &accounts).await?;
        crate::bulk::write_contacts(&mut tx, &contacts).await?;
        crate::docs::write_many(&mut tx, &docs).await?;
        meta_set(&mut tx, "cursor", &page.cursor.0.to_string()).await?;
        // Mutations whose version this pull has now brought are settled: base holds them.
        let settled = sqlx::query("DELETE FROM outbox WHERE state = 'applied' AND applied_version <= ? RETURNING op")
            .bind(page.cursor.0)
            .fetch_all(&mut *tx)
            .await?;
        let mut touched = Touched::default();
        for row in settled {
            let op: Op =
                serde_json::from_str(&row.get::<String, _>("op")).map_err(|e| ReplicaError::Corrupt(e.to_string()))?;
            touched.add(&op);
        }
        rebase::rebuild(&mut tx, &mut touch, touched).await?;
        touch.save(&mut tx).await?;
        if fresh {
            search::resume(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
