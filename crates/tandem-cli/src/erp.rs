//! Order-to-cash commands: products, stock, orders, deliveries, invoices, payments, reports.
//!
//! A step the server decides (confirm, deliver, post, pay, receive) is queued like every other
//! change and, when the device is signed in, sent at once: the command then prints the
//! server's answer and exits non-zero with its reason when refused. Offline, it stays queued and
//! the next `tandem sync` sends it.

use anyhow::{bail, Result};
use clap::Subcommand;
use std::io::Write;
use tandem_core::catalog::ProductInput;
use tandem_replica::{OrderLineInput, Outcome, Replica, ReplicaError, Workspace};

use crate::print_json;

#[derive(Subcommand, Debug)]
pub enum ProductCmd {
    /// Create a product (or, with --service, a service); prints its id on the last line.
    Create {
        #[arg(long)]
        sku: String,
        #[arg(long)]
        name: String,
        /// List price per unit, before tax.
        #[arg(long)]
        price: String,
        #[arg(long)]
        currency: String,
        /// Tax rate in percent (19, 7.7, 0).
        #[arg(long)]
        tax_rate: String,
        #[arg(long)]
        unit: Option<String>,
        /// Standard cost per unit (company currency).
        #[arg(long)]
        cost: Option<String>,
        #[arg(long)]
        service: bool,
        /// May be sold before it is in stock.
        #[arg(long)]
        allow_negative: bool,
    },
    /// List products with their stock.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PriceCmd {
    /// Set a price in a price list (made when new): per currency, optionally for one customer,
    /// with a quantity break and validity dates.
    Set {
        #[arg(long)]
        list: String,
        #[arg(long)]
        currency: String,
        #[arg(long)]
        sku: String,
        /// Per unit, before tax.
        #[arg(long, allow_hyphen_values = true)]
        price: String,
        /// The price applies from this quantity on.
        #[arg(long, allow_hyphen_values = true)]
        min_qty: Option<String>,
        /// Only for this customer (account id).
        #[arg(long)]
        customer: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// The price lists.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum StockCmd {
    /// Receive goods into a warehouse at a unit cost.
    Receive {
        #[arg(long)]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        unit_cost: String,
        #[arg(long)]
        warehouse: Option<String>,
    },
    /// Correct the quantity on hand (a count): `--qty -2` takes two out.
    Adjust {
        #[arg(long)]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        warehouse: Option<String>,
    },
    /// Move stock between warehouses (at its average cost).
    Transfer {
        #[arg(long)]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Warehouses: `stock warehouse CODE --name NAME` creates one.
    Warehouse {
        code: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// On hand, reserved and available per product and warehouse.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrderCmd {
    /// Repeat an earlier order in one step: a new draft with its lines, priced again today;
    /// prints the new order's id.
    Repeat { id: String },
    /// Create a draft order; prints its id on the last line.
    Create {
        #[arg(long)]
        account: String,
        /// SKU:QTY or SKU:QTY:DISCOUNT (percent), once per line.
        #[arg(long = "line", required = true, allow_hyphen_values = true)]
        lines: Vec<String>,
        /// Order discount in percent.
        #[arg(long)]
        discount: Option<String>,
        /// Ship from this warehouse (default MAIN).
        #[arg(long)]
        warehouse: Option<String>,
    },
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Replace the lines of a draft order (priced again).
    Update {
        id: String,
        #[arg(long = "line", required = true, allow_hyphen_values = true)]
        lines: Vec<String>,
        #[arg(long)]
        discount: Option<String>,
    },
    /// Ask the server to confirm (credit check, stock reservation).
    Confirm { id: String },
    /// Release an order held over the credit limit (back office).
    Release { id: String },
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Ship what is ready (or only the given SKU:QTY lines); prints the delivery id.
    Deliver {
        id: String,
        #[arg(long = "line")]
        lines: Vec<String>,
        #[arg(long)]
        carrier: Option<String>,
        #[arg(long)]
        tracking: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum InvoiceCmd {
    /// A draft invoice from an order's delivered (or ordered) quantities; prints its id.
    Create {
        #[arg(long)]
        order: String,
    },
    /// Post drafts: the server gives each its number and books it. Several ids (or --drafts)
    /// are posted together, all or none, numbered in the order of their dates.
    Post {
        /// The draft invoices to post.
        #[arg(required_unless_present = "drafts", conflicts_with = "drafts")]
        ids: Vec<String>,
        /// Post every draft invoice this device holds (of --account, if given).
        #[arg(long)]
        drafts: bool,
        #[arg(long, requires = "drafts")]
        account: Option<String>,
    },
    /// Correct a posted invoice with a credit note for all of it; prints the credit note's id.
    Credit { id: String },
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Write the invoice as a printable PDF.
    Pdf {
        id: String,
        #[arg(long)]
        output: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum PaymentCmd {
    /// Record money received; allocated to --invoice or to the oldest open invoices.
    Record {
        #[arg(long)]
        account: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        currency: String,
        /// Allocate to this invoice (repeat for several, in order).
        #[arg(long = "invoice")]
        invoices: Vec<String>,
    },
    /// Pay a customer's credit back.
    Refund {
        #[arg(long)]
        account: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        #[arg(long)]
        currency: String,
    },
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CustomerCmd {
    /// Set a customer's terms (back office); unnamed terms stay as they are.
    Terms {
        id: String,
        /// The currency of the customer's documents and credit limit.
        #[arg(long)]
        currency: Option<String>,
        /// Empty = no limit.
        #[arg(long)]
        credit_limit: Option<String>,
        /// Over the limit: refuse the confirmation, or hold the order for release.
        #[arg(long, value_parser = ["refuse", "hold"])]
        credit_policy: Option<String>,
        #[arg(long)]
        payment_days: Option<u32>,
        #[arg(long, value_parser = ["domestic", "reverse_charge", "export"])]
        fiscal_position: Option<String>,
        /// Invoice what was delivered, or what was ordered.
        #[arg(long, value_parser = ["delivered", "ordered"])]
        invoice_policy: Option<String>,
        /// Default order discount in percent.
        #[arg(long)]
        discount: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RateCmd {
    /// Units of the company currency for one unit of CURRENCY from DATE on.
    Set {
        #[arg(long)]
        currency: String,
        #[arg(long)]
        date: String,
        #[arg(long)]
        rate: String,
    },
    /// Import rates from a CSV file of `currency,date,rate` lines: all or nothing.
    Import { file: std::path::PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum BooksCmd {
    /// Lock the books up to a date: nothing is posted on or before it.
    Lock {
        #[arg(long)]
        date: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    TrialBalance {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    ProfitAndLoss {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    BalanceSheet {
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Receivables by age: current, 1–30, 31–60, 61–90, over 90 days.
    Aging {
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A customer's statement: invoices, credit notes, payments, refunds, running balance.
    Statement {
        id: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A customer's orders, shipments, invoices, balance and credit.
    Customer {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The sales forecast: weighted pipeline, best case, commit and won, per period and per
    /// owner or team, in the company currency.
    Forecast {
        #[arg(long, value_parser = ["month", "quarter"], default_value = "month")]
        period: String,
        #[arg(long, value_parser = ["owner", "team"], default_value = "owner")]
        by: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// A list as CSV: accounts, deals or leads.
    Csv {
        #[arg(value_parser = ["accounts", "deals", "leads"])]
        list: String,
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// The journal as a plain-text ledger file (hledger, ledger-cli).
    Ledger {
        #[arg(long, value_parser = ["ledger"])]
        format: String,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

/// Sends a queued step now when signed in and reports the server's answer.
pub(crate) async fn decide(ws: &Workspace, r: &Replica, seq: i64, done: &str) -> Result<()> {
    if r.status().await?.signed_in {
        match r.sync(&|_| {}).await {
            Ok(_) => {}
            Err(ReplicaError::Offline { .. }) => {}
            Err(ReplicaError::Revoked) => {
                ws.erase_revoked(r).await?.close().await;
                return Err(ReplicaError::Revoked.into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    match r.outcome(seq).await? {
        Outcome::Applied => {
            println!("{done}");
            Ok(())
        }
        Outcome::Pending => {
            println!("queued: the server decides when this device is online (`tandem sync`)");
            Ok(())
        }
        Outcome::Rejected { code, reason } => bail!("refused ({code}): {reason}"),
    }
}

/// Every item of a key-paged list: page after page until there is no `next`.
async fn every<T, F, Fut>(mut fetch: F) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = tandem_replica::Result<tandem_replica::DocPage<T>>>,
{
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = fetch(after.take()).await?;
        all.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}

fn lines(raw: &[String]) -> Result<Vec<OrderLineInput>> {
    raw.iter().map(|l| OrderLineInput::parse_pair(l).map_err(Into::into)).collect()
}

fn money(d: &rust_decimal::Decimal) -> String {
    format!("{:.2}", d)
}

pub async fn product(r: &Replica, cmd: ProductCmd) -> Result<()> {
    match cmd {
        ProductCmd::Create { sku, name, price, currency, tax_rate, unit, cost, service, allow_negative } => {
            let input = ProductInput {
                sku: Some(sku),
                name: Some(name),
                kind: Some(if service { "service" } else { "goods" }.into()),
                unit,
                tax_rate: Some(tax_rate),
                price: Some(price),
                currency: Some(currency),
                cost,
                allow_negative: Some(allow_negative),
            };
            println!("{}", r.create_product(&input).await?);
        }
        ProductCmd::List { json } => {
            let rows = r.products().await?;
            if json {
                print_json(&rows)?;
            } else {
                for p in &rows {
                    let x = &p.product;
                    println!("{}  {}  {}  available {}", x.sku, x.name, x.price, p.available.normalize());
                }
            }
        }
    }
    Ok(())
}

pub async fn price(r: &Replica, cmd: PriceCmd) -> Result<()> {
    match cmd {
        PriceCmd::Set { list, currency, sku, price, min_qty, customer, from, to } => {
            let id = r
                .set_price(
                    &list,
                    &currency,
                    &sku,
                    &price,
                    min_qty.as_deref(),
                    customer.as_deref(),
                    from.as_deref(),
                    to.as_deref(),
                )
                .await?;
            println!("{id}");
        }
        PriceCmd::List { json } => {
            let lists = r.price_lists().await?;
            if json {
                print_json(&lists)?;
            } else {
                for l in &lists {
                    println!("{}  {}  {}  {} prices", l.id, l.name, l.currency, l.items.len());
                }
            }
        }
    }
    Ok(())
}

pub async fn stock(ws: &Workspace, r: &Replica, cmd: StockCmd) -> Result<()> {
    match cmd {
        StockCmd::Receive { sku, qty, unit_cost, warehouse } => {
            let seq = r.receive_stock(&sku, &qty, &unit_cost, warehouse.as_deref()).await?;
            decide(ws, r, seq, &format!("received {qty} {sku}")).await?;
        }
        StockCmd::Adjust { sku, qty, reason, warehouse } => {
            let seq = r.adjust_stock(&sku, &qty, &reason, warehouse.as_deref()).await?;
            decide(ws, r, seq, &format!("adjusted {sku} by {qty}")).await?;
        }
        StockCmd::Transfer { sku, qty, from, to } => {
            let seq = r.transfer_stock(&sku, &qty, &from, &to).await?;
            decide(ws, r, seq, &format!("moved {qty} {sku} from {from} to {to}")).await?;
        }
        StockCmd::Warehouse { code: Some(code), name, .. } => {
            let name = name.unwrap_or_else(|| code.clone());
            let id = r.create_warehouse(&code, &name).await?;
            println!("{id}");
        }
        StockCmd::Warehouse { code: None, json, .. } => {
            let all = r.warehouses().await?;
            if json {
                print_json(&all)?;
            } else {
                for w in &all {
                    println!("{}  {}", w.code, w.name);
                }
            }
        }
        StockCmd::List { json } => {
            let rows = r.stock().await?;
            if json {
                print_json(&rows)?;
            } else {
                for s in &rows {
                    println!(
                        "{}  {}  on hand {}  reserved {}  available {}",
                        s.warehouse,
                        s.sku,
                        s.on_hand.normalize(),
                        s.reserved.normalize(),
                        s.available.normalize()
                    );
                }
            }
        }
    }
    Ok(())
}

pub async fn order(ws: &Workspace, r: &Replica, cmd: OrderCmd) -> Result<()> {
    match cmd {
        OrderCmd::Create { account, lines: raw, discount, warehouse } => {
            let id = r.create_order_in(&account, &lines(&raw)?, discount.as_deref(), warehouse.as_deref()).await?;
            println!("{id}");
        }
        OrderCmd::List { account, json } => {
            let all = every(|after| {
                let account = account.clone();
                async move { r.orders(account.as_deref(), after.as_deref(), 500).await }
            })
            .await?;
            if json {
                print_json(&all)?;
            } else {
                for o in &all {
                    println!(
                        "{}  {}  {}  {}  {} {}",
                        o.id,
                        o.reference(),
                        o.date,
                        o.customer_name,
                        money(&o.totals.total),
                        o.currency
                    );
                    println!("    {}", o.status.as_str());
                }
            }
        }
        OrderCmd::Show { id, json } => {
            let d = r.order(&id).await?;
            if json {
                print_json(&d)?;
            } else {
                let o = &d.order;
                println!("{} {} — {} ({})", o.reference(), o.status.as_str(), o.customer_name, o.date);
                for l in &o.lines {
                    println!(
                        "  {} {} × {} = {}  reserved {} delivered {} invoiced {} back-order {} promised {}",
                        l.sku,
                        l.qty,
                        money(&l.unit_price),
                        money(&l.net),
                        l.reserved,
                        l.delivered,
                        l.invoiced,
                        l.backorder,
                        l.promise_date.map_or_else(|| "-".into(), |d| d.to_string())
                    );
                }
                println!("  total {} {} (tax {})", money(&o.totals.total), o.currency, money(&o.totals.tax));
                if let Some(h) = &o.hold_reason {
                    println!("  held: {h}");
                }
            }
        }
        OrderCmd::Update { id, lines: raw, discount } => {
            r.update_order(&id, &lines(&raw)?, discount.as_deref()).await?;
            println!("{id}");
        }
        OrderCmd::Repeat { id } => {
            println!("{}", r.repeat_order(&id).await?);
        }
        OrderCmd::Confirm { id } => {
            let seq = r.confirm_order(&id).await?;
            decide(ws, r, seq, "").await?;
            let o = r.order(&id).await?.order;
            match o.hold_reason {
                Some(h) if o.status == tandem_core::order::OrderStatus::Held => println!("held for release: {h}"),
                _ => println!("{} {}", o.reference(), o.status.as_str()),
            }
        }
        OrderCmd::Release { id } => {
            let seq = r.release_order(&id).await?;
            decide(ws, r, seq, "released").await?;
        }
        OrderCmd::Cancel { id, reason } => {
            let seq = r.cancel_order(&id, &reason).await?;
            decide(ws, r, seq, "cancelled").await?;
        }
        OrderCmd::Deliver { id, lines: raw, carrier, tracking } => {
            let (delivery, seq) = r.deliver_order(&id, &lines(&raw)?, carrier.as_deref(), tracking.as_deref()).await?;
            decide(ws, r, seq, "delivered").await?;
            println!("{delivery}");
        }
    }
    Ok(())
}

pub async fn invoice(ws: &Workspace, r: &Replica, cmd: InvoiceCmd) -> Result<()> {
    match cmd {
        InvoiceCmd::Create { order } => println!("{}", r.create_invoice(&order).await?),
        InvoiceCmd::Post { ids, drafts, account } => {
            let ids = if drafts {
                let all = r.draft_invoices(account.as_deref()).await?;
                if all.is_empty() {
                    println!("no draft invoices");
                    return Ok(());
                }
                all.iter().map(|i| i.id.to_string()).collect()
            } else {
                ids
            };
            let seq = match ids.as_slice() {
                [one] => r.post_invoice(one).await?,
                many => r.post_invoices(&many.iter().map(String::as_str).collect::<Vec<_>>()).await?,
            };
            decide(ws, r, seq, "").await?;
            for id in &ids {
                let i = r.invoice(id).await?;
                println!("{} {}", i.reference(), i.status.as_str());
            }
        }
        InvoiceCmd::Credit { id } => {
            let (cn, seq) = r.credit_invoice(&id).await?;
            decide(ws, r, seq, "credited").await?;
            println!("{cn}");
        }
        InvoiceCmd::List { account, json } => {
            let all = every(|after| {
                let account = account.clone();
                async move { r.invoices(account.as_deref(), after.as_deref(), 500).await }
            })
            .await?;
            if json {
                print_json(&all)?;
            } else {
                for i in &all {
                    println!(
                        "{}  {}  {}  {}  {} {}  open {}  due {}",
                        i.id,
                        i.reference(),
                        i.status.as_str(),
                        i.customer_name,
                        money(&i.totals.total),
                        i.currency,
                        money(&i.residual),
                        i.due
                    );
                }
            }
        }
        InvoiceCmd::Pdf { id, output } => {
            let bytes = r.invoice_pdf(&id).await?;
            std::fs::write(&output, bytes)?;
            println!("{}", output.display());
        }
        InvoiceCmd::Show { id, json } => {
            let i = r.invoice(&id).await?;
            if json {
                print_json(&i)?;
            } else {
                println!("{} {} — {} ({}, due {})", i.reference(), i.status.as_str(), i.customer_name, i.date, i.due);
                for l in &i.lines {
                    println!("  {} {} × {} = {}", l.sku, l.qty, money(&l.unit_price), money(&l.net));
                }
                println!("  total {} {}, open {}", money(&i.totals.total), i.currency, money(&i.residual));
            }
        }
    }
    Ok(())
}

pub async fn payment(ws: &Workspace, r: &Replica, cmd: PaymentCmd) -> Result<()> {
    match cmd {
        PaymentCmd::Record { account, amount, currency, invoices } => {
            let invoices: Vec<&str> = invoices.iter().map(String::as_str).collect();
            let (id, seq) = r.record_payment(&account, &amount, &currency, &invoices).await?;
            decide(ws, r, seq, "recorded").await?;
            println!("{id}");
        }
        PaymentCmd::Refund { account, amount, currency } => {
            let (id, seq) = r.refund(&account, &amount, &currency).await?;
            decide(ws, r, seq, "refunded").await?;
            println!("{id}");
        }
        PaymentCmd::List { account, json } => {
            let page = r.payments(account.as_deref(), None, 1000).await?;
            if json {
                print_json(&page.items)?;
            } else {
                for p in &page.items {
                    println!("{}  {}  {}  {} {}", p.number, p.date, p.customer_name, money(&p.amount), p.currency);
                }
            }
        }
    }
    Ok(())
}

pub async fn customer(ws: &Workspace, r: &Replica, cmd: CustomerCmd) -> Result<()> {
    let CustomerCmd::Terms {
        id,
        currency,
        credit_limit,
        credit_policy,
        payment_days,
        fiscal_position,
        invoice_policy,
        discount,
        json,
    } = cmd;
    let mut t = r.customer_terms(&id).await?;
    let unchanged = currency.is_none()
        && credit_limit.is_none()
        && credit_policy.is_none()
        && payment_days.is_none()
        && fiscal_position.is_none()
        && invoice_policy.is_none()
        && discount.is_none();
    if !unchanged {
        use tandem_core::catalog::{CreditPolicy, FiscalPosition, InvoicePolicy};
        if let Some(c) = currency {
            t.currency = tandem_core::Currency::parse(&c).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if let Some(l) = credit_limit {
            t.credit_limit = match l.trim() {
                "" => None,
                l => Some(t.currency.parse_amount("credit_limit", l).map_err(|e| anyhow::anyhow!("{e}"))?),
            };
        }
        if let Some(p) = credit_policy {
            t.credit_policy = if p == "hold" { CreditPolicy::Hold } else { CreditPolicy::Refuse };
        }
        if let Some(d) = payment_days {
            t.payment_days = d;
        }
        if let Some(f) = fiscal_position {
            t.fiscal_position = match f.as_str() {
                "reverse_charge" => FiscalPosition::ReverseCharge,
                "export" => FiscalPosition::Export,
                _ => FiscalPosition::Domestic,
            };
        }
        if let Some(p) = invoice_policy {
            t.invoice_policy = if p == "ordered" { InvoicePolicy::Ordered } else { InvoicePolicy::Delivered };
        }
        if let Some(d) = discount {
            t.discount = match d.trim() {
                "" => None,
                d => Some(tandem_core::Percent::parse(d).map_err(|e| anyhow::anyhow!("{e}"))?),
            };
        }
        let seq = r.set_terms(t.clone()).await?;
        decide(ws, r, seq, "terms set").await?;
    }
    if json {
        print_json(&r.customer_terms(&id).await?)?;
    } else {
        let t = r.customer_terms(&id).await?;
        println!(
            "currency {}  credit limit {}  over the limit: {:?}  {} days  {:?}  invoice {:?}",
            t.currency,
            t.credit_limit.map_or_else(|| "none".into(), |l| money(&l)),
            t.credit_policy,
            t.payment_days,
            t.fiscal_position,
            t.invoice_policy
        );
    }
    Ok(())
}

pub async fn rate(ws: &Workspace, r: &Replica, cmd: RateCmd) -> Result<()> {
    match cmd {
        RateCmd::Set { currency, date, rate } => {
            let seq = r.set_rate(&currency, &date, &rate).await?;
            decide(ws, r, seq, "rate set").await
        }
        RateCmd::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let seqs = r.import_rates(&text).await?;
            let last = seqs.last().copied().unwrap_or_default();
            decide(ws, r, last, &format!("{} rates imported", seqs.len())).await
        }
    }
}

pub async fn books(ws: &Workspace, r: &Replica, cmd: BooksCmd) -> Result<()> {
    let BooksCmd::Lock { date } = cmd;
    let seq = r.lock_books(&date).await?;
    decide(ws, r, seq, &format!("books locked up to {date}")).await
}

pub async fn report(r: &Replica, cmd: ReportCmd) -> Result<()> {
    match cmd {
        ReportCmd::TrialBalance { from, to, json } => {
            let tb = r.trial_balance(from.as_deref(), to.as_deref()).await?;
            if json {
                return print_json(&tb);
            }
            for row in &tb.rows {
                println!("{:>6}  {:<32} {:>14} {:>14}", row.code, row.name, money(&row.debit), money(&row.credit));
            }
            println!("{:>6}  {:<32} {:>14} {:>14}", "", "total", money(&tb.total_debit), money(&tb.total_credit));
        }
        ReportCmd::ProfitAndLoss { from, to, json } => {
            let p = r.profit_and_loss(from.as_deref(), to.as_deref()).await?;
            if json {
                return print_json(&p);
            }
            for row in p.income.iter().chain(p.expenses.iter()) {
                println!("{:>6}  {:<32} {:>14}", row.code, row.name, money(&row.amount));
            }
            println!("net profit {}", money(&p.net_profit));
        }
        ReportCmd::BalanceSheet { at, json } => {
            let b = r.balance_sheet(at.as_deref()).await?;
            if json {
                return print_json(&b);
            }
            for row in b.assets.iter().chain(b.liabilities.iter()).chain(b.equity.iter()) {
                println!("{:>6}  {:<32} {:>14}", row.code, row.name, money(&row.amount));
            }
            println!("current earnings {}", money(&b.current_earnings));
            println!(
                "assets {} = liabilities and equity {}",
                money(&b.total_assets),
                money(&b.total_liabilities_and_equity)
            );
        }
        ReportCmd::Aging { as_of, json } => {
            let a = r.aging(as_of.as_deref()).await?;
            if json {
                return print_json(&a);
            }
            println!(
                "{:<32} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
                "customer", "current", "1-30", "31-60", "61-90", "90+", "total"
            );
            let row = |name: &str, b: &tandem_core::ledger::AgingBuckets| {
                println!(
                    "{:<32} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
                    name,
                    money(&b.current),
                    money(&b.d1_30),
                    money(&b.d31_60),
                    money(&b.d61_90),
                    money(&b.over_90),
                    money(&b.total)
                )
            };
            for c in &a.customers {
                row(&c.customer_name, &c.buckets);
            }
            row("total", &a.total);
        }
        ReportCmd::Statement { id, from, to, json } => {
            let st = r.statement(&id, from.as_deref(), to.as_deref()).await?;
            if json {
                return print_json(&st);
            }
            println!("{} — {} to {}", st.customer_name, st.from, st.to);
            println!(
                "{:<12} {:<20} {:<24} {:>12} {:>12} {:>12}",
                "",
                "",
                "opening balance",
                "",
                "",
                money(&st.opening_balance)
            );
            for l in &st.lines {
                println!(
                    "{:<12} {:<20} {:<24} {:>12} {:>12} {:>12}",
                    l.date,
                    l.reference,
                    l.description,
                    money(&l.debit),
                    money(&l.credit),
                    money(&l.balance)
                );
            }
            println!("closing balance {}", money(&st.closing_balance));
        }
        ReportCmd::Forecast { period, by, json } => crate::crm::forecast(r, &period, &by, json).await?,
        ReportCmd::Customer { id, json } => {
            let f = r.customer_facts(&id).await?;
            if json {
                return print_json(&f);
            }
            println!("open balance {} {}", money(&f.open_balance), f.terms.currency);
            if let Some(a) = f.credit_available {
                println!(
                    "credit available {} {}{}",
                    money(&a),
                    f.terms.currency,
                    if f.over_limit { " (over limit)" } else { "" }
                );
            }
            for o in &f.orders {
                println!("order {} {} {}", o.reference(), o.status.as_str(), money(&o.totals.total));
            }
            for d in &f.deliveries {
                println!(
                    "shipment {} {} promised {} carrier {} tracking {}",
                    d.number,
                    d.date,
                    d.promised.map_or_else(|| "-".into(), |p| p.to_string()),
                    d.carrier.clone().unwrap_or_default(),
                    d.tracking.clone().unwrap_or_default()
                );
            }
            for i in &f.invoices {
                println!("invoice {} {} open {}", i.reference(), i.status.as_str(), money(&i.residual));
            }
        }
    }
    Ok(())
}

pub async fn export(r: &Replica, cmd: ExportCmd) -> Result<()> {
    let (text, output) = match cmd {
        ExportCmd::Ledger { format: _, output } => (r.ledger_text().await?, output),
        ExportCmd::Csv { list, output } => (crate::crm::export_csv(r, &list).await?, output),
    };
    match output {
        Some(path) => std::fs::write(&path, text)?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}
