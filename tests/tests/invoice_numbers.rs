//! Invoice numbers are gapless per series and year, also when several devices post at once:
//! the number is taken from a locked series row after every rule has passed, and a rejected or
//! rolled-back posting gives nothing away.

use anyhow::{ensure, Context as _};
use chrono::{Datelike, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use tandem_core::catalog::{Product, ProductInput};
use tandem_core::order::{NewOrder, NewOrderLine};
use tandem_core::stock::main_warehouse;
use tandem_core::{Currency, DeliveryId, InvoiceId, OrderId, OrderLineId, ProductId, Quantity};
use tandem_sync::erp::{InvoiceCreate, InvoiceRef, OrderDeliver, OrderRef, StockReceive};
use tandem_sync::{Change, Doc, Op, Outcome};
use tandem_tests::{create_user, spawn_in_process, Device, TestDb};
use uuid::Uuid;

fn applied(r: &tandem_sync::PushResponse) -> bool {
    r.results.iter().all(|m| matches!(m.outcome, Outcome::Applied { .. }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_postings_take_every_number_once_and_leave_no_gap() -> anyhow::Result<()> {
    let db = TestDb::new().await?;
    let server = spawn_in_process(&db).await?;
    let client = server.client();
    create_user(&db.url, "bea", "back_office", "a-long-password").await?;
    let mut setup = Device::login(&client, "bea", "a-long-password").await.map_err(|e| anyhow::anyhow!("{e:?}"))?;

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

    // 24 orders, confirmed, delivered, and a draft invoice for each.
    const N: usize = 24;
    let mut invoices = Vec::new();
    for _ in 0..N {
        let order = OrderId::from_uuid(Uuid::now_v7());
        let invoice = InvoiceId::from_uuid(Uuid::now_v7());
        let ops = [
            Op::OrderCreate(NewOrder {
                id: order,
                account: account_id,
                date: today,
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
                date: today,
                lines: None,
                carrier: None,
                tracking: None,
            }),
            Op::InvoiceCreate(InvoiceCreate { id: invoice, order, date: today }),
        ];
        let r = setup.push_ops(ops).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        ensure!(applied(&r), "{r:?}");
        invoices.push(invoice);
    }

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
