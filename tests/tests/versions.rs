//! Protocol versions: the server serves the current protocol and the one before (giving the
//! older one only what it understands), tells anything older to update, and records what each
//! device runs.

use anyhow::{ensure, Context as _};
use serde_json::{json, Value};
use tandem_sync::{OLDEST_SUPPORTED_PROTOCOL, PROTOCOL_VERSION};
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, spawn_process, ApiClient, Device, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_protocol_is_served_and_older_ones_are_told_to_update() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "ann", "sales_manager", "a-long-password").await?;
    create_user(&db.url, "bob", "sales_manager", "a-long-password").await?;
    let (a, b) = (CliDevice::new()?, CliDevice::new()?);
    a.login(&server.base_url, "ann", "a-long-password")?;
    b.login(&server.base_url, "bob", "a-long-password")?;
    let id = a.create_account(&["--name", "Versioniert KG", "--territory", "North", "--city", "Kiel"])?;
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;
    a.ok(&["account", "update", &id, "--city", "Lübeck"])?;
    b.ok(&["account", "update", &id, "--city", "Husum"])?;
    b.ok(&["sync"])?;
    a.ok(&["sync"])?; // a conflict now exists
    a.ok(&[
        "product",
        "create",
        "--sku",
        "V1",
        "--name",
        "Versioned",
        "--price",
        "1",
        "--currency",
        "EUR",
        "--tax-rate",
        "0",
    ])?;
    a.ok(&["sync"])?; // and an order-to-cash document
    a.ok(&["pipeline", "create", "Versioned sales"])?;
    a.ok(&[
        "deal",
        "create",
        "--account",
        &id,
        "--name",
        "Versioned deal",
        "--amount",
        "100",
        "--close",
        "2026-12-31",
    ])?;
    a.ok(&["account", "profile", &id, "--add-tag", "versioned"])?;
    a.ok(&["sync"])?; // and CRM documents, a profile among them

    let api = ApiClient::new(&server.base_url);
    let d = Device::login(&api, "ann", "a-long-password").await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let token = d.token.expose().to_owned();
    let pull = |protocol: u32| json!({"protocol": protocol, "device_id": d.id, "cursor": 0, "limit": 100}).to_string();

    let current = api.raw("POST", "/v1/pull", Some(&token), Some("application/json"), pull(PROTOCOL_VERSION)).await?;
    ensure!(current.status == 200, "{current:?}");
    let body: Value = serde_json::from_str(&current.body)?;
    let changes = body["changes"].as_array().context("changes")?;
    ensure!(changes.iter().any(|c| c["entity"] == "conflict"), "protocol {PROTOCOL_VERSION} gets conflicts");
    ensure!(changes.iter().any(|c| c["data"]["territory"] == "North"), "and territories");
    ensure!(changes.iter().any(|c| c["entity"] == "doc"), "and documents");
    let crm = |c: &&Value| c["entity"] == "doc" && (c["data"]["kind"] == "deal" || c["data"]["kind"] == "pipeline");
    ensure!(changes.iter().filter(crm).count() == 2, "and the CRM documents (a pipeline and a deal)");
    let profile = |c: &&Value| c["entity"] == "doc" && c["data"]["kind"] == "profile";
    ensure!(changes.iter().filter(profile).count() == 1, "and the account's profile");

    let previous = PROTOCOL_VERSION - 1;
    ensure!(previous >= OLDEST_SUPPORTED_PROTOCOL, "the previous protocol is still served");
    let old = api.raw("POST", "/v1/pull", Some(&token), Some("application/json"), pull(previous)).await?;
    ensure!(old.status == 200, "protocol {previous} is served: {old:?}");
    let body: Value = serde_json::from_str(&old.body)?;
    let changes = body["changes"].as_array().context("changes")?;
    ensure!(!changes.iter().any(|c| profile(&c)), "without what it cannot read: profiles");
    ensure!(changes.iter().filter(crm).count() == 2, "but with the CRM documents of its protocol");
    let oldest =
        api.raw("POST", "/v1/pull", Some(&token), Some("application/json"), pull(OLDEST_SUPPORTED_PROTOCOL)).await?;
    ensure!(oldest.status == 200, "protocol {OLDEST_SUPPORTED_PROTOCOL} is served: {oldest:?}");
    let body: Value = serde_json::from_str(&oldest.body)?;
    let changes = body["changes"].as_array().context("changes")?;
    ensure!(!changes.iter().any(|c| crm(&c)), "without what it cannot read: CRM documents");
    ensure!(changes.iter().any(|c| c["data"]["kind"] == "product"), "but with the order-to-cash documents");
    ensure!(changes.iter().any(|c| c["entity"] == "conflict"), "but with everything else: conflicts");
    ensure!(changes.iter().any(|c| c["data"]["city"] == "Lübeck"), "and accounts");

    let older = api
        .raw("POST", "/v1/pull", Some(&token), Some("application/json"), pull(OLDEST_SUPPORTED_PROTOCOL - 1))
        .await?;
    let e = older.error_body()?;
    ensure!(older.status == 426 && e.code == "upgrade_required" && e.message.contains("update"), "{older:?}");

    let (app, schema, protocol): (Option<String>, Option<i32>, Option<i32>) =
        sqlx::query_as("SELECT app_version, schema_version, protocol FROM devices d JOIN users u ON u.id = d.user_id WHERE u.name = 'bob'")
            .fetch_one(&db.pool().await?)
            .await?;
    ensure!(app.as_deref() == Some(env!("CARGO_PKG_VERSION")), "the server knows bob's app version: {app:?}");
    ensure!(schema.is_some_and(|s| s >= 3) && protocol == Some(PROTOCOL_VERSION as i32), "and its schema and protocol");
    Ok(())
}
