//! Order to cash through the real server and the `tandem` CLI: products, stock, credit limit,
//! an order confirmed with a reservation and a back-order, a partial delivery, an invoice
//! numbered by the server, a payment, aging, a trial balance that balances, and a ledger file
//! that an outside tool (hledger) reads. Sales see their customer's facts but never the ledger.
//! Bad input is refused at the edge and changes nothing.

use anyhow::{ensure, Context as _};
use chrono::Datelike;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;
use tandem_tests::cli::CliDevice;
use tandem_tests::{create_user, run_server_command, spawn_process, ServerProcess, TestDb};

fn dec(v: &Value) -> anyhow::Result<Decimal> {
    let s = v.as_str().with_context(|| format!("{v} is not a decimal string"))?;
    Ok(Decimal::from_str(s)?)
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

/// A server with a back-office user "bea", signed in from a CLI device.
async fn back_office() -> anyhow::Result<(TestDb, ServerProcess, CliDevice)> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "bea", "back_office", "a-long-password").await?;
    let bea = CliDevice::new()?;
    bea.login(&server.base_url, "bea", "a-long-password")?;
    Ok((db, server, bea))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_goes_from_confirmation_to_cash_and_the_books_balance() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_process(&db.url)?;
    create_user(&db.url, "bea", "back_office", "a-long-password").await?;
    create_user(&db.url, "rex", "sales_rep", "a-long-password").await?;
    let out = run_server_command(&db.url, &["user", "set-territory", "rex", "--territory", "North"], "")?;
    ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (bea, rex) = (CliDevice::new()?, CliDevice::new()?);
    bea.login(&server.base_url, "bea", "a-long-password")?;
    rex.login(&server.base_url, "rex", "a-long-password")?;

    // The back office sets up products, stock and the customer's credit limit.
    bea.ok(&[
        "product",
        "create",
        "--sku",
        "CHAIR",
        "--name",
        "Office chair",
        "--price",
        "100",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    bea.ok(&[
        "product",
        "create",
        "--sku",
        "DESK",
        "--name",
        "Standing desk",
        "--price",
        "400",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    bea.ok(&["sync"])?;
    let out = bea.ok(&["stock", "receive", "--sku", "CHAIR", "--qty", "10", "--unit-cost", "40"])?;
    ensure!(out.contains("received 10 CHAIR"), "the server applied the receipt at once: {out}");
    let acme = bea.create_account(&["--name", "ACME Nord GmbH", "--territory", "North"])?;
    bea.ok(&["sync"])?;
    bea.ok(&["account", "update", &acme, "--credit-limit", "5000", "--currency", "EUR"])?;

    // A sales rep orders offline-capable: the draft is priced on the device.
    rex.ok(&["sync"])?;
    let order = rex.ok(&["order", "create", "--account", &acme, "--line", "CHAIR:3", "--line", "DESK:1:0"])?;
    let order = order.lines().last().context("id")?.trim().to_owned();
    let draft = rex.json(&["order", "show", &order, "--json"])?;
    ensure!(draft["status"] == "draft", "{draft}");
    ensure!(dec(&draft["totals"]["total"])? == d("833.00"), "3 × 100 + 400 = 700 net + 19 % = 833.00: {draft}");

    let out = rex.ok(&["order", "confirm", &order])?;
    ensure!(out.contains("confirmed"), "confirmed by the server: {out}");
    let shown = rex.json(&["order", "show", &order, "--json"])?;
    let number = shown["number"].as_str().context("an order number")?.to_owned();
    ensure!(number.starts_with("SO-"), "{number}");
    let chair = &shown["lines"][0];
    ensure!(chair["reserved"] == "3" && chair["backorder"] == "0", "chairs reserved: {chair}");
    let desk = &shown["lines"][1];
    ensure!(
        desk["backorder"] == "1" && desk["expected_date"].is_string(),
        "the desk is back-ordered with a date: {desk}"
    );
    ensure!(desk["promise_date"].is_string() && chair["promise_date"].is_string(), "each line has a promise date");

    // Over the credit limit: refused with the figures, and nothing changes.
    let big = rex.ok(&["order", "create", "--account", &acme, "--line", "DESK:10"])?;
    let big = big.lines().last().context("id")?.trim().to_owned();
    let e = rex.fails(&["order", "confirm", &big])?;
    // 833.00 open + 4,760.00 = 5,593.00 against 5,000.00.
    ensure!(e.contains("exceeds credit limit 5,000.00 EUR by 593.00 EUR"), "the refusal gives the figures: {e}");
    ensure!(
        rex.json(&["order", "show", &big, "--json"])?["status"] == "draft",
        "a refused confirmation changes nothing"
    );
    // A draft is edited (priced again) and then fits the limit; a confirmed order is not edited.
    rex.ok(&["order", "update", &big, "--line", "DESK:2"])?;
    ensure!(dec(&rex.json(&["order", "show", &big, "--json"])?["totals"]["total"])? == d("952.00"), "2 × 400 + 19 %");
    rex.ok(&["sync"])?;
    let out = rex.ok(&["order", "confirm", &big])?;
    ensure!(out.contains("confirmed"), "833.00 + 952.00 is within 5,000.00: {out}");
    let e = rex.fails(&["order", "update", &big, "--line", "DESK:1"])?;
    ensure!(e.contains("cannot be edited"), "a confirmed order changes only through its transitions: {e}");

    // The back office ships what is there, invoices it and posts the invoice.
    bea.ok(&["sync"])?;
    let out = bea.ok(&["order", "deliver", &order, "--carrier", "DHL", "--tracking", "00340434161234567890"])?;
    ensure!(out.contains("delivered"), "{out}");
    ensure!(bea.json(&["order", "show", &order, "--json"])?["status"] == "partly_delivered");
    let stock = bea.json(&["stock", "list", "--json"])?;
    let chairs = stock.as_array().context("rows")?.iter().find(|r| r["sku"] == "CHAIR").context("chair row")?;
    ensure!(chairs["onHand"] == "7" && chairs["reserved"] == "0", "3 chairs left the warehouse: {chairs}");

    let inv = bea.ok(&["invoice", "create", "--order", &order])?;
    let inv = inv.lines().last().context("id")?.trim().to_owned();
    let drafts = bea.json(&["invoice", "list", "--json"])?;
    ensure!(
        drafts[0]["status"] == "draft" && drafts[0]["number"].is_null(),
        "a draft has no legal number yet: {drafts}"
    );
    let out = bea.ok(&["invoice", "post", &inv])?;
    let year = chrono::Local::now().year();
    ensure!(out.contains(&format!("INV-{year}-00001 posted")), "the server numbers the invoice: {out}");
    let invoices = bea.json(&["invoice", "list", "--json"])?;
    let posted = &invoices[0];
    ensure!(posted["status"] == "posted" && posted["number"] == format!("INV-{year}-00001"), "{posted}");
    ensure!(dec(&posted["totals"]["total"])? == d("357.00"), "3 chairs delivered = 300 + 19 %: {posted}");
    let e = bea.fails(&["invoice", "post", &inv])?;
    ensure!(e.contains("already posted"), "a posted invoice never changes: {e}");
    let pdf = bea.data_dir().join("invoice.pdf");
    bea.ok(&["invoice", "pdf", &inv, "--output", pdf.to_str().context("path")?])?;
    // pdftotext (poppler-utils) is installed by scripts/install-deps.sh --test.
    let out = std::process::Command::new("pdftotext").args([pdf.to_str().context("path")?, "-"]).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(out.status.success(), "a PDF that a PDF reader opens: {}", String::from_utf8_lossy(&out.stderr));
    ensure!(
        text.contains(&format!("Invoice INV-{year}-00001"))
            && text.contains("357.00 EUR")
            && text.contains("ACME Nord GmbH"),
        "the PDF shows number, customer and total: {text}"
    );

    // A partial payment; the rest shows in the aging.
    bea.ok(&["payment", "record", "--account", &acme, "--amount", "100", "--currency", "EUR", "--invoice", &inv])?;
    let aging = bea.json(&["report", "aging", "--json"])?;
    ensure!(dec(&aging["total"]["total"])? == d("257.00"), "357.00 − 100.00 open: {aging}");
    ensure!(dec(&aging["total"]["current"])? == d("257.00"), "not yet due: {aging}");

    let tb = bea.json(&["report", "trial-balance", "--json"])?;
    ensure!(dec(&tb["total_debit"])? == dec(&tb["total_credit"])?, "the trial balance balances: {tb}");
    let row = |code: &str| -> anyhow::Result<Decimal> {
        let rows = tb["rows"].as_array().context("rows")?;
        let r = rows.iter().find(|r| r["code"] == code).with_context(|| format!("no row {code} in {tb}"))?;
        dec(&r["balance"])
    };
    ensure!(row("1200")? == d("257.00"), "receivables in the ledger = open invoices");
    ensure!(row("1300")? == d("280.00"), "stock value in the ledger = 7 chairs at 40.00");
    ensure!(row("5000")? == d("120.00"), "cost of goods sold: 3 chairs at average cost 40.00");
    ensure!(row("4000")? == d("-300.00") && row("2200")? == d("-57.00"), "sales and VAT");

    // The journal as a plain-text ledger that an outside tool can check.
    let file = bea.data_dir().join("books.journal");
    bea.ok(&["export", "ledger", "--format", "ledger", "--output", file.to_str().context("path")?])?;
    let text = std::fs::read_to_string(&file)?;
    ensure!(text.contains(&format!("INV-{year}-00001")) && text.contains("EUR"), "{text}");
    // hledger is installed by scripts/install-deps.sh --test.
    let out = std::process::Command::new("hledger")
        .args(["-f", file.to_str().context("path")?, "balance", "--flat", "Receivable"])
        .output()
        .context("running hledger (scripts/install-deps.sh --test installs it)")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(out.status.success(), "hledger reads the file: {}", String::from_utf8_lossy(&out.stderr));
    ensure!(stdout.contains("257.00 EUR"), "hledger finds the same receivable: {stdout}");

    // The rep sees the customer's facts read-only, and never the ledger.
    rex.ok(&["sync"])?;
    let facts = rex.json(&["report", "customer", &acme, "--json"])?;
    ensure!(dec(&facts["openBalance"])? == d("257.00"), "{facts}");
    ensure!(facts["deliveries"][0]["tracking"] == "00340434161234567890", "shipments with tracking: {facts}");
    ensure!(facts["deliveries"][0]["promised"].is_string(), "and promise dates");
    let e = rex.fails(&["report", "trial-balance", "--json"])?;
    ensure!(e.contains("do not see the ledger"), "{e}");
    let e = rex.fails(&["invoice", "post", &inv])?;
    ensure!(e.contains("already posted") || e.contains("may not"), "{e}");

    // The customer moves to another territory: its orders and invoices leave the rep's replica.
    bea.ok(&["account", "update", &acme, "--territory", "South"])?;
    bea.ok(&["sync"])?;
    rex.ok(&["sync"])?;
    ensure!(rex.json(&["order", "list", "--json"])?.as_array().is_some_and(Vec::is_empty), "orders left");
    ensure!(rex.json(&["invoice", "list", "--json"])?.as_array().is_some_and(Vec::is_empty), "invoices left");
    ensure!(rex.json(&["product", "list", "--json"])?.as_array().is_some_and(|p| p.len() == 2), "products stay");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_at_the_edge_and_nothing_is_queued() -> anyhow::Result<()> {
    let (_db, _server, bea) = back_office().await?;
    bea.ok(&[
        "product",
        "create",
        "--sku",
        "BOLT",
        "--name",
        "Bolt",
        "--price",
        "0.10",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    let acme = bea.create_account(&["--name", "ACME"])?;
    bea.ok(&["sync"])?;

    let cases: &[(&[&str], &str)] = &[
        (
            &["payment", "record", "--account", &acme, "--amount", "12.345", "--currency", "EUR"],
            "more decimals than EUR allows",
        ),
        (&["payment", "record", "--account", &acme, "--amount", "12", "--currency", "XYZ"], "XYZ is not a currency"),
        (&["order", "create", "--account", &acme, "--line", "NOPE:1"], "no product with SKU NOPE"),
        (&["order", "create", "--account", &acme, "--line", "BOLT:-1"], "negative"),
        (&["stock", "receive", "--sku", "BOLT", "--qty", "-5", "--unit-cost", "1"], "negative"),
        (
            &[
                "product",
                "create",
                "--sku",
                "X1",
                "--name",
                "X",
                "--price",
                "1.001",
                "--currency",
                "EUR",
                "--tax-rate",
                "19",
            ],
            "more decimals",
        ),
        (&["account", "update", &acme, "--credit-limit", "10.999", "--currency", "EUR"], "more decimals"),
    ];
    for (args, why) in cases {
        let e = bea.fails(args)?;
        ensure!(e.contains(why), "{args:?} is refused saying {why:?}: {e}");
    }
    let status = bea.json(&["status", "--json"])?;
    ensure!(status["pending"] == 0, "nothing was queued: {status}");
    let e = bea.fails(&["order", "deliver", &acme])?;
    ensure!(e.contains("no order"), "{e}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_customer_is_invoiced_in_their_currency_and_the_exchange_difference_is_booked() -> anyhow::Result<()>
{
    let (_db, _server, bea) = back_office().await?;
    let today = chrono::Local::now().date_naive();
    let yesterday = today.pred_opt().context("date")?.to_string();

    // Rates are imported all or nothing: a bad line names itself and nothing is queued.
    let rates = bea.data_dir().join("rates.csv");
    std::fs::write(&rates, format!("currency,date,rate\nUSD,{yesterday},0.9\nGBP,2026-13-01,1.15\n"))?;
    let e = bea.fails(&["rate", "import", rates.to_str().context("path")?])?;
    ensure!(e.contains("line 3: date") && e.contains("2026-13-01"), "the bad line and field are named: {e}");
    ensure!(bea.json(&["status", "--json"])?["pending"] == 0, "nothing of the file was queued");
    std::fs::write(&rates, format!("currency,date,rate\nUSD,{yesterday},0.9\nGBP,{yesterday},1.15\n"))?;
    let out = bea.ok(&["rate", "import", rates.to_str().context("path")?])?;
    ensure!(out.contains("2 rates imported"), "{out}");
    bea.ok(&[
        "product",
        "create",
        "--sku",
        "WIDGET",
        "--name",
        "Widget",
        "--price",
        "10",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    let globex = bea.create_account(&["--name", "Globex Inc."])?;
    bea.ok(&["sync"])?;
    bea.ok(&["price", "set", "--list", "Export USD", "--currency", "USD", "--sku", "WIDGET", "--price", "12"])?;
    bea.ok(&[
        "price",
        "set",
        "--list",
        "Export USD",
        "--currency",
        "USD",
        "--sku",
        "WIDGET",
        "--price",
        "11",
        "--min-qty",
        "10",
    ])?;
    bea.ok(&["account", "update", &globex, "--credit-limit", "10000", "--currency", "USD"])?;
    bea.ok(&["stock", "receive", "--sku", "WIDGET", "--qty", "20", "--unit-cost", "5"])?;

    let order = bea.ok(&["order", "create", "--account", &globex, "--line", "WIDGET:10"])?;
    let order = order.lines().last().context("id")?.trim().to_owned();
    let o = bea.json(&["order", "show", &order, "--json"])?;
    ensure!(o["currency"] == "USD", "the customer's currency: {o}");
    ensure!(o["lines"][0]["unit_price"] == "11", "the quantity break of the USD list applies: {o}");
    ensure!(dec(&o["totals"]["total"])? == d("130.90"), "110.00 + 19 %: {o}");
    bea.ok(&["order", "confirm", &order])?;
    bea.ok(&["order", "deliver", &order])?;
    let inv = bea.ok(&["invoice", "create", "--order", &order])?;
    let inv = inv.lines().last().context("id")?.trim().to_owned();
    bea.ok(&["invoice", "post", &inv])?;
    let posted = bea.json(&["invoice", "show", &inv, "--json"])?;
    ensure!(
        posted["rate"] == "0.9" && dec(&posted["total_company"])? == d("117.81"),
        "at the rate of its date: {posted}"
    );

    // The dollar rises; the customer pays 140.00 USD: 130.90 settles the invoice, 9.10 is credit.
    bea.ok(&["rate", "set", "--currency", "USD", "--date", &today.to_string(), "--rate", "0.95"])?;
    bea.ok(&["payment", "record", "--account", &globex, "--amount", "140", "--currency", "USD"])?;
    let tb = bea.json(&["report", "trial-balance", "--json"])?;
    let balance = |tb: &Value, code: &str| -> anyhow::Result<Decimal> {
        let rows = tb["rows"].as_array().context("rows")?;
        Ok(match rows.iter().find(|r| r["code"] == code) {
            Some(r) => dec(&r["balance"])?,
            None => Decimal::ZERO,
        })
    };
    ensure!(balance(&tb, "1200")? == Decimal::ZERO, "the receivable is cleared at the invoice's rate: {tb}");
    ensure!(balance(&tb, "1000")? == d("133.00"), "the bank receives 140.00 × 0.95");
    ensure!(balance(&tb, "2300")? == d("-8.65"), "9.10 USD of credit at 0.95");
    ensure!(balance(&tb, "4900")? == d("-6.54"), "realised exchange gain 133.00 − 117.81 − 8.65: {tb}");
    ensure!(dec(&tb["total_debit"])? == dec(&tb["total_credit"])?, "{tb}");
    ensure!(bea.json(&["order", "show", &order, "--json"])?["status"] == "closed", "invoiced and paid: closed");

    // The credit goes back to the customer; more than the credit is refused with the figures.
    let e = bea.fails(&["payment", "refund", "--account", &globex, "--amount", "20", "--currency", "USD"])?;
    ensure!(e.contains("more than Globex Inc.'s credit of 9.10 USD"), "{e}");
    bea.ok(&["payment", "refund", "--account", &globex, "--amount", "9.10", "--currency", "USD"])?;
    let tb = bea.json(&["report", "trial-balance", "--json"])?;
    ensure!(balance(&tb, "2300")? == Decimal::ZERO, "the credit is used up: {tb}");

    // A credit note corrects the posted invoice: the customer is owed the amount, the order
    // can be invoiced again.
    let cn = bea.ok(&["invoice", "credit", &inv])?;
    let cn = cn.lines().last().context("id")?.trim().to_owned();
    let note = bea.json(&["invoice", "show", &cn, "--json"])?;
    ensure!(note["kind"] == "credit_note" && note["number"].as_str().is_some_and(|n| n.starts_with("CN-")), "{note}");
    let tb = bea.json(&["report", "trial-balance", "--json"])?;
    // Like every document, at the rate of its own date (130.90 × 0.95); the invoice was paid,
    // so the credit note stays open as what the customer is owed.
    ensure!(balance(&tb, "1200")? == d("-124.36"), "the credit note at the rate of its date: {tb}");
    let aging = bea.json(&["report", "aging", "--json"])?;
    ensure!(dec(&aging["total"]["total"])? == d("-124.36"), "the aging agrees with the ledger: {aging}");
    ensure!(bea.json(&["order", "show", &order, "--json"])?["status"] == "delivered", "invoiceable again");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_moves_between_warehouses_counts_post_and_a_locked_period_refuses() -> anyhow::Result<()> {
    let (_db, _server, bea) = back_office().await?;
    bea.ok(&[
        "product",
        "create",
        "--sku",
        "BOLT",
        "--name",
        "Bolt",
        "--price",
        "1",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    bea.ok(&["stock", "receive", "--sku", "BOLT", "--qty", "100", "--unit-cost", "0.50"])?;
    bea.ok(&["stock", "warehouse", "HAMBURG", "--name", "Hamburg"])?;
    bea.ok(&["stock", "transfer", "--sku", "BOLT", "--qty", "30", "--from", "MAIN", "--to", "HAMBURG"])?;
    let e = bea.fails(&["stock", "transfer", "--sku", "BOLT", "--qty", "80", "--from", "MAIN", "--to", "HAMBURG"])?;
    ensure!(e.contains("only 70 pc of BOLT available, 80 asked"), "{e}");
    bea.ok(&["stock", "adjust", "--sku", "BOLT", "--qty", "-5", "--reason", "count"])?;
    let stock = bea.json(&["stock", "list", "--json"])?;
    let at = |wh: &str| -> anyhow::Result<Value> {
        stock.as_array().context("rows")?.iter().find(|r| r["warehouse"] == wh).cloned().context("row")
    };
    ensure!(at("MAIN")?["onHand"] == "65" && at("HAMBURG")?["onHand"] == "30", "{stock}");
    ensure!(at("HAMBURG")?["value"] == "15.00", "a transfer moves value at average cost: {stock}");

    let tb = bea.json(&["report", "trial-balance", "--json"])?;
    let rows = tb["rows"].as_array().context("rows")?;
    let balance = |code: &str| -> anyhow::Result<Decimal> {
        dec(&rows.iter().find(|r| r["code"] == code).with_context(|| format!("no {code} in {tb}"))?["balance"])
    };
    ensure!(balance("1300")? == d("47.50"), "inventory = valued stock after the count");
    ensure!(balance("5100")? == d("2.50") && balance("2000")? == d("-50.00"), "{tb}");

    // The books are locked up to today: nothing more is posted today, and the lock never moves back.
    let today = chrono::Local::now().date_naive();
    bea.ok(&["books", "lock", "--date", &today.to_string()])?;
    let e = bea.fails(&["stock", "receive", "--sku", "BOLT", "--qty", "1", "--unit-cost", "1"])?;
    ensure!(e.contains("locked period"), "{e}");
    let earlier = today.pred_opt().context("date")?.to_string();
    let e = bea.fails(&["books", "lock", "--date", &earlier])?;
    ensure!(e.contains("never moves back"), "{e}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_posts_its_drafts_in_one_go_all_or_none() -> anyhow::Result<()> {
    let (_db, _server, bea) = back_office().await?;
    bea.ok(&[
        "product",
        "create",
        "--sku",
        "LAMP",
        "--name",
        "Desk lamp",
        "--price",
        "50",
        "--currency",
        "EUR",
        "--tax-rate",
        "19",
    ])?;
    bea.ok(&["sync"])?;
    bea.ok(&["stock", "receive", "--sku", "LAMP", "--qty", "20", "--unit-cost", "20"])?;
    let acme = bea.create_account(&["--name", "ACME Süd GmbH", "--territory", "South"])?;
    bea.ok(&["sync"])?;
    let mut drafts = Vec::new();
    for qty in ["1", "2", "3"] {
        let order = bea.ok(&["order", "create", "--account", &acme, "--line", &format!("LAMP:{qty}")])?;
        let order = order.lines().last().context("id")?.trim().to_owned();
        bea.ok(&["order", "confirm", &order])?;
        bea.ok(&["order", "deliver", &order])?;
        let inv = bea.ok(&["invoice", "create", "--order", &order])?;
        drafts.push(inv.lines().last().context("id")?.trim().to_owned());
    }
    let year = chrono::Local::now().year();

    // Two of them by id, together.
    let out = bea.ok(&["invoice", "post", &drafts[0], &drafts[1]])?;
    ensure!(
        out.contains(&format!("INV-{year}-00001 posted")) && out.contains(&format!("INV-{year}-00002 posted")),
        "both numbered by the server: {out}"
    );
    // A posting that lists a posted invoice is refused before it is queued, and posts nothing.
    let e = bea.fails(&["invoice", "post", &drafts[1], &drafts[2]])?;
    ensure!(e.contains(&format!("INV-{year}-00002 is already posted")), "{e}");
    let third = bea.json(&["invoice", "show", &drafts[2], "--json"])?;
    ensure!(third["status"] == "draft", "nothing was posted: {third}");
    let e = bea.fails(&["invoice", "post", "not-an-id", &drafts[2]])?;
    ensure!(e.contains("invoice"), "a bad id is named: {e}");

    // Every remaining draft.
    let out = bea.ok(&["invoice", "post", "--drafts"])?;
    ensure!(out.trim() == format!("INV-{year}-00003 posted"), "the one draft left: {out}");
    let out = bea.ok(&["invoice", "post", "--drafts"])?;
    ensure!(out.contains("no draft invoices"), "{out}");
    let tb = bea.json(&["report", "trial-balance", "--json"])?;
    ensure!(dec(&tb["total_debit"])? == dec(&tb["total_credit"])?, "the books balance: {tb}");
    let rows = tb["rows"].as_array().context("rows")?;
    let receivable = rows.iter().find(|r| r["code"] == "1200").context("receivables")?;
    ensure!(dec(&receivable["balance"])? == d("357.00"), "6 lamps × 50 + 19 % = 357.00: {tb}");
    Ok(())
}
