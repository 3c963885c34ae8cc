//! Running a Tandem server for a test, creating users, and a typed HTTP client.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use chrono::Utc;
use tandem_sync::{
    paths, Change, DeviceId, ErrorBody, Health, LiveEvent, LoginRequest, LoginResponse, Mutation, Op, PullRequest,
    PullResponse, PushRequest, PushResponse, Secret, Version, LIVE_EVENT_NAME, PROTOCOL_VERSION,
};

use crate::pg::TestDb;

/// The server library running in this test process on 127.0.0.1 and a free port.
#[derive(Debug)]
pub struct TestServer {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// A pool to the server's database, for looking behind the API.
    pub pool: sqlx::PgPool,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub fn client(&self) -> ApiClient {
        ApiClient::new(&self.base_url)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Migrates `db` and serves `tandem_server::router` on it in a tokio task.
pub async fn spawn_in_process(db: &TestDb) -> anyhow::Result<TestServer> {
    let pool = tandem_server::connect(&db.url).await.context("connecting the server to the test database")?;
    tandem_server::migrate(&pool).await.context("migrating the test database")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding 127.0.0.1:0")?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let serving = pool.clone();
    let task = tokio::spawn(async move {
        if let Err(e) = tandem_server::serve(listener, serving, std::future::pending()).await {
            eprintln!("in-process server stopped: {e}");
        }
    });
    Ok(TestServer { base_url, pool, task })
}

/// A real `tandem-server serve` process; killed when dropped.
#[derive(Debug)]
pub struct ServerProcess {
    /// `http://127.0.0.1:PORT` as the server printed it.
    pub base_url: String,
    child: Child,
}

impl ServerProcess {
    pub fn client(&self) -> ApiClient {
        ApiClient::new(&self.base_url)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The `tandem-server` binary: `$TANDEM_SERVER_BIN`, else next to this test's target directory
/// (target/debug/deps/<test> → target/debug/tandem-server).
pub fn server_binary() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("TANDEM_SERVER_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().context("locating the test executable")?;
    let mut dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let bin = dir.join("tandem-server");
    if !bin.is_file() {
        bail!(
            "{} does not exist: build the server first with `cargo build -p tandem-server` (or `cargo build --workspace`)",
            bin.display()
        );
    }
    Ok(bin)
}

/// Starts `tandem-server serve --listen 127.0.0.1:0` on `database_url` and waits for its
/// "listening on" line (which also means migrations are applied).
pub fn spawn_process(database_url: &str) -> anyhow::Result<ServerProcess> {
    spawn_process_at(database_url, "127.0.0.1:0")
}

/// Like [`spawn_process`] on a given address (e.g. to restart a server where devices expect it).
pub fn spawn_process_at(database_url: &str, listen: &str) -> anyhow::Result<ServerProcess> {
    let bin = server_binary()?;
    let mut child = Command::new(&bin)
        .args(["serve", "--listen", listen, "--database-url", database_url])
        .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout pipe"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = tx.send(lines.next());
        // Keep draining so the server never writes into a closed pipe.
        for _ in lines {}
    });
    let line = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(Ok(line))) => line,
        other => {
            let _ = child.kill();
            let status = child.wait().ok();
            bail!("tandem-server did not report its address ({other:?}); exit status {status:?}");
        }
    };
    let base_url = line
        .strip_prefix("tandem-server listening on ")
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .ok_or_else(|| anyhow!("unexpected first line from tandem-server: {line:?}"))?;
    Ok(ServerProcess { base_url, child })
}

/// Runs the `tandem-server` binary with `args` (and `--database-url`), feeding `stdin`.
pub fn run_server_command(database_url: &str, args: &[&str], stdin: &str) -> anyhow::Result<Output> {
    let bin = server_binary()?;
    let mut child = Command::new(&bin)
        .args(args)
        .args(["--database-url", database_url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).context("writing to tandem-server's stdin")?;
    }
    child.wait_with_output().context("waiting for tandem-server")
}

/// Adds a user through the server library (the database must be migrated).
pub async fn create_user(database_url: &str, name: &str, role: &str, password: &str) -> anyhow::Result<()> {
    let pool = tandem_server::connect(database_url).await?;
    tandem_server::migrate(&pool).await?;
    let role = tandem_server::auth::Role::parse(role)?;
    tandem_server::auth::add_user(&pool, name, role, &Secret::new(password)).await?;
    pool.close().await;
    Ok(())
}

/// Adds a user with the real binary: `tandem-server user add NAME --role ROLE`, password on stdin.
pub fn create_user_with_binary(database_url: &str, name: &str, role: &str, password: &str) -> anyhow::Result<()> {
    let out = run_server_command(database_url, &["user", "add", name, "--role", role], &format!("{password}\n"))?;
    if !out.status.success() {
        bail!("tandem-server user add failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// A refused or failed API call.
#[derive(Debug)]
pub enum CallError {
    /// The server answered with an error status and its JSON body.
    Api { status: u16, error: ErrorBody },
    /// No usable answer (connection refused, non-JSON body, ...).
    Transport(String),
}

impl CallError {
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Api { status, .. } => Some(*status),
            CallError::Transport(_) => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            CallError::Api { error, .. } => Some(&error.code),
            CallError::Transport(_) => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Api { status, error } => write!(f, "HTTP {status} {}: {}", error.code, error.message),
            CallError::Transport(e) => write!(f, "transport error: {e}"),
        }
    }
}

impl std::error::Error for CallError {}

/// A raw HTTP answer, for tests that send malformed requests on purpose.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl RawResponse {
    /// The body as the JSON error every refusal must be.
    pub fn error_body(&self) -> anyhow::Result<ErrorBody> {
        serde_json::from_str(&self.body)
            .with_context(|| format!("HTTP {} body is not an ErrorBody: {}", self.status, self.body))
    }
}

/// A typed client of the sync API.
#[derive(Clone, Debug)]
pub struct ApiClient {
    base_url: String,
    http: reqwest::Client,
}

impl ApiClient {
    pub fn new(base_url: &str) -> Self {
        Self { base_url: base_url.trim_end_matches('/').to_owned(), http: reqwest::Client::new() }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub async fn health(&self) -> Result<Health, CallError> {
        let resp = self.http.get(format!("{}{}", self.base_url, paths::HEALTH)).send().await;
        decode(resp).await
    }

    pub async fn login(&self, user: &str, password: &str, device_id: DeviceId) -> Result<LoginResponse, CallError> {
        let req = LoginRequest {
            user: user.to_owned(),
            password: Secret::new(password),
            device_id,
            device_name: Some("test device".into()),
        };
        let resp = self.http.post(format!("{}{}", self.base_url, paths::LOGIN)).json(&req).send().await;
        decode(resp).await
    }

    pub async fn push(&self, token: &Secret, req: &PushRequest) -> Result<PushResponse, CallError> {
        let resp = self
            .http
            .post(format!("{}{}", self.base_url, paths::PUSH))
            .bearer_auth(token.expose())
            .json(req)
            .send()
            .await;
        decode(resp).await
    }

    pub async fn pull(&self, token: &Secret, req: &PullRequest) -> Result<PullResponse, CallError> {
        let resp = self
            .http
            .post(format!("{}{}", self.base_url, paths::PULL))
            .bearer_auth(token.expose())
            .json(req)
            .send()
            .await;
        decode(resp).await
    }

    /// Opens the live event stream (`GET /v1/events`); a refusal is returned as [`CallError::Api`].
    pub async fn events(&self, token: Option<&Secret>) -> Result<EventStream, CallError> {
        let mut req = self
            .http
            .get(format!("{}{}", self.base_url, paths::EVENTS))
            .header(reqwest::header::ACCEPT, "text/event-stream");
        if let Some(t) = token {
            req = req.bearer_auth(t.expose());
        }
        let resp = req.send().await.map_err(|e| CallError::Transport(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(match decode::<serde_json::Value>(Ok(resp)).await {
                Err(e) => e,
                Ok(v) => CallError::Transport(format!("HTTP {status} with a non-error body {v}")),
            });
        }
        let content_type =
            resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(EventStream { resp, buf: Vec::new(), content_type })
    }

    /// Any request with any body: `content_type: None` sends none.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> anyhow::Result<RawResponse> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).context("HTTP method")?;
        let mut req = self.http.request(method, format!("{}{path}", self.base_url)).body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(ct) = content_type {
            req = req.header(reqwest::header::CONTENT_TYPE, ct);
        }
        let resp = req.send().await.context("sending the request")?;
        let status = resp.status().as_u16();
        let content_type =
            resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = resp.text().await.context("reading the body")?;
        Ok(RawResponse { status, content_type, body })
    }
}

/// An open `GET /v1/events` stream, read with a deliberately simple parser of its own (the
/// replica's parser is tested separately), so the wire format is checked independently.
#[derive(Debug)]
pub struct EventStream {
    resp: reqwest::Response,
    buf: Vec<u8>,
    pub content_type: Option<String>,
}

impl EventStream {
    /// The next `changes` event's version, waiting at most `within`. `Ok(None)`: the stream ended.
    pub async fn next_version(&mut self, within: Duration) -> anyhow::Result<Option<Version>> {
        tokio::time::timeout(within, self.next_version_inner())
            .await
            .map_err(|_| anyhow!("no live event within {within:?}"))?
    }

    async fn next_version_inner(&mut self) -> anyhow::Result<Option<Version>> {
        loop {
            while let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buf.drain(..end + 2).collect();
                let block = String::from_utf8(block).context("the event stream is not UTF-8")?;
                let mut name = None;
                let mut data = None;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = Some(v.trim().to_owned());
                    }
                }
                if let (Some(LIVE_EVENT_NAME), Some(data)) = (name.as_deref(), data) {
                    let event: LiveEvent =
                        serde_json::from_str(&data).with_context(|| format!("event data {data:?}"))?;
                    return Ok(Some(event.version));
                }
            }
            match self.resp.chunk().await.context("reading the event stream")? {
                Some(chunk) => self.buf.extend_from_slice(&chunk),
                None => return Ok(None),
            }
        }
    }
}

async fn decode<T: serde::de::DeserializeOwned>(resp: reqwest::Result<reqwest::Response>) -> Result<T, CallError> {
    let resp = resp.map_err(|e| CallError::Transport(e.to_string()))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| CallError::Transport(e.to_string()))?;
    if status.is_success() {
        serde_json::from_slice(&body).map_err(|e| CallError::Transport(format!("HTTP {status}: bad JSON: {e}")))
    } else {
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(error) => Err(CallError::Api { status: status.as_u16(), error }),
            Err(_) => Err(CallError::Transport(format!(
                "HTTP {status} without a JSON error body: {}",
                String::from_utf8_lossy(&body)
            ))),
        }
    }
}

/// One logged-in device: its id, token and the next seq it will push.
#[derive(Clone, Debug)]
pub struct Device {
    pub client: ApiClient,
    pub id: DeviceId,
    pub token: Secret,
    pub next_seq: i64,
}

impl Device {
    /// Logs in as `user` on a new device (fresh UUIDv7).
    pub async fn login(client: &ApiClient, user: &str, password: &str) -> Result<Device, CallError> {
        Self::login_as(client, user, password, DeviceId(uuid::Uuid::now_v7())).await
    }

    /// Logs in as `user` on device `id`.
    pub async fn login_as(client: &ApiClient, user: &str, password: &str, id: DeviceId) -> Result<Device, CallError> {
        let resp = client.login(user, password, id).await?;
        Ok(Device { client: client.clone(), id, token: resp.token, next_seq: resp.last_seq + 1 })
    }

    /// Numbers `ops` from `next_seq` on (and advances it), made now.
    pub fn mutations(&mut self, ops: impl IntoIterator<Item = Op>) -> Vec<Mutation> {
        ops.into_iter()
            .map(|op| {
                let m = Mutation { seq: self.next_seq, made_at: Utc::now(), op };
                self.next_seq += 1;
                m
            })
            .collect()
    }

    /// Pushes exactly these mutations.
    pub async fn push(&self, mutations: &[Mutation]) -> Result<PushResponse, CallError> {
        let req =
            PushRequest { protocol: PROTOCOL_VERSION, client: None, device_id: self.id, mutations: mutations.to_vec() };
        self.client.push(&self.token, &req).await
    }

    /// Numbers and pushes `ops`.
    pub async fn push_ops(&mut self, ops: impl IntoIterator<Item = Op>) -> Result<PushResponse, CallError> {
        let ms = self.mutations(ops);
        self.push(&ms).await
    }

    pub async fn pull(&self, cursor: Version, limit: u32) -> Result<PullResponse, CallError> {
        let req = PullRequest {
            protocol: PROTOCOL_VERSION,
            client: None,
            device_id: self.id,
            cursor,
            limit,
            count_remaining: false,
        };
        self.client.pull(&self.token, &req).await
    }

    /// Pulls page after page until `has_more` is false: every change after `cursor`, and the
    /// final cursor.
    pub async fn pull_all(&self, mut cursor: Version, limit: u32) -> Result<(Vec<Change>, Version), CallError> {
        let mut all = Vec::new();
        loop {
            let page = self.pull(cursor, limit).await?;
            all.extend(page.changes);
            cursor = page.cursor;
            if !page.has_more {
                return Ok((all, cursor));
            }
        }
    }
}
