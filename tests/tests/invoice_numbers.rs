//! Invoice numbers are gapless per series and year, also when several devices post at once:
//! the number is taken from a locked series row after every rule has passed, and a rejected or
//! rolled-back posting gives nothing away.

use anyhow::{ensure, Context as _};
use chrono::{Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use tandem_core::catalog::{Product, ProductInput};
use tandem_core::invoice::{Invoice, InvoiceStatus};
use tandem_core::ledger::{JournalEntry, SourceKind};
use tandem_core::order::{NewOrder, NewOrderLine, SalesOrder};
use tandem_core::stock::main_warehouse;
use tandem_core::{Currency, DeliveryId, InvoiceId, OrderId, OrderLineId, ProductId, Quantity};
use tandem_sync::erp::{InvoiceCreate, InvoiceRef, InvoiceRefs, OrderDeliver, OrderRef, StockReceive};
use tandem_sync::{Change, Doc, Op, Outcome};
use tandem_tests::{create_user, spawn_in_process, ApiClient, Device, TestDb};
use uuid::Uuid;

fn applied(r: &tandem_sync::PushResponse) -> bool {
    r.results.iter().all(|m| matches!(m.outcome, Outcome::Applied { .. }))
}

/// A back-office user's device with `n` confirmed and delivered orders of one customer and a
/// draft invoice for each, dated `dates` (cycled).
async fn drafts(client: &ApiClient, n: usize, dates: &[NaiveDate]) -> anyhow::Result<(Device, Vec<InvoiceId>)> {
    let mut setup = Device::login(client, "bea", "a-long-password").await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let today = Utc::now().date_naive();
    let product = Product::parse(
        ProductId::from_uuid(Uuid::now_v7()),
        &ProductInput {
            sku: Some("WIDGET".into()),
            name: Some("Widget".into()),
            tax_rate: Some("19".into()),
            price: Some("10".into()),
            currency: Some("EUR".into()),
            ..Default::default()
        },
        Currency::EUR,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let account = tandem_tests::fixtures::new_account("Zahlen GmbH");
    let account_id = account.id;
    let receive = StockReceive {
        id: Uuid::now_v7(),
        product: product.id,
        warehouse: main_warehouse().id,
        qty: Quantity::parse("1000")?,
        unit_cost: Decimal::new(4, 0),
        date: today,
    };
    let r = setup
        .push_ops([Op::ProductCreate(product.clone()), Op::AccountCreate(account), Op::StockReceive(receive)])
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    ensure!(applied(&r), "{r:?}");

    let mut invoices = Vec::new();
    for k in 0..n {
        let on = dates[k % dates.len()];
        let order = OrderId::from_uuid(Uuid::now_v7());
        let invoice = InvoiceId::from_uuid(Uuid::now_v7());
        let ops = [
            Op::OrderCreate(NewOrder {
                id: order,
                account: account_id,
                date: on,
                warehouse: main_warehouse().id,
                discount: None,
                lines: vec![NewOrderLine {
                    id: OrderLineId::from_uuid(Uuid::now_v7()),
                    product: product.id,
                    qty: Quantity::parse("2")?,
                    discount: None,
                }],
            }),
            Op::OrderConfirm(OrderRef { id: order }),
            Op::OrderDeliver(OrderDeliver {
                id: order,
                delivery: DeliveryId::from_uuid(Uuid::now_v7()),
                date: on,
                lines: None,
                carrier: None,
                tracking: None,
            }),
            Op::InvoiceCreate(InvoiceCreate { id: invoice, order, date: on }),
        ];
        let r = setup.push_ops(ops).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        ensure!(applied(&r), "{r:?}");
        invoices.push(invoice);
    }

    Ok((setup, invoices))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_postings_take_every_number_once_and_leave_no_gap() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_in_process(&db).await?;
    let client = server.client();
    create_user(&db.url, "bea", "back_office", "a-long-password").await?;
    let today = Utc::now().date_naive();
    const N: usize = 24;
    let (setup, invoices) = drafts(&client, N, &[today]).await?;

    // Four devices post them at once, each also re-posting one invoice another device posts
    // (a refusal that must not consume a number).
    let mut devices = Vec::new();
    for _ in 0..4 {
        devices.push(Device::login(&client, "bea", "a-long-password").await.map_err(|e| anyhow::anyhow!("{e:?}"))?);
    }
    let mut tasks = Vec::new();
    for (k, mut dev) in devices.into_iter().enumerate() {
        let mine: Vec<InvoiceId> = invoices.iter().copied().skip(k).step_by(4).collect();
        let other = invoices[(k + 1) % 4];
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for (i, id) in mine.into_iter().enumerate() {
                let mut ops = vec![Op::InvoicePost(InvoiceRef { id })];
                if i == 2 {
                    ops.push(Op::InvoicePost(InvoiceRef { id: other }));
                }
                let r = dev.push_ops(ops).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
                outcomes.extend(r.results.into_iter().map(|m| m.outcome));
            }
            anyhow::Ok(outcomes)
        }));
    }
    let mut rejected = 0;
    for t in tasks {
        for o in t.await?? {
            if let Outcome::Rejected { reason, .. } = o {
                ensure!(reason.contains("already posted"), "{reason}");
                rejected += 1;
            }
        }
    }
    ensure!(rejected >= 4, "each device's second posting of a posted invoice was refused ({rejected})");

    let (changes, _) = setup.pull_all(tandem_sync::Version(0), 5_000).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut numbers = BTreeSet::new();
    let mut latest = std::collections::BTreeMap::new();
    for c in changes {
        if let Change::Doc { id, data: Some(Doc::Invoice(i)), .. } = c {
            latest.insert(id, i);
        }
    }
    for i in latest.values() {
        let n = i.number.clone().context("every invoice was posted")?;
        ensure!(numbers.insert(n.clone()), "{n} was given twice");
    }
    let year = today.year();
    let expected: BTreeSet<String> = (1..=N).map(|n| format!("INV-{year}-{n:05}")).collect();
    ensure!(numbers == expected, "numbers are 1..{N} without a gap: {numbers:?}");
    Ok(())
}

/// The latest state of every invoice, order and invoice journal entry `dev` can pull.
async fn latest(
    dev: &mut Device,
) -> anyhow::Result<(BTreeMap<InvoiceId, Invoice>, BTreeMap<OrderId, SalesOrder>, Vec<JournalEntry>)> {
    let (changes, _) = dev.pull_all(tandem_sync::Version(0), 5_000).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (mut invoices, mut orders, mut journal) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for c in changes {
        match c {
            Change::Doc { data: Some(Doc::Invoice(i)), .. } => {
                invoices.insert(i.id, i);
            }
            Change::Doc { data: Some(Doc::Order(o)), .. } => {
                orders.insert(o.id, o);
            }
            Change::Doc { id, data: Some(Doc::Journal(e)), .. } => {
                journal.insert(id, e);
            }
            _ => {}
        }
    }
    // The invoices' entries (deliveries and receipts book their own).
    let journal = journal.into_values().filter(|e| e.source().kind == SourceKind::Invoice).collect();
    Ok((invoices, orders, journal))
}

async fn push(dev: &mut Device, op: Op) -> anyhow::Result<tandem_sync::PushResponse> {
    dev.push_ops([op]).await.map_err(|e| anyhow::anyhow!("{e:?}"))
}

fn rejection(r: &tandem_sync::PushResponse) -> Option<(String, String)> {
    r.results.iter().find_map(|m| match &m.outcome {
        Outcome::Rejected { code, reason } => Some((code.clone(), reason.clone())),
        Outcome::Applied { .. } => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_posting_posts_every_draft_or_none_and_numbers_them_by_date() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_in_process(&db).await?;
    let client = server.client();
    create_user(&db.url, "bea", "back_office", "a-long-password").await?;
    create_user(&db.url, "mia", "sales_manager", "a-long-password").await?;
    let today = Utc::now().date_naive();
    let year = today.year();
    let first_of_year = NaiveDate::from_ymd_opt(year, 1, 1).context("1 January")?;
    // Eleven drafts, dated alternately today and the first of the year.
    let (mut bea, ids) = drafts(&client, 11, &[today, first_of_year]).await?;
    let (single, batch, later) = (ids[0], ids[1..10].to_vec(), ids[10]);
    let post_many = |ids: Vec<InvoiceId>| Op::InvoicePostMany(InvoiceRefs { ids });

    // One is posted on its own first: number 1.
    let r = push(&mut bea, Op::InvoicePost(InvoiceRef { id: single })).await?;
    ensure!(applied(&r), "{r:?}");
    let first = format!("INV-{year}-00001");

    // A batch that includes it is refused as a whole, naming it.
    let mut with_posted = batch.clone();
    with_posted.push(single);
    let r = push(&mut bea, post_many(with_posted)).await?;
    let (code, reason) = rejection(&r).context("a batch with a posted invoice is refused")?;
    ensure!(code == "validation" && reason.contains(&first) && reason.contains("already posted"), "{code}: {reason}");
    // So is one with an id that is no invoice, one with an id twice, an empty one, and one by
    // a user who does not keep the books.
    let mut unknown = batch.clone();
    unknown.push(InvoiceId::from_uuid(Uuid::now_v7()));
    let r = push(&mut bea, post_many(unknown)).await?;
    ensure!(rejection(&r).is_some_and(|(code, _)| code == "not_found"), "{r:?}");
    let mut twice = batch.clone();
    twice.push(batch[0]);
    let r = push(&mut bea, post_many(twice)).await?;
    ensure!(rejection(&r).is_some_and(|(_, reason)| reason.contains("twice")), "{r:?}");
    let r = push(&mut bea, post_many(Vec::new())).await?;
    ensure!(rejection(&r).is_some_and(|(code, _)| code == "validation"), "{r:?}");
    let mut mia = Device::login(&client, "mia", "a-long-password").await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let r = push(&mut mia, post_many(batch.clone())).await?;
    ensure!(rejection(&r).is_some_and(|(code, _)| code == "forbidden"), "{r:?}");
    let (invoices, _, journal) = latest(&mut bea).await?;
    ensure!(
        batch.iter().all(|id| invoices.get(id).is_some_and(|i| i.status == InvoiceStatus::Draft)),
        "a refused batch posts nothing"
    );
    ensure!(journal.len() == 1, "and books nothing: {} entries", journal.len());

    // The batch: posted together, numbered 2..=10 in the order of their dates (then ids).
    let r = push(&mut bea, post_many(batch.clone())).await?;
    ensure!(applied(&r), "{r:?}");
    let (invoices, orders, journal) = latest(&mut bea).await?;
    let mut by_date: Vec<&Invoice> = batch.iter().filter_map(|id| invoices.get(id)).collect();
    ensure!(by_date.len() == batch.len(), "every invoice of the batch is pulled");
    by_date.sort_by_key(|i| (i.date, i.id));
    for (k, inv) in by_date.iter().enumerate() {
        let number = format!("INV-{year}-{:05}", k + 2);
        ensure!(inv.status == InvoiceStatus::Posted, "{} is posted", inv.id);
        ensure!(inv.number.as_deref() == Some(number.as_str()), "{:?} is {number}", inv.number);
        let entries: Vec<&JournalEntry> = journal.iter().filter(|e| e.source().id == inv.id.as_uuid()).collect();
        ensure!(entries.len() == 1, "one journal entry for {number}");
        let (debit, credit) = entries[0].totals();
        ensure!(entries[0].reference() == number && debit == credit, "{number} is booked and balances");
        ensure!(debit == inv.totals.total, "{number}: {debit} booked, {} invoiced", inv.totals.total);
        let order = inv.order.and_then(|o| orders.get(&o)).context("the invoice's order")?;
        ensure!(order.invoiced_amount == inv.totals.total, "its order records what was invoiced");
    }
    ensure!(journal.len() == 10, "one entry per posted invoice: {}", journal.len());

    // The series goes on without a gap, and posting a batch again is refused.
    let r = push(&mut bea, Op::InvoicePost(InvoiceRef { id: later })).await?;
    ensure!(applied(&r), "{r:?}");
    let (invoices, _, _) = latest(&mut bea).await?;
    let n = invoices.get(&later).and_then(|i| i.number.clone());
    ensure!(n.as_deref() == Some(format!("INV-{year}-00011").as_str()), "{n:?}");
    let r = push(&mut bea, post_many(batch)).await?;
    ensure!(rejection(&r).is_some_and(|(_, reason)| reason.contains("already posted")), "{r:?}");
    Ok(())
}
