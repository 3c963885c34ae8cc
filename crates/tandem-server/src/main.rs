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
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Add the demo companies and contacts that are not there yet.
    SeedDemo,
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
        Command::Serve { listen } => serve(&url, config::listen_addr(&listen)?).await?,
        Command::User { command: UserCommand::Add { name, role } } => {
            let role = Role::parse(&role)?;
            let password = read_password()?;
            auth::check_new_password(&password)?;
            let pool = connect(&url).await?;
            auth::add_user(&pool, &name, role, &password).await?;
            eprintln!("user {:?} added with role {role}", name.trim());
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

async fn serve(url: &Secret, listen: SocketAddr) -> anyhow::Result<()> {
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
    tandem_server::serve(listener, pool.clone(), shutdown_signal()).await.context("serving HTTP")?;
    pool.close().await;
    tracing::info!("shut down");
    Ok(())
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
