//! The sync simulation: several real devices ([`Replica`]s, each with its own data directory)
//! work against a real `tandem-server` process through fault-injecting proxies, driven by one
//! seeded random stream. Devices create, edit and delete accounts and contacts, go offline, sync
//! alone or at the same time as others, write while a sync runs; the network drops answers,
//! refuses requests, duplicates them, delays them (so two devices' requests cross) and delivers
//! stale copies of old pushes late; the server is killed and restarted, sometimes in the middle
//! of a request. Then the faults stop, every device syncs until quiet, and [`run_seed`] checks:
//!
//! - every device shows exactly the server's live accounts and contacts, field by field;
//! - no acknowledged write is lost: each device's `mutation_log` holds exactly the writes the
//!   device accepted, in order, each seq once, and every outbox is empty (a rejected mutation
//!   counts as answered, and the device lists it);
//! - nothing is applied twice: every version the clock handed out belongs to exactly one logged
//!   mutation, and replaying the applied log in version order gives the server's tables.
//!
//! The schedule (which device does what, which request meets which fault) depends only on the
//! seed; timing (real processes, real sockets) may vary, and with it, rarely, the exact rows an
//! operation picks.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use serde_json::Value;
use sqlx::Row as _;
use tandem_core::demo::SplitMix;
use tandem_core::{AccountInput, ContactInput};
use tandem_replica::{Replica, ReplicaError, Workspace};
use tandem_sync::{paths, Secret};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::{create_user, spawn_process_at, ServerProcess, TestDb};

/// How big one simulated run is.
#[derive(Clone, Copy, Debug)]
pub struct SimConfig {
    /// Devices (users alternate between two sales managers, so one user has several devices).
    pub devices: usize,
    /// Scheduled steps before the final settling syncs.
    pub steps: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self { devices: 3, steps: 140 }
    }
}

/// The seeds to run: `TANDEM_SIM_SEED=N` runs that one seed (to reproduce a failure), else
/// `TANDEM_SIM_SEEDS` seeds (default `default_count`) from `TANDEM_SIM_FIRST_SEED` (default 1).
pub fn seeds_from_env(default_count: u64) -> Vec<u64> {
    let var = |k: &str| std::env::var(k).ok().and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(one) = var("TANDEM_SIM_SEED") {
        return vec![one];
    }
    let count = var("TANDEM_SIM_SEEDS").unwrap_or(default_count).max(1);
    let first = var("TANDEM_SIM_FIRST_SEED").unwrap_or(1);
    (first..first + count).collect()
}

/// What one seed did, for the test output.
#[derive(Clone, Debug, Default)]
pub struct SimStats {
    pub seed: u64,
    pub steps: usize,
    pub writes: usize,
    pub refused_locally: usize,
    pub syncs: usize,
    pub failed_syncs: usize,
    pub faults: BTreeMap<&'static str, usize>,
    pub restarts: usize,
    pub stale_replays: usize,
    pub offline_periods: usize,
    pub mutations: i64,
    pub rejected: i64,
    pub versions: i64,
    pub elapsed: Duration,
}

impl fmt::Display for SimStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed {}: {} steps, {} writes ({} refused locally), {} syncs ({} failed), {} offline periods, \
             {} server restarts, {} stale pushes replayed, faults {:?}; server: {} mutations ({} rejected), \
             {} versions; {:.1?}",
            self.seed,
            self.steps,
            self.writes,
            self.refused_locally,
            self.syncs,
            self.failed_syncs,
            self.offline_periods,
            self.restarts,
            self.stale_replays,
            self.faults,
            self.mutations,
            self.rejected,
            self.versions,
            self.elapsed
        )
    }
}

const PASSWORD: &str = "simulation-password-1";
const USERS: [&str; 2] = ["anna", "ben"];
/// The longest a single step may take before the run counts as hung.
const STEP_LIMIT: Duration = Duration::from_secs(120);

/// Runs one seed from an empty database to the final checks. The error explains what diverged
/// and ends with the last steps of the schedule.
pub async fn run_seed(seed: u64, config: SimConfig) -> anyhow::Result<SimStats> {
    let started = Instant::now();
    let db = TestDb::new().await.context("a test database")?;
    for user in USERS {
        create_user(&db.url, user, "sales_manager", PASSWORD).await.with_context(|| format!("creating {user}"))?;
    }
    let mut sim = Sim::start(seed, config, &db).await?;
    let outcome = sim.run().await;
    let trace = sim.trace_tail(40);
    sim.shutdown();
    match outcome {
        Ok(()) => {
            let mut stats = sim.stats.clone();
            stats.seed = seed;
            stats.elapsed = started.elapsed();
            Ok(stats)
        }
        Err(e) => Err(anyhow!("{e:#}\n--- the last steps of seed {seed} ---\n{trace}")),
    }
}

// ----- the server, restartable at a fixed address -----

#[derive(Debug)]
struct ServerSlot {
    db_url: String,
    addr: String,
    process: Mutex<Option<ServerProcess>>,
    starts: AtomicUsize,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ServerSlot {
    /// SIGKILL, as a crash would.
    fn kill(&self) {
        if let Some(mut p) = locked(&self.process).take() {
            p.kill();
        }
    }

    fn is_up(&self) -> bool {
        locked(&self.process).is_some()
    }

    async fn start(self: &Arc<Self>) -> anyhow::Result<()> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let p = spawn_process_at(&me.db_url, &me.addr)?;
            *locked(&me.process) = Some(p);
            me.starts.fetch_add(1, Ordering::SeqCst);
            anyhow::Ok(())
        })
        .await
        .context("server start panicked")?
        .context("restarting tandem-server")
    }
}

// ----- the network: one fault-injecting HTTP/1.1 proxy per device -----

/// What happens to one request on its way to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Forward,
    /// The connection closes before anything is forwarded.
    Refuse,
    /// Forwarded and handled; the answer never reaches the device.
    DropAnswer,
    /// Sent to the server twice at once; the device gets one of the two answers.
    Duplicate {
        answer_second: bool,
    },
    /// Held for this many milliseconds before forwarding (another device's request overtakes).
    Delay(u64),
    /// Forwarded normally, and a copy arrives again much later (a push only).
    Stale,
    /// Forwarded, and the server is killed this many milliseconds later.
    Crash(u64),
}

impl Fault {
    fn label(self) -> &'static str {
        match self {
            Fault::Forward => "forward",
            Fault::Refuse => "refuse",
            Fault::DropAnswer => "drop_answer",
            Fault::Duplicate { .. } => "duplicate",
            Fault::Delay(_) => "delay",
            Fault::Stale => "stale",
            Fault::Crash(_) => "crash",
        }
    }
}

/// A push captured on its way, to be delivered again later.
#[derive(Debug)]
struct Captured {
    device: usize,
    auth: Option<String>,
    body: Vec<u8>,
}

/// What every proxy shares: the server, the stash of stale pushes, and what they saw.
#[derive(Debug)]
struct Net {
    upstream: String,
    http: reqwest::Client,
    server: Arc<ServerSlot>,
    stash: Mutex<Vec<Captured>>,
    faults: Mutex<BTreeMap<&'static str, usize>>,
    /// Answers with a 5xx status: the server must never fail like that.
    server_errors: Mutex<Vec<String>>,
}

struct Answer {
    status: reqwest::StatusCode,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Net {
    async fn send(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        ctype: Option<&str>,
        body: Vec<u8>,
    ) -> Option<Answer> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).ok()?;
        let mut req = self.http.request(method, format!("{}{path}", self.upstream)).body(body);
        if let Some(a) = auth {
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        if let Some(c) = ctype {
            req = req.header(reqwest::header::CONTENT_TYPE, c);
        }
        let resp = req.send().await.ok()?;
        let status = resp.status();
        let content_type =
            resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = resp.bytes().await.ok()?.to_vec();
        if status.is_server_error() {
            locked(&self.server_errors).push(format!(
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&body).chars().take(300).collect::<String>()
            ));
        }
        Some(Answer { status, content_type, body })
    }

    fn count(&self, fault: Fault) {
        if fault != Fault::Forward {
            *locked(&self.faults).entry(fault.label()).or_insert(0) += 1;
        }
    }
}

#[derive(Debug)]
struct DeviceProxy {
    url: String,
    /// Faults for the next requests, in order; empty = forward.
    plan: Arc<Mutex<VecDeque<Fault>>>,
    task: tokio::task::JoinHandle<()>,
}

async fn start_proxy(net: Arc<Net>, device: usize) -> anyhow::Result<DeviceProxy> {
    let listener = TcpListener::bind("127.0.0.1:0").await.context("binding a proxy")?;
    let url = format!("http://{}", listener.local_addr()?);
    let plan: Arc<Mutex<VecDeque<Fault>>> = Arc::default();
    let task = tokio::spawn({
        let plan = plan.clone();
        async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (net, plan) = (net.clone(), plan.clone());
                tokio::spawn(async move {
                    let _ = serve(sock, &net, &plan, device).await;
                });
            }
        }
    });
    Ok(DeviceProxy { url, plan, task })
}

/// Reads HTTP/1.1 requests from the device one after another and forwards each by its fault.
async fn serve(mut sock: TcpStream, net: &Net, plan: &Mutex<VecDeque<Fault>>, device: usize) -> anyhow::Result<()> {
    loop {
        let mut buf = Vec::new();
        let head_end = loop {
            let mut chunk = [0u8; 8192];
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.lines();
        let request_line = lines.next().context("request line")?.to_owned();
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("GET").to_owned(), parts.next().unwrap_or("/").to_owned());
        let (mut length, mut auth, mut ctype) = (0usize, None, None);
        for line in lines {
            if let Some((k, v)) = line.split_once(':') {
                let (k, v) = (k.trim(), v.trim().to_owned());
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.parse()?;
                } else if k.eq_ignore_ascii_case("authorization") {
                    auth = Some(v);
                } else if k.eq_ignore_ascii_case("content-type") {
                    ctype = Some(v);
                }
            }
        }
        let mut body = buf[head_end..].to_vec();
        while body.len() < length {
            let mut chunk = vec![0u8; length - body.len()];
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            body.extend_from_slice(&chunk[..n]);
        }

        let fault = locked(plan).pop_front().unwrap_or(Fault::Forward);
        net.count(fault);
        let send = |body: Vec<u8>| net.send(&method, &path, auth.as_deref(), ctype.as_deref(), body);
        let answer = match fault {
            Fault::Refuse => return Ok(()),
            Fault::Delay(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                send(body).await
            }
            Fault::Crash(ms) => {
                let server = net.server.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    server.kill();
                });
                send(body).await
            }
            Fault::Duplicate { answer_second } => {
                let (one, two) = tokio::join!(send(body.clone()), send(body));
                if answer_second {
                    two
                } else {
                    one
                }
            }
            Fault::Stale => {
                if path == paths::PUSH {
                    locked(&net.stash).push(Captured { device, auth: auth.clone(), body: body.clone() });
                }
                send(body).await
            }
            Fault::Forward | Fault::DropAnswer => send(body).await,
        };
        let Some(answer) = answer else { return Ok(()) };
        if fault == Fault::DropAnswer {
            return Ok(());
        }
        let head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            answer.status.as_u16(),
            answer.status.canonical_reason().unwrap_or(""),
            answer.content_type.as_deref().unwrap_or("application/json"),
            answer.body.len()
        );
        sock.write_all(head.as_bytes()).await?;
        sock.write_all(&answer.body).await?;
    }
}

// ----- devices -----

#[derive(Debug)]
struct SimDevice {
    index: usize,
    user: &'static str,
    replica: Replica,
    proxy: DeviceProxy,
    device_id: String,
    /// Every write the replica accepted, in order: (mutation name, record id). Its position is
    /// the mutation's seq - 1.
    written: Vec<(&'static str, String)>,
    /// Account ids this device has created or seen, deleted ones included.
    known_accounts: Vec<String>,
    offline_until: usize,
    _dir: tempfile::TempDir,
}

/// One write, chosen before it runs (so it can also run in the middle of a sync).
#[derive(Clone, Debug)]
enum Write {
    CreateAccount(AccountInput),
    UpdateAccount(String, AccountInput),
    DeleteAccount(String),
    AddContact(String, ContactInput),
    UpdateContact(String, ContactInput),
    DeleteContact(String),
}

impl Write {
    fn name(&self) -> &'static str {
        match self {
            Write::CreateAccount(_) => "account.create",
            Write::UpdateAccount(..) => "account.update",
            Write::DeleteAccount(_) => "account.delete",
            Write::AddContact(..) => "contact.add",
            Write::UpdateContact(..) => "contact.update",
            Write::DeleteContact(_) => "contact.delete",
        }
    }

    /// Runs it on `replica`: the record id it wrote, or the replica's refusal.
    async fn run(&self, replica: &Replica) -> Result<String, ReplicaError> {
        Ok(match self {
            Write::CreateAccount(input) => replica.create_account(input).await?.to_string(),
            Write::UpdateAccount(id, input) => replica.update_account(id, input).await?.to_string(),
            Write::DeleteAccount(id) => {
                replica.delete_account(id).await?;
                id.clone()
            }
            Write::AddContact(account, input) => replica.add_contact(account, input).await?.to_string(),
            Write::UpdateContact(id, input) => replica.update_contact(id, input).await?.to_string(),
            Write::DeleteContact(id) => {
                replica.delete_contact(id).await?;
                id.clone()
            }
        })
    }
}

const PREFIXES: &[&str] = &["Nord", "Süd", "Alpen", "Rhein", "Elb", "Ost", "West", "Hansa"];
const CORES: &[&str] = &["Logistik", "Metall", "Textil", "Software", "Bau", "Pharma", "Druck"];
const CITIES: &[&str] = &["Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden", "Halle"];
const FIRST: &[&str] = &["Nora", "Jonas", "Mia", "Paul", "Lea", "Emil", "Clara"];
const LAST: &[&str] = &["Lang", "Berg", "Schulz", "Wagner", "Krüger", "Vogel"];

/// Random field values; `n` keeps names unique, so lists sort the same way in every run.
struct Values<'a> {
    rng: &'a mut SplitMix,
    n: &'a mut u64,
}

impl Values<'_> {
    fn next(&mut self) -> u64 {
        *self.n += 1;
        *self.n
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }
    fn account_name(&mut self) -> String {
        let (p, c, n) = (self.rng.pick(PREFIXES), self.rng.pick(CORES), self.next());
        format!("{p}{c} {n} GmbH")
    }
    fn person(&mut self) -> String {
        let (f, l, n) = (self.rng.pick(FIRST), self.rng.pick(LAST), self.next());
        format!("{f} {l} {n}")
    }
    fn city(&mut self) -> String {
        self.rng.pick(CITIES).to_owned()
    }
    fn phone(&mut self) -> String {
        format!("+49 30 {:07}", self.rng.below(10_000_000))
    }
    fn email(&mut self) -> String {
        let n = self.next();
        format!("kontakt{n}@example{}.de", self.rng.below(5))
    }
    fn vat_id(&mut self) -> String {
        format!("DE{:09}", self.rng.below(1_000_000_000))
    }
    /// A new value, or (one time in five) blank = clear the field.
    fn or_clear(&mut self, value: impl FnOnce(&mut Self) -> String) -> String {
        if self.chance(20) {
            String::new()
        } else {
            value(self)
        }
    }
}

impl SimDevice {
    async fn live_accounts(&mut self) -> anyhow::Result<Vec<String>> {
        let ids: Vec<String> = self.replica.all_accounts().await?.into_iter().map(|a| a.id).collect();
        for id in &ids {
            if !self.known_accounts.contains(id) {
                self.known_accounts.push(id.clone());
            }
        }
        Ok(ids)
    }

    /// An account to work on: mostly a live one, sometimes one this device knew (perhaps
    /// deleted since, which the replica refuses).
    async fn pick_account(&mut self, v: &mut Values<'_>) -> anyhow::Result<Option<String>> {
        let live = self.live_accounts().await?;
        if v.chance(12) && !self.known_accounts.is_empty() {
            return Ok(Some(self.known_accounts[v.rng.below(self.known_accounts.len())].clone()));
        }
        Ok((!live.is_empty()).then(|| live[v.rng.below(live.len())].clone()))
    }

    async fn plan_write(&mut self, v: &mut Values<'_>) -> anyhow::Result<Write> {
        let roll = v.rng.below(100);
        let account = self.pick_account(v).await?;
        let Some(account) = account.filter(|_| roll >= 25) else {
            let input = AccountInput {
                name: Some(v.account_name()),
                city: v.chance(70).then(|| v.city()),
                phone: v.chance(50).then(|| v.phone()),
                email: v.chance(50).then(|| v.email()),
                vat_id: v.chance(30).then(|| v.vat_id()),
                territory: None,
            };
            return Ok(Write::CreateAccount(input));
        };
        match roll {
            25..=54 => {
                let mut input = AccountInput::default();
                let fields = 1 + v.rng.below(3);
                for _ in 0..fields {
                    match v.rng.below(5) {
                        0 => input.name = Some(v.account_name()),
                        1 => input.city = Some(v.or_clear(Values::city)),
                        2 => input.phone = Some(v.or_clear(Values::phone)),
                        3 => input.email = Some(v.or_clear(Values::email)),
                        _ => input.vat_id = Some(v.or_clear(Values::vat_id)),
                    }
                }
                Ok(Write::UpdateAccount(account, input))
            }
            55..=61 => Ok(Write::DeleteAccount(account)),
            _ => {
                let contacts: Vec<String> = match self.replica.contacts_of(&account).await {
                    Ok(c) => c.into_iter().map(|c| c.id).collect(),
                    Err(_) => Vec::new(),
                };
                if roll < 80 || contacts.is_empty() {
                    let input = ContactInput {
                        name: Some(v.person()),
                        email: v.chance(50).then(|| v.email()),
                        phone: v.chance(50).then(|| v.phone()),
                    };
                    return Ok(Write::AddContact(account, input));
                }
                let contact = contacts[v.rng.below(contacts.len())].clone();
                if roll >= 95 {
                    return Ok(Write::DeleteContact(contact));
                }
                let mut input = ContactInput::default();
                for _ in 0..1 + v.rng.below(2) {
                    match v.rng.below(3) {
                        0 => input.name = Some(v.person()),
                        1 => input.email = Some(v.or_clear(Values::email)),
                        _ => input.phone = Some(v.or_clear(Values::phone)),
                    }
                }
                Ok(Write::UpdateContact(contact, input))
            }
        }
    }

    fn set_plan(&self, faults: &[Fault]) {
        *locked(&self.proxy.plan) = faults.iter().copied().collect();
    }
}

/// What a write came to: accepted (and so owed to the server), or refused by a local rule.
fn settle_write(
    device: &mut SimDevice,
    stats: &mut SimStats,
    w: &Write,
    result: Result<String, ReplicaError>,
) -> anyhow::Result<String> {
    match result {
        Ok(id) => {
            device.written.push((w.name(), id.clone()));
            if matches!(w, Write::CreateAccount(_)) {
                device.known_accounts.push(id.clone());
            }
            stats.writes += 1;
            Ok(format!("{} {id} (seq {})", w.name(), device.written.len()))
        }
        Err(ReplicaError::Rule(e)) => {
            stats.refused_locally += 1;
            Ok(format!("{} refused locally: {e}", w.name()))
        }
        // Anything else, "database is locked" included (found by this simulation and fixed
        // with BEGIN IMMEDIATE in the replica), fails the run.
        Err(e) => Err(anyhow!("device {} could not write {w:?}: {e} ({})", device.index, e.code())),
    }
}

/// A sync during the faulty phase may fail only because the network or the server is away.
fn settle_sync(
    device: &SimDevice,
    stats: &mut SimStats,
    result: Result<tandem_replica::SyncReport, ReplicaError>,
) -> anyhow::Result<String> {
    stats.syncs += 1;
    match result {
        Ok(r) => Ok(format!("synced: {} applied, {} rejected, {} pulled", r.applied, r.rejected, r.pulled)),
        Err(ReplicaError::Offline { reason, .. }) => {
            stats.failed_syncs += 1;
            Ok(format!("sync failed (offline): {}", reason.chars().take(80).collect::<String>()))
        }
        Err(e) => Err(anyhow!("device {} sync failed with an unexpected error ({}): {e}", device.index, e.code())),
    }
}

// ----- the run -----

#[derive(Debug)]
struct Sim {
    config: SimConfig,
    rng: SplitMix,
    names: u64,
    net: Arc<Net>,
    server: Arc<ServerSlot>,
    /// The step at which a downed server comes back.
    restart_at: usize,
    devices: Vec<SimDevice>,
    pool: sqlx::PgPool,
    trace: Vec<String>,
    stats: SimStats,
}

impl Sim {
    async fn start(seed: u64, config: SimConfig, db: &TestDb) -> anyhow::Result<Sim> {
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            l.local_addr()?.to_string()
        };
        let server = Arc::new(ServerSlot {
            db_url: db.url.clone(),
            addr: addr.clone(),
            process: Mutex::new(None),
            starts: AtomicUsize::new(0),
        });
        server.start().await?;
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(30))
            .build()
            .context("proxy HTTP client")?;
        let net = Arc::new(Net {
            upstream: format!("http://{addr}"),
            http,
            server: server.clone(),
            stash: Mutex::default(),
            faults: Mutex::default(),
            server_errors: Mutex::default(),
        });
        let mut devices = Vec::new();
        for index in 0..config.devices {
            let user = USERS[index % USERS.len()];
            let proxy = start_proxy(net.clone(), index).await?;
            let dir = tempfile::tempdir()?;
            let replica = Workspace::new(dir.path())
                .sign_in(&proxy.url, user, Secret::new(PASSWORD))
                .await
                .with_context(|| format!("device {index} signs in (needs the keyring: scripts/with-keyring.sh)"))?;
            let device_id = replica.status().await?.device_id.context("a signed-in device has an id")?;
            devices.push(SimDevice {
                index,
                user,
                replica,
                proxy,
                device_id,
                written: Vec::new(),
                known_accounts: Vec::new(),
                offline_until: 0,
                _dir: dir,
            });
        }
        Ok(Sim {
            config,
            rng: SplitMix::new(seed ^ 0x5EED_0F7A_4DE4),
            names: 0,
            net,
            server,
            restart_at: 0,
            devices,
            pool: db.pool().await?,
            trace: Vec::new(),
            stats: SimStats::default(),
        })
    }

    fn trace_tail(&self, n: usize) -> String {
        let from = self.trace.len().saturating_sub(n);
        self.trace[from..].join("\n")
    }

    fn shutdown(&mut self) {
        self.server.kill();
        for d in &self.devices {
            d.proxy.task.abort();
        }
    }

    async fn run(&mut self) -> anyhow::Result<()> {
        for step in 0..self.config.steps {
            let what = tokio::time::timeout(STEP_LIMIT, self.step(step))
                .await
                .map_err(|_| anyhow!("step {step} hung for more than {STEP_LIMIT:?}"))??;
            self.trace.push(format!("{step:>3} {what}"));
            self.stats.steps += 1;
        }
        tokio::time::timeout(STEP_LIMIT * 3, self.settle())
            .await
            .map_err(|_| anyhow!("the final syncs hung for more than {:?}", STEP_LIMIT * 3))??;
        self.check().await
    }

    /// Up to three faults for the next requests of one sync; none at all half of the time.
    fn fault_plan(&mut self) -> Vec<Fault> {
        let rng = &mut self.rng;
        (0..3)
            .map(|_| {
                if rng.below(100) >= 30 {
                    return Fault::Forward;
                }
                match rng.below(100) {
                    0..=19 => Fault::Refuse,
                    20..=44 => Fault::DropAnswer,
                    45..=62 => Fault::Duplicate { answer_second: rng.below(2) == 1 },
                    63..=77 => Fault::Stale,
                    78..=94 => Fault::Delay(5 + rng.below(60) as u64),
                    _ => Fault::Crash(rng.below(15) as u64),
                }
            })
            .collect()
    }

    async fn ensure_server(&mut self, step: usize) -> anyhow::Result<Option<String>> {
        if self.server.is_up() || step < self.restart_at {
            return Ok(None);
        }
        self.server.start().await?;
        Ok(Some("server back".into()))
    }

    async fn step(&mut self, step: usize) -> anyhow::Result<String> {
        let back = self.ensure_server(step).await?;
        let roll = self.rng.below(100);
        let d = self.rng.below(self.devices.len());
        let mut what = match roll {
            0..=44 => self.write(d).await?,
            45..=66 => {
                let plan = self.fault_plan();
                self.sync(d, &plan).await?
            }
            67..=73 => {
                let other = (d + 1 + self.rng.below(self.devices.len() - 1)) % self.devices.len();
                self.sync_two(d, other).await?
            }
            74..=79 => self.write_during_sync(d).await?,
            80..=84 => {
                let steps = 3 + self.rng.below(15);
                self.devices[d].offline_until = step + steps;
                self.stats.offline_periods += 1;
                format!("device {d} goes offline for {steps} steps")
            }
            85..=88 => {
                self.server.kill();
                self.restart_at = step + self.rng.below(5);
                format!("server killed, back at step {}", self.restart_at)
            }
            89..=93 => self.replay_stale().await,
            _ => self.write(d).await?,
        };
        if let Some(b) = back {
            what = format!("{b}; {what}");
        }
        Ok(what)
    }

    async fn write(&mut self, d: usize) -> anyhow::Result<String> {
        let mut v = Values { rng: &mut self.rng, n: &mut self.names };
        let device = &mut self.devices[d];
        let w = device.plan_write(&mut v).await?;
        let result = w.run(&device.replica).await;
        let what = settle_write(device, &mut self.stats, &w, result)?;
        Ok(format!("device {d} writes {what}"))
    }

    async fn sync(&mut self, d: usize, plan: &[Fault]) -> anyhow::Result<String> {
        if self.devices[d].offline_until > self.stats.steps {
            return Ok(format!("device {d} is offline: no sync"));
        }
        let device = &self.devices[d];
        device.set_plan(plan);
        let result = device.replica.sync(&|_| {}).await;
        device.set_plan(&[]);
        let what = settle_sync(device, &mut self.stats, result)?;
        Ok(format!("device {d} syncs with faults {plan:?}: {what}"))
    }

    /// Two devices sync at once; one's first request is held so the other's overtakes it.
    async fn sync_two(&mut self, a: usize, b: usize) -> anyhow::Result<String> {
        let mut plan_a = self.fault_plan();
        let plan_b = self.fault_plan();
        plan_a[0] = Fault::Delay(10 + self.rng.below(50) as u64);
        let (da, db) = (&self.devices[a], &self.devices[b]);
        da.set_plan(&plan_a);
        db.set_plan(&plan_b);
        let (ra, rb) = tokio::join!(da.replica.sync(&|_| {}), db.replica.sync(&|_| {}));
        da.set_plan(&[]);
        db.set_plan(&[]);
        let wa = settle_sync(da, &mut self.stats, ra)?;
        let wb = settle_sync(db, &mut self.stats, rb)?;
        Ok(format!("devices {a} {plan_a:?} and {b} {plan_b:?} sync at once: {wa} | {wb}"))
    }

    /// The user writes while a background sync is under way.
    async fn write_during_sync(&mut self, d: usize) -> anyhow::Result<String> {
        let mut plan = self.fault_plan();
        plan[0] = Fault::Delay(5 + self.rng.below(30) as u64);
        let pause = Duration::from_millis(self.rng.below(40) as u64);
        let mut v = Values { rng: &mut self.rng, n: &mut self.names };
        let device = &mut self.devices[d];
        let w = device.plan_write(&mut v).await?;
        device.set_plan(&plan);
        let replica = &device.replica;
        let (synced, written) = tokio::join!(replica.sync(&|_| {}), async {
            tokio::time::sleep(pause).await;
            w.run(replica).await
        });
        device.set_plan(&[]);
        let ws = settle_write(device, &mut self.stats, &w, written)?;
        let ss = settle_sync(&self.devices[d], &mut self.stats, synced)?;
        Ok(format!("device {d} writes {ws} during a sync with faults {plan:?}: {ss}"))
    }

    /// A push captured earlier arrives again, long after its device moved on.
    async fn replay_stale(&mut self) -> String {
        let stash_len = locked(&self.net.stash).len();
        if stash_len == 0 {
            return "no stale push to replay".into();
        }
        let i = self.rng.below(stash_len);
        let Captured { device, auth, body } = locked(&self.net.stash).remove(i);
        self.stats.stale_replays += 1;
        let answer = self.net.send("POST", paths::PUSH, auth.as_deref(), Some("application/json"), body).await;
        match answer {
            Some(a) => format!(
                "a stale push of device {device} arrives: {} {}",
                a.status.as_u16(),
                String::from_utf8_lossy(&a.body).chars().take(120).collect::<String>()
            ),
            None => format!("a stale push of device {device} is lost (server down)"),
        }
    }

    /// Faults stop, stale pushes still in flight arrive, the server restarts cleanly, and every
    /// device syncs until nothing moves.
    async fn settle(&mut self) -> anyhow::Result<()> {
        for d in &mut self.devices {
            d.set_plan(&[]);
            d.offline_until = 0;
        }
        self.server.kill();
        self.server.start().await?;
        while !locked(&self.net.stash).is_empty() {
            let what = self.replay_stale().await;
            self.trace.push(format!("end {what}"));
        }
        for round in 1..=6 {
            for d in &self.devices {
                let report =
                    d.replica.sync(&|_| {}).await.map_err(|e| {
                        anyhow!("final sync round {round}: device {} failed ({}): {e}", d.index, e.code())
                    })?;
                self.trace.push(format!(
                    "end round {round}: device {} synced: {} applied, {} rejected, {} pulled, cursor {}",
                    d.index, report.applied, report.rejected, report.pulled, report.cursor
                ));
            }
            let clock: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(&self.pool).await?;
            let mut quiet = round >= 2;
            for d in &self.devices {
                let s = d.replica.status().await?;
                quiet &= s.pending == 0 && s.cursor == clock;
            }
            if quiet {
                return Ok(());
            }
        }
        Ok(())
    }

    // ----- the checks -----

    async fn check(&mut self) -> anyhow::Result<()> {
        let mut problems: Vec<String> = Vec::new();
        let pool = &self.pool;
        for e in locked(&self.net.server_errors).iter() {
            problems.push(format!("the server failed a request: {e}"));
        }
        let clock: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(pool).await?;
        let server_accounts = server_accounts(pool).await?;
        let server_contacts = server_contacts(pool).await?;
        let orphans: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE NOT c.deleted AND a.deleted",
        )
        .fetch_one(pool)
        .await?;
        if orphans > 0 {
            problems.push(format!("{orphans} live contact(s) under a deleted account on the server"));
        }

        // (1) Every device equals the server.
        for d in &self.devices {
            let status = d.replica.status().await?;
            if status.pending != 0 {
                problems
                    .push(format!("device {}: {} mutation(s) still pending in the outbox", d.index, status.pending));
            }
            if status.cursor != clock {
                problems
                    .push(format!("device {}: cursor {} but the server is at version {clock}", d.index, status.cursor));
            }
            if let Some(e) = &status.last_error {
                problems.push(format!("device {}: last error after the final sync: {e}", d.index));
            }
            let (accounts, contacts) = device_rows(&d.replica).await?;
            diff(&mut problems, &format!("device {} accounts", d.index), &accounts, &server_accounts);
            diff(&mut problems, &format!("device {} contacts", d.index), &contacts, &server_contacts);

            // (2) No acknowledged write lost: the log holds exactly what the device accepted.
            let rows = sqlx::query(
                "SELECT seq, op_name, op->'args'->>'id' AS target, outcome->>'status' AS status
                   FROM mutation_log WHERE device_id::text = $1 ORDER BY seq",
            )
            .bind(&d.device_id)
            .fetch_all(pool)
            .await?;
            let logged: Vec<(i64, String, Option<String>, Option<String>)> =
                rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
            if logged.len() != d.written.len() {
                problems.push(format!(
                    "device {} ({}): accepted {} write(s) but the server logged {}",
                    d.index,
                    d.user,
                    d.written.len(),
                    logged.len()
                ));
            }
            for (i, (seq, op, target, _)) in logged.iter().enumerate() {
                let expected = d.written.get(i);
                let matches = *seq == i as i64 + 1
                    && expected.is_some_and(|(name, id)| name == op && target.as_deref() == Some(id.as_str()));
                if !matches {
                    problems.push(format!(
                        "device {}: log entry #{} is seq {seq} {op} {target:?}, the device wrote {expected:?}",
                        d.index,
                        i + 1
                    ));
                    break;
                }
            }
            let last_seq: i64 = sqlx::query_scalar("SELECT last_seq FROM devices WHERE id::text = $1")
                .bind(&d.device_id)
                .fetch_one(pool)
                .await?;
            if last_seq != d.written.len() as i64 {
                problems.push(format!(
                    "device {}: server last_seq {last_seq}, device wrote {}",
                    d.index,
                    d.written.len()
                ));
            }
            let rejected_logged = logged.iter().filter(|r| r.3.as_deref() == Some("rejected")).count();
            if rejected_logged != status.rejected.len() && status.rejected.len() < 200 {
                problems.push(format!(
                    "device {}: the server rejected {rejected_logged} mutation(s), the device lists {}",
                    d.index,
                    status.rejected.len()
                ));
            }
        }

        // (3) Nothing applied twice.
        let shared_versions: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT version FROM audit_log GROUP BY version
                 HAVING COUNT(DISTINCT (device_id, seq)) > 1) AS t",
        )
        .fetch_one(pool)
        .await?;
        if shared_versions > 0 {
            problems.push(format!("{shared_versions} version(s) were written by more than one mutation"));
        }
        let (distinct, lowest, highest): (i64, Option<i64>, Option<i64>) = {
            let r = sqlx::query("SELECT COUNT(DISTINCT version), MIN(version), MAX(version) FROM audit_log")
                .fetch_one(pool)
                .await?;
            (r.get(0), r.get(1), r.get(2))
        };
        if distinct != clock || (clock > 0 && (lowest != Some(1) || highest != Some(clock))) {
            problems.push(format!(
                "the clock handed out {clock} versions but the audit log holds {distinct} ({lowest:?}..={highest:?})"
            ));
        }
        let unlogged: Vec<String> = sqlx::query_scalar(
            "SELECT format('%s seq %s version %s (logged %s)', a.device_id, a.seq, a.version, m.version)
               FROM audit_log a LEFT JOIN mutation_log m USING (device_id, seq)
              WHERE m.version IS DISTINCT FROM a.version LIMIT 5",
        )
        .fetch_all(pool)
        .await?;
        for u in unlogged {
            problems.push(format!("an effect no logged mutation owns (applied twice?): {u}"));
        }
        let no_effect: Vec<String> = sqlx::query_scalar(
            "SELECT format('%s seq %s %s version %s', m.device_id, m.seq, m.op_name, m.version)
               FROM mutation_log m
              WHERE m.version IS NOT NULL AND m.op_name NOT IN ('account.delete', 'contact.delete')
                AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.device_id = m.device_id AND a.seq = m.seq)
              LIMIT 5",
        )
        .fetch_all(pool)
        .await?;
        for u in no_effect {
            problems.push(format!("an applied mutation left no effect: {u}"));
        }
        let (replayed_accounts, replayed_contacts) = replay_log(pool).await?;
        diff(
            &mut problems,
            "the applied log replayed in version order vs the accounts table",
            &replayed_accounts,
            &server_accounts,
        );
        diff(
            &mut problems,
            "the applied log replayed in version order vs the contacts table",
            &replayed_contacts,
            &server_contacts,
        );

        let r =
            sqlx::query("SELECT COUNT(*), COUNT(*) FILTER (WHERE outcome->>'status' = 'rejected') FROM mutation_log")
                .fetch_one(pool)
                .await?;
        self.stats.mutations = r.get(0);
        self.stats.rejected = r.get(1);
        self.stats.versions = clock;
        self.stats.faults = locked(&self.net.faults).clone();
        self.stats.restarts = self.server.starts.load(Ordering::SeqCst).saturating_sub(1);

        if problems.is_empty() {
            return Ok(());
        }
        let total = problems.len();
        problems.truncate(25);
        bail!("{total} problem(s) at the end:\n  {}", problems.join("\n  "))
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// id → field values, for comparing records across the device, the server and the log.
type Rows = BTreeMap<String, Vec<Option<String>>>;

const ACCOUNT_FIELDS: [&str; 6] = ["name", "vat_id", "email", "phone", "city", "territory"];
const CONTACT_FIELDS: [&str; 4] = ["account_id", "name", "email", "phone"];

async fn server_accounts(pool: &sqlx::PgPool) -> anyhow::Result<Rows> {
    let rows =
        sqlx::query("SELECT id::text, name, vat_id, email, phone, city, territory FROM accounts WHERE NOT deleted")
            .fetch_all(pool)
            .await?;
    Ok(rows.iter().map(|r| (r.get(0), (1..=6).map(|i| r.get::<Option<String>, _>(i)).collect())).collect())
}

async fn server_contacts(pool: &sqlx::PgPool) -> anyhow::Result<Rows> {
    let rows = sqlx::query(
        "SELECT c.id::text, c.account_id::text, c.name, c.email, c.phone
           FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE NOT c.deleted AND NOT a.deleted",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), (1..=4).map(|i| r.get::<Option<String>, _>(i)).collect())).collect())
}

async fn device_rows(replica: &Replica) -> anyhow::Result<(Rows, Rows)> {
    let mut accounts = Rows::new();
    let mut contacts = Rows::new();
    for a in replica.all_accounts().await? {
        for c in replica.contacts_of(&a.id).await? {
            contacts.insert(c.id, vec![Some(c.account_id), Some(c.name), c.email, c.phone]);
        }
        accounts.insert(a.id, vec![Some(a.name), a.vat_id, a.email, a.phone, a.city, a.territory]);
    }
    Ok((accounts, contacts))
}

/// The server's live records as the applied mutations make them, folded in version order with
/// the same merge rules (a patch sets or clears only the fields it names; delete wins).
async fn replay_log(pool: &sqlx::PgPool) -> anyhow::Result<(Rows, Rows)> {
    let rows = sqlx::query(
        "SELECT op_name, op::text FROM mutation_log WHERE version IS NOT NULL ORDER BY version, received_at, seq",
    )
    .fetch_all(pool)
    .await?;
    let mut accounts: BTreeMap<String, (bool, Vec<Option<String>>)> = BTreeMap::new();
    let mut contacts: BTreeMap<String, (bool, Vec<Option<String>>)> = BTreeMap::new();
    let text = |v: &Value| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    for r in rows {
        let name: String = r.get(0);
        let op: Value = serde_json::from_str(&r.get::<String, _>(1))?;
        let args = &op["args"];
        let id = args["id"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("a logged op without an id: {op}"))?;
        let patch = |fields: &[&str], into: &mut Vec<Option<String>>| {
            for (i, f) in fields.iter().enumerate() {
                if let Some(v) = args.get(*f) {
                    into[i] = text(v);
                }
            }
        };
        match name.as_str() {
            "account.create" => {
                let mut rec = vec![None; ACCOUNT_FIELDS.len()];
                patch(&ACCOUNT_FIELDS, &mut rec);
                accounts.insert(id, (true, rec));
            }
            "account.update" => {
                if let Some((_, rec)) = accounts.get_mut(&id) {
                    patch(&ACCOUNT_FIELDS, rec);
                }
            }
            "account.delete" => {
                if let Some((live, _)) = accounts.get_mut(&id) {
                    *live = false;
                }
            }
            "contact.add" => {
                let mut rec = vec![None; CONTACT_FIELDS.len()];
                patch(&CONTACT_FIELDS, &mut rec);
                contacts.insert(id, (true, rec));
            }
            "contact.update" => {
                // An update names no account_id, so that field stays.
                if let Some((_, rec)) = contacts.get_mut(&id) {
                    patch(&CONTACT_FIELDS, rec);
                }
            }
            "contact.delete" => {
                if let Some((live, _)) = contacts.get_mut(&id) {
                    *live = false;
                }
            }
            other => bail!("the simulation does not write {other}, yet the log holds it"),
        }
    }
    let live_accounts: BTreeSet<String> = accounts.iter().filter(|(_, (l, _))| *l).map(|(id, _)| id.clone()).collect();
    let accounts = accounts.into_iter().filter(|(_, (l, _))| *l).map(|(id, (_, rec))| (id, rec)).collect();
    let contacts = contacts
        .into_iter()
        .filter(|(_, (l, rec))| *l && rec[0].as_ref().is_some_and(|a| live_accounts.contains(a)))
        .map(|(id, (_, rec))| (id, rec))
        .collect();
    Ok((accounts, contacts))
}

/// Records missing on either side or differing in a field, at most a few of each.
fn diff(problems: &mut Vec<String>, what: &str, got: &Rows, server: &Rows) {
    let mut found = Vec::new();
    for (id, rec) in server {
        match got.get(id) {
            None => found.push(format!("{id} missing (server has {rec:?})")),
            Some(g) if g != rec => found.push(format!("{id} is {g:?}, the server has {rec:?}")),
            Some(_) => {}
        }
    }
    for (id, rec) in got {
        if !server.contains_key(id) {
            found.push(format!("{id} {rec:?} is not live on the server"));
        }
    }
    if !found.is_empty() {
        let n = found.len();
        found.truncate(4);
        problems.push(format!("{what}: {n} difference(s): {}", found.join("; ")));
    }
}
