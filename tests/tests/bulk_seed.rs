//! `tandem-server seed`: the benchmark data set is deterministic (the same seed gives the same
//! rows in two databases, ids and versions included), holds the whole mix of record kinds as
//! the real types, and is what a device syncs: a back-office user's replica, through the real
//! server process, ends up with every row and finds records with the global search (the index
//! rebuilt after the first sync).

use std::collections::BTreeMap;

use anyhow::{ensure, Context as _};
use sqlx::PgPool;
use tandem_replica::{ListQuery, SortKey, Workspace};
use tandem_sync::{Doc, Secret};
use tandem_tests::{create_user, run_server_command, spawn_process, TestDb};

const PASSWORD: &str = "a-long-password";

async fn seeded(args: &[&str]) -> anyhow::Result<(TestDb, PgPool)> {
    let db = TestDb::new().await?;
    let out = run_server_command(&db.url, args, "")?;
    ensure!(out.status.success(), "tandem-server {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(stderr.contains("seeded ") && stderr.contains(" rows"), "seed reports what it wrote: {stderr}");
    let pool = db.pool().await?;
    Ok((db, pool))
}

/// Every synced row of the database as text, in version order (timestamps are fixed too).
async fn dump(pool: &PgPool) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT version, 'account ' || id || ' ' || name || ' ' || coalesce(city, '') || ' ' || created_at FROM accounts
         UNION ALL SELECT version, 'contact ' || id || ' ' || account_id || ' ' || name FROM contacts
         UNION ALL SELECT version, 'doc ' || id || ' ' || kind || ' ' || coalesce(open_amount::text, '-') || ' ' || body::text
           FROM docs
         UNION ALL SELECT 0, 'series ' || series || ' ' || year || ' ' || last FROM number_series
         UNION ALL SELECT version, 'clock' FROM sync_clock
         ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(v, s)| format!("{v} {s}")).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_rows_and_a_device_syncs_all_of_them() -> anyhow::Result<()> {
    let args = ["seed", "--scale", "0.002", "--seed", "7"];
    let (db, pool) = seeded(&args).await?;
    let (_other_db, other_pool) = seeded(&args).await?;
    let (one, two) = (dump(&pool).await?, dump(&other_pool).await?);
    ensure!(one.len() > 1_000, "scale 0.002 is about two thousand rows, got {}", one.len());
    if let Some((a, b)) = one.iter().zip(&two).find(|(a, b)| a != b) {
        anyhow::bail!("the same seed gave different rows in two databases:\n  {a}\n  {b}");
    }
    ensure!(one.len() == two.len(), "the same seed gave {} and {} rows", one.len(), two.len());

    // The whole mix, each document readable as its tandem-core type.
    let bodies: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT kind, body FROM docs ORDER BY version").fetch_all(&pool).await?;
    let mut kinds = BTreeMap::<String, usize>::new();
    for (kind, body) in bodies {
        let doc: Doc = serde_json::from_value(body).with_context(|| format!("a {kind} document reads back"))?;
        ensure!(doc.kind() == kind, "the kind column matches the document");
        *kinds.entry(kind).or_default() += 1;
    }
    for kind in ["product", "stock", "move", "journal", "deal", "activity", "order", "delivery", "invoice", "payment"] {
        ensure!(kinds.get(kind).is_some_and(|n| *n > 0), "the data set has {kind} documents: {kinds:?}");
    }
    let (accounts, contacts, docs, clock): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM contacts), (SELECT COUNT(*) FROM docs),
                (SELECT version FROM sync_clock)",
    )
    .fetch_one(&pool)
    .await?;
    let max_version: i64 = sqlx::query_scalar(
        "SELECT GREATEST((SELECT MAX(version) FROM accounts), (SELECT MAX(version) FROM contacts),
                         (SELECT MAX(version) FROM docs))",
    )
    .fetch_one(&pool)
    .await?;
    ensure!(clock == max_version, "sync_clock ({clock}) is raised to the last row's version ({max_version})");
    ensure!(clock == accounts + contacts + docs, "every row has its own version");

    // A back-office device takes it all through the real server.
    create_user(&db.url, "bo", "back_office", PASSWORD).await?;
    let server = spawn_process(&db.url)?;
    let dir = tempfile::tempdir()?;
    let replica = Workspace::new(dir.path())
        .sign_in(&server.base_url, "bo", Secret::new(PASSWORD))
        .await
        .context("sign in (needs the keyring: run under scripts/with-keyring.sh)")?;
    let phases = std::sync::Mutex::new(Vec::new());
    let report = replica
        .sync(&|p| {
            if let Ok(mut v) = phases.lock() {
                v.push(p.phase);
            }
        })
        .await?;
    ensure!(
        report.pulled as i64 == accounts + contacts + docs,
        "the device pulled every row: {} of {}",
        report.pulled,
        accounts + contacts + docs
    );
    let phases = phases.into_inner().unwrap_or_default();
    ensure!(phases.contains(&"index"), "the first sync reports building the search index: {phases:?}");
    let page = replica.list_accounts(&ListQuery { sort: SortKey::Name, limit: 10, ..ListQuery::default() }).await?;
    ensure!(page.total == accounts, "the device lists every account: {} of {accounts}", page.total);
    let products = replica.products().await?;
    ensure!(products.len() == kinds["product"], "and every product: {} of {}", products.len(), kinds["product"]);
    let journal = replica.journal().await?;
    ensure!(journal.len() == kinds["journal"], "and the whole journal: {} of {}", journal.len(), kinds["journal"]);

    // The search index holds what arrived: an account and a deal are found by name.
    let (account, deal): (String, String) = sqlx::query_as(
        "SELECT (SELECT name FROM accounts ORDER BY version LIMIT 1),
                (SELECT body->'data'->>'name' FROM docs WHERE kind = 'deal' ORDER BY version LIMIT 1)",
    )
    .fetch_one(&pool)
    .await?;
    for (kind, name) in [("account", &account), ("deal", &deal)] {
        let hits = replica.search(name, 50).await?;
        ensure!(
            hits.iter().any(|h| h.kind == kind && h.title == *name),
            "the search finds the {kind} {name:?} after the first sync: {hits:?}"
        );
    }
    replica.close().await;
    Ok(())
}
