//! Long offline: tombstones are pruned after a retention window; a device that comes back after
//! it takes a fresh copy of the server's data and keeps its whole outbox. The clock is injected
//! through `tandem-server prune --now`.

use anyhow::{ensure, Context as _};
use chrono::{Duration, Utc};
use serde_json::Value;
use sqlx::Row as _;
use std::collections::BTreeSet;
use tandem_sync::Version;
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, run_server_command, spawn_process, ApiClient, Device, TestDb};

fn names(d: &CliDevice) -> anyhow::Result<BTreeSet<String>> {
    let list = d.json(&["account", "list", "--json"])?;
    Ok(list.as_array().context("a JSON array")?.iter().filter_map(|a| a["name"].as_str().map(str::to_owned)).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_offline_for_60_days_with_500_pending_changes_loses_none() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "anna", "sales_manager", "anna-password-1").await?;
    create_user(&db.url, "ben", "sales_manager", "ben-password-22").await?;
    let pool = db.pool().await?;
    let (a, b) = (CliDevice::new()?, CliDevice::new()?);
    a.login(&server.base_url, "anna", "anna-password-1")?;
    b.login(&server.base_url, "ben", "ben-password-22")?;

    let mut shared = Vec::new();
    for i in 0..10 {
        shared.push(b.create_account(&["--name", &format!("Shared {i} AG")])?);
    }
    b.ok(&["sync"])?;
    a.ok(&["sync"])?;

    // A goes offline for 60 days and keeps working: 450 new accounts, 50 edits of shared ones.
    for i in 0..450 {
        a.create_account(&["--name", &format!("Field Visit {i:03} GmbH"), "--city", "Erfurt"])?;
    }
    for i in 0..50 {
        a.ok(&["account", "update", &shared[i % 5], "--phone", &format!("+49 361 {:06}", 100_000 + i)])?;
    }
    ensure!(a.json(&["status", "--json"])?["pending"] == 500, "500 changes wait in A's outbox");

    // Meanwhile B deletes five shared accounts, and 60 days later their tombstones are pruned.
    for id in &shared[5..] {
        b.ok(&["account", "delete", id])?;
    }
    b.ok(&["sync"])?;
    let later = (Utc::now() + Duration::days(60)).to_rfc3339();
    let out = run_server_command(&db.url, &["prune", "--retention-days", "30", "--now", &later], "")?;
    ensure!(out.status.success(), "prune failed: {}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stderr);
    ensure!(said.contains("pruned 5 account"), "the five tombstones were pruned: {said}");

    // A cursor from before the horizon is refused with a code the device acts on.
    let probe = Device::login(&ApiClient::new(&server.base_url), "ben", "ben-password-22")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let refused = probe.pull(Version(1), 100).await.expect_err("a pruned-past cursor");
    ensure!(
        refused.status() == Some(410) && refused.code() == Some("snapshot_required"),
        "410 snapshot_required: {refused:?}"
    );

    // A comes back: it takes a fresh copy and sends all 500 changes.
    let out = a.ok(&["sync"])?;
    ensure!(out.contains("500 applied, 0 rejected"), "every offline change was applied: {out}");
    let status = a.json(&["status", "--json"])?;
    ensure!(status["pending"] == 0 && status["rejected"] == Value::Array(vec![]), "nothing pending or lost: {status}");

    let on_server: BTreeSet<String> = sqlx::query("SELECT name FROM accounts WHERE NOT deleted")
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let on_a = names(&a)?;
    ensure!(on_server.len() == 455, "450 new + 5 shared accounts live on the server, got {}", on_server.len());
    ensure!(on_a == on_server, "A holds exactly the server's accounts: no ghost of a pruned delete, nothing missing");
    for (i, id) in shared.iter().enumerate().take(5) {
        let phone: Option<String> =
            sqlx::query_scalar("SELECT phone FROM accounts WHERE id = $1::uuid").bind(id).fetch_one(&pool).await?;
        let last = (0..50).filter(|n| n % 5 == i).max().unwrap_or_default();
        ensure!(phone == Some(format!("+49 361 {:06}", 100_000 + last)), "the last offline edit of shared #{i} won");
    }
    let applied: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mutation_log m JOIN devices d ON d.id = m.device_id JOIN users u ON u.id = d.user_id
         WHERE u.name = 'anna' AND m.version IS NOT NULL",
    )
    .fetch_one(&pool)
    .await?;
    ensure!(applied == 500, "the server applied each of A's 500 mutations once, got {applied}");
    Ok(())
}
