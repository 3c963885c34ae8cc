//! Offline auth: local work never needs the token; an active device's session slides forward; a
//! device back after its session expired signs in again and keeps its unsent work; a revoked
//! device (or a disabled user) is told so and erases its copy of the company's data.

use anyhow::{ensure, Context as _};
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, run_server_command, spawn_process, TestDb};

fn count(d: &CliDevice) -> anyhow::Result<usize> {
    Ok(d.json(&["account", "list", "--json"])?.as_array().context("array")?.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_keep_work_and_revoked_devices_erase_their_data() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "mia", "sales_manager", "a-long-password").await?;
    let pool = db.pool().await?;
    let a = CliDevice::new()?;
    a.login(&server.base_url, "mia", "a-long-password")?;
    a.create_account(&["--name", "Before Expiry AG"])?;
    a.ok(&["sync"])?;

    // Sliding: a session in use is extended.
    sqlx::query("UPDATE sessions SET expires_at = now() + interval '1 day'").execute(&pool).await?;
    a.ok(&["sync"])?;
    let left: f64 = sqlx::query_scalar("SELECT EXTRACT(EPOCH FROM MAX(expires_at) - now())::float8 FROM sessions")
        .fetch_one(&pool)
        .await?;
    ensure!(left > 29.0 * 86_400.0, "an active session slides to 30 days ahead, {left} s left");

    // Expired while offline: local work goes on, the sync asks to sign in again, nothing is lost.
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 day'").execute(&pool).await?;
    a.create_account(&["--name", "Made While Expired GmbH"])?;
    let why = a.fails(&["sync"])?;
    ensure!(why.contains("session expired") && why.contains("sign in again"), "the device is told what to do: {why}");
    let status = a.json(&["status", "--json"])?;
    ensure!(status["pending"] == 1 && count(&a)? == 2, "the unsent account is kept: {status}");
    a.login(&server.base_url, "mia", "a-long-password")?;
    a.ok(&["sync"])?;
    let on_server: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(&pool).await?;
    ensure!(on_server == 2, "after signing in again the account reached the server");

    // Revoked (a lost laptop): the device learns it on its next sync and erases the data.
    let device = a.json(&["status", "--json"])?["deviceId"].as_str().context("device id")?.to_owned();
    let out = run_server_command(&db.url, &["device", "revoke", &device], "")?;
    ensure!(out.status.success(), "revoke: {}", String::from_utf8_lossy(&out.stderr));
    a.create_account(&["--name", "Never Sent KG"])?;
    let why = a.fails(&["sync"])?;
    ensure!(why.contains("revoked") && why.contains("erased"), "the user is told: {why}");
    ensure!(!a.data_dir().join("replica.sqlite").exists(), "the company's data is gone from the device");
    let status = a.json(&["status", "--json"])?;
    ensure!(status["mode"] == "local" && status["signedIn"] == false, "back to the local workspace: {status}");
    ensure!(status["lastError"].as_str().is_some_and(|e| e.contains("revoked")), "which says why: {status}");
    ensure!(!a.json(&["account", "list", "--json"])?.to_string().contains("Never Sent"), "nothing of it is left");

    // Signing in again makes a new device (the old id stays revoked).
    a.login(&server.base_url, "mia", "a-long-password")?;
    a.ok(&["sync"])?;
    ensure!(count(&a)? == 2, "a fresh copy of the company's data");

    // A disabled user's devices are revoked too, and the user cannot sign in.
    let out = run_server_command(&db.url, &["user", "disable", "mia"], "")?;
    ensure!(out.status.success(), "disable: {}", String::from_utf8_lossy(&out.stderr));
    let why = a.fails(&["sync"])?;
    ensure!(why.contains("revoked"), "{why}");
    let out = a.run(&["login", &server.base_url, "--user", "mia"], "a-long-password\n")?;
    ensure!(!out.status.success(), "a disabled user cannot sign in");
    Ok(())
}
