//! Exactly once when answers are lost: a proxy between the device and the real server forwards
//! the device's push (the server applies it) but drops the answer, as a dead network or a killed
//! app would. The device keeps its outbox, sends the same mutations again, and the server answers
//! them from its log: every mutation applied once, none lost.

use anyhow::ensure;
use sqlx::Row as _;
use std::sync::Arc;
use tandem_tests::cli::CliDevice;
use tandem_tests::proxy::{self, Fault};
use tandem_tests::{create_user, spawn_process, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_never_apply_a_mutation_twice_nor_lose_one() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "anna", "sales_manager", "anna-password-1").await?;
    let rule = |path: &str, n: usize| if path == "/v1/push" && n < 2 { Fault::DropAnswer } else { Fault::Forward };
    let lossy = proxy::start(&server.base_url, Arc::new(rule)).await?;
    let proxy = lossy.url.clone();
    let pool = db.pool().await?;

    let a = CliDevice::new()?;
    a.login(&proxy, "anna", "anna-password-1")?;
    let id = a.create_account(&["--name", "Lost Answer GmbH"])?;
    a.ok(&["contact", "add", "--account", &id, "--name", "Nora Lang"])?;
    a.ok(&["account", "update", &id, "--city", "Halle"])?;

    // Twice the server applies (or replays) the push and the answer is lost.
    for attempt in 1..=2 {
        let why = a.fails(&["sync"])?;
        ensure!(why.contains("cannot reach the server"), "attempt {attempt}: the device sees a network failure: {why}");
        ensure!(a.json(&["status", "--json"])?["pending"] == 3, "attempt {attempt}: the outbox keeps all three");
    }
    ensure!(lossy.faults() == 2, "two answers were dropped");
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mutation_log").fetch_one(&pool).await?;
    ensure!(applied == 3, "the server applied the three mutations on the first send only, got {applied}");

    // Third time the answer arrives: replayed outcomes, nothing applied again.
    let out = a.ok(&["sync"])?;
    ensure!(out.contains("3 applied, 0 rejected"), "the device learns all three were applied: {out}");
    let rows = sqlx::query("SELECT (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM contacts), (SELECT COUNT(*) FROM mutation_log), (SELECT version FROM sync_clock)")
        .fetch_one(&pool)
        .await?;
    let counts: (i64, i64, i64, i64) = (rows.get(0), rows.get(1), rows.get(2), rows.get(3));
    ensure!(counts == (1, 1, 3, 3), "one account, one contact, three mutations, three versions: {counts:?}");
    let status = a.json(&["status", "--json"])?;
    ensure!(status["pending"] == 0, "the outbox is settled: {status}");
    let shown = a.json(&["account", "show", &id, "--json"])?;
    ensure!(
        shown["account"]["city"] == "Halle" && shown["contacts"][0]["name"] == "Nora Lang",
        "and the device shows it: {shown}"
    );
    Ok(())
}
