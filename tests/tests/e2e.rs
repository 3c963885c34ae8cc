//! End to end: a real `tandem-server` process on real PostgreSQL, and two devices driven
//! through the real `tandem` CLI, each with its own replica and its token in the OS keyring.

use anyhow::{ensure, Context as _};
use serde_json::Value;
use sqlx::Row as _;
use std::collections::BTreeMap;
use tandem_core::{AccountInput, AccountPatch};
use tandem_sync::Op;
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, fixtures, spawn_process_at, ApiClient, Device, TestDb};

type Fields = BTreeMap<String, [Option<String>; 5]>;

/// id → (name, vat_id, email, phone, city) from `tandem account list --json`.
fn device_accounts(d: &CliDevice) -> anyhow::Result<Fields> {
    let list = d.json(&["account", "list", "--json"])?;
    let rows = list.as_array().context("account list is a JSON array")?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    Ok(rows
        .iter()
        .map(|a| {
            (s(a, "id").unwrap_or_default(), [s(a, "name"), s(a, "vatId"), s(a, "email"), s(a, "phone"), s(a, "city")])
        })
        .collect())
}

async fn server_accounts(pool: &sqlx::PgPool) -> anyhow::Result<Fields> {
    let rows = sqlx::query("SELECT id::text, name, vat_id, email, phone, city FROM accounts WHERE NOT deleted")
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|r| (r.get::<String, _>(0), [r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)])).collect())
}

fn free_local_addr() -> anyhow::Result<String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_converge_through_the_server_and_no_edit_is_lost() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let addr = free_local_addr()?;
    let mut server = spawn_process_at(&db.url, &addr)?;
    let url = server.base_url.clone();
    create_user(&db.url, "anna", "sales_manager", "anna-password-1").await?;
    create_user(&db.url, "ben", "sales_manager", "ben-password-22").await?;
    let pool = db.pool().await?;

    let a = CliDevice::new()?;
    let b = CliDevice::new()?;
    a.login(&url, "anna", "anna-password-1")?;
    b.login(&url, "ben", "ben-password-22")?;

    // Device A goes offline: the server is down while A works.
    server.kill();
    let mut ids = Vec::new();
    for i in 0..50 {
        let name = format!("Offline Customer {i:02} GmbH");
        let city = ["Berlin", "Hamburg", "München"][i % 3];
        ids.push(a.create_account(&[
            "--name",
            &name,
            "--city",
            city,
            "--vat-id",
            &format!("DE{:09}", 100_000_000 + i),
        ])?);
    }
    for (i, id) in ids.iter().take(10).enumerate() {
        a.ok(&["account", "update", id, "--phone", &format!("+49 30 5550{i:02}")])?;
    }
    a.ok(&["contact", "add", "--account", &ids[0], "--name", "Anna Berg", "--email", "anna.berg@example.com"])?;
    let why = a.fails(&["sync"])?;
    ensure!(why.contains("cannot reach the server"), "an offline sync fails with a clear reason, got: {why}");
    let status = a.json(&["status", "--json"])?;
    ensure!(status["pending"] == 61, "all 61 offline changes wait in the outbox: {status}");
    ensure!(
        status["lastError"].as_str().is_some_and(|e| e.contains("cannot reach")),
        "the last error is shown: {status}"
    );
    ensure!(device_accounts(&a)?.len() == 50, "offline, A sees its own 50 accounts at once");

    // Back online (same address): A pushes everything, B pulls it.
    server = spawn_process_at(&db.url, &addr)?;
    ensure!(server.base_url == url, "the server came back at the address the devices know");
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;
    ensure!(a.json(&["status", "--json"])?["pending"] == 0, "A's outbox is empty after the sync");
    ensure!(device_accounts(&b)?.len() == 50, "B received A's 50 accounts");
    let contacts = b.json(&["contact", "list", "--account", &ids[0], "--json"])?;
    ensure!(contacts.as_array().map(Vec::len) == Some(1), "B received the contact too: {contacts}");

    // Concurrent edits of different fields of the same 5 accounts: A (not yet synced) sets the
    // e-mail, B sets the city and syncs first.
    for (i, id) in ids.iter().take(5).enumerate() {
        a.ok(&["account", "update", id, "--email", &format!("buyer{i}@customer.example")])?;
        b.ok(&["account", "update", id, "--city", "Leipzig"])?;
    }
    b.ok(&["sync"])?;
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;

    let on_server = server_accounts(&pool).await?;
    let on_a = device_accounts(&a)?;
    let on_b = device_accounts(&b)?;
    ensure!(on_server.len() == 50, "the server has the 50 accounts, got {}", on_server.len());
    ensure!(on_a == on_server, "device A agrees with the server field by field");
    ensure!(on_b == on_server, "device B agrees with the server field by field");
    for (i, id) in ids.iter().enumerate() {
        let [name, vat, email, phone, city] = on_server.get(id).context("account on the server")?.clone();
        ensure!(name == Some(format!("Offline Customer {i:02} GmbH")), "name of #{i}");
        ensure!(vat == Some(format!("DE{:09}", 100_000_000 + i)), "VAT id of #{i}");
        ensure!(phone == (i < 10).then(|| format!("+49 30 5550{i:02}")), "A's offline phone edit of #{i} survived");
        ensure!(email == (i < 5).then(|| format!("buyer{i}@customer.example")), "A's e-mail edit of #{i} survived");
        let want_city = if i < 5 { "Leipzig" } else { ["Berlin", "Hamburg", "München"][i % 3] };
        ensure!(city.as_deref() == Some(want_city), "B's city edit of #{i} survived next to A's e-mail edit");
    }

    // Every mutation was applied exactly once, in order, per device.
    let per_device: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT COUNT(*), MAX(seq) FROM mutation_log GROUP BY device_id ORDER BY COUNT(*)")
            .fetch_all(&pool)
            .await?;
    ensure!(
        per_device == [(5, Some(5)), (66, Some(66))],
        "B sent 5 and A 66 mutations, each logged once: {per_device:?}"
    );

    // The same push sent twice (its answer was lost) applies once.
    let api = ApiClient::new(&url);
    let mut c = Device::login(&api, "ben", "ben-password-22").await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let moved = AccountInput { city: Some("Kiel".into()), ..Default::default() };
    let batch = c.mutations([
        Op::AccountCreate(fixtures::new_account("Twice Sent AG")),
        Op::AccountUpdate(AccountPatch::parse(ids[20].parse()?, &moved)?),
    ]);
    let first = c.push(&batch).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let state = server_accounts(&pool).await?;
    let version: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(&pool).await?;
    let again = c.push(&batch).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    ensure!(again.results.iter().all(|r| r.replayed), "the second send is answered from the log: {again:?}");
    ensure!(
        again.results.iter().map(|r| &r.outcome).eq(first.results.iter().map(|r| &r.outcome)),
        "with the same outcomes as the first"
    );
    let unchanged = || async {
        let v: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(&pool).await?;
        anyhow::Ok(server_accounts(&pool).await? == state && v == version)
    };
    ensure!(unchanged().await?, "nothing is applied twice");

    // Requests the server refuses change nothing.
    let token = c.token.expose().to_owned();
    let malformed = api.raw("POST", "/v1/push", Some(&token), Some("application/json"), "{\"protocol\":1,").await?;
    ensure!(malformed.status == 400 && !malformed.error_body()?.message.is_empty(), "malformed JSON: {malformed:?}");
    let unknown = format!(
        r#"{{"protocol":1,"device_id":"{}","mutations":[{{"seq":{},"made_at":"2026-11-23T10:00:00Z","op":{{"name":"account.explode","args":{{}}}}}}]}}"#,
        c.id, c.next_seq
    );
    let unknown = api.raw("POST", "/v1/push", Some(&token), Some("application/json"), unknown).await?;
    ensure!(
        unknown.status == 400 && unknown.error_body()?.code == "malformed",
        "an unknown mutation name: {unknown:?}"
    );
    let anonymous = api.raw("POST", "/v1/push", None, Some("application/json"), "{\"protocol\":1}").await?;
    ensure!(anonymous.status == 401 && anonymous.error_body()?.code == "unauthorized", "no token: {anonymous:?}");
    ensure!(unchanged().await?, "refused requests change nothing");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_refuses_bad_input_with_one_line_and_changes_nothing() -> anyhow::Result<()> {
    let d = CliDevice::new()?;
    let why = d.fails(&["account", "create", "--name", "ACME", "--email", "not-an-address", "--vat-id", "DE12"])?;
    ensure!(why.lines().count() == 1, "one line: {why}");
    ensure!(why.contains("email") && why.contains("vat_id"), "every bad field is named: {why}");
    ensure!(d.json(&["account", "list", "--json"])? == serde_json::json!([]), "nothing was created");
    let why = d.fails(&["account", "update", "not-an-id", "--city", "Bonn"])?;
    ensure!(why.contains("not a valid id"), "{why}");
    let why = d.fails(&["login", "not a url", "--user", "x"])?;
    ensure!(!why.is_empty(), "login without a password or with a bad URL fails");
    let why = d.fails(&["sync"])?;
    ensure!(why.contains("not signed in"), "{why}");
    let why = d.fails(&["account", "create", "--name", "X", "--colour", "red"])?;
    ensure!(why.lines().count() == 1 && why.contains("--colour"), "an unknown flag gets one line naming it: {why}");
    Ok(())
}
