//! Order-to-cash throughput through the real server process: validated mutations per second
//! (an order with 5 lines created and confirmed, with its credit check and stock reservation)
//! from 1, 8 and 64 devices at once, against raw INSERTs of the same rows into PostgreSQL; and
//! the time to post 10,000 invoices to the ledger.

use std::time::Instant;

use anyhow::{anyhow, ensure, Context as _};
use chrono::Utc;
use rust_decimal::Decimal;
use sqlx::PgPool;
use tandem_core::catalog::{CustomerTerms, InvoicePolicy, Product, ProductInput};
use tandem_core::invoice::MAX_PER_POSTING;
use tandem_core::order::{NewOrder, NewOrderLine};
use tandem_core::stock::main_warehouse;
use tandem_core::{AccountId, AccountName, Currency, InvoiceId, NewAccount, OrderId, OrderLineId, Quantity};
use tandem_sync::erp::{InvoiceCreate, InvoiceRef, InvoiceRefs, OrderRef, StockReceive};
use tandem_sync::{Op, Outcome, PushResponse};
use tandem_tests::{ApiClient, Device};
use uuid::Uuid;

use crate::measure::{say, Metrics};

/// Mutations per push (the protocol allows 500).
const BATCH: usize = 100;

fn err(e: tandem_tests::CallError) -> anyhow::Error {
    anyhow!("{e:?}")
}

fn all_applied(r: &PushResponse) -> anyhow::Result<()> {
    for m in &r.results {
        if let Outcome::Rejected { reason, .. } = &m.outcome {
            return Err(anyhow!("mutation {} was refused: {reason}", m.seq));
        }
    }
    Ok(())
}

async fn push_all(dev: &mut Device, ops: Vec<Op>) -> anyhow::Result<()> {
    let mut ops = ops.into_iter().peekable();
    while ops.peek().is_some() {
        let batch: Vec<Op> = ops.by_ref().take(BATCH).collect();
        all_applied(&dev.push_ops(batch).await.map_err(err)?)?;
    }
    Ok(())
}

fn product(sku: &str) -> anyhow::Result<Product> {
    Product::parse(
        tandem_core::ProductId::from_uuid(Uuid::now_v7()),
        &ProductInput {
            sku: Some(sku.into()),
            name: Some(format!("Bench {sku}")),
            tax_rate: Some("19".into()),
            price: Some("12.50".into()),
            currency: Some("EUR".into()),
            cost: Some("7".into()),
            ..Default::default()
        },
        Currency::EUR,
    )
    .map_err(|e| anyhow!("{e}"))
}

fn account(name: &str) -> anyhow::Result<NewAccount> {
    Ok(NewAccount {
        id: AccountId::from_uuid(Uuid::now_v7()),
        name: AccountName::parse(name).map_err(|e| anyhow!("{e}"))?,
        vat_id: None,
        email: None,
        phone: None,
        city: None,
        territory: None,
    })
}

fn order(account: AccountId, products: &[Product]) -> anyhow::Result<NewOrder> {
    Ok(NewOrder {
        id: OrderId::from_uuid(Uuid::now_v7()),
        account,
        date: Utc::now().date_naive(),
        warehouse: main_warehouse().id,
        discount: None,
        lines: products
            .iter()
            .map(|p| {
                Ok(NewOrderLine {
                    id: OrderLineId::from_uuid(Uuid::now_v7()),
                    product: p.id,
                    qty: Quantity::parse("2")?,
                    discount: None,
                })
            })
            .collect::<Result<_, tandem_core::FieldError>>()
            .map_err(|e| anyhow!("{e}"))?,
    })
}

/// Measures and adds the order-to-cash metrics.
pub async fn run(
    base_url: &str,
    pool: &PgPool,
    user: &str,
    password: &str,
    scale: f64,
    m: &mut Metrics,
) -> anyhow::Result<()> {
    let client = ApiClient::new(base_url);
    let mut setup = Device::login(&client, user, password).await.map_err(err)?;
    let products: Vec<Product> = (1..=5).map(|i| product(&format!("BENCH-{i}"))).collect::<anyhow::Result<_>>()?;
    let mut ops: Vec<Op> = products.iter().cloned().map(Op::ProductCreate).collect();
    for p in &products {
        ops.push(Op::StockReceive(StockReceive {
            id: Uuid::now_v7(),
            product: p.id,
            warehouse: main_warehouse().id,
            qty: Quantity::parse("100000000")?,
            unit_cost: Decimal::new(7, 0),
            date: Utc::now().date_naive(),
        }));
    }
    push_all(&mut setup, ops).await.context("bench products and stock")?;

    // ----- validated mutations per second -----
    let orders_per_level = ((2_000.0 * scale).round() as usize).max(128);
    let mut best = 0.0f64;
    let mut mutations_total = 0usize;
    for devices in [1usize, 8, 64] {
        say(&format!("order mutations: {orders_per_level} orders from {devices} device(s)"));
        let mut devs = Vec::with_capacity(devices);
        let mut accounts = Vec::with_capacity(devices);
        for i in 0..devices {
            devs.push(Device::login(&client, user, password).await.map_err(err)?);
            accounts.push(account(&format!("Bench customer {devices}-{i}"))?);
        }
        push_all(&mut setup, accounts.iter().cloned().map(Op::AccountCreate).collect()).await?;
        // Each device's work, prepared before the clock starts.
        let per = orders_per_level.div_ceil(devices);
        let mut work = Vec::with_capacity(devices);
        for a in &accounts {
            let mut ops = Vec::with_capacity(per * 2);
            for _ in 0..per {
                let o = order(a.id, &products)?;
                let id = o.id;
                ops.push(Op::OrderCreate(o));
                ops.push(Op::OrderConfirm(OrderRef { id }));
            }
            work.push(ops);
        }
        let count: usize = work.iter().map(Vec::len).sum();
        let t = Instant::now();
        let tasks: Vec<_> = devs
            .into_iter()
            .zip(work)
            .map(|(mut d, ops)| tokio::spawn(async move { push_all(&mut d, ops).await }))
            .collect();
        for task in tasks {
            task.await??;
        }
        let rate = count as f64 / t.elapsed().as_secs_f64();
        say(&format!("{count} mutations in {:.2} s: {rate:.0}/s", t.elapsed().as_secs_f64()));
        m.push((format!("mutations_per_s_{devices}_devices"), rate));
        best = best.max(rate);
        mutations_total = count;
    }
    m.push(("mutations_per_s".into(), best));

    say(&format!("raw PostgreSQL baseline: {mutations_total} INSERTs"));
    let raw = pg_raw(pool, mutations_total).await?;
    m.push(("pg_raw_rows_per_s".into(), raw));
    m.push(("mutations_vs_pg_raw".into(), best / raw));

    // ----- posting invoices -----
    // The back office posts its drafts in one action (`invoice.post_many`, at most
    // MAX_PER_POSTING each); a tenth as many more are posted one by one from 4 devices
    // (`invoice.post` each), for comparison.
    let invoices = ((10_000.0 * scale).round() as usize).max(200);
    let singles = (invoices / 10).max(40);
    say(&format!("posting {invoices} invoices: drafts first (not measured)"));
    // Spread over 100 customers (who invoice what they order), as a company's invoices are.
    let mut customers = Vec::new();
    let mut ops = Vec::new();
    for i in 0..100 {
        let customer = account(&format!("Bench invoicing customer {i}"))?;
        let mut terms = CustomerTerms::default_for(customer.id, Currency::EUR);
        terms.invoice_policy = InvoicePolicy::Ordered;
        customers.push(customer.id);
        ops.push(Op::AccountCreate(customer));
        ops.push(Op::CustomerSetTerms(terms));
    }
    push_all(&mut setup, ops).await?;
    let one = &products[..1];
    let mut drafts = Vec::with_capacity(invoices + singles);
    let mut ops = Vec::with_capacity((invoices + singles) * 3);
    for n in 0..invoices + singles {
        let o = order(customers[n % customers.len()], one)?;
        let (oid, iid) = (o.id, InvoiceId::from_uuid(Uuid::now_v7()));
        ops.push(Op::OrderCreate(o));
        ops.push(Op::OrderConfirm(OrderRef { id: oid }));
        ops.push(Op::InvoiceCreate(InvoiceCreate { id: iid, order: oid, date: Utc::now().date_naive() }));
        drafts.push(iid);
    }
    push_all(&mut setup, ops).await.context("invoice drafts")?;
    let (batch, one_by_one) = drafts.split_at(invoices);

    let t = Instant::now();
    for ids in batch.chunks(MAX_PER_POSTING) {
        all_applied(&setup.push_ops([Op::InvoicePostMany(InvoiceRefs { ids: ids.to_vec() })]).await.map_err(err)?)?;
    }
    let took = t.elapsed().as_secs_f64();
    ensure_posted(pool, batch).await?;
    say(&format!("posted {invoices} invoices in one posting in {took:.2} s"));
    m.push(("post_invoices".into(), invoices as f64));
    m.push(("post_10k_invoices_s".into(), took * 10_000.0 / invoices as f64));

    let posters = 4;
    let mut devs = Vec::new();
    for _ in 0..posters {
        devs.push(Device::login(&client, user, password).await.map_err(err)?);
    }
    let chunks: Vec<Vec<Op>> = (0..posters)
        .map(|k| one_by_one.iter().skip(k).step_by(posters).map(|id| Op::InvoicePost(InvoiceRef { id: *id })).collect())
        .collect();
    let t = Instant::now();
    let tasks: Vec<_> = devs
        .into_iter()
        .zip(chunks)
        .map(|(mut d, ops)| tokio::spawn(async move { push_all(&mut d, ops).await }))
        .collect();
    for task in tasks {
        task.await??;
    }
    let took = t.elapsed().as_secs_f64();
    ensure_posted(pool, one_by_one).await?;
    say(&format!("posted {singles} invoices one by one from {posters} devices in {took:.2} s"));
    m.push(("post_10k_invoices_one_by_one_s".into(), took * 10_000.0 / singles as f64));
    Ok(())
}

/// Fails unless every invoice of `ids` is posted.
async fn ensure_posted(pool: &PgPool, ids: &[InvoiceId]) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = ids.iter().map(InvoiceId::as_uuid).collect();
    let posted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM docs WHERE kind = 'invoice' AND body->'data'->>'status' = 'posted' AND id = ANY($1)",
    )
    .bind(&ids)
    .fetch_one(pool)
    .await?;
    ensure!(posted as usize == ids.len(), "{posted} of {} invoices posted", ids.len());
    Ok(())
}

/// Rows per second when the same number of order rows are INSERTed into PostgreSQL with one
/// prepared statement, one row per statement, in one transaction, from one connection.
async fn pg_raw(pool: &PgPool, rows: usize) -> anyhow::Result<f64> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_raw_orders (id uuid PRIMARY KEY, account_id uuid, version bigint, body jsonb)",
    )
    .execute(pool)
    .await?;
    let body = serde_json::json!({"kind": "order", "data": {"status": "confirmed", "lines": [1, 2, 3, 4, 5]}});
    let account = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    let t = Instant::now();
    for i in 0..rows {
        sqlx::query("INSERT INTO bench_raw_orders (id, account_id, version, body) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7())
            .bind(account)
            .bind(i as i64)
            .bind(&body)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows as f64 / t.elapsed().as_secs_f64())
}
