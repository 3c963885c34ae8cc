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
use tandem_tests::{create_user, run_server_command, spawn_process, ServerProcess, TestDb};

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

/// A server over a fresh database with these users (name, role, territory or ""), each
/// signed in on a device of their own.
async fn company(users: &[(&str, &str, &str)]) -> anyhow::Result<(TestDb, ServerProcess, Vec<CliDevice>)> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    let mut devices = Vec::new();
    for (name, role, territory) in users {
        create_user(&db.url, name, role, "a-long-password").await?;
        if !territory.is_empty() {
            let out = run_server_command(&db.url, &["user", "set-territory", name, "--territory", territory], "")?;
            ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let d = CliDevice::new()?;
        d.login(&server.base_url, name, "a-long-password")?;
        devices.push(d);
    }
    Ok((db, server, devices))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deals_move_through_a_pipeline_on_two_devices_and_the_forecast_adds_up() -> anyhow::Result<()> {
    let (_db, _server, devices) =
        company(&[("mia", "sales_manager", ""), ("rex", "sales_rep", "North"), ("sol", "sales_rep", "South")]).await?;
    let [mia, rex, sol]: [CliDevice; 3] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_import_all_or_nothing_and_convert_in_one_step_after_a_duplicate_check() -> anyhow::Result<()> {
    let (db, _server, devices) = company(&[("mia", "sales_manager", ""), ("rex", "sales_rep", "North")]).await?;
    let [mia, rex]: [CliDevice; 2] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;
    mia.ok(&["pipeline", "create", "Field sales"])?;
    let existing = mia.create_account(&["--name", "Hafenbau AG", "--vat-id", "DE811111111", "--territory", "North"])?;
    mia.ok(&["sync"])?;

    // One bad line: nothing is imported, and the error names the line and the column.
    let files = tempfile::tempdir()?;
    let bad = files.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Company,First name,Last name,E-mail,Territory\n\
         Alster Kühlhaus GmbH,Jana,Peters,jana@alster-kuehlhaus.example,North\n\
         Elbe Werft KG,Tom,Brandt,not-an-address,North\n",
    )?;
    let before = pending(&mia)?;
    let e = mia.fails(&["import", "leads", &bad.display().to_string()])?;
    ensure!(e.contains("nothing was imported") && e.contains("line 3") && e.contains("E-mail"), "{e}");
    ensure!(mia.json(&["lead", "list", "--json"])?.as_array().is_some_and(Vec::is_empty), "no lead was imported");
    ensure!(pending(&mia)? == before, "and nothing was queued");

    // The corrected file imports whole: quoted commas and line breaks, a territory each.
    let good = files.path().join("leads.csv");
    std::fs::write(
        &good,
        "Company,First name,Last name,E-mail,Phone,VAT ID,Territory,Source\n\
         Alster Kühlhaus GmbH,Jana,Peters,jana@alster-kuehlhaus.example,,,North,event\n\
         \"Elbe Werft, Dock 3 KG\",Tom,Brandt,tom@elbe-werft.example,+49 40 123456,,North,web\n\
         Hafenbau Aktiengesellschaft,Ina,Kluge,ina@hafenbau.example,,DE811111111,North,referral\n\
         Südhang Weine GmbH,Lea,Roth,lea@suedhang.example,,,South,partner\n",
    )?;
    let preview = mia.ok(&["import", "leads", &good.display().to_string(), "--preview"])?;
    ensure!(preview.contains("-> company") && preview.contains("-> email"), "the preview shows the mapping: {preview}");
    mia.ok(&["import", "leads", &good.display().to_string()])?;
    let leads = mia.json(&["lead", "list", "--json"])?;
    ensure!(leads.as_array().map(Vec::len) == Some(4), "all four leads: {leads}");
    ensure!(
        leads
            .as_array()
            .into_iter()
            .flatten()
            .any(|l| l["company"] == "Elbe Werft, Dock 3 KG" && l["person"] == "Tom Brandt"),
        "a quoted comma stays in the field and the name is joined: {leads}"
    );
    mia.ok(&["sync"])?;
    ensure!(pending(&mia)? == 0, "the server took the import");
    rex.ok(&["sync"])?;
    let seen = rex.json(&["lead", "list", "--json"])?;
    let companies: Vec<&str> = seen.as_array().into_iter().flatten().filter_map(|l| l["company"].as_str()).collect();
    ensure!(
        companies.len() == 3 && !companies.contains(&"Südhang Weine GmbH"),
        "the rep sees the North leads: {companies:?}"
    );

    let id_of = |list: &Value, company: &str| -> anyhow::Result<String> {
        list.as_array()
            .into_iter()
            .flatten()
            .find(|l| l["company"] == company)
            .and_then(|l| l["id"].as_str())
            .map(str::to_owned)
            .with_context(|| format!("no lead {company}"))
    };

    // Disqualifying needs a reason.
    let sued = id_of(&leads, "Südhang Weine GmbH")?;
    let e = mia.fails(&["lead", "status", &sued, "disqualify"])?;
    ensure!(e.contains("reason"), "{e}");
    mia.ok(&["lead", "status", &sued, "disqualify", "--reason", "no budget this year"])?;

    // The duplicate check stops a conversion that would make a second Hafenbau.
    let hafen = id_of(&leads, "Hafenbau Aktiengesellschaft")?;
    let e = rex.fails(&["lead", "convert", &hafen])?;
    ensure!(e.contains("possible duplicates") && e.contains("Hafenbau AG") && e.contains("--account"), "{e}");
    let out =
        rex.ok(&["lead", "convert", &hafen, "--account", &existing, "--amount", "25000", "--close", "2027-02-28"])?;
    ensure!(out.contains(&format!("account {existing}")), "converted into the existing account: {out}");

    // A lead without duplicates converts in one step; the ids are printed.
    let alster = id_of(&leads, "Alster Kühlhaus GmbH")?;
    let out = rex.ok(&["lead", "convert", &alster])?;
    let ids: Vec<&str> = out.lines().filter_map(|l| l.split_whitespace().nth(1)).collect();
    ensure!(ids.len() == 3 && ids.iter().all(|i| i.len() == 36), "account, contact and deal ids: {out}");
    let e = rex.fails(&["lead", "convert", &alster, "--new"])?;
    ensure!(e.contains("converted"), "a converted lead is not converted twice: {e}");
    rex.ok(&["sync"])?;
    ensure!(pending(&rex)? == 0, "the server applied the conversions: {}", rex.ok(&["status"])?);

    let pool = db.pool().await?;
    let (name, territory): (String, Option<String>) =
        sqlx::query_as("SELECT name, territory FROM accounts WHERE id = $1::uuid")
            .bind(ids[0])
            .fetch_one(&pool)
            .await?;
    ensure!(
        name == "Alster Kühlhaus GmbH" && territory.as_deref() == Some("North"),
        "the new account: {name} {territory:?}"
    );
    let contact: String =
        sqlx::query_scalar("SELECT name FROM contacts WHERE id = $1::uuid").bind(ids[1]).fetch_one(&pool).await?;
    ensure!(contact == "Jana Peters", "the new contact: {contact}");
    let deal: Value =
        sqlx::query_scalar("SELECT body->'data' FROM docs WHERE id = $1::uuid").bind(ids[2]).fetch_one(&pool).await?;
    ensure!(deal["lead"] == alster.as_str() && deal["stage"] == "Qualify", "the new deal remembers its lead: {deal}");
    let status: Value = sqlx::query_scalar("SELECT body->'data'->'status' FROM docs WHERE id = $1::uuid")
        .bind(&alster)
        .fetch_one(&pool)
        .await?;
    ensure!(status["state"] == "converted" && status["account"] == ids[0], "the lead is converted: {status}");
    mia.ok(&["sync"])?;
    let deals = mia.json(&["deal", "list", "--json"])?;
    ensure!(deals.as_array().map(Vec::len) == Some(2), "the manager sees both new deals: {deals}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activities_reach_the_timeline_of_the_account_with_reminders_e_mails_and_the_calendar() -> anyhow::Result<()> {
    let (_db, _server, devices) =
        company(&[("mia", "sales_manager", ""), ("rex", "sales_rep", "North"), ("sol", "sales_rep", "South")]).await?;
    let [mia, rex, sol]: [CliDevice; 3] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;
    mia.ok(&["pipeline", "create", "Field sales"])?;
    let account = mia.create_account(&["--name", "Kieler Kaffeerösterei GmbH", "--territory", "North"])?;
    let deal = last_line(&mia.ok(&[
        "deal",
        "create",
        "--account",
        &account,
        "--name",
        "Roaster",
        "--amount",
        "9000",
        "--close",
        "2026-12-31",
    ])?)?;
    mia.ok(&["sync"])?;
    rex.ok(&["sync"])?;

    // A reminder after the due time is refused, and nothing is queued.
    let before = pending(&rex)?;
    let e = rex.fails(&[
        "activity",
        "add",
        "--kind",
        "call",
        "--subject",
        "Call about the roaster",
        "--due",
        "2026-01-05 10:00",
        "--reminder",
        "2026-01-05 10:30",
        "--deal",
        &deal,
    ])?;
    ensure!(e.contains("reminder") && e.contains("before"), "{e}");
    let e = rex.fails(&[
        "activity",
        "add",
        "--kind",
        "call",
        "--subject",
        "No date",
        "--due",
        "05.01.2026",
        "--deal",
        &deal,
    ])?;
    ensure!(e.contains("05.01.2026"), "a date in the wrong format is named: {e}");
    ensure!(pending(&rex)? == before, "nothing was queued");

    // A call on the deal (its account is found), with a reminder that is due now.
    let call = last_line(&rex.ok(&[
        "activity",
        "add",
        "--kind",
        "call",
        "--subject",
        "Call about the roaster",
        "--due",
        "2026-01-05 10:00",
        "--reminder",
        "2026-01-05 09:45",
        "--duration",
        "30",
        "--deal",
        &deal,
    ])?)?;
    let reminders = rex.json(&["activity", "reminders", "--json"])?;
    ensure!(reminders.as_array().map(Vec::len) == Some(1) && reminders[0]["id"] == call.as_str(), "{reminders}");
    let day = rex.json(&["calendar", "--day", "2026-01-05", "--json"])?;
    ensure!(day[0]["activities"][0]["subject"] == "Call about the roaster", "the calendar shows it: {day}");
    let e = rex.fails(&["calendar", "--week", "2026-01-06"])?;
    ensure!(e.contains("Monday"), "{e}");
    ensure!(
        rex.json(&["calendar", "--week", "2026-01-05", "--json"])?.as_array().map(Vec::len) == Some(7),
        "a week has 7 days"
    );
    rex.ok(&["activity", "done", &call])?;
    ensure!(rex.json(&["activity", "reminders", "--json"])?.as_array().is_some_and(Vec::is_empty), "done: no reminder");

    // An e-mail file logged on the account: encoded subject, quoted-printable text.
    let files = tempfile::tempdir()?;
    let eml = files.path().join("offer.eml");
    std::fs::write(
        &eml,
        "From: Ines Kluge <ines@kaffee-kiel.example>\r\nTo: rex@tandem.example\r\n\
         Subject: =?UTF-8?Q?Angebot_R=C3=B6ster?=\r\nDate: Mon, 5 Jan 2026 11:30:00 +0100\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\nWir m=C3=B6chten bestellen.\r\n",
    )?;
    rex.ok(&["activity", "log-email", &eml.display().to_string(), "--account", &account])?;
    rex.ok(&["sync"])?;
    ensure!(pending(&rex)? == 0, "the server took the activities: {}", rex.ok(&["status"])?);

    // The manager sees the account's timeline, newest first; another territory sees nothing.
    mia.ok(&["sync"])?;
    let timeline = mia.json(&["activity", "list", "--account", &account, "--json"])?;
    let subjects: Vec<&str> = timeline.as_array().into_iter().flatten().filter_map(|a| a["subject"].as_str()).collect();
    ensure!(subjects == ["Angebot Röster", "Call about the roaster"], "newest first: {subjects:?}");
    ensure!(
        timeline[0]["body"].as_str().is_some_and(|b| b.contains("Wir möchten bestellen.")),
        "the e-mail's text is decoded: {timeline}"
    );
    ensure!(timeline[1]["done_at"].is_string(), "the call is done: {timeline}");
    let of_deal = mia.json(&["activity", "list", "--deal", &deal, "--json"])?;
    ensure!(of_deal.as_array().map(Vec::len) == Some(1), "the deal's timeline has the call only: {of_deal}");
    sol.ok(&["sync"])?;
    let none = sol.json(&["activity", "list", "--account", &account, "--json"])?;
    ensure!(none.as_array().is_some_and(Vec::is_empty), "another territory sees none: {none}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_with_options_and_a_bundle_is_approved_across_devices_and_becomes_an_order() -> anyhow::Result<()> {
    let (_db, _server, devices) =
        company(&[("mia", "sales_manager", ""), ("rex", "sales_rep", "North"), ("bea", "back_office", "")]).await?;
    let [mia, rex, bea]: [CliDevice; 3] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;
    for (sku, name, price) in
        [("DESK", "Standing desk", "400"), ("LAMP", "Desk lamp", "50"), ("CHAIR", "Office chair", "120")]
    {
        bea.ok(&[
            "product",
            "create",
            "--sku",
            sku,
            "--name",
            name,
            "--price",
            price,
            "--currency",
            "EUR",
            "--tax-rate",
            "19",
        ])?;
    }
    bea.ok(&["sync"])?;
    let account = rex.create_account(&["--name", "Lübecker Büro GmbH", "--territory", "North"])?;
    rex.ok(&["sync"])?;

    // A discount over 100 % is refused at the edge; nothing is queued.
    let before = pending(&rex)?;
    let e = rex.fails(&["quote", "create", "--account", &account, "--line", "DESK:2:120"])?;
    ensure!(e.contains("over 100 %"), "{e}");
    ensure!(pending(&rex)? == before, "nothing was queued");

    // 20 % on the desks is above the 15 % threshold: the quote needs a manager's approval.
    let out = rex.run(
        &[
            "quote",
            "create",
            "--account",
            &account,
            "--line",
            "DESK:2:20",
            "--option",
            "LAMP:2",
            "--bundle",
            "Office set=CHAIR:2,LAMP:1",
        ],
        "",
    )?;
    ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ensure!(String::from_utf8_lossy(&out.stderr).contains("approval"), "the rep is told it needs approval");
    let quote = last_line(&String::from_utf8(out.stdout)?)?;
    let q = rex.json(&["quote", "show", &quote, "--json"])?;
    // 2 × 400 × 0.8 = 640; the set: 2 × 120 + 50 = 290; the optional lamps do not count.
    ensure!(dec(&q["totals"]["net"])? == Decimal::from(930), "priced by the order rules: {}", q["totals"]);
    let e = rex.fails(&["quote", "send", &quote])?;
    ensure!(e.contains("approval"), "an unapproved discount cannot be sent: {e}");
    rex.ok(&["quote", "request-approval", &quote, "--reason", "multi-year customer"])?;
    let e = rex.fails(&["quote", "approve", &quote])?;
    ensure!(e.contains("a sales_rep may not approve discounts"), "a rep cannot approve: {e}");
    rex.ok(&["sync"])?;

    // The manager approves on another device; the rep's copy learns it through sync.
    mia.ok(&["sync"])?;
    ensure!(
        mia.json(&["quote", "show", &quote, "--json"])?["status"] == "pending_approval",
        "the request reached the manager"
    );
    mia.ok(&["quote", "approve", &quote])?;
    mia.ok(&["sync"])?;
    rex.ok(&["sync"])?;
    let q = rex.json(&["quote", "show", &quote, "--json"])?;
    ensure!(q["status"] == "approved" && q["approval"]["granted_by"] == "mia", "approved by mia: {q}");

    // Sent: the server numbers it; the PDF shows number and total.
    rex.ok(&["quote", "send", &quote])?;
    rex.ok(&["sync"])?;
    let q = rex.json(&["quote", "show", &quote, "--json"])?;
    let number = q["number"].as_str().context("a sent quote has a number")?.to_owned();
    ensure!(number.starts_with("QU-") && number.ends_with("-00001"), "{number}");
    let pdf = tempfile::tempdir()?.keep().join("quote.pdf");
    rex.ok(&["quote", "pdf", &quote, "--output", &pdf.display().to_string()])?;
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output()?;
    let text = String::from_utf8_lossy(&text.stdout);
    ensure!(text.contains(&number) && text.contains("Lübecker Büro GmbH") && text.contains("Office set"), "{text}");

    // Accepted with the optional lamps: a draft order with exactly the quote's totals.
    let order = last_line(&rex.ok(&["quote", "accept", &quote, "--option", "LAMP"])?)?;
    rex.ok(&["sync"])?;
    ensure!(pending(&rex)? == 0, "the server accepted it: {}", rex.ok(&["status"])?);
    let q = rex.json(&["quote", "show", &quote, "--json"])?;
    ensure!(q["status"] == "accepted" && q["order"] == order.as_str(), "{q}");
    let o = rex.json(&["order", "show", &order, "--json"])?;
    ensure!(o["status"] == "draft", "order to cash takes over from a draft: {o}");
    ensure!(
        o["totals"] == q["totals"],
        "the order totals what the customer accepted: {} vs {}",
        o["totals"],
        q["totals"]
    );
    ensure!(dec(&o["totals"]["net"])? == Decimal::from(1030), "with the lamps (2 × 50): {}", o["totals"]);
    let lines = o["lines"].as_array().map(Vec::len).unwrap_or(0);
    ensure!(lines == 4, "desk, lamps, and the set's chairs and lamp: {o}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_deal_opens_once_before_the_contract_ends_and_an_order_repeats_in_one_step() -> anyhow::Result<()> {
    let (_db, _server, devices) = company(&[("mia", "sales_manager", ""), ("max", "sales_manager", "")]).await?;
    let [mia, max]: [CliDevice; 2] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;
    mia.ok(&["pipeline", "create", "Field sales"])?;
    let account = mia.create_account(&["--name", "Rostocker Reederei AG"])?;
    let today = chrono::Local::now().date_naive();
    let start = (today - chrono::Months::new(11)).to_string();
    let e = mia.fails(&[
        "contract",
        "create",
        "--account",
        &account,
        "--name",
        "Service",
        "--start",
        "01/02/2026",
        "--value",
        "1200",
    ])?;
    ensure!(e.contains("01/02/2026"), "a date in the wrong format is named: {e}");
    let contract = last_line(&mia.ok(&[
        "contract",
        "create",
        "--account",
        &account,
        "--name",
        "Fleet service",
        "--start",
        &start,
        "--value",
        "12000",
        "--billing",
        "monthly",
        "--auto-renew",
        "--renewal-lead-days",
        "60",
    ])?)?;
    mia.ok(&["sync"])?;
    max.ok(&["sync"])?;

    // Both managers open the due renewals before either syncs: one renewal deal results.
    mia.ok(&["contract", "renewals"])?;
    max.ok(&["contract", "renewals"])?;
    mia.ok(&["sync"])?;
    max.ok(&["sync"])?;
    ensure!(
        pending(&max)? == 0 && max.json(&["status", "--json"])?["rejected"].as_array().is_some_and(Vec::is_empty),
        "nothing refused"
    );
    mia.ok(&["sync"])?;
    let deals = mia.json(&["deal", "list", "--json"])?;
    let renewals: Vec<&Value> =
        deals.as_array().into_iter().flatten().filter(|d| d["renews"] == contract.as_str()).collect();
    ensure!(renewals.len() == 1, "one renewal deal: {deals}");
    ensure!(dec(&renewals[0]["amount"]["amount"])? == Decimal::from(12_000), "worth a term: {}", renewals[0]);
    let c = mia.json(&["contract", "list", "--json"])?;
    ensure!(c[0]["renewal_deal"] == renewals[0]["id"], "the contract records its renewal deal: {c}");
    let again = mia.ok(&["contract", "renewals"])?;
    ensure!(again.trim().is_empty(), "nothing more is due: {again}");

    // Renewed: the next term starts the day after the end.
    mia.ok(&["contract", "renew", &contract])?;
    mia.ok(&["sync"])?;
    let list = mia.json(&["contract", "list", "--json"])?;
    let statuses: Vec<&str> = list.as_array().into_iter().flatten().filter_map(|c| c["status"].as_str()).collect();
    ensure!(statuses == ["renewed", "active"], "the old term renewed, the new one active: {list}");

    // An earlier order, repeated in one step.
    mia.ok(&[
        "product",
        "create",
        "--sku",
        "FILTER",
        "--name",
        "Oil filter",
        "--price",
        "30",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    let first = last_line(&mia.ok(&["order", "create", "--account", &account, "--line", "FILTER:12:5"])?)?;
    let again = last_line(&mia.ok(&["order", "repeat", &first])?)?;
    mia.ok(&["sync"])?;
    let o = mia.json(&["order", "show", &again, "--json"])?;
    ensure!(o["status"] == "draft" && o["lines"][0]["qty"] == "12" && o["lines"][0]["discount"] == "5", "{o}");
    ensure!(pending(&mia)? == 0, "the server took everything");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_fields_are_validated_and_the_lead_score_is_explained() -> anyhow::Result<()> {
    let (_db, _server, devices) = company(&[("mia", "sales_manager", ""), ("rex", "sales_rep", "North")]).await?;
    let [mia, rex]: [CliDevice; 2] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;

    let e =
        mia.fails(&["crm", "field-add", "--entity", "lead", "--key", "size", "--label", "Size", "--kind", "shoe"])?;
    ensure!(e.contains("not a field kind"), "{e}");
    mia.ok(&[
        "crm",
        "field-add",
        "--entity",
        "lead",
        "--key",
        "size",
        "--label",
        "Company size",
        "--kind",
        "choice:S|M|L",
    ])?;
    mia.ok(&["crm", "field-add", "--entity", "lead", "--key", "budget", "--label", "Budget", "--kind", "money:EUR"])?;
    for (label, cond, points) in [
        ("Met at a trade fair", "source=event", "20"),
        ("Company e-mail", "business-email", "10"),
        ("Large company", "custom:size=L", "30"),
        ("Calls held", "activity:call:2", "5"),
        ("Competitor", "contains:company=Rival", "-50"),
    ] {
        mia.ok(&["crm", "score-rule-add", "--label", label, "--if", cond, "--points", points])?;
    }
    mia.ok(&["sync"])?;

    // A rep may not change the configuration: the server refuses it.
    rex.ok(&["sync"])?;
    rex.ok(&["crm", "score-rule-add", "--label", "Mine", "--if", "set:phone", "--points", "99"])?;
    rex.ok(&["sync"])?;
    let status = rex.json(&["status", "--json"])?;
    ensure!(status["rejected"].as_array().is_some_and(|r| r.iter().any(|x| x["code"] == "forbidden")), "{status}");
    ensure!(
        rex.json(&["crm", "settings", "--json"])?["scoring"].as_array().map(Vec::len) == Some(5),
        "the rep's copy dropped it"
    );

    // Custom values are checked against their definitions; nothing is queued when refused.
    let before = pending(&rex)?;
    let e = rex.fails(&[
        "lead",
        "create",
        "--company",
        "Nordlicht Solar GmbH",
        "--territory",
        "North",
        "--custom",
        "size=XL",
    ])?;
    ensure!(e.contains("Company size") && e.contains("XL"), "{e}");
    let e = rex.fails(&[
        "lead",
        "create",
        "--company",
        "Nordlicht Solar GmbH",
        "--territory",
        "North",
        "--custom",
        "budget=10.001",
    ])?;
    ensure!(e.contains("Budget"), "{e}");
    ensure!(pending(&rex)? == before, "nothing was queued");

    let lead = last_line(&rex.ok(&[
        "lead",
        "create",
        "--company",
        "Nordlicht Solar GmbH",
        "--email",
        "info@nordlicht-solar.example",
        "--source",
        "event",
        "--territory",
        "North",
        "--custom",
        "size=l",
        "--custom",
        "budget=25000",
    ])?)?;
    for i in 0..3 {
        rex.ok(&["activity", "add", "--kind", "call", "--subject", &format!("Call {i}"), "--lead", &lead])?;
    }
    let shown = rex.json(&["lead", "show", &lead, "--json"])?;
    ensure!(shown["lead"]["custom"]["size"]["value"] == "L", "a choice is stored as defined: {shown}");
    let score = &shown["score"];
    ensure!(score["total"] == 70, "20 + 10 + 30 + 2 calls × 5 = 70: {score}");
    let labels: Vec<&str> =
        score["parts"].as_array().into_iter().flatten().filter_map(|p| p["label"].as_str()).collect();
    ensure!(
        labels == ["Met at a trade fair", "Company e-mail", "Large company", "Calls held"],
        "explained: {labels:?}"
    );
    rex.ok(&["sync"])?;
    ensure!(pending(&rex)? == 0, "the server took the lead and the calls: {}", rex.ok(&["status"])?);
    mia.ok(&["sync"])?;
    let list = mia.json(&["lead", "list", "--json"])?;
    ensure!(list[0]["score"]["total"] == 70, "the manager sees the same score: {list}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_contacts_and_deals_import_all_or_nothing_and_lists_export_as_csv() -> anyhow::Result<()> {
    let (db, _server, devices) = company(&[("mia", "sales_manager", "")]).await?;
    let [mia]: [CliDevice; 1] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;
    mia.ok(&["pipeline", "create", "Field sales"])?;
    let files = tempfile::tempdir()?;
    let write = |name: &str, text: &str| -> anyhow::Result<String> {
        let p = files.path().join(name);
        std::fs::write(&p, text)?;
        Ok(p.display().to_string())
    };

    let accounts =
        write("accounts.csv", "Account Name;City;VAT ID\nWerft Nord GmbH;Kiel;DE123456789\nBau Süd AG;Ulm;\n")?;
    mia.ok(&["import", "accounts", &accounts])?;
    // A contact of an account the file does not know: nothing is imported.
    let bad = write(
        "contacts.csv",
        "First name,Last name,E-mail,Account\nAnna,Berg,anna@werft-nord.example,Werft Nord GmbH\nBen,Hahn,ben@x.example,Nowhere KG\n",
    )?;
    let e = mia.fails(&["import", "contacts", &bad])?;
    ensure!(e.contains("line 3") && e.contains("Account") && e.contains("Nowhere KG"), "{e}");
    let good = write(
        "contacts2.csv",
        "First name,Last name,E-mail,Account\nAnna,Berg,anna@werft-nord.example,werft nord gmbh\nBen,Hahn,ben@bau-sued.example,Bau Süd AG\n",
    )?;
    mia.ok(&["import", "contacts", &good])?;
    let deals = write(
        "deals.csv",
        "Deal,Account,Amount,Currency,Close date,Stage\nCrane,Werft Nord GmbH,\"150,000.00\",EUR,2027-03-31,Propose\nScaffold,Bau Süd AG,8000,EUR,2027-01-15,\n",
    )?;
    let e = mia.fails(&["import", "deals", &deals])?;
    ensure!(e.contains("line 2") && e.contains("Amount"), "a thousands separator is not an amount: {e}");
    let deals = write(
        "deals2.csv",
        "Deal,Account,Amount,Currency,Close date,Stage\nCrane,Werft Nord GmbH,150000,EUR,2027-03-31,Propose\nScaffold,Bau Süd AG,8000,EUR,2027-01-15,\n",
    )?;
    mia.ok(&["import", "deals", &deals])?;
    mia.ok(&["sync"])?;
    ensure!(pending(&mia)? == 0, "the server took every record: {}", mia.ok(&["status"])?);
    let pool = db.pool().await?;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM contacts").fetch_one(&pool).await?;
    ensure!(n == 2, "two contacts, none from the refused file: {n}");

    // A selection of deals changes owner and stage at once; a bad stage changes none.
    let list = mia.json(&["deal", "list", "--json"])?;
    let ids: Vec<String> =
        list.as_array().into_iter().flatten().filter_map(|d| d["id"].as_str().map(str::to_owned)).collect();
    let mut args = vec!["deal", "bulk"];
    args.extend(ids.iter().map(String::as_str));
    let mut bad = args.clone();
    bad.extend(["--owner", "max", "--stage", "Nowhere"]);
    let e = mia.fails(&bad)?;
    ensure!(e.contains("Nowhere"), "{e}");
    ensure!(pending(&mia)? == 0, "a refused bulk edit queues nothing");
    args.extend(["--owner", "max", "--stage", "Negotiate"]);
    mia.ok(&args)?;
    mia.ok(&["sync"])?;
    ensure!(pending(&mia)? == 0, "the server took the bulk edit: {}", mia.ok(&["status"])?);
    let owners: Vec<(String, String)> = sqlx::query_as(
        "SELECT body->'data'->>'owner', body->'data'->>'stage' FROM docs WHERE kind = 'deal' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await?;
    ensure!(owners.iter().all(|(o, s)| o == "max" && s == "Negotiate"), "{owners:?}");

    // Export and read back.
    let csv = mia.ok(&["export", "csv", "deals"])?;
    let lines: Vec<&str> = csv.lines().collect();
    ensure!(lines.len() == 3 && lines[0].starts_with("Id,Name,Account,Stage"), "{csv}");
    ensure!(csv.contains("Crane,") && csv.contains(",Negotiate,150000.00,EUR,2027-03-31,max"), "{csv}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_carry_owner_tags_and_custom_fields_and_duplicates_merge_keeping_links_and_history(
) -> anyhow::Result<()> {
    let (db, _server, devices) =
        company(&[("mia", "sales_manager", ""), ("rex", "sales_rep", "North"), ("bo", "back_office", "")]).await?;
    let [mia, rex, bo]: [CliDevice; 3] = devices.try_into().map_err(|_| anyhow::anyhow!("devices"))?;
    mia.ok(&[
        "crm",
        "field-add",
        "--entity",
        "account",
        "--key",
        "segment",
        "--label",
        "Segment",
        "--kind",
        "choice:SMB|Enterprise",
    ])?;
    mia.ok(&["crm", "field-add", "--entity", "contact", "--key", "birthday", "--label", "Birthday", "--kind", "date"])?;
    mia.ok(&["pipeline", "create", "Field sales"])?;
    let keep = mia.create_account(&["--name", "Nordhafen Logistik GmbH", "--territory", "North", "--city", "Kiel"])?;
    let dup = mia.create_account(&[
        "--name",
        "Nordhafen Logistik",
        "--territory",
        "North",
        "--vat-id",
        "DE123456789",
        "--email",
        "info@nordhafen.example",
    ])?;
    let south = mia.create_account(&["--name", "Nordhafen Logistik AG", "--territory", "South"])?;
    mia.ok(&["sync"])?;

    // Owner, tags and custom values: validated at the edge, synced, visible to the territory.
    let before = pending(&mia)?;
    let e = mia.fails(&["account", "profile", &keep, "--custom", "segment=Huge", "--add-tag", &"x".repeat(41)])?;
    ensure!(e.contains("Segment") && e.contains("Huge") && e.contains("tags"), "every bad field is named: {e}");
    ensure!(pending(&mia)? == before, "a refused edit queues nothing");
    mia.ok(&[
        "account",
        "profile",
        &keep,
        "--owner",
        "rex",
        "--tags",
        "key account, Fair 2026",
        "--custom",
        "segment=Enterprise",
    ])?;
    mia.ok(&["account", "bulk", &keep, &dup, &south, "--add-tag", "renewal"])?;
    let contact = last_line(&mia.ok(&["contact", "add", "--account", &dup, "--name", "Ole Hansen"])?)?;
    let e = mia.fails(&["contact", "profile", &contact, "--custom", "birthday=03/12/1980"])?;
    ensure!(e.contains("YYYY-MM-DD"), "{e}");
    mia.ok(&["contact", "profile", &contact, "--custom", "birthday=1980-12-03", "--add-tag", "decision maker"])?;
    mia.ok(&["sync"])?;
    ensure!(pending(&mia)? == 0, "the server took every edit: {}", mia.ok(&["status"])?);
    rex.ok(&["sync"])?;
    let p = rex.json(&["account", "profile", &keep, "--json"])?;
    ensure!(p["owner"] == "rex" && p["custom"]["segment"] == "Enterprise", "{p}");
    ensure!(p["tags"] == serde_json::json!(["Fair 2026", "key account", "renewal"]), "{p}");
    let mine = rex.json(&["account", "list", "--json", "--owner", "rex"])?;
    ensure!(mine.as_array().map(Vec::len) == Some(1) && mine[0]["id"] == keep.as_str(), "{mine}");
    let tagged = rex.json(&["account", "list", "--json", "--tag", "RENEWAL"])?;
    ensure!(tagged.as_array().map(Vec::len) == Some(2), "the southern account is not rex's to see: {tagged}");

    // Likely duplicates, then a merge on rex's device (offline first) that keeps every link.
    let d = rex.json(&["account", "duplicates", "--json"])?;
    ensure!(d.as_array().map(Vec::len) == Some(1), "{d}");
    let deal = last_line(&rex.ok(&[
        "deal",
        "create",
        "--account",
        &dup,
        "--name",
        "Cranes",
        "--amount",
        "9000",
        "--close",
        "2027-02-01",
    ])?)?;
    rex.ok(&["activity", "add", "--account", &dup, "--kind", "note", "--subject", "Intro call"])?;
    rex.ok(&["sync"])?;
    let e = rex.fails(&["account", "merge", &keep, &keep])?;
    ensure!(e.contains("itself"), "{e}");
    rex.ok(&["account", "merge", &keep, &dup])?;
    let shown = rex.json(&["account", "show", &keep, "--json"])?;
    ensure!(shown["account"]["vatId"] == "DE123456789" && shown["account"]["city"] == "Kiel", "blanks filled: {shown}");
    ensure!(shown["contacts"].as_array().map(Vec::len) == Some(1), "the contact moved at once: {shown}");
    rex.ok(&["sync"])?;
    ensure!(pending(&rex)? == 0, "the server merged too: {}", rex.ok(&["status"])?);
    mia.ok(&["sync"])?;
    mia.fails(&["account", "show", &dup])?;
    let deals = mia.json(&["deal", "list", "--json"])?;
    let moved = deals.as_array().into_iter().flatten().find(|x| x["id"] == deal.as_str()).context("deal")?;
    ensure!(moved["account"] == keep.as_str(), "the deal follows the surviving account: {moved}");
    let timeline = mia.ok(&["activity", "list", "--account", &keep])?;
    ensure!(timeline.contains("Intro call") && timeline.contains("Merged \"Nordhafen Logistik\""), "{timeline}");
    let p = mia.json(&["contact", "profile", &contact, "--json"])?;
    ensure!(p["custom"]["birthday"] == "1980-12-03", "the contact keeps its profile: {p}");
    let pool = db.pool().await?;
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE op_name = 'account.merge'").fetch_one(&pool).await?;
    ensure!(audited >= 4, "the merge is in the audit log with every record it touched: {audited}");

    // A lead that moves to another territory leaves the old territory's devices.
    let lead = last_line(&mia.ok(&["lead", "create", "--company", "Wanderer GmbH", "--territory", "North"])?)?;
    mia.ok(&["sync"])?;
    rex.ok(&["sync"])?;
    ensure!(rex.ok(&["lead", "list"])?.contains("Wanderer GmbH"), "rex sees the northern lead");
    mia.ok(&["lead", "bulk", &lead, "--territory", "South"])?;
    mia.ok(&["sync"])?;
    rex.ok(&["sync"])?;
    let leads = rex.ok(&["lead", "list"])?;
    ensure!(!leads.contains("Wanderer GmbH"), "and no stale copy once it moved south: {leads}");

    // Across territories, or away from a customer with business on record: refused.
    let e = mia.fails(&["account", "merge", &keep, &south])?;
    ensure!(e.contains("territory North") && e.contains("territory South"), "{e}");
    bo.ok(&["sync"])?;
    bo.ok(&[
        "product",
        "create",
        "--sku",
        "CR-1",
        "--name",
        "Crane",
        "--price",
        "100",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    let other = bo.create_account(&["--name", "Nordhafen Logistik KG", "--territory", "North"])?;
    bo.ok(&["sync"])?;
    rex.ok(&["sync"])?;
    bo.ok(&["order", "create", "--account", &other, "--line", "CR-1:1"])?;
    bo.ok(&["sync"])?;
    let e = bo.fails(&["account", "merge", &keep, &other])?;
    ensure!(e.contains("has orders"), "{e}");
    // rex has not seen the order yet: the device merges, the server refuses and undoes it.
    rex.ok(&["account", "merge", &keep, &other])?;
    rex.fails(&["account", "show", &other])?;
    rex.ok(&["sync"])?;
    let status = rex.json(&["status", "--json"])?;
    ensure!(status.to_string().contains("has orders"), "the server refuses it too: {status}");
    let back = rex.json(&["account", "show", &other, "--json"])?;
    ensure!(back["account"]["name"] == "Nordhafen Logistik KG", "and the account is back: {back}");
    Ok(())
}
