//! `tandem-server`: migrate the central database, manage users, seed demo data, serve the API.

use std::io::{BufRead as _, Write as _};
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use tandem_server::auth::{self, Role};
use tandem_server::config;
use tandem_sync::Secret;
use tracing_subscriber::EnvFilter;

const DEFAULT_RETENTION_DAYS: u32 = 30;
/// How often `serve` prunes tombstones.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

fn parse_instant(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time (2026-11-23T10:00:00Z): {e}"))
}

#[derive(Debug, Parser)]
#[command(name = "tandem-server", version, about = "Tandem's central sync server")]
struct Cli {
    /// PostgreSQL URL of the central database (else env DATABASE_URL).
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending database migrations.
    Migrate,
    /// Migrate, then serve the HTTP API until SIGINT or SIGTERM.
    Serve {
        /// Address to listen on (port 0 picks a free port; the actual address is printed).
        #[arg(long, default_value = config::DEFAULT_LISTEN)]
        listen: String,
        /// Days a deleted record's tombstone is kept; devices offline longer get a fresh copy.
        #[arg(long, default_value_t = DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650))]
        tombstone_retention_days: u32,
    },
    /// Delete tombstones older than the retention window (serve also does this every few hours).
    Prune {
        #[arg(long, default_value_t = DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650))]
        retention_days: u32,
        /// The time to prune as of (RFC 3339), instead of now: for tests and dry reasoning.
        #[arg(long, value_parser = parse_instant)]
        now: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Add the demo companies and contacts that are not there yet.
    SeedDemo,
    /// Bulk-load a deterministic benchmark data set into an empty database: at scale 1 about
    /// 1M rows (accounts, contacts, deals, activities, products, orders to cash). Progress on stderr.
    Seed {
        /// 1 = 40,000 accounts and about a million rows in all.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// The same seed gives the same rows, ids included.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Publish desktop app releases for the updater.
    Release {
        #[command(subcommand)]
        command: ReleaseCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReleaseCommand {
    /// Publish a signed release: devices check at start and every few hours, and those in the
    /// rollout are offered it. All or nothing: one bad artifact publishes none.
    Publish {
        /// The release's semantic version (must be newer than what devices run to be offered).
        #[arg(long)]
        version: String,
        /// A file with the release notes shown to users.
        #[arg(long)]
        notes: std::path::PathBuf,
        /// PLATFORM=PATH of an update bundle (repeat): linux-x86_64, linux-x86_64-deb,
        /// windows-x86_64-nsis, darwin-aarch64, ...
        #[arg(long = "artifact", required = true)]
        artifacts: Vec<String>,
        /// PLATFORM=SIG: the .sig file `tauri signer sign` wrote for that artifact (repeat).
        #[arg(long = "signature", required = true)]
        signatures: Vec<String>,
        /// Percentage of devices offered the release (a stable hash of the device id decides).
        #[arg(long, default_value_t = 100)]
        rollout: u32,
        /// The app's updater public key (the `pubkey` of tauri.conf.json, or a file holding it):
        /// each signature is checked against it before anything is published.
        #[arg(long, env = "TANDEM_UPDATE_PUBKEY")]
        pubkey: Option<String>,
    },
    /// Change the rollout percentage of a published release.
    Rollout {
        #[arg(long)]
        version: String,
        #[arg(long)]
        percent: u32,
    },
    /// Withdraw a published release (e.g. a bad build): devices are no longer offered it.
    Withdraw {
        #[arg(long)]
        version: String,
    },
    /// List the published releases, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// Revoke a device (e.g. a lost laptop): it stops syncing and erases its copy of the data.
    Revoke { id: uuid::Uuid },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from the first line of stdin.
    Add {
        name: String,
        /// admin, sales_manager, sales_rep, back_office or warehouse.
        #[arg(long)]
        role: String,
    },
    /// Set the territories of a user (repeat --territory; none clears them). A sales rep sees
    /// the accounts of their territories; their devices take a fresh copy on the next sync.
    SetTerritory {
        name: String,
        #[arg(long = "territory")]
        territories: Vec<String>,
    },
    /// Disable a user: none of their devices syncs any more, and each erases its copy of the data.
    Disable { name: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tandem-server: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the reason and its causes.
            eprintln!("tandem-server: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = config::database_url(cli.database_url)?;
    match cli.command {
        Command::Migrate => {
            let pool = connect(&url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            tracing::info!("migrations applied");
        }
        Command::Serve { listen, tombstone_retention_days } => {
            serve(&url, config::listen_addr(&listen)?, retention(tombstone_retention_days)).await?
        }
        Command::Prune { retention_days, now } => {
            let pool = connect(&url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            let now = now.unwrap_or_else(chrono::Utc::now);
            let p = tandem_server::pull::prune_tombstones(&pool, now, retention(retention_days))
                .await
                .context("pruning tombstones")?;
            eprintln!(
                "pruned {} account and {} contact tombstones; devices behind version {} will take a fresh copy",
                p.accounts, p.contacts, p.horizon.0
            );
        }
        Command::User { command: UserCommand::Add { name, role } } => {
            let role = Role::parse(&role)?;
            let password = read_password()?;
            auth::check_new_password(&password)?;
            let pool = connect(&url).await?;
            auth::add_user(&pool, &name, role, &password).await?;
            eprintln!("user {:?} added with role {role}", name.trim());
        }
        Command::User { command: UserCommand::SetTerritory { name, territories } } => {
            let parsed = territories
                .iter()
                .map(|t| tandem_core::Territory::parse(t).map(String::from))
                .collect::<Result<Vec<_>, _>>()?;
            let pool = connect(&url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            let mut conn = pool.acquire().await?;
            if !tandem_server::store::users::set_territories(&mut conn, name.trim(), &parsed).await? {
                anyhow::bail!("no user {:?}", name.trim());
            }
            eprintln!(
                "user {:?} now has territories: {}",
                name.trim(),
                if parsed.is_empty() { "none".into() } else { parsed.join(", ") }
            );
        }
        Command::User { command: UserCommand::Disable { name } } => {
            let pool = connect(&url).await?;
            let mut conn = pool.acquire().await?;
            if !tandem_server::store::sessions::disable_user(&mut conn, name.trim(), chrono::Utc::now()).await? {
                anyhow::bail!("no user {:?}", name.trim());
            }
            eprintln!("user {:?} disabled", name.trim());
        }
        Command::Device { command: DeviceCommand::Revoke { id } } => {
            let pool = connect(&url).await?;
            let mut conn = pool.acquire().await?;
            if !tandem_server::store::sessions::revoke_device(&mut conn, id, chrono::Utc::now()).await? {
                anyhow::bail!("no device {id}");
            }
            eprintln!("device {id} revoked");
        }
        Command::Release { command } => release(&url, command).await?,
        Command::Seed { scale, seed } => bulk_seed(&url, scale, seed).await?,
        Command::SeedDemo => {
            let pool = connect(&url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            let r = tandem_server::seed::seed_demo(&pool).await.context("seeding demo data")?;
            eprintln!(
                "demo data: {} accounts and {} contacts added, {} already present",
                r.accounts_added, r.contacts_added, r.skipped
            );
        }
    }
    Ok(())
}

/// `seed`: the benchmark data set, created by the (disabled) system user, with a progress line.
async fn bulk_seed(url: &Secret, scale: f64, seed: u64) -> anyhow::Result<()> {
    use tandem_server::bulk_seed::{self as b, SeedOptions};
    let pool = connect(url).await?;
    tandem_server::migrate(&pool).await.context("migrating the database")?;
    b::ensure_system_user(&pool).await.context("creating the system user")?;
    let opts = SeedOptions { scale, seed };
    eprintln!("seeding {} accounts and {} products (scale {scale}, seed {seed})", opts.accounts(), opts.products());
    let started = std::time::Instant::now();
    let progress = |p: b::SeedProgress| {
        eprint!(
            "\rseeding: {}/{} accounts, {} rows, {:.0} s ",
            p.accounts_done,
            p.accounts_total,
            p.rows,
            started.elapsed().as_secs_f64()
        );
    };
    let report = b::seed(&pool, tandem_server::seed::SYSTEM_USER_ID, opts, &progress).await.context("seeding")?;
    eprintln!();
    let kinds: Vec<String> = report.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    eprintln!(
        "seeded {} rows in {:.1} s (version {}): {}",
        report.rows,
        started.elapsed().as_secs_f64(),
        report.version,
        kinds.join(", ")
    );
    Ok(())
}

async fn release(url: &Secret, command: ReleaseCommand) -> anyhow::Result<()> {
    use tandem_server::release as r;
    match command {
        ReleaseCommand::Publish { version, notes, artifacts, signatures, rollout, pubkey } => {
            let version = r::parse_version(&version)?;
            let rollout = r::parse_rollout(rollout)?;
            let notes = std::fs::read_to_string(&notes)
                .with_context(|| format!("reading the release notes {}", notes.display()))?;
            let mut sigs = std::collections::BTreeMap::new();
            for s in &signatures {
                let (platform, sig) = split_platform("--signature", s)?;
                // A .sig file, or the signature text itself.
                let text = match std::fs::read_to_string(sig) {
                    Ok(t) => t,
                    Err(_) if !sig.contains('/') && !sig.ends_with(".sig") => sig.to_owned(),
                    Err(e) => anyhow::bail!("--signature {s}: cannot read {sig}: {e}"),
                };
                if sigs.insert(platform.clone(), text).is_some() {
                    anyhow::bail!("--signature {}: given twice", platform.as_str());
                }
            }
            let mut list = Vec::new();
            for a in &artifacts {
                let (platform, path) = split_platform("--artifact", a)?;
                let bytes = std::fs::read(path).with_context(|| format!("--artifact {a}: reading {path}"))?;
                let signature = sigs
                    .remove(&platform)
                    .ok_or_else(|| anyhow::anyhow!("--artifact {a}: no --signature {}=FILE", platform.as_str()))?;
                let file_name = std::path::Path::new(path)
                    .file_name()
                    .map_or_else(|| "artifact".into(), |n| n.to_string_lossy().into_owned());
                if list.iter().any(|x: &r::NewArtifact| x.platform == platform) {
                    anyhow::bail!("--artifact {}: given twice", platform.as_str());
                }
                list.push(r::NewArtifact { platform, file_name, signature, bytes });
            }
            if let Some(extra) = sigs.keys().next() {
                anyhow::bail!("--signature {}: there is no --artifact for that platform", extra.as_str());
            }
            let pubkey = match pubkey {
                Some(k) if std::path::Path::new(k.trim()).is_file() => {
                    Some(std::fs::read_to_string(k.trim()).with_context(|| format!("reading the public key {k}"))?)
                }
                other => other,
            };
            let pool = connect(url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            let mut conn = pool.acquire().await?;
            let by = std::env::var("USER").unwrap_or_else(|_| "admin".into());
            let release = r::NewRelease { version, notes, rollout, artifacts: list };
            r::publish(&mut conn, &release, &by, chrono::Utc::now(), pubkey.as_deref()).await?;
            eprintln!(
                "release {} published for {} to {} % of devices",
                release.version,
                release.artifacts.iter().map(|a| a.platform.as_str()).collect::<Vec<_>>().join(", "),
                release.rollout
            );
        }
        ReleaseCommand::Rollout { version, percent } => {
            let version = r::parse_version(&version)?;
            let percent = r::parse_rollout(percent)?;
            let pool = connect(url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            r::set_rollout(&mut *pool.acquire().await?, &version, percent).await?;
            eprintln!("release {version} now offered to {percent} % of devices");
        }
        ReleaseCommand::Withdraw { version } => {
            let version = r::parse_version(&version)?;
            let pool = connect(url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            r::withdraw(&mut *pool.acquire().await?, &version).await?;
            eprintln!("release {version} withdrawn");
        }
        ReleaseCommand::List { json } => {
            let pool = connect(url).await?;
            tandem_server::migrate(&pool).await.context("migrating the database")?;
            let list = r::list(&mut *pool.acquire().await?).await?;
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else {
                for x in &list {
                    writeln!(
                        out,
                        "{}\t{} %\t{}\t{}\t{}",
                        x.version,
                        x.rollout,
                        x.published_at.format("%Y-%m-%d %H:%M"),
                        x.published_by,
                        x.platforms.join(",")
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn split_platform<'a>(flag: &str, raw: &'a str) -> anyhow::Result<(tandem_server::release::Platform, &'a str)> {
    let (p, v) = raw.split_once('=').ok_or_else(|| anyhow::anyhow!("{flag} {raw:?}: expected PLATFORM=PATH"))?;
    if v.trim().is_empty() {
        anyhow::bail!("{flag} {raw:?}: the path is empty");
    }
    Ok((tandem_server::release::Platform::parse(p).map_err(|e| anyhow::anyhow!("{flag} {raw:?}: {e}"))?, v.trim()))
}

async fn connect(url: &Secret) -> anyhow::Result<sqlx::PgPool> {
    tandem_server::connect(url.expose()).await.context("connecting to the database")
}

/// The first line of stdin, without its line ending.
fn read_password() -> anyhow::Result<Secret> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    Ok(Secret::new(line))
}

fn retention(days: u32) -> chrono::Duration {
    chrono::Duration::days(i64::from(days))
}

async fn serve(url: &Secret, listen: SocketAddr, retention: chrono::Duration) -> anyhow::Result<()> {
    let pool = connect(url).await?;
    tandem_server::migrate(&pool).await.context("migrating the database")?;
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    {
        // The one line on stdout: tests and scripts read the actual port from it.
        let mut out = std::io::stdout().lock();
        writeln!(out, "tandem-server listening on http://{addr}").context("writing to stdout")?;
        out.flush().context("writing to stdout")?;
    }
    tracing::info!(%addr, "serving");
    let pruner = tokio::spawn(prune_periodically(pool.clone(), retention));
    let served = tandem_server::serve(listener, pool.clone(), shutdown_signal()).await.context("serving HTTP");
    pruner.abort();
    served?;
    pool.close().await;
    tracing::info!("shut down");
    Ok(())
}

/// Prunes tombstones now and then; several servers doing so at once is harmless.
async fn prune_periodically(pool: sqlx::PgPool, retention: chrono::Duration) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        every.tick().await;
        if let Err(e) = tandem_server::pull::prune_tombstones(&pool, chrono::Utc::now(), retention).await {
            tracing::warn!(error = %e, "pruning tombstones failed; trying again later");
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received");
}
