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
    /// Manage devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
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
