//! The measurements, in the order they run. Each one uses the real server process and real
//! replicas; only the data load goes straight into PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use futures::StreamExt as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tandem_core::demo::{self, SplitMix};
use tandem_core::AccountInput;
use tandem_replica::{ListQuery, Replica, SortKey, Workspace};
use tandem_server::bulk_seed::{self, SeedOptions};
use tandem_sync::{Secret, Version};
use tandem_tests::{spawn_process, ApiClient, Device, ServerProcess, TestDb};

use crate::Args;

const PASSWORD: &str = "bench-password-1";
const SEED: u64 = 20_261_123;
/// Users the simulated devices log in as.
const DEVICE_USERS: usize = 4;

/// Goals from the issue, shown next to the figures.
pub const GOALS: &[(&str, &str)] = &[
    ("first_sync_rows_per_s", ">= 200,000"),
    ("first_sync_vs_sqlite_raw", ">= 0.3"),
    ("propagation_p95_ms", "<= 100"),
    ("search_p95_ms", "<= 10"),
    ("first_page_ms", "<= 50"),
    ("pull_p99_ms_1000_devices", "<= 250"),
    ("mutations_per_s", ">= 3,000"),
    ("mutations_vs_pg_raw", ">= 0.2"),
    ("post_10k_invoices_s", "<= 2"),
    ("cold_start_s", "<= 1"),
    ("idle_rss_mb", "<= 150"),
    ("installer_mb", "<= 15"),
];

pub type Metrics = Vec<(String, f64)>;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// The `p`-th percentile (0–1) by the nearest-rank method.
fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(f64::total_cmp);
    let rank = (p * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

pub(crate) fn say(what: &str) {
    eprintln!("[{}] {what}", chrono::Utc::now().format("%H:%M:%S"));
}

/// The parts of the suite `--only` can pick.
pub const PARTS: [&str; 6] = ["sync", "lists", "propagation", "devices", "erp", "desktop"];

pub async fn run(args: &Args) -> anyhow::Result<Metrics> {
    let mut m: Metrics = Vec::new();
    let part = |name: &str| {
        args.only.is_empty() || args.only.iter().any(|o| o == name || (name == "sync" && o == "propagation"))
    };
    let accounts = SeedOptions { scale: args.scale, seed: SEED }.accounts();

    say("starting PostgreSQL");
    let db = TestDb::new().await?;
    let pool = tandem_server::connect(&db.url).await?;
    tandem_server::migrate(&pool).await?;
    let admin =
        tandem_server::auth::add_user(&pool, "bench", tandem_server::auth::Role::Admin, &Secret::new(PASSWORD)).await?;
    for i in 0..DEVICE_USERS {
        let name = format!("bench-device-{i}");
        tandem_server::auth::add_user(&pool, &name, tandem_server::auth::Role::Admin, &Secret::new(PASSWORD)).await?;
    }

    // The data set of `tandem-server seed` (the same generator and loader), created by the bench
    // user: accounts, contacts, deals, activities, products, orders to cash.
    let opts = SeedOptions { scale: args.scale, seed: SEED };
    say(&format!("generating and loading {} accounts with their history (tandem-server seed)", opts.accounts()));
    let t = Instant::now();
    let last = std::sync::Mutex::new(Instant::now());
    let seeded = bulk_seed::seed(&pool, admin, opts, &|p| {
        if let Ok(mut last) = last.lock() {
            if last.elapsed() > Duration::from_secs(5) || p.accounts_done == p.accounts_total {
                *last = Instant::now();
                say(&format!("  {}/{} accounts, {} rows", p.accounts_done, p.accounts_total, p.rows));
            }
        }
    })
    .await?;
    let rows = seeded.rows;
    let kinds: Vec<String> = seeded.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    say(&format!("loaded {rows} rows in {:.1} s: {}", t.elapsed().as_secs_f64(), kinds.join(", ")));
    m.push(("seed_rows".into(), rows as f64));
    m.push(("seed_s".into(), t.elapsed().as_secs_f64()));
    let all_names: Vec<(String, String)> =
        sqlx::query_as("SELECT id::text, name FROM accounts ORDER BY version").fetch_all(&pool).await?;
    let mut rng = SplitMix::new(SEED ^ 0x5EA5C);
    let names: Vec<String> = (0..100).map(|_| all_names[rng.below(all_names.len())].1.clone()).collect();
    let edited = all_names.first().map(|(id, _)| id.clone()).context("the data set has no account")?;
    drop(all_names);

    let server = spawn_process(&db.url)?;

    if part("sync") {
        sync_and_read(args, &server, &mut m, accounts, &names, &edited, &mut rng).await?;
    }

    // ----- lists and search at 1M -----
    if part("lists") {
        lists(args, &mut m).await?;
    }

    // ----- many devices -----
    if part("devices") {
        say(&format!("{} devices: logging in", args.devices));
        let cursor: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(&pool).await?;
        let (mut samples, failed) = many_devices(&server.base_url, args.devices, Version(cursor)).await?;
        m.push(("pull_p50_ms_1000_devices".into(), percentile(&mut samples, 0.5)));
        m.push(("pull_p99_ms_1000_devices".into(), percentile(&mut samples, 0.99)));
        m.push(("pull_failed_1000_devices".into(), failed as f64));
        m.push(("server_peak_rss_mb_end".into(), peak_rss_mb(&server.pid().to_string())));
    }

    // ----- order to cash -----
    if part("erp") {
        crate::erp::run(&server.base_url, &pool, "bench", PASSWORD, args.scale, &mut m).await?;
    }

    // ----- the desktop app -----
    if part("desktop") {
        crate::desktop::run(&mut m).await;
    }

    pool.close().await;
    drop(server);
    drop(db);
    Ok(m)
}

/// The first sync (with its baselines), reads on the synced replica and, when asked, live
/// propagation to a second device.
async fn sync_and_read(
    args: &Args,
    server: &ServerProcess,
    m: &mut Metrics,
    accounts: usize,
    names: &[String],
    edited: &str,
    rng: &mut SplitMix,
) -> anyhow::Result<()> {
    // ----- first sync -----
    let dir_a = tempfile::tempdir()?;
    let a = Workspace::new(dir_a.path()).sign_in(&server.base_url, "bench", Secret::new(PASSWORD)).await?;
    reset_peak_rss("self");
    let rss_before = peak_rss_mb("self");
    say("first sync");
    let t = Instant::now();
    let report = a.sync(&|_| {}).await.context("first sync")?;
    let took = t.elapsed();
    let pulled = report.pulled as f64;
    let rate = pulled / took.as_secs_f64();
    say(&format!("pulled {} rows in {:.2} s", report.pulled, took.as_secs_f64()));
    m.push(("first_sync_rows".into(), pulled));
    m.push(("first_sync_s".into(), took.as_secs_f64()));
    m.push(("first_sync_rows_per_s".into(), rate));
    m.push(("first_sync_peak_rss_mb_client".into(), peak_rss_mb("self").max(rss_before)));
    m.push(("server_peak_rss_mb".into(), peak_rss_mb(&server.pid().to_string())));

    // The same feed pulled without a replica: the server, HTTP and decoding into typed changes.
    // What the first sync spends beyond this is the replica writing SQLite.
    say("the same pull without a replica");
    let puller = Device::login(&ApiClient::new(&server.base_url), "bench", PASSWORD)
        .await
        .map_err(|e| anyhow!("bench login: {e:?}"))?;
    let t = Instant::now();
    let (mut cursor, mut pulled_only) = (Version(0), 0usize);
    loop {
        let page = puller.pull(cursor, tandem_sync::MAX_PULL_LIMIT).await.map_err(|e| anyhow!("pull: {e:?}"))?;
        pulled_only += page.changes.len();
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    let pull_only = t.elapsed().as_secs_f64();
    say(&format!("pulled {pulled_only} changes without a replica in {pull_only:.2} s"));
    m.push(("first_sync_pull_only_s".into(), pull_only));
    m.push(("first_sync_apply_share".into(), 1.0 - pull_only / took.as_secs_f64()));

    say("raw SQLite baseline");
    let raw = sqlite_raw(report.pulled, accounts).await?;
    let raw_rate = report.pulled as f64 / raw.as_secs_f64();
    m.push(("sqlite_raw_rows_per_s".into(), raw_rate));
    m.push(("first_sync_vs_sqlite_raw".into(), rate / raw_rate));

    // ----- reads on the synced replica (the mixed data set; `lists` measures them at 1M) -----
    say("first page and search");
    for (key, value) in reads(&a, names, names.len(), rng).await? {
        m.push((format!("mixed_{key}"), value));
    }

    // ----- live propagation -----
    if args.only.is_empty() || args.only.iter().any(|o| o == "propagation") {
        say("second device: first sync");
        let dir_b = tempfile::tempdir()?;
        let b = Workspace::new(dir_b.path()).sign_in(&server.base_url, "bench", Secret::new(PASSWORD)).await?;
        b.sync(&|_| {}).await.context("second device's first sync")?;
        say(&format!("propagation: {} edits", args.changes));
        let mut samples = propagation(&a, Arc::new(b), edited, args.changes).await?;
        m.push(("propagation_changes".into(), samples.len() as f64));
        m.push(("propagation_p50_ms".into(), percentile(&mut samples, 0.5)));
        m.push(("propagation_p95_ms".into(), percentile(&mut samples, 0.95)));
    }
    a.close().await;
    Ok(())
}

/// Lists and search on a synced replica: the first page of the accounts list by name (p50 of
/// 50), the list's substring filter (a scan: for the first `filters` of `names`) and the global
/// search for the first three letters of a word of each of `names` (p50, p95).
async fn reads(
    r: &Replica,
    names: &[String],
    filters: usize,
    rng: &mut SplitMix,
) -> anyhow::Result<Vec<(String, f64)>> {
    let mut out = Vec::new();
    let first_page = ListQuery { sort: SortKey::Name, limit: 100, ..ListQuery::default() };
    let mut samples = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let page = r.list_accounts(&first_page).await?;
        samples.push(ms(t.elapsed()));
        anyhow::ensure!(!page.items.is_empty(), "the synced replica shows no accounts");
    }
    out.push(("first_page_ms".into(), percentile(&mut samples, 0.5)));
    let mut samples = Vec::new();
    for name in names.iter().take(filters) {
        let chars: Vec<char> = name.to_lowercase().chars().collect();
        let start = rng.below(chars.len().saturating_sub(2).max(1));
        let fragment: String = chars.iter().skip(start).take(3).collect();
        let q = ListQuery { search: fragment, sort: SortKey::Name, limit: 100, ..ListQuery::default() };
        let t = Instant::now();
        r.list_accounts(&q).await?;
        samples.push(ms(t.elapsed()));
    }
    out.push(("list_filter_p95_ms".into(), percentile(&mut samples, 0.95)));
    // The global search (FTS5 over accounts, contacts, deals and leads): the first letters of
    // a word of a name, as a user types them.
    let mut samples = Vec::new();
    for name in names {
        let words: Vec<&str> = name.split_whitespace().filter(|w| w.chars().count() >= 3).collect();
        let word = words.get(rng.below(words.len().max(1))).copied().unwrap_or(name.as_str());
        let prefix: String = word.chars().take(3).collect();
        let t = Instant::now();
        r.search(&prefix, 20).await?;
        samples.push(ms(t.elapsed()));
    }
    out.push(("search_p50_ms".into(), percentile(&mut samples, 0.5)));
    out.push(("search_p95_ms".into(), percentile(&mut samples, 0.95)));
    Ok(out)
}

/// Accounts of the CRM-only data set of `lists` at scale 1 (with ~2M contacts).
const LIST_ACCOUNTS_AT_SCALE_1: f64 = 1_000_000.0;

/// The list and search metrics at the size the goals name: a CRM-only data set of 1M accounts
/// and ~2M contacts at scale 1 (`bulk_seed::seed_crm`), in its own database, synced to a new
/// device through its own server process; the searches look for contacts' names.
async fn lists(args: &Args, m: &mut Metrics) -> anyhow::Result<()> {
    let accounts = (LIST_ACCOUNTS_AT_SCALE_1 * args.scale).round().max(1_000.0) as usize;
    say(&format!("lists: loading {accounts} accounts with their contacts (no documents)"));
    let db = TestDb::new().await?;
    let pool = tandem_server::connect(&db.url).await?;
    tandem_server::migrate(&pool).await?;
    let user =
        tandem_server::auth::add_user(&pool, "lists", tandem_server::auth::Role::Admin, &Secret::new(PASSWORD)).await?;
    let t = Instant::now();
    let seeded = bulk_seed::seed_crm(&pool, user, accounts, SEED ^ 0x11575, &|_| {}).await?;
    let contacts = seeded.by_kind.get("contact").copied().unwrap_or(0);
    say(&format!("  {} rows ({contacts} contacts) in {:.1} s", seeded.rows, t.elapsed().as_secs_f64()));
    m.push(("lists_accounts".into(), accounts as f64));
    m.push(("lists_contacts".into(), contacts as f64));
    let mut rng = SplitMix::new(SEED ^ 0x11575);
    let all: Vec<String> = sqlx::query_scalar("SELECT name FROM contacts ORDER BY version").fetch_all(&pool).await?;
    let names: Vec<String> = (0..100).map(|_| all[rng.below(all.len())].clone()).collect();
    drop(all);
    pool.close().await;

    let server = spawn_process(&db.url)?;
    let dir = tempfile::tempdir()?;
    let r = Workspace::new(dir.path()).sign_in(&server.base_url, "lists", Secret::new(PASSWORD)).await?;
    say("lists: first sync of the CRM data set");
    let t = Instant::now();
    let report = r.sync(&|_| {}).await.context("lists: first sync")?;
    let took = t.elapsed().as_secs_f64();
    say(&format!("  pulled {} rows in {took:.1} s", report.pulled));
    m.push(("lists_first_sync_rows_per_s".into(), report.pulled as f64 / took));
    say("lists: first page and search");
    // 20 substring filters: each scans the million accounts (4 s at scale 1).
    m.extend(reads(&r, &names, 20, &mut rng).await?);
    r.close().await;
    drop(server);
    drop(db);
    Ok(())
}

/// Inserts `rows` rows into a fresh SQLite file shaped like the replica's `accounts` table (14
/// columns), with one prepared statement in one transaction: the fastest a sync could write.
async fn sqlite_raw(rows: usize, accounts: usize) -> anyhow::Result<Duration> {
    let dir = tempfile::tempdir()?;
    let opts = SqliteConnectOptions::new()
        .filename(dir.path().join("raw.sqlite"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await?;
    sqlx::query(
        "CREATE TABLE accounts (
            id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, vat_id TEXT, email TEXT, phone TEXT, city TEXT,
            name_key TEXT NOT NULL, city_key TEXT NOT NULL DEFAULT '', touched INTEGER NOT NULL,
            updated_at TEXT NOT NULL, version INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
            pending INTEGER NOT NULL DEFAULT 0, territory TEXT) STRICT",
    )
    .execute(&pool)
    .await?;
    // The same records as the server holds, contacts written as account-shaped rows.
    let mut values: Vec<[Option<String>; 6]> = Vec::with_capacity(rows);
    for d in demo::accounts(accounts, SEED) {
        let a = &d.account;
        let s = |v: Option<&str>| v.map(str::to_owned);
        values.push([
            Some(a.id.to_string()),
            Some(a.name.as_str().to_owned()),
            s(a.vat_id.as_ref().map(|v| v.as_str())),
            s(a.email.as_ref().map(|v| v.as_str())),
            s(a.phone.as_ref().map(|v| v.as_str())),
            s(a.city.as_ref().map(|v| v.as_str())),
        ]);
        for c in &d.contacts {
            values.push([
                Some(c.id.to_string()),
                Some(c.name.as_str().to_owned()),
                None,
                s(c.email.as_ref().map(|v| v.as_str())),
                s(c.phone.as_ref().map(|v| v.as_str())),
                None,
            ]);
        }
    }
    // As many rows as the sync wrote: the demo records again under new ids when more are needed.
    let base = values.len().max(1);
    let mut n = 0usize;
    while values.len() < rows {
        let mut v = values[n % base].clone();
        v[0] = Some(format!("{}-{}", v[0].as_deref().unwrap_or_default(), n / base));
        values.push(v);
        n += 1;
    }
    values.truncate(rows);
    let now = chrono::Utc::now().to_rfc3339();
    let t = Instant::now();
    let mut tx = pool.begin().await?;
    for (i, [id, name, vat, email, phone, city]) in values.into_iter().enumerate() {
        let name_key = name.as_deref().unwrap_or_default().to_lowercase();
        let city_key = city.as_deref().unwrap_or_default().to_lowercase();
        sqlx::query(
            "INSERT INTO accounts (id, name, vat_id, email, phone, city, name_key, city_key, touched, updated_at,
                                   version, deleted, pending, territory)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)",
        )
        .bind(id)
        .bind(name)
        .bind(vat)
        .bind(email)
        .bind(phone)
        .bind(city)
        .bind(name_key)
        .bind(city_key)
        .bind(i as i64)
        .bind(&now)
        .bind(i as i64 + 1)
        .bind("North")
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let took = t.elapsed();
    pool.close().await;
    Ok(took)
}

/// Device A edits one account's city and syncs; device B listens to the live stream, syncs on
/// every announced version and reports the city it then shows. Each sample runs from A's edit
/// to B showing the new value.
async fn propagation(a: &Replica, b: Arc<Replica>, id: &str, changes: usize) -> anyhow::Result<Vec<f64>> {
    let (version_tx, mut version_rx) = tokio::sync::mpsc::unbounded_channel::<i64>();
    let listener = {
        let b = b.clone();
        tokio::spawn(async move {
            loop {
                let tx = version_tx.clone();
                if let Err(e) = b
                    .listen(move |v| {
                        let _ = tx.send(v.0);
                    })
                    .await
                {
                    eprintln!("live stream: {e}");
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let (seen_tx, mut seen_rx) = tokio::sync::watch::channel(String::new());
    let syncer = {
        let b = b.clone();
        let id = id.to_owned();
        tokio::spawn(async move {
            while let Some(mut v) = version_rx.recv().await {
                while let Ok(later) = version_rx.try_recv() {
                    v = v.max(later);
                }
                let behind = b.cursor().await.map(|c| v > c.0).unwrap_or(true);
                if !behind {
                    continue;
                }
                if let Err(e) = b.sync(&|_| {}).await {
                    eprintln!("device B sync: {e}");
                    continue;
                }
                if let Ok(detail) = b.account(&id).await {
                    seen_tx.send_replace(detail.account.city.unwrap_or_default());
                }
            }
        })
    };
    // Let the stream connect before the first edit.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut samples = Vec::with_capacity(changes);
    for i in 0..changes {
        let city = format!("Bench City {i}");
        let input = AccountInput { city: Some(city.clone()), ..AccountInput::default() };
        let t = Instant::now();
        a.update_account(id, &input).await?;
        a.sync(&|_| {}).await.context("device A sync")?;
        tokio::time::timeout(Duration::from_secs(10), seen_rx.wait_for(|c| *c == city))
            .await
            .map_err(|_| anyhow!("device B did not see edit {i} within 10 s"))??;
        samples.push(ms(t.elapsed()));
    }
    listener.abort();
    syncer.abort();
    Ok(samples)
}

/// `count` devices (distinct device ids, a few users) each pull once, all at the same moment,
/// from the current end of the feed; returns their latencies and how many failed.
async fn many_devices(base_url: &str, count: usize, cursor: Version) -> anyhow::Result<(Vec<f64>, usize)> {
    let client = ApiClient::new(base_url);
    let devices: Vec<Device> = futures::stream::iter(0..count)
        .map(|i| {
            let client = client.clone();
            async move { Device::login(&client, &format!("bench-device-{}", i % DEVICE_USERS), PASSWORD).await }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("device login: {e}"))?;
    say(&format!("{count} devices: pulling at once"));
    let (go_tx, go_rx) = tokio::sync::watch::channel(false);
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|device| {
            let mut go = go_rx.clone();
            tokio::spawn(async move {
                go.wait_for(|g| *g).await.ok();
                let t = Instant::now();
                let ok = device.pull(cursor, 100).await.is_ok();
                (ok, ms(t.elapsed()))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    go_tx.send_replace(true);
    let mut samples = Vec::with_capacity(count);
    let mut failed = 0;
    for task in tasks {
        let (ok, took) = task.await?;
        if ok {
            samples.push(took);
        } else {
            failed += 1;
        }
    }
    Ok((samples, failed))
}

/// Peak resident memory (VmHWM) of a process (`self` or a pid), in MB; NaN when unreadable.
fn peak_rss_mb(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets a process's VmHWM to its current RSS (Linux: `5` into clear_refs); best effort.
fn reset_peak_rss(pid: &str) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// What ran the benchmark.
pub fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    let mem_mb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024);
    serde_json::json!({
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu_model": cpu,
        "memory_mb": mem_mb,
    })
}
