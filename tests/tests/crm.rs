//! Pipelines, deals and the forecast through the real server and the `tandem` CLI: a manager
//! sets up a pipeline, deals move through it on two devices (offline first, then synced), the
//! territory decides who sees a deal, the server refuses what a role may not do, and bad input
//! (a stage the pipeline lacks, a date in the wrong format, a lost deal without a reason) is
//! refused at the edge and changes nothing.

use anyhow::{ensure, Context as _};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, run_server_command, spawn_process, TestDb};

fn dec(v: &Value) -> anyhow::Result<Decimal> {
    let s = v.as_str().with_context(|| format!("{v} is not a decimal string"))?;
    Ok(Decimal::from_str(s)?)
}

fn last_line(out: &str) -> anyhow::Result<String> {
    out.lines().last().map(|l| l.trim().to_owned()).context("nothing printed")
}

fn pending(d: &CliDevice) -> anyhow::Result<i64> {
    d.json(&["status", "--json"])?["pending"].as_i64().context("pending")
}

fn deal<'a>(list: &'a Value, name: &str) -> anyhow::Result<&'a Value> {
    list.as_array().into_iter().flatten().find(|d| d["name"] == name).with_context(|| format!("no deal {name}: {list}"))
}

fn total_row<'a>(forecast: &'a Value, period: &str) -> anyhow::Result<&'a Value> {
    forecast["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["period"]["label"] == period && r["group"]["group"] == "total")
        .with_context(|| format!("no total row for {period}: {forecast}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deals_move_through_a_pipeline_on_two_devices_and_the_forecast_adds_up() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "mia", "sales_manager", "a-long-password").await?;
    create_user(&db.url, "rex", "sales_rep", "a-long-password").await?;
    create_user(&db.url, "sol", "sales_rep", "a-long-password").await?;
    for (user, territory) in [("rex", "North"), ("sol", "South")] {
        let out = run_server_command(&db.url, &["user", "set-territory", user, "--territory", territory], "")?;
        ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (mia, rex, sol) = (CliDevice::new()?, CliDevice::new()?, CliDevice::new()?);
    mia.login(&server.base_url, "mia", "a-long-password")?;
    rex.login(&server.base_url, "rex", "a-long-password")?;
    sol.login(&server.base_url, "sol", "a-long-password")?;

    // The manager sets up a pipeline and two deals of a northern customer.
    let pipeline = last_line(&mia.ok(&["pipeline", "create", "Field sales"])?)?;
    let account = mia.create_account(&["--name", "Nordhafen Logistik GmbH", "--territory", "North"])?;
    let big = last_line(&mia.ok(&[
        "deal",
        "create",
        "--account",
        &account,
        "--name",
        "Forklift fleet",
        "--amount",
        "10000",
        "--currency",
        "EUR",
        "--close",
        "2026-12-15",
    ])?)?;
    mia.ok(&[
        "deal",
        "create",
        "--account",
        &account,
        "--name",
        "Racking",
        "--amount",
        "5000.50",
        "--close",
        "2027-01-20",
        "--stage",
        "Negotiate",
        "--owner",
        "rex",
    ])?;
    let list = mia.json(&["deal", "list", "--json"])?;
    ensure!(deal(&list, "Forklift fleet")?["stage"] == "Qualify", "a new deal starts in the first open stage");
    ensure!(deal(&list, "Forklift fleet")?["owner"] == "mia", "and belongs to whoever made it");

    // Bad input is refused at the edge and queues nothing.
    let before = pending(&mia)?;
    let e = mia.fails(&["deal", "move", &big, "--stage", "Won2"])?;
    ensure!(
        e.contains("Won2") && e.contains("Qualify, Propose, Negotiate, Won, Lost"),
        "an unknown stage names the stages: {e}"
    );
    let e = mia.fails(&["deal", "move", &big, "--stage", "Lost"])?;
    ensure!(e.contains("lost reason"), "a lost deal needs a reason: {e}");
    let e = mia.fails(&[
        "deal",
        "create",
        "--account",
        &account,
        "--name",
        "Bad date",
        "--amount",
        "1",
        "--close",
        "15/12/2026",
    ])?;
    ensure!(e.contains("15/12/2026") && e.contains("YYYY-MM-DD"), "a date in the wrong format says the format: {e}");
    let e = mia.fails(&[
        "deal",
        "create",
        "--account",
        &account,
        "--name",
        "Too precise",
        "--amount",
        "1.005",
        "--close",
        "2026-12-01",
    ])?;
    ensure!(e.contains("amount"), "an amount finer than the currency is refused: {e}");
    ensure!(pending(&mia)? == before, "nothing was queued by the refused commands");
    mia.ok(&["sync"])?;
    ensure!(pending(&mia)? == 0, "the pipeline, the account and the deals were applied by the server");

    // The northern rep sees the deals, moves one offline, and the manager sees the move.
    rex.ok(&["sync"])?;
    let list = rex.json(&["deal", "list", "--json"])?;
    ensure!(list.as_array().map(Vec::len) == Some(2), "the rep of the territory sees its deals: {list}");
    rex.ok(&["deal", "move", &big, "--stage", "Propose"])?;
    ensure!(
        deal(&rex.json(&["deal", "list", "--json"])?, "Forklift fleet")?["stage"] == "Propose",
        "moved at once, offline"
    );
    rex.ok(&["sync"])?;
    mia.ok(&["sync"])?;
    ensure!(
        deal(&mia.json(&["deal", "list", "--json"])?, "Forklift fleet")?["stage"] == "Propose",
        "the move reached the manager"
    );

    // A rep of another territory sees none of it.
    sol.ok(&["sync"])?;
    let list = sol.json(&["deal", "list", "--json"])?;
    ensure!(list.as_array().is_some_and(Vec::is_empty), "another territory's deals stay out of the replica: {list}");

    // Only managers and admins define pipelines: the server refuses the rep's.
    rex.ok(&["pipeline", "create", "Rex's own"])?;
    rex.ok(&["sync"])?;
    let status = rex.json(&["status", "--json"])?;
    let rejected = status["rejected"].as_array().context("rejected")?;
    ensure!(
        rejected
            .iter()
            .any(|r| r["code"] == "forbidden" && r["mutation"].as_str().is_some_and(|m| m.contains("Rex's own"))),
        "the server refused the rep's pipeline: {status}"
    );
    let pipelines = rex.json(&["pipeline", "list", "--json"])?;
    ensure!(pipelines.as_array().map(Vec::len) == Some(1), "and the rep's copy dropped it: {pipelines}");
    ensure!(pipelines[0]["id"] == pipeline.as_str(), "leaving the manager's pipeline");

    // The forecast: weighted by stage probability, best case and commit by stage category.
    let f = mia.json(&["report", "forecast", "--json"])?;
    ensure!(f["currency"] == "EUR", "in the company currency: {f}");
    let dec_row = total_row(&f, "2026-12")?;
    ensure!(dec(&dec_row["figures"]["open_pipeline"])? == Decimal::from(10_000), "December's open pipeline: {dec_row}");
    ensure!(dec(&dec_row["figures"]["weighted"])? == Decimal::from(4_000), "Propose weighs 40 %: {dec_row}");
    ensure!(dec(&dec_row["figures"]["best_case"])? == Decimal::from(10_000), "Propose is best case: {dec_row}");
    ensure!(dec(&dec_row["figures"]["commit"])?.is_zero(), "and not commit: {dec_row}");
    let jan = total_row(&f, "2027-01")?;
    ensure!(dec(&jan["figures"]["commit"])? == Decimal::from_str("5000.50")?, "Negotiate is commit: {jan}");
    ensure!(dec(&jan["figures"]["weighted"])? == Decimal::from_str("3500.35")?, "at 70 %: {jan}");
    let by_owner: Vec<&Value> = f["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["period"]["label"] == "2027-01" && r["group"]["group"] == "owner")
        .collect();
    ensure!(by_owner.len() == 1 && by_owner[0]["group"]["name"] == "rex", "January is rex's: {by_owner:?}");
    let quarters = mia.json(&["report", "forecast", "--period", "quarter", "--json"])?;
    ensure!(total_row(&quarters, "2026-Q4").is_ok() && total_row(&quarters, "2027-Q1").is_ok(), "and by quarter");

    // Won: counted in the month it was won.
    mia.ok(&["deal", "move", &big, "--stage", "Won"])?;
    mia.ok(&["sync"])?;
    let won = deal(&mia.json(&["deal", "list", "--json"])?, "Forklift fleet")?.clone();
    let closed = won["closed_on"].as_str().context("a won deal has its closing day")?;
    let f = mia.json(&["report", "forecast", "--json"])?;
    let month = &closed[..7];
    ensure!(dec(&total_row(&f, month)?["figures"]["closed_won"])? == Decimal::from(10_000), "won in {month}: {f}");
    Ok(())
}
