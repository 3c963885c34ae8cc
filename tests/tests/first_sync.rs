//! First sync of a new device: paged, each page applied in one SQLite transaction, reporting
//! progress against a total, and resumable: interrupted half-way, the next sync continues from
//! the last applied page instead of starting over.

use anyhow::{ensure, Context as _};
use std::sync::Arc;
use tandem_tests::cli::CliDevice;
use tandem_tests::proxy::{self, Fault};
use tandem_tests::{create_user, run_server_command, spawn_process, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_first_sync_resumes_where_it_stopped_and_shows_progress() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    let seeded = run_server_command(&db.url, &["seed-demo"], "")?;
    ensure!(seeded.status.success(), "seed-demo: {}", String::from_utf8_lossy(&seeded.stderr));
    create_user(&db.url, "mia", "sales_manager", "a-long-password").await?;
    let pool = db.pool().await?;
    let (accounts, contacts): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM accounts WHERE NOT deleted), (SELECT COUNT(*) FROM contacts WHERE NOT deleted)",
    )
    .fetch_one(&pool)
    .await?;
    let total = accounts + contacts;

    // The third page never arrives: the network drops during the first sync.
    let rule = |path: &str, n: usize| if path == "/v1/pull" && n == 2 { Fault::Refuse } else { Fault::Forward };
    let net = proxy::start(&server.base_url, Arc::new(rule)).await?;
    let d = CliDevice::new()?.with_env("TANDEM_PULL_PAGE", "50");
    d.login(&net.url, "mia", "a-long-password")?;

    let why = d.fails(&["sync"])?;
    ensure!(why.contains("cannot reach the server"), "the interrupted sync says so: {why}");
    let status = d.json(&["status", "--json"])?;
    let cursor = status["cursor"].as_i64().context("cursor")?;
    let partial = d.json(&["account", "list", "--json"])?.as_array().map(Vec::len).unwrap_or(0);
    ensure!(cursor > 0 && partial > 0, "the two pages that arrived are kept: cursor {cursor}, {partial} accounts");
    ensure!((partial as i64) < accounts, "but not everything arrived yet");

    let out = d.run(&["sync"], "")?;
    ensure!(out.status.success(), "the second sync succeeds: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let pulled: i64 = stdout
        .split(", ")
        .find_map(|p| p.strip_suffix(" changes pulled").and_then(|n| n.trim().parse().ok()))
        .with_context(|| format!("sync report: {stdout}"))?;
    ensure!(pulled < total && pulled > 0, "it resumed instead of starting over: {pulled} of {total} pulled");
    let progress = String::from_utf8_lossy(&out.stderr);
    ensure!(progress.contains(&format!("of {pulled} changes")), "the progress line counts against a total: {progress}");

    let list = d.json(&["account", "list", "--json"])?;
    let rows = list.as_array().context("list")?;
    ensure!(rows.len() as i64 == accounts, "every account arrived: {} of {accounts}", rows.len());
    let device_contacts: i64 = rows.iter().map(|a| a["contactCount"].as_i64().unwrap_or(0)).sum();
    ensure!(device_contacts == contacts, "and every contact: {device_contacts} of {contacts}");
    Ok(())
}
