//! Order-to-cash on the device: writes parsed at the edge, drafts applied through the
//! tandem-core rules (offline too), and the reads and reports behind the back-office screens.
//!
//! Drafts (products, price lists, terms, orders, invoice drafts) take effect in the view at
//! once. Transitions the server decides (confirm, deliver, post, payments, stock moves) wait in
//! the outbox and appear with the server's outcome after the next sync.

use crate::docs;
use crate::error::{ReplicaError, Result};
use crate::replica::{meta_get, Mode, Replica};
use crate::store::{self, Origin};
use chrono::{Local, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use std::str::FromStr;
use tandem_core::catalog::{self, CustomerTerms, PriceList, Product, ProductInput};
use tandem_core::company::{CompanySettings, RateEntry};
use tandem_core::invoice::{self, Invoice, InvoiceKind};
use tandem_core::ledger::{self, Aging, BalanceSheet, Chart, JournalEntry, OpenItem, ProfitAndLoss, TrialBalance};
use tandem_core::order::{self, Delivery, NewOrder, NewOrderLine, OrderContext, OrderStatus, SalesOrder};
use tandem_core::payment::{self, Payment};
use tandem_core::stock::{main_warehouse, StockLevel, Warehouse};
use tandem_core::{
    AccountId, Currency, DeliveryId, Existing, FieldError, FxRate, InvoiceId, Note, OrderId, OrderLineId, PaymentId,
    Percent, PriceListId, ProductId, Quantity, QuantityDelta, RuleError, ValidationErrors, WarehouseCode, WarehouseId,
};
use tandem_sync::erp::{self as wire, terms_id, Doc};
use tandem_sync::Op;
use uuid::Uuid;

fn bad(field: &str, msg: impl Into<String>) -> ReplicaError {
    ReplicaError::Validation(FieldError::new(field, msg).into())
}

fn field(e: FieldError, name: &str) -> ReplicaError {
    ReplicaError::Validation(e.on(name).into())
}

fn parse_id<T: FromStr<Err = FieldError>>(raw: &str, name: &str) -> Result<T> {
    T::from_str(raw).map_err(|e| field(e, name))
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The docs an op writes in the view (drafts), so a rebase can reset and replay them.
pub(crate) fn touches(op: &Op) -> Vec<Uuid> {
    match op {
        Op::ProductCreate(p) => vec![p.id.as_uuid()],
        Op::PriceListSave(p) => vec![p.id.as_uuid()],
        Op::CustomerSetTerms(t) => vec![terms_id(t.account)],
        Op::SetRate(r) => vec![RateEntry::id_of(r.currency, r.date)],
        Op::OrderCreate(o) | Op::OrderUpdate(o) => vec![o.id.as_uuid()],
        Op::OrderCancel(o) => vec![o.id.as_uuid()],
        Op::InvoiceCreate(i) => vec![i.id.as_uuid()],
        Op::WarehouseCreate(w) => vec![w.id.as_uuid()],
        other => crate::crm::touches(other),
    }
}

/// Ops the device applies itself; the rest only the server can decide.
fn is_local(op: &Op) -> bool {
    !touches(op).is_empty()
}

pub(crate) async fn settings(conn: &mut SqliteConnection) -> Result<CompanySettings> {
    Ok(match docs::load(conn, CompanySettings::ID).await? {
        Some(Doc::Settings(s)) => s,
        _ => CompanySettings::default(),
    })
}

pub(crate) async fn terms(conn: &mut SqliteConnection, account: AccountId) -> Result<CustomerTerms> {
    let company = settings(conn).await?.currency;
    Ok(match docs::load(conn, terms_id(account)).await? {
        Some(Doc::Terms(t)) => t,
        _ => CustomerTerms::default_for(account, company),
    })
}

pub(crate) async fn price_lists(conn: &mut SqliteConnection) -> Result<Vec<PriceList>> {
    Ok(docs::of_kind(conn, "price_list")
        .await?
        .into_iter()
        .filter_map(|d| match d {
            Doc::PriceList(p) => Some(p),
            _ => None,
        })
        .collect())
}

async fn load_order(conn: &mut SqliteConnection, id: OrderId) -> Result<Option<SalesOrder>> {
    Ok(match docs::load(conn, id.as_uuid()).await? {
        Some(Doc::Order(o)) => Some(o),
        _ => None,
    })
}

/// The optimistic half of an order-to-cash op (see the module doc).
pub(crate) async fn apply_local(
    conn: &mut SqliteConnection,
    op: &Op,
    origin: Origin,
) -> Result<std::result::Result<(), RuleError>> {
    macro_rules! rule {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            }
        };
    }
    let doc = match op {
        Op::ProductCreate(p) => {
            let existing = match docs::load(conn, p.id.as_uuid()).await? {
                Some(Doc::Product(x)) => Some(x),
                _ => None,
            };
            let same = match docs::product_by_sku(conn, p.sku.as_str()).await? {
                Some(Doc::Product(x)) => Some(x),
                _ => None,
            };
            rule!(catalog::create_product(existing.as_ref(), same.as_ref(), p));
            Doc::Product(p.clone())
        }
        Op::PriceListSave(p) => {
            rule!(p.check());
            Doc::PriceList(p.clone())
        }
        Op::CustomerSetTerms(t) => {
            rule!(t.check());
            Doc::Terms(t.clone())
        }
        Op::SetRate(r) => Doc::Rate(RateEntry { currency: r.currency, date: r.date, rate: r.rate }),
        Op::WarehouseCreate(w) => {
            let taken = docs::of_kind(conn, "warehouse").await?.into_iter().any(|d| match d {
                Doc::Warehouse(x) => x.code == w.code && x.id != w.id,
                _ => false,
            });
            if taken || (w.code == main_warehouse().code && w.id != main_warehouse().id) {
                return Ok(Err(RuleError::Invalid(
                    FieldError::new("code", format!("warehouse {} already exists", w.code)).into(),
                )));
            }
            Doc::Warehouse(w.clone())
        }
        Op::OrderCreate(new) => {
            let name = match store::load_account(conn, new.account).await? {
                Existing::Live(a) => a.name.to_string(),
                other => rule!(other.live("account", new.account.to_string()).map(|a| a.name.to_string())),
            };
            let existing = if docs::load(conn, new.id.as_uuid()).await?.is_some() {
                Existing::Live(())
            } else {
                Existing::Missing
            };
            if matches!(existing, Existing::Live(())) {
                return Ok(Err(RuleError::AlreadyExists { entity: "order", id: new.id.to_string() }));
            }
            let t = terms(conn, new.account).await?;
            let mut products = BTreeMap::new();
            for l in &new.lines {
                if let Some(Doc::Product(p)) = docs::load(conn, l.product.as_uuid()).await? {
                    products.insert(p.id, p);
                }
            }
            let lists = price_lists(conn).await?;
            let ctx = OrderContext { customer_name: &name, terms: &t, products: &products, price_lists: &lists };
            Doc::Order(rule!(order::create(Existing::Missing, new, &ctx)))
        }
        Op::OrderUpdate(new) => {
            let Some(existing) = load_order(conn, new.id).await? else {
                return Ok(Err(RuleError::NotFound { entity: "order", id: new.id.to_string() }));
            };
            let t = terms(conn, existing.account).await?;
            let mut products = BTreeMap::new();
            for l in &new.lines {
                if let Some(Doc::Product(p)) = docs::load(conn, l.product.as_uuid()).await? {
                    products.insert(p.id, p);
                }
            }
            let lists = price_lists(conn).await?;
            let name = existing.customer_name.clone();
            let ctx = OrderContext { customer_name: &name, terms: &t, products: &products, price_lists: &lists };
            Doc::Order(rule!(order::update_draft(&existing, new, &ctx)))
        }
        Op::OrderCancel(c) => match load_order(conn, c.id).await? {
            // Only a draft is cancelled on the device; a confirmed order's reservations are the
            // server's to release.
            Some(mut o) if o.status == OrderStatus::Draft => {
                rule!(order::cancel(&mut o, c.reason.to_string(), &mut BTreeMap::new()));
                Doc::Order(o)
            }
            _ => return Ok(Ok(())),
        },
        Op::InvoiceCreate(c) => {
            let existing = match docs::load(conn, c.id.as_uuid()).await? {
                Some(Doc::Invoice(i)) => Existing::Live(i),
                Some(_) => return Ok(Err(RuleError::AlreadyExists { entity: "invoice", id: c.id.to_string() })),
                None => Existing::Missing,
            };
            let Some(o) = load_order(conn, c.order).await? else {
                return Ok(Err(RuleError::NotFound { entity: "order", id: c.order.to_string() }));
            };
            let t = terms(conn, o.account).await?;
            Doc::Invoice(rule!(invoice::draft_from_order(existing.as_ref(), c.id, &o, &t, c.date)))
        }
        other => match crate::crm::apply_local(conn, other).await? {
            Some(Ok(docs)) => {
                for doc in &docs {
                    docs::put(conn, doc, origin).await?;
                }
                return Ok(Ok(()));
            }
            Some(Err(e)) => return Ok(Err(e)),
            None => return Ok(Ok(())),
        },
    };
    docs::put(conn, &doc, origin).await?;
    Ok(Ok(()))
}

/// One line of an order as typed: a SKU and a quantity (and an optional discount).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineInput {
    pub sku: String,
    pub qty: String,
    #[serde(default)]
    pub discount: Option<String>,
}

impl OrderLineInput {
    /// Parses `SKU:QTY` or `SKU:QTY:DISCOUNT` (a CLI `--line`; the discount in percent).
    pub fn parse_pair(raw: &str) -> Result<Self> {
        let parts: Vec<&str> = raw.split(':').collect();
        match parts.as_slice() {
            [sku, qty] => Ok(OrderLineInput { sku: (*sku).to_owned(), qty: (*qty).to_owned(), discount: None }),
            [sku, qty, disc] => Ok(OrderLineInput {
                sku: (*sku).to_owned(),
                qty: (*qty).to_owned(),
                discount: Some(disc.trim_end_matches('%').to_owned()),
            }),
            _ => Err(bad(
                "line",
                format!("{raw:?} is not SKU:QTY or SKU:QTY:DISCOUNT (e.g. CHAIR-01:3 or CHAIR-01:3:10)"),
            )),
        }
    }
}

/// One page of documents, paged by key.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocPage<T> {
    pub items: Vec<T>,
    /// Pass back as `after` for the next page.
    pub next: Option<String>,
}

/// A product with its stock across warehouses.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRow {
    #[serde(flatten)]
    pub product: Product,
    pub on_hand: Decimal,
    pub reserved: Decimal,
    pub available: Decimal,
}

/// One stock level with its product and warehouse named.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StockRow {
    pub sku: String,
    pub name: String,
    pub warehouse: String,
    pub on_hand: Decimal,
    pub reserved: Decimal,
    pub available: Decimal,
    pub value: Decimal,
}

/// An order with what happened to it since.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: SalesOrder,
    pub deliveries: Vec<Delivery>,
    pub invoices: Vec<Invoice>,
    /// A transition of this order waits in the outbox.
    pub pending: Vec<String>,
}

/// What sales see of a customer's back-office facts, read-only and offline.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerFacts {
    pub terms: CustomerTerms,
    pub orders: Vec<SalesOrder>,
    pub deliveries: Vec<Delivery>,
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    /// Open invoices minus open credit notes, in the customer's currency.
    pub open_balance: Decimal,
    /// Confirmed and not yet invoiced.
    pub open_orders: Decimal,
    /// Limit − balance − open orders (None without a limit).
    pub credit_available: Option<Decimal>,
    pub over_limit: bool,
}

/// What became of a mutation the user made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Not yet answered by the server.
    Pending,
    Applied,
    Rejected {
        code: String,
        reason: String,
    },
}

impl Replica {
    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        Ok(self.pool.acquire().await?)
    }

    /// Submits an op the server decides: refused in a local-only workspace.
    async fn submit(&self, op: Op) -> Result<i64> {
        if self.mode() == Mode::Local && !is_local(&op) {
            return Err(ReplicaError::BadInput(format!(
                "{} is decided by the server: sign in to a Tandem server first",
                op.describe()
            )));
        }
        self.mutate_seq(op).await?.ok_or_else(|| ReplicaError::BadInput("nothing to send in a local workspace".into()))
    }

    /// What became of the mutation with outbox number `seq`.
    pub async fn outcome(&self, seq: i64) -> Result<Outcome> {
        let mut c = self.conn().await?;
        let rejected: Option<(String, String)> =
            sqlx::query_as("SELECT code, reason FROM rejected WHERE seq = ?").bind(seq).fetch_optional(&mut *c).await?;
        if let Some((code, reason)) = rejected {
            return Ok(Outcome::Rejected { code, reason });
        }
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM outbox WHERE seq = ?").bind(seq).fetch_optional(&mut *c).await?;
        Ok(match state.as_deref() {
            Some("pending") => Outcome::Pending,
            _ => Outcome::Applied,
        })
    }

    pub(crate) async fn company_currency(&self) -> Result<tandem_core::Currency> {
        Ok(self.company().await?.currency)
    }

    async fn company(&self) -> Result<CompanySettings> {
        settings(&mut *self.conn().await?).await
    }

    pub(crate) async fn product_by_sku(&self, sku: &str) -> Result<Product> {
        let key = tandem_core::Sku::parse(sku).map_err(|e| field(e, "sku"))?;
        match docs::product_by_sku(&mut *self.conn().await?, key.as_str()).await? {
            Some(Doc::Product(p)) => Ok(p),
            _ => Err(bad("sku", format!("no product with SKU {key}"))),
        }
    }

    async fn warehouse(&self, code: Option<&str>) -> Result<WarehouseId> {
        let Some(code) = code.filter(|c| !c.trim().is_empty()) else { return Ok(main_warehouse().id) };
        let code = WarehouseCode::parse(code).map_err(|e| field(e, "warehouse"))?;
        let found = docs::of_kind(&mut *self.conn().await?, "warehouse").await?.into_iter().find_map(|d| match d {
            Doc::Warehouse(w) if w.code == code => Some(w.id),
            _ => None,
        });
        match found {
            Some(id) => Ok(id),
            None if code == main_warehouse().code => Ok(main_warehouse().id),
            None => Err(bad("warehouse", format!("no warehouse {code}"))),
        }
    }

    // ----- writes -----

    pub async fn create_product(&self, input: &ProductInput) -> Result<ProductId> {
        let id = ProductId::from_uuid(Uuid::now_v7());
        let company = self.company().await?.currency;
        let p = Product::parse(id, input, company)?;
        self.mutate(Op::ProductCreate(p)).await?;
        Ok(id)
    }

    pub async fn receive_stock(&self, sku: &str, qty: &str, unit_cost: &str, warehouse: Option<&str>) -> Result<i64> {
        let p = self.product_by_sku(sku).await?;
        let qty = Quantity::parse(qty).map_err(|e| field(e, "qty"))?;
        if qty.is_zero() {
            return Err(bad("qty", "a receipt needs a quantity above zero"));
        }
        let company = self.company().await?.currency;
        let unit_cost = tandem_core::money::parse_decimal(&format!("unit_cost ({company})"), unit_cost)?;
        tandem_core::stock::check_unit_cost(unit_cost)?;
        let warehouse = self.warehouse(warehouse).await?;
        let op = wire::StockReceive { id: Uuid::now_v7(), product: p.id, warehouse, qty, unit_cost, date: today() };
        self.submit(Op::StockReceive(op)).await
    }

    /// Moves stock between warehouses at its average cost.
    pub async fn transfer_stock(&self, sku: &str, qty: &str, from: &str, to: &str) -> Result<i64> {
        let p = self.product_by_sku(sku).await?;
        let qty = Quantity::parse(qty).map_err(|e| field(e, "qty"))?;
        if qty.is_zero() {
            return Err(bad("qty", "a transfer needs a quantity above zero"));
        }
        let (from, to) = (self.warehouse(Some(from)).await?, self.warehouse(Some(to)).await?);
        if from == to {
            return Err(bad("to", "a transfer needs two different warehouses"));
        }
        let op = wire::StockTransfer { id: Uuid::now_v7(), product: p.id, from, to, qty, date: today() };
        self.submit(Op::StockTransfer(op)).await
    }

    pub async fn create_warehouse(&self, code: &str, name: &str) -> Result<WarehouseId> {
        let code = WarehouseCode::parse(code).map_err(|e| field(e, "code"))?;
        let name = tandem_core::ItemName::parse(name).map_err(|e| field(e, "name"))?;
        let id = WarehouseId::from_uuid(Uuid::now_v7());
        self.submit(Op::WarehouseCreate(Warehouse { id, code, name })).await?;
        Ok(id)
    }

    pub async fn warehouses(&self) -> Result<Vec<Warehouse>> {
        let mut all: Vec<Warehouse> = docs::of_kind(&mut *self.conn().await?, "warehouse")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Warehouse(w) => Some(w),
                _ => None,
            })
            .collect();
        if !all.iter().any(|w| w.id == main_warehouse().id) {
            all.insert(0, main_warehouse());
        }
        Ok(all)
    }

    pub async fn adjust_stock(&self, sku: &str, delta: &str, reason: &str, warehouse: Option<&str>) -> Result<i64> {
        let p = self.product_by_sku(sku).await?;
        let delta = QuantityDelta::parse(delta).map_err(|e| field(e, "qty"))?;
        let reason = Note::parse(reason).map_err(|e| field(e, "reason"))?;
        let warehouse = self.warehouse(warehouse).await?;
        let op = wire::StockAdjust { id: Uuid::now_v7(), product: p.id, warehouse, delta, date: today(), reason };
        self.submit(Op::StockAdjust(op)).await
    }

    /// Sets a customer's credit limit (and the currency of their documents).
    pub async fn set_credit_limit(&self, account: &str, amount: &str, currency: &str) -> Result<i64> {
        let account: AccountId = parse_id(account, "account")?;
        let currency = Currency::parse(currency)?;
        let limit = currency.parse_amount("credit_limit", amount)?;
        if limit.is_sign_negative() {
            return Err(bad("credit_limit", format!("{limit} is negative")));
        }
        let mut t = terms(&mut *self.conn().await?, account).await?;
        t.credit_limit = Some(limit);
        t.currency = currency;
        self.submit(Op::CustomerSetTerms(t)).await
    }

    /// Sets a customer's terms as a whole (the terms form).
    pub async fn set_terms(&self, t: CustomerTerms) -> Result<i64> {
        t.check()?;
        self.submit(Op::CustomerSetTerms(t)).await
    }

    pub async fn customer_terms(&self, account: &str) -> Result<CustomerTerms> {
        let account: AccountId = parse_id(account, "account")?;
        terms(&mut *self.conn().await?, account).await
    }

    /// Sets one price in a price list (found by name, currency and customer, or made new):
    /// `min_qty` is the quantity break, `from`/`to` the list's validity.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_price(
        &self,
        list: &str,
        currency: &str,
        sku: &str,
        price: &str,
        min_qty: Option<&str>,
        customer: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<PriceListId> {
        let name = tandem_core::ItemName::parse(list).map_err(|e| field(e, "list"))?;
        let currency = Currency::parse(currency)?;
        let product = self.product_by_sku(sku).await?;
        let unit_price = tandem_core::money::parse_decimal("price", price)?;
        if unit_price.is_sign_negative() || unit_price.normalize().scale() > 4 {
            return Err(bad("price", format!("{price} is not a unit price (zero or more, at most 4 decimals)")));
        }
        let min_qty = Quantity::parse(min_qty.unwrap_or("0")).map_err(|e| field(e, "min_qty"))?;
        let customer: Option<AccountId> = customer.map(|c| parse_id(c, "customer")).transpose()?;
        let from = from.map(|f| parse_date(f, "from")).transpose()?;
        let to = to.map(|t| parse_date(t, "to")).transpose()?;
        let existing = price_lists(&mut *self.conn().await?)
            .await?
            .into_iter()
            .find(|l| l.name == name && l.currency == currency && l.customer == customer);
        let mut list = existing.unwrap_or_else(|| PriceList {
            id: PriceListId::from_uuid(Uuid::now_v7()),
            name,
            currency,
            customer,
            valid_from: None,
            valid_to: None,
            items: vec![],
        });
        if from.is_some() {
            list.valid_from = from;
        }
        if to.is_some() {
            list.valid_to = to;
        }
        list.items.retain(|i| !(i.product == product.id && i.min_qty == min_qty));
        list.items.push(tandem_core::catalog::PriceItem { product: product.id, min_qty, unit_price });
        let id = list.id;
        self.save_price_list(list).await?;
        Ok(id)
    }

    pub async fn price_lists(&self) -> Result<Vec<PriceList>> {
        price_lists(&mut *self.conn().await?).await
    }

    pub async fn save_price_list(&self, list: PriceList) -> Result<i64> {
        list.check()?;
        self.submit(Op::PriceListSave(list)).await
    }

    pub async fn create_order(
        &self,
        account: &str,
        lines: &[OrderLineInput],
        discount: Option<&str>,
    ) -> Result<OrderId> {
        self.create_order_in(account, lines, discount, None).await
    }

    /// [`Replica::create_order`] shipping from the warehouse with this code (default MAIN).
    pub async fn create_order_in(
        &self,
        account: &str,
        lines: &[OrderLineInput],
        discount: Option<&str>,
        warehouse: Option<&str>,
    ) -> Result<OrderId> {
        let new = self.parse_order(account, lines, discount, warehouse).await?;
        let id = new.id;
        self.mutate(Op::OrderCreate(new)).await?;
        Ok(id)
    }

    /// An order form parsed at the edge: every bad line named at once.
    async fn parse_order(
        &self,
        account: &str,
        lines: &[OrderLineInput],
        discount: Option<&str>,
        warehouse: Option<&str>,
    ) -> Result<NewOrder> {
        let warehouse = self.warehouse(warehouse).await?;
        let account: AccountId = parse_id(account, "account")?;
        let mut errors = ValidationErrors::default();
        let mut parsed = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let name = format!("lines[{}]", i + 1);
            let qty = errors.take(Quantity::parse(&l.qty).map_err(|e| e.on(&name)));
            let disc = match l.discount.as_deref().filter(|d| !d.trim().is_empty()) {
                Some(d) => errors.take(Percent::parse(d).map_err(|e| e.on(&name))).map(Some),
                None => Some(None),
            };
            let product = match self.product_by_sku(&l.sku).await {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(FieldError::new(&name, e.to_string().trim_start_matches("sku: ")));
                    None
                }
            };
            if let (Some(qty), Some(discount), Some(p)) = (qty, disc, product) {
                if qty.is_zero() {
                    errors.push(FieldError::new(&name, format!("{}: the quantity must be above zero", p.sku)));
                }
                parsed.push(NewOrderLine { id: OrderLineId::from_uuid(Uuid::now_v7()), product: p.id, qty, discount });
            }
        }
        if lines.is_empty() {
            errors.push(FieldError::new("lines", "an order needs at least one line (--line SKU:QTY)"));
        }
        let discount = match discount.filter(|d| !d.trim().is_empty()) {
            Some(d) => errors.take(Percent::parse(d)),
            None => None,
        };
        if !errors.is_empty() {
            return Err(ReplicaError::Validation(errors));
        }
        let id = OrderId::from_uuid(Uuid::now_v7());
        Ok(NewOrder { id, account, date: today(), warehouse, discount, lines: parsed })
    }

    /// Replaces the lines (and discount) of a draft order; it is priced again.
    pub async fn update_order(&self, id: &str, lines: &[OrderLineInput], discount: Option<&str>) -> Result<()> {
        let oid: OrderId = parse_id(id, "order")?;
        let existing = self.known_order(oid).await?;
        // Parsed and checked exactly as a new order, then sent as an edit of this one.
        let wh = docs::of_kind(&mut *self.conn().await?, "warehouse").await?.into_iter().find_map(|d| match d {
            Doc::Warehouse(w) if w.id == existing.warehouse => Some(w.code.to_string()),
            _ => None,
        });
        let new = self.parse_order(&existing.account.to_string(), lines, discount, wh.as_deref()).await?;
        let edit = NewOrder { id: oid, date: existing.date, ..new };
        self.mutate(Op::OrderUpdate(edit)).await
    }

    pub async fn confirm_order(&self, id: &str) -> Result<i64> {
        let id: OrderId = parse_id(id, "order")?;
        self.known_order(id).await?;
        self.submit(Op::OrderConfirm(wire::OrderRef { id })).await
    }

    pub async fn release_order(&self, id: &str) -> Result<i64> {
        let id: OrderId = parse_id(id, "order")?;
        self.known_order(id).await?;
        self.submit(Op::OrderRelease(wire::OrderRef { id })).await
    }

    pub async fn cancel_order(&self, id: &str, reason: &str) -> Result<i64> {
        let id: OrderId = parse_id(id, "order")?;
        self.known_order(id).await?;
        let reason = Note::parse(reason).map_err(|e| field(e, "reason"))?;
        self.submit(Op::OrderCancel(wire::OrderCancel { id, reason })).await
    }

    pub async fn deliver_order(
        &self,
        id: &str,
        lines: &[OrderLineInput],
        carrier: Option<&str>,
        tracking: Option<&str>,
    ) -> Result<(DeliveryId, i64)> {
        let id: OrderId = parse_id(id, "order")?;
        self.known_order(id).await?;
        let mut wanted = Vec::new();
        for l in lines {
            let p = self.product_by_sku(&l.sku).await?;
            let qty = Quantity::parse(&l.qty).map_err(|e| field(e, "line"))?;
            if qty.is_zero() {
                return Err(bad("line", format!("{}: the quantity must be above zero", p.sku)));
            }
            wanted.push(wire::DeliverLine { product: p.id, qty });
        }
        let note = |raw: Option<&str>, name: &str| -> Result<Option<Note>> {
            raw.filter(|s| !s.trim().is_empty()).map(|s| Note::parse(s).map_err(|e| field(e, name))).transpose()
        };
        let delivery = DeliveryId::from_uuid(Uuid::now_v7());
        let op = wire::OrderDeliver {
            id,
            delivery,
            date: today(),
            lines: if wanted.is_empty() { None } else { Some(wanted) },
            carrier: note(carrier, "carrier")?,
            tracking: note(tracking, "tracking")?,
        };
        Ok((delivery, self.submit(Op::OrderDeliver(op)).await?))
    }

    async fn known_order(&self, id: OrderId) -> Result<SalesOrder> {
        load_order(&mut *self.conn().await?, id).await?.ok_or_else(|| bad("order", format!("no order {id}")))
    }

    pub async fn create_invoice(&self, order: &str) -> Result<InvoiceId> {
        let order: OrderId = parse_id(order, "order")?;
        self.known_order(order).await?;
        let id = InvoiceId::from_uuid(Uuid::now_v7());
        self.mutate(Op::InvoiceCreate(wire::InvoiceCreate { id, order, date: today() })).await?;
        Ok(id)
    }

    pub async fn post_invoice(&self, id: &str) -> Result<i64> {
        let id: InvoiceId = parse_id(id, "invoice")?;
        self.invoice(&id.to_string()).await?;
        self.submit(Op::InvoicePost(wire::InvoiceRef { id })).await
    }

    /// Posts several draft invoices in one go (all or none; the server numbers them in the order
    /// of their dates). Each id must be a draft invoice this replica holds. Returns the outbox
    /// number of the posting.
    pub async fn post_invoices(&self, ids: &[&str]) -> Result<i64> {
        let parsed: Vec<InvoiceId> = ids.iter().map(|raw| parse_id(raw, "invoice")).collect::<Result<_>>()?;
        tandem_core::invoice::check_posting(&parsed)?;
        let uuids: Vec<Uuid> = parsed.iter().map(InvoiceId::as_uuid).collect();
        let held = docs::load_many(&mut *self.conn().await?, &uuids).await?;
        for id in &parsed {
            match held.get(&id.to_string()) {
                Some(Doc::Invoice(inv)) => tandem_core::invoice::ensure_draft(inv)?,
                _ => return Err(bad("invoice", format!("no invoice {id}"))),
            }
        }
        self.submit(Op::InvoicePostMany(wire::InvoiceRefs { ids: parsed })).await
    }

    /// Every draft invoice this replica holds (of `account`, if given), oldest first.
    pub async fn draft_invoices(&self, account: Option<&str>) -> Result<Vec<Invoice>> {
        let account = account.map(|a| parse_id::<AccountId>(a, "account")).transpose()?.map(|a| a.to_string());
        let found = docs::in_status(&mut *self.conn().await?, "invoice", account.as_deref(), "draft").await?;
        let mut out: Vec<Invoice> = found
            .into_iter()
            .filter_map(|d| match d {
                Doc::Invoice(i) => Some(i),
                _ => None,
            })
            .collect();
        out.sort_by_key(|i| (i.date, i.id));
        Ok(out)
    }

    /// A credit note for all of a posted invoice, posted at once. Returns its id and the
    /// outbox number of the posting.
    pub async fn credit_invoice(&self, id: &str) -> Result<(InvoiceId, i64)> {
        let of: InvoiceId = parse_id(id, "invoice")?;
        self.invoice(&of.to_string()).await?;
        let id = InvoiceId::from_uuid(Uuid::now_v7());
        self.submit(Op::InvoiceCreditNote(wire::InvoiceCreditNote { id, invoice: of, date: today() })).await?;
        let seq = self.submit(Op::InvoicePost(wire::InvoiceRef { id })).await?;
        Ok((id, seq))
    }

    pub async fn record_payment(
        &self,
        account: &str,
        amount: &str,
        currency: &str,
        invoices: &[&str],
    ) -> Result<(PaymentId, i64)> {
        let account: AccountId = parse_id(account, "account")?;
        let currency = Currency::parse(currency)?;
        let amount = currency.parse_amount("amount", amount)?;
        payment::check_amount(amount, currency)?;
        let invoices: Vec<InvoiceId> = invoices.iter().map(|i| parse_id(i, "invoice")).collect::<Result<_>>()?;
        let id = PaymentId::from_uuid(Uuid::now_v7());
        let op = wire::PaymentRecord { id, account, amount, currency, date: today(), invoices };
        Ok((id, self.submit(Op::PaymentRecord(op)).await?))
    }

    pub async fn refund(&self, account: &str, amount: &str, currency: &str) -> Result<(PaymentId, i64)> {
        let account: AccountId = parse_id(account, "account")?;
        let currency = Currency::parse(currency)?;
        let amount = currency.parse_amount("amount", amount)?;
        payment::check_amount(amount, currency)?;
        let id = PaymentId::from_uuid(Uuid::now_v7());
        let op = wire::PaymentRefund { id, account, amount, currency, date: today() };
        Ok((id, self.submit(Op::PaymentRefund(op)).await?))
    }

    pub async fn set_rate(&self, currency: &str, date: &str, rate: &str) -> Result<i64> {
        let currency = Currency::parse(currency)?;
        let date = parse_date(date, "date")?;
        let rate = FxRate::parse(rate)?;
        self.submit(Op::SetRate(wire::SetRate { currency, date, rate })).await
    }

    /// Imports exchange rates from CSV (`currency,date,rate` per line, an optional header): all
    /// or nothing; a bad line is named with its number and field. Returns the outbox numbers.
    pub async fn import_rates(&self, csv: &str) -> Result<Vec<i64>> {
        let mut ops = Vec::new();
        let mut errors = ValidationErrors::default();
        for (n, line) in csv.lines().enumerate() {
            let line = line.trim();
            let at = |f: &str| format!("line {}: {f}", n + 1);
            if line.is_empty() || (n == 0 && line.to_ascii_lowercase().starts_with("currency")) {
                continue;
            }
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let [cur, date, rate] = cells.as_slice() else {
                errors.push(FieldError::new(at("line"), format!("{line:?} is not currency,date,rate")));
                continue;
            };
            let cur = errors.take(Currency::parse(cur).map_err(|e| e.on(&at("currency"))));
            let date = errors.take(
                NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| FieldError::new(at("date"), format!("{date:?} is not a date (YYYY-MM-DD)"))),
            );
            let rate = errors.take(FxRate::parse(rate).map_err(|e| e.on(&at("rate"))));
            if let (Some(currency), Some(date), Some(rate)) = (cur, date, rate) {
                ops.push(Op::SetRate(wire::SetRate { currency, date, rate }));
            }
        }
        if !errors.is_empty() {
            return Err(ReplicaError::Validation(errors));
        }
        if ops.is_empty() {
            return Err(bad("file", "no rates in the file"));
        }
        let mut seqs = Vec::new();
        for op in ops {
            seqs.push(self.submit(op).await?);
        }
        Ok(seqs)
    }

    pub async fn lock_books(&self, date: &str) -> Result<i64> {
        let date = parse_date(date, "date")?;
        self.submit(Op::LockPeriod(wire::LockPeriod { date })).await
    }

    // ----- reads -----

    pub async fn products(&self) -> Result<Vec<ProductRow>> {
        let mut c = self.conn().await?;
        let levels = levels(&mut c).await?;
        Ok(docs::of_kind(&mut c, "product")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Product(p) => Some(p),
                _ => None,
            })
            .map(|p| {
                let mine = levels.iter().filter(|l| l.product == p.id);
                let (on_hand, reserved) =
                    mine.fold((Decimal::ZERO, Decimal::ZERO), |(h, r), l| (h + l.on_hand, r + l.reserved));
                ProductRow { product: p, on_hand, reserved, available: on_hand - reserved }
            })
            .collect())
    }

    pub async fn stock(&self) -> Result<Vec<StockRow>> {
        let mut c = self.conn().await?;
        let products: BTreeMap<ProductId, Product> = docs::of_kind(&mut c, "product")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Product(p) => Some((p.id, p)),
                _ => None,
            })
            .collect();
        let mut warehouses: BTreeMap<WarehouseId, Warehouse> = docs::of_kind(&mut c, "warehouse")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Warehouse(w) => Some((w.id, w)),
                _ => None,
            })
            .collect();
        warehouses.entry(main_warehouse().id).or_insert_with(main_warehouse);
        let mut rows: Vec<StockRow> = levels(&mut c)
            .await?
            .into_iter()
            .map(|l| StockRow {
                sku: products.get(&l.product).map_or_else(|| l.product.to_string(), |p| p.sku.to_string()),
                name: products.get(&l.product).map_or_else(String::new, |p| p.name.to_string()),
                warehouse: warehouses.get(&l.warehouse).map_or_else(|| l.warehouse.to_string(), |w| w.code.to_string()),
                on_hand: l.on_hand,
                reserved: l.reserved,
                available: l.available(),
                value: l.value,
            })
            .collect();
        rows.sort_by(|a, b| (&a.warehouse, &a.sku).cmp(&(&b.warehouse, &b.sku)));
        Ok(rows)
    }

    pub(crate) async fn page_of<T>(
        &self,
        kind: &str,
        account: Option<&str>,
        after: Option<&str>,
        limit: u32,
        pick: impl Fn(Doc) -> Option<T>,
    ) -> Result<DocPage<T>> {
        let account = account.map(|a| parse_id::<AccountId>(a, "account")).transpose()?.map(|a| a.to_string());
        let cursor = after.and_then(|a| a.split_once('\u{1f}'));
        let limit = limit.clamp(1, 1_000);
        let rows = docs::page(&mut *self.conn().await?, kind, account.as_deref(), cursor, limit).await?;
        let next =
            (rows.len() == limit as usize).then(|| rows.last().map(|(k, i, _, _)| format!("{k}\u{1f}{i}"))).flatten();
        Ok(DocPage { items: rows.into_iter().filter_map(|(_, _, _, d)| pick(d)).collect(), next })
    }

    /// Orders by date and number, paged by key; `account` limits them to one customer.
    pub async fn orders(&self, account: Option<&str>, after: Option<&str>, limit: u32) -> Result<DocPage<SalesOrder>> {
        self.page_of("order", account, after, limit, |d| match d {
            Doc::Order(o) => Some(o),
            _ => None,
        })
        .await
    }

    pub async fn invoices(&self, account: Option<&str>, after: Option<&str>, limit: u32) -> Result<DocPage<Invoice>> {
        self.page_of("invoice", account, after, limit, |d| match d {
            Doc::Invoice(i) => Some(i),
            _ => None,
        })
        .await
    }

    pub async fn deliveries(
        &self,
        account: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<DocPage<Delivery>> {
        self.page_of("delivery", account, after, limit, |d| match d {
            Doc::Delivery(x) => Some(x),
            _ => None,
        })
        .await
    }

    pub async fn payments(&self, account: Option<&str>, after: Option<&str>, limit: u32) -> Result<DocPage<Payment>> {
        self.page_of("payment", account, after, limit, |d| match d {
            Doc::Payment(x) => Some(x),
            _ => None,
        })
        .await
    }

    pub async fn order(&self, id: &str) -> Result<OrderDetail> {
        let oid: OrderId = parse_id(id, "order")?;
        let order = self.known_order(oid).await?;
        let mut c = self.conn().await?;
        let account = order.account.to_string();
        let deliveries = docs::of_account(&mut c, &account, "delivery")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Delivery(x) if x.order == oid => Some(x),
                _ => None,
            })
            .collect();
        let invoices = docs::of_account(&mut c, &account, "invoice")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Invoice(x) if x.order == Some(oid) => Some(x),
                _ => None,
            })
            .collect();
        let pending: Vec<String> = sqlx::query_scalar(
            "SELECT json_extract(op, '$.name') FROM outbox WHERE state = 'pending' AND json_extract(op, '$.args.id') = ?
             ORDER BY seq",
        )
        .bind(oid.to_string())
        .fetch_all(&mut *c)
        .await?;
        Ok(OrderDetail { order, deliveries, invoices, pending })
    }

    pub async fn invoice(&self, id: &str) -> Result<Invoice> {
        let iid: InvoiceId = parse_id(id, "invoice")?;
        match docs::load(&mut *self.conn().await?, iid.as_uuid()).await? {
            Some(Doc::Invoice(i)) => Ok(i),
            _ => Err(bad("invoice", format!("no invoice {iid}"))),
        }
    }

    /// A customer's statement in the currency of their documents: invoices and refunds owed,
    /// payments and credit notes received, with a running balance.
    pub async fn statement(&self, account: &str, from: Option<&str>, to: Option<&str>) -> Result<ledger::Statement> {
        let facts = self.customer_facts(account).await?;
        let aid: AccountId = parse_id(account, "account")?;
        let name = match store::load_account(&mut *self.conn().await?, aid).await? {
            Existing::Live(a) => a.name.to_string(),
            _ => String::new(),
        };
        let mut items = Vec::new();
        for i in facts.invoices.iter().filter(|i| i.status == invoice::InvoiceStatus::Posted) {
            let (debit, credit, what) = match i.kind {
                InvoiceKind::Invoice => (i.totals.total, Decimal::ZERO, "Invoice"),
                InvoiceKind::CreditNote => (Decimal::ZERO, i.totals.total, "Credit note"),
            };
            items.push(ledger::StatementItem {
                date: i.date,
                reference: i.reference(),
                description: format!("{what} {}", i.order_number.clone().unwrap_or_default()).trim().to_owned(),
                debit,
                credit,
            });
        }
        for p in &facts.payments {
            let (debit, credit, what) = match p.kind {
                payment::PaymentKind::Receipt => (Decimal::ZERO, p.amount, "Payment"),
                payment::PaymentKind::Refund => (p.amount, Decimal::ZERO, "Refund"),
            };
            items.push(ledger::StatementItem {
                date: p.date,
                reference: p.number.clone(),
                description: what.into(),
                debit,
                credit,
            });
        }
        let from = match from {
            Some(f) => parse_date(f, "from")?,
            None => items.iter().map(|i| i.date).min().unwrap_or_else(today),
        };
        let to = date_or_today(to, "to")?;
        Ok(ledger::statement(aid, &name, &items, from, to))
    }

    /// The invoice (or credit note) as a printable PDF.
    pub async fn invoice_pdf(&self, id: &str) -> Result<Vec<u8>> {
        let inv = self.invoice(id).await?;
        Ok(crate::pdf::invoice_pdf(&inv, ""))
    }

    /// A customer's back-office facts (the account view), read-only and offline.
    pub async fn customer_facts(&self, account: &str) -> Result<CustomerFacts> {
        let aid: AccountId = parse_id(account, "account")?;
        let mut c = self.conn().await?;
        let terms = terms(&mut c, aid).await?;
        let a = aid.to_string();
        let orders: Vec<SalesOrder> = docs::of_account(&mut c, &a, "order")
            .await?
            .into_iter()
            .filter_map(|d| if let Doc::Order(x) = d { Some(x) } else { None })
            .collect();
        let deliveries: Vec<Delivery> = docs::of_account(&mut c, &a, "delivery")
            .await?
            .into_iter()
            .filter_map(|d| if let Doc::Delivery(x) = d { Some(x) } else { None })
            .collect();
        let invoices: Vec<Invoice> = docs::of_account(&mut c, &a, "invoice")
            .await?
            .into_iter()
            .filter_map(|d| if let Doc::Invoice(x) = d { Some(x) } else { None })
            .collect();
        let payments: Vec<Payment> = docs::of_account(&mut c, &a, "payment")
            .await?
            .into_iter()
            .filter_map(|d| if let Doc::Payment(x) = d { Some(x) } else { None })
            .collect();
        let open_balance: Decimal = invoices.iter().filter(|i| i.is_open()).map(|i| i.signed(i.residual)).sum();
        let open_orders: Decimal = orders.iter().map(SalesOrder::open_amount).sum();
        let exposure = order::Exposure { open_receivables: open_balance, open_orders };
        let credit_available = order::credit_available(&terms, &exposure);
        Ok(CustomerFacts {
            over_limit: credit_available.is_some_and(|a| a < Decimal::ZERO),
            terms,
            orders,
            deliveries,
            invoices,
            payments,
            open_balance,
            open_orders,
            credit_available,
        })
    }

    /// The journal, if this user's replica holds it (the back office's; never a sales rep's).
    pub async fn journal(&self) -> Result<Vec<JournalEntry>> {
        self.ledger_allowed().await?;
        Ok(docs::of_kind(&mut *self.conn().await?, "journal")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Journal(j) => Some(j),
                _ => None,
            })
            .collect())
    }

    async fn ledger_allowed(&self) -> Result<()> {
        let role = meta_get(&mut *self.conn().await?, "role").await?;
        if role.as_deref().is_some_and(|r| !tandem_core::scope::sees_ledger(r)) {
            return Err(ReplicaError::Rule(RuleError::Forbidden("sales reps do not see the ledger".into())));
        }
        Ok(())
    }

    pub async fn trial_balance(&self, from: Option<&str>, to: Option<&str>) -> Result<TrialBalance> {
        let (from, to) = (from.map(|f| parse_date(f, "from")).transpose()?, date_or_today(to, "to")?);
        Ok(ledger::trial_balance(&Chart::standard(), &self.journal().await?, from, to))
    }

    pub async fn profit_and_loss(&self, from: Option<&str>, to: Option<&str>) -> Result<ProfitAndLoss> {
        let (from, to) = (from.map(|f| parse_date(f, "from")).transpose()?, date_or_today(to, "to")?);
        Ok(ledger::profit_and_loss(&Chart::standard(), &self.journal().await?, from, to))
    }

    pub async fn balance_sheet(&self, at: Option<&str>) -> Result<BalanceSheet> {
        let at = date_or_today(at, "at")?;
        Ok(ledger::balance_sheet(&Chart::standard(), &self.journal().await?, at))
    }

    /// Receivables aging in the company currency (invoices at their own rate).
    pub async fn aging(&self, as_of: Option<&str>) -> Result<Aging> {
        let as_of = date_or_today(as_of, "as_of")?;
        let items: Vec<OpenItem> = docs::of_kind(&mut *self.conn().await?, "invoice")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Invoice(i) if i.is_open() => Some(OpenItem {
                    customer: i.account,
                    customer_name: i.customer_name.clone(),
                    reference: i.reference(),
                    due: i.due,
                    residual: i.signed(i.residual_company),
                }),
                _ => None,
            })
            .collect();
        Ok(ledger::aging(&items, as_of))
    }

    /// The journal as a plain-text ledger file (hledger / ledger-cli).
    pub async fn ledger_text(&self) -> Result<String> {
        Ok(ledger::to_ledger_text(&Chart::standard(), &self.journal().await?))
    }

    /// Credit notes are invoices of kind credit note; this lists both.
    pub fn is_credit_note(i: &Invoice) -> bool {
        i.kind == InvoiceKind::CreditNote
    }
}

async fn levels(conn: &mut SqliteConnection) -> Result<Vec<StockLevel>> {
    Ok(docs::of_kind(conn, "stock")
        .await?
        .into_iter()
        .filter_map(|d| match d {
            Doc::Stock(s) => Some(s),
            _ => None,
        })
        .collect())
}

fn parse_date(raw: &str, name: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| bad(name, format!("{raw:?} is not a date (YYYY-MM-DD)")))
}

fn date_or_today(raw: Option<&str>, name: &str) -> Result<NaiveDate> {
    raw.map_or_else(|| Ok(today()), |r| parse_date(r, name))
}
