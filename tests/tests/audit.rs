//! The audit log: every applied mutation with user, device, time, mutation, before and after;
//! append-only in the database; admins browse it (newest first, paged by key), nobody else.

use anyhow::{ensure, Context as _};
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, spawn_process, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_browse_who_changed_what_and_nobody_rewrites_it() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "ada", "admin", "a-long-password").await?;
    create_user(&db.url, "mia", "sales_manager", "a-long-password").await?;
    let (admin, mia) = (CliDevice::new()?, CliDevice::new()?);
    admin.login(&server.base_url, "ada", "a-long-password")?;
    mia.login(&server.base_url, "mia", "a-long-password")?;

    let id = mia.create_account(&["--name", "Audit GmbH", "--city", "Berlin"])?;
    mia.ok(&["account", "update", &id, "--city", "Potsdam"])?;
    mia.create_account(&["--name", "Other AG"])?;
    mia.ok(&["sync"])?;

    let page = admin.json(&["audit", "--limit", "2", "--json"])?;
    let entries = page["entries"].as_array().context("entries")?;
    ensure!(entries.len() == 2, "a page of two: {page}");
    ensure!(entries[0]["id"].as_i64() > entries[1]["id"].as_i64(), "newest first");
    ensure!(entries[0]["user"] == "mia" && entries[0]["mutation"] == "account.create", "who and what: {}", entries[0]);
    let update = &entries[1];
    ensure!(update["mutation"] == "account.update", "{update}");
    ensure!(update["before"]["city"] == "Berlin" && update["after"]["city"] == "Potsdam", "before and after: {update}");
    ensure!(update["at"].as_str().is_some() && update["device"].as_str().is_some(), "when and from which device");
    let next = page["next"].as_i64().context("a next page")?;
    let older = admin.json(&["audit", "--before", &next.to_string(), "--limit", "2", "--json"])?;
    let older = older["entries"].as_array().context("entries")?;
    ensure!(
        older.len() == 1 && older[0]["mutation"] == "account.create" && older[0]["after"]["city"] == "Berlin",
        "{older:?}"
    );
    let of_one = admin.json(&["audit", "--record", &id, "--json"])?;
    ensure!(of_one["entries"].as_array().map(Vec::len) == Some(2), "filtered by record: {of_one}");

    let why = mia.fails(&["audit", "--json"])?;
    ensure!(why.contains("only admins"), "others are refused: {why}");

    let pool = db.pool().await?;
    for sql in ["UPDATE audit_log SET op_name = 'x'", "DELETE FROM audit_log"] {
        let refused = sqlx::query(sql).execute(&pool).await;
        ensure!(refused.is_err(), "the audit log is append-only: {sql} must fail");
    }
    Ok(())
}
