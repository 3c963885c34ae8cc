//! Conflicts: different fields edited on two devices both survive; the same field edited on
//! two devices keeps the later arrival at the server and records the overwritten value, which
//! both users see and either can resolve; an edit of a record deleted elsewhere is refused
//! (delete wins) and shown in "Needs attention".

use anyhow::{anyhow, ensure, Context as _};
use serde_json::Value;
use tandem_sync::{Keep, Op, Outcome, ResolveConflict};
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, spawn_process, ApiClient, Device, TestDb};

fn conflicts(d: &CliDevice) -> anyhow::Result<Vec<Value>> {
    Ok(d.json(&["conflict", "list", "--json"])?.as_array().context("array")?.clone())
}

fn account(d: &CliDevice, id: &str) -> anyhow::Result<Value> {
    Ok(d.json(&["account", "show", id, "--json"])?["account"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_later_edit_wins_and_the_overwritten_value_waits_for_a_decision() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "ann", "sales_manager", "a-long-password").await?;
    create_user(&db.url, "bob", "sales_manager", "a-long-password").await?;
    let pool = db.pool().await?;
    let (a, b) = (CliDevice::new()?, CliDevice::new()?);
    a.login(&server.base_url, "ann", "a-long-password")?;
    b.login(&server.base_url, "bob", "a-long-password")?;
    let id = a.create_account(&["--name", "Konflikt GmbH", "--city", "Berlin"])?;
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;

    // Both change the city; ann also the phone, bob the e-mail. Bob's edits arrive first.
    a.ok(&["account", "update", &id, "--city", "Hamburg", "--phone", "+49 40 123456"])?;
    b.ok(&["account", "update", &id, "--city", "München", "--email", "einkauf@konflikt.example"])?;
    b.ok(&["sync"])?;
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;

    for (who, d) in [("ann", &a), ("bob", &b)] {
        let acc = account(d, &id)?;
        ensure!(acc["city"] == "Hamburg", "{who}: the later arrival wins the city: {acc}");
        ensure!(
            acc["phone"] == "+49 40 123456" && acc["email"] == "einkauf@konflikt.example",
            "{who}: other fields merge"
        );
        let list = conflicts(d)?;
        ensure!(list.len() == 1, "{who} sees exactly the city conflict: {list:?}");
        let c = &list[0];
        ensure!(
            c["field"] == "city" && c["kept"] == "Hamburg" && c["overwritten"] == "München",
            "{who}: what won and what was overwritten: {c}"
        );
        ensure!(
            c["keptBy"] == "ann" && c["overwrittenBy"] == "bob" && c["recordName"] == "Konflikt GmbH",
            "{who}: by whom: {c}"
        );
    }
    let conflict_id = conflicts(&b)?[0]["id"].as_str().context("id")?.to_owned();

    // Bob puts his value back: at once on his device, then everywhere.
    b.ok(&["conflict", "resolve", &conflict_id, "--keep", "overwritten"])?;
    ensure!(account(&b, &id)?["city"] == "München", "the restored value shows at once");
    ensure!(conflicts(&b)?.is_empty(), "and the conflict leaves bob's list");
    b.ok(&["sync"])?;
    a.ok(&["sync"])?;
    ensure!(account(&a, &id)?["city"] == "München", "ann gets the restored value");
    ensure!(conflicts(&a)?.is_empty(), "and the conflict is settled for ann too");
    let (by, how): (String, String) = sqlx::query_as(
        "SELECT u.name, c.resolution FROM conflicts c JOIN users u ON u.id = c.resolved_by WHERE c.id = $1::uuid",
    )
    .bind(&conflict_id)
    .fetch_one(&pool)
    .await?;
    ensure!((by.as_str(), how.as_str()) == ("bob", "overwritten"), "the server records who resolved it how");

    // Resolving it again is refused with a reason (it never blocks what follows).
    let api = ApiClient::new(&server.base_url);
    let mut raw = Device::login(&api, "ann", "a-long-password").await.map_err(|e| anyhow!("{e:?}"))?;
    let again = raw
        .push_ops([Op::ConflictResolve(ResolveConflict { id: conflict_id.parse()?, keep: Keep::Current })])
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    ensure!(
        matches!(&again.results[0].outcome, Outcome::Rejected { code, .. } if code == "already_resolved"),
        "{again:?}"
    );

    // "Keep current" settles a conflict without changing the record.
    a.ok(&["account", "update", &id, "--name", "Konflikt AG"])?;
    b.ok(&["account", "update", &id, "--name", "Konflikt SE"])?;
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;
    a.ok(&["sync"])?;
    let c = conflicts(&a)?;
    ensure!(c.len() == 1 && c[0]["kept"] == "Konflikt SE" && c[0]["overwritten"] == "Konflikt AG", "{c:?}");
    a.ok(&["conflict", "resolve", c[0]["id"].as_str().context("id")?, "--keep", "current"])?;
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;
    ensure!(conflicts(&a)?.is_empty() && conflicts(&b)?.is_empty(), "settled on both devices");
    ensure!(account(&a, &id)?["name"] == "Konflikt SE" && account(&b, &id)?["name"] == "Konflikt SE", "unchanged");

    // Edit vs delete: delete wins; the edit comes back to its author with the reason.
    b.ok(&["account", "update", &id, "--city", "Bonn"])?;
    a.ok(&["account", "delete", &id])?;
    a.ok(&["sync"])?;
    b.ok(&["sync"])?;
    let status = b.json(&["status", "--json"])?;
    let rejected = status["rejected"].as_array().context("rejected")?;
    ensure!(
        rejected.len() == 1 && rejected[0]["reason"].as_str().is_some_and(|r| r.contains("was deleted")),
        "the edit of a deleted account is refused and shown: {status}"
    );
    ensure!(b.json(&["account", "list", "--json"])? == Value::Array(vec![]), "the account is gone for bob too");
    Ok(())
}
