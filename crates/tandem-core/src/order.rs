//! Sales orders and their state machine.
//!
//! ```text
//!            confirm (credit ok)                 deliver (part)          deliver (rest)
//!   draft ───────────────────────▶ confirmed ───────────────▶ partly ───────────────▶ delivered
//!     │  └── confirm (over limit, ──▶ held ──release──▶ confirmed        delivered       │
//!     │       policy "hold")            │                                               │ invoice posted
//!     │                                 │                                               ▼
//!     └──cancel──▶ cancelled ◀──cancel──┘ (and from confirmed, nothing delivered)    invoiced
//!                                                                                       │ all paid
//!                                                                                       ▼
//!                                                                                     closed
//! ```
//!
//! Only a draft is edited. Confirmation is decided by the server: the **credit check** (open
//! receivables + open confirmed orders + this order against the customer's limit) and the
//! **reservation** in the order's warehouse; what cannot be reserved is back-ordered with an
//! expected date (the product's lead time), and every line gets a promise date. After that the
//! order changes only through its transitions: deliver, invoice, cancel.

use crate::catalog::{unit_price, CustomerTerms, FiscalPosition, PriceList, PriceSource, Product, ProductKind};
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::id::{AccountId, OrderId, OrderLineId, ProductId, WarehouseId};
use crate::money::{Currency, Percent, Quantity, TaxRate};
use crate::pricing::{line_net, totals, Totals};
use crate::stock::{self, StockLevel};
use crate::Existing;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Days between confirmation and shipment of what is in stock.
pub const HANDLING_DAYS: u64 = 1;
/// Lead time of a product with none set, in days.
pub const DEFAULT_LEAD_DAYS: u64 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    /// Over the credit limit, waiting for a back-office release.
    Held,
    Confirmed,
    PartlyDelivered,
    Delivered,
    Invoiced,
    Closed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Held => "held",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::PartlyDelivered => "partly_delivered",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Invoiced => "invoiced",
            OrderStatus::Closed => "closed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// Counts against the credit limit (confirmed and not yet fully invoiced).
    pub fn is_open_commitment(&self) -> bool {
        matches!(self, OrderStatus::Confirmed | OrderStatus::PartlyDelivered | OrderStatus::Delivered)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub id: OrderLineId,
    pub product: ProductId,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub kind: ProductKind,
    pub qty: Quantity,
    pub unit_price: Decimal,
    pub price_source: PriceSource,
    pub discount: Percent,
    pub tax_rate: TaxRate,
    pub net: Decimal,
    #[serde(default = "zero_qty")]
    pub reserved: Quantity,
    #[serde(default = "zero_qty")]
    pub backorder: Quantity,
    #[serde(default = "zero_qty")]
    pub delivered: Quantity,
    #[serde(default = "zero_qty")]
    pub invoiced: Quantity,
    /// When we promise to ship the line (set on confirmation).
    #[serde(default)]
    pub promise_date: Option<NaiveDate>,
    /// When back-ordered units are expected.
    #[serde(default)]
    pub expected_date: Option<NaiveDate>,
}

fn zero_qty() -> Quantity {
    Quantity::ZERO
}

impl OrderLine {
    pub fn undelivered(&self) -> Quantity {
        self.qty.saturating_sub(self.delivered)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesOrder {
    pub id: OrderId,
    /// The order number, given by the server on confirmation ("SO-2026-00042").
    #[serde(default)]
    pub number: Option<String>,
    pub account: AccountId,
    pub customer_name: String,
    pub date: NaiveDate,
    pub currency: Currency,
    pub warehouse: WarehouseId,
    pub status: OrderStatus,
    pub fiscal_position: FiscalPosition,
    pub discount: Percent,
    pub lines: Vec<OrderLine>,
    pub totals: Totals,
    /// Gross amount invoiced so far (credit notes deducted).
    pub invoiced_amount: Decimal,
    #[serde(default)]
    pub hold_reason: Option<String>,
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

impl SalesOrder {
    /// The number, or a provisional reference for a draft.
    pub fn reference(&self) -> String {
        self.number.clone().unwrap_or_else(|| format!("SO-DRAFT-{}", &self.id.to_string()[..8]))
    }

    /// What is confirmed and not yet invoiced (counts against the credit limit).
    pub fn open_amount(&self) -> Decimal {
        if self.status.is_open_commitment() {
            (self.totals.total - self.invoiced_amount).max(Decimal::ZERO)
        } else {
            Decimal::ZERO
        }
    }

    fn recompute(&mut self) {
        let lines: Vec<(Decimal, TaxRate)> = self.lines.iter().map(|l| (l.net, l.tax_rate)).collect();
        self.totals = totals(self.currency, &lines, self.discount);
    }

    /// Status after a delivery or an invoice (never moves a draft, held or cancelled order).
    fn settle_status(&mut self) {
        if !matches!(
            self.status,
            OrderStatus::Confirmed | OrderStatus::PartlyDelivered | OrderStatus::Delivered | OrderStatus::Invoiced
        ) {
            return;
        }
        let all_delivered = self.lines.iter().all(|l| l.delivered >= l.qty);
        let any_delivered = self.lines.iter().any(|l| !l.delivered.is_zero());
        let all_invoiced = self.lines.iter().all(|l| l.invoiced >= l.qty);
        self.status = if all_delivered && all_invoiced {
            OrderStatus::Invoiced
        } else if all_delivered {
            OrderStatus::Delivered
        } else if any_delivered {
            OrderStatus::PartlyDelivered
        } else {
            OrderStatus::Confirmed
        };
    }

    fn refuse_unless(&self, allowed: &[OrderStatus], action: &str) -> Result<(), RuleError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(RuleError::Invalid(
                FieldError::new(
                    "status",
                    format!("order {} is {}: it cannot be {action}", self.reference(), self.status.as_str()),
                )
                .into(),
            ))
        }
    }
}

/// One line as a user enters it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrderLine {
    pub id: OrderLineId,
    pub product: ProductId,
    pub qty: Quantity,
    #[serde(default)]
    pub discount: Option<Percent>,
}

/// The arguments of `order.create`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub id: OrderId,
    pub account: AccountId,
    pub date: NaiveDate,
    pub warehouse: WarehouseId,
    #[serde(default)]
    pub discount: Option<Percent>,
    pub lines: Vec<NewOrderLine>,
}

/// What pricing an order needs to know, loaded by the caller (device or server).
#[derive(Debug)]
pub struct OrderContext<'a> {
    pub customer_name: &'a str,
    pub terms: &'a CustomerTerms,
    pub products: &'a BTreeMap<ProductId, Product>,
    pub price_lists: &'a [PriceList],
}

fn invalid(field: impl Into<String>, msg: impl Into<String>) -> RuleError {
    RuleError::Invalid(FieldError::new(field, msg).into())
}

/// The rule of `order.create`: a draft priced from the price lists and the customer's terms.
pub fn create(
    existing: Existing<&SalesOrder>,
    new: &NewOrder,
    ctx: &OrderContext<'_>,
) -> Result<SalesOrder, RuleError> {
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "order", id: new.id.to_string() });
    }
    if new.lines.is_empty() {
        return Err(invalid("lines", "an order needs at least one line"));
    }
    let currency = ctx.terms.currency;
    let mut errors = ValidationErrors::default();
    let mut lines = Vec::with_capacity(new.lines.len());
    for (i, l) in new.lines.iter().enumerate() {
        let field = format!("lines[{}]", i + 1);
        let Some(p) = ctx.products.get(&l.product) else {
            errors.push(FieldError::new(field, format!("product {} does not exist", l.product)));
            continue;
        };
        if !p.active {
            errors.push(FieldError::new(field, format!("{} is no longer sold", p.sku)));
            continue;
        }
        if l.qty.is_zero() {
            errors.push(FieldError::new(field, format!("{}: the quantity must be above zero", p.sku)));
            continue;
        }
        match unit_price(p, l.qty, currency, new.account, new.date, ctx.price_lists) {
            Ok((price, source)) => {
                let discount = l.discount.unwrap_or(Percent::ZERO);
                lines.push(OrderLine {
                    id: l.id,
                    product: p.id,
                    sku: p.sku.to_string(),
                    name: p.name.to_string(),
                    unit: p.unit.to_string(),
                    kind: p.kind,
                    qty: l.qty,
                    unit_price: price,
                    price_source: source,
                    discount,
                    tax_rate: ctx.terms.fiscal_position.tax_rate(p.tax_rate),
                    net: line_net(currency, l.qty, price, discount),
                    reserved: Quantity::ZERO,
                    backorder: Quantity::ZERO,
                    delivered: Quantity::ZERO,
                    invoiced: Quantity::ZERO,
                    promise_date: None,
                    expected_date: None,
                });
            }
            Err(RuleError::Invalid(e)) => {
                for f in e.0 {
                    errors.push(FieldError::new(field.clone(), f.message));
                }
            }
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(RuleError::Invalid(errors));
    }
    let mut order = SalesOrder {
        id: new.id,
        number: None,
        account: new.account,
        customer_name: ctx.customer_name.to_owned(),
        date: new.date,
        currency,
        warehouse: new.warehouse,
        status: OrderStatus::Draft,
        fiscal_position: ctx.terms.fiscal_position,
        discount: new.discount.or(ctx.terms.discount).unwrap_or(Percent::ZERO),
        lines,
        totals: Totals::zero(currency),
        invoiced_amount: Decimal::ZERO,
        hold_reason: None,
        cancel_reason: None,
    };
    order.recompute();
    Ok(order)
}

/// The rule of `order.update`: a draft's lines and discount replaced, priced again. Anything
/// past a draft changes only through its transitions.
pub fn update_draft(existing: &SalesOrder, new: &NewOrder, ctx: &OrderContext<'_>) -> Result<SalesOrder, RuleError> {
    existing.refuse_unless(&[OrderStatus::Draft], "edited")?;
    if new.account != existing.account {
        return Err(invalid("account", "the customer of an order does not change: cancel it and make a new one"));
    }
    create(Existing::Missing, new, ctx)
}

/// What the customer already owes and has ordered, in the currency of their credit limit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    pub open_receivables: Decimal,
    pub open_orders: Decimal,
}

/// What is left of the customer's credit limit (`None` without a limit; negative when over it).
pub fn credit_available(terms: &CustomerTerms, exposure: &Exposure) -> Option<Decimal> {
    terms.credit_limit.map(|l| l - exposure.open_receivables - exposure.open_orders)
}

/// The credit check: `Err(message with the figures)` when the order would exceed the limit.
pub fn credit_check(order: &SalesOrder, terms: &CustomerTerms, exposure: &Exposure) -> Result<(), String> {
    let Some(limit) = terms.credit_limit else { return Ok(()) };
    let c = terms.currency;
    let total = exposure.open_receivables + exposure.open_orders + order.totals.total;
    if total <= limit {
        return Ok(());
    }
    Err(format!(
        "order {} exceeds credit limit {} by {} (open invoices {} + open orders {} + this order {})",
        order.reference(),
        c.format(limit),
        c.format(total - limit),
        c.format(exposure.open_receivables),
        c.format(exposure.open_orders),
        c.format(order.totals.total),
    ))
}

/// Reserves what each line needs in the order's warehouse, back-orders the rest, and sets the
/// promise dates. `levels` holds the order's products in its warehouse (missing = empty).
fn reserve_lines(
    order: &mut SalesOrder,
    products: &BTreeMap<ProductId, Product>,
    levels: &mut BTreeMap<ProductId, StockLevel>,
    today: NaiveDate,
) -> Result<(), RuleError> {
    let ship = today.checked_add_days(Days::new(HANDLING_DAYS)).unwrap_or(today);
    let expected = today.checked_add_days(Days::new(DEFAULT_LEAD_DAYS)).unwrap_or(today);
    for line in &mut order.lines {
        let product = products
            .get(&line.product)
            .ok_or_else(|| RuleError::NotFound { entity: "product", id: line.product.to_string() })?;
        if line.kind == ProductKind::Service {
            line.promise_date = Some(ship);
            continue;
        }
        let level = levels.entry(line.product).or_insert_with(|| StockLevel::empty(line.product, order.warehouse));
        let need = line.undelivered().saturating_sub(line.reserved);
        let got = stock::reserve(level, product, need);
        line.reserved = line.reserved.plus(got);
        line.backorder = need.saturating_sub(got);
        if line.backorder.is_zero() {
            line.expected_date = None;
            line.promise_date = Some(ship);
        } else {
            line.expected_date = Some(expected);
            line.promise_date = Some(expected);
        }
    }
    Ok(())
}

/// What a confirmation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmed {
    Confirmed,
    /// Over the credit limit under the "hold" policy: waits for a release.
    Held(String),
}

/// The rule of `order.confirm` (server side): credit check, then reservation.
#[allow(clippy::too_many_arguments)]
pub fn confirm(
    order: &mut SalesOrder,
    number: String,
    terms: &CustomerTerms,
    exposure: &Exposure,
    products: &BTreeMap<ProductId, Product>,
    levels: &mut BTreeMap<ProductId, StockLevel>,
    today: NaiveDate,
) -> Result<Confirmed, RuleError> {
    order.refuse_unless(&[OrderStatus::Draft], "confirmed")?;
    if let Err(msg) = credit_check(order, terms, exposure) {
        match terms.credit_policy {
            crate::catalog::CreditPolicy::Refuse => return Err(RuleError::CreditLimit(msg)),
            crate::catalog::CreditPolicy::Hold => {
                order.status = OrderStatus::Held;
                order.number = Some(number);
                order.hold_reason = Some(msg.clone());
                return Ok(Confirmed::Held(msg));
            }
        }
    }
    order.number = Some(number);
    reserve_lines(order, products, levels, today)?;
    order.status = OrderStatus::Confirmed;
    Ok(Confirmed::Confirmed)
}

/// The rule of `order.release` (back office): a held order is confirmed and reserved.
pub fn release(
    order: &mut SalesOrder,
    products: &BTreeMap<ProductId, Product>,
    levels: &mut BTreeMap<ProductId, StockLevel>,
    today: NaiveDate,
) -> Result<(), RuleError> {
    order.refuse_unless(&[OrderStatus::Held], "released")?;
    reserve_lines(order, products, levels, today)?;
    order.status = OrderStatus::Confirmed;
    order.hold_reason = None;
    Ok(())
}

/// Tries again to reserve the back-ordered quantities (after a receipt).
pub fn rereserve(
    order: &mut SalesOrder,
    products: &BTreeMap<ProductId, Product>,
    levels: &mut BTreeMap<ProductId, StockLevel>,
    today: NaiveDate,
) -> Result<(), RuleError> {
    if matches!(order.status, OrderStatus::Confirmed | OrderStatus::PartlyDelivered) {
        reserve_lines(order, products, levels, today)?;
    }
    Ok(())
}

/// The rule of `order.cancel`: a draft, a held order, or a confirmed order of which nothing was
/// delivered; reservations go back to stock.
pub fn cancel(
    order: &mut SalesOrder,
    reason: String,
    levels: &mut BTreeMap<ProductId, StockLevel>,
) -> Result<(), RuleError> {
    order.refuse_unless(&[OrderStatus::Draft, OrderStatus::Held, OrderStatus::Confirmed], "cancelled")?;
    if order.lines.iter().any(|l| !l.delivered.is_zero()) {
        return Err(invalid("status", format!("order {} has deliveries: return them first", order.reference())));
    }
    for line in &mut order.lines {
        if let Some(level) = levels.get_mut(&line.product) {
            stock::unreserve(level, line.reserved);
        }
        line.reserved = Quantity::ZERO;
        line.backorder = Quantity::ZERO;
    }
    order.status = OrderStatus::Cancelled;
    order.cancel_reason = Some(reason);
    Ok(())
}

/// One delivered line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveredLine {
    pub order_line: OrderLineId,
    pub product: ProductId,
    pub sku: String,
    pub qty: Quantity,
    /// Cost at average cost, company currency (0 for services).
    pub cost: Decimal,
}

/// A shipment: what left the warehouse for an order, when, and with whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub id: crate::id::DeliveryId,
    pub number: String,
    pub order: OrderId,
    pub order_number: String,
    pub account: AccountId,
    pub customer_name: String,
    pub warehouse: WarehouseId,
    pub date: NaiveDate,
    /// The earliest promise date of the shipped lines (promised vs actual).
    #[serde(default)]
    pub promised: Option<NaiveDate>,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking: Option<String>,
    pub lines: Vec<DeliveredLine>,
    /// Cost of goods sold, company currency.
    pub cost: Decimal,
}

/// The rule of `order.deliver`: ships `wanted` (`None` = everything that can ship now),
/// taking the line's reservation first and free stock after it. Returns the shipped lines.
pub fn deliver(
    order: &mut SalesOrder,
    wanted: Option<&[(ProductId, Quantity)]>,
    products: &BTreeMap<ProductId, Product>,
    levels: &mut BTreeMap<ProductId, StockLevel>,
    company: Currency,
) -> Result<Vec<DeliveredLine>, RuleError> {
    order.refuse_unless(&[OrderStatus::Confirmed, OrderStatus::PartlyDelivered], "delivered")?;
    // How much of each product to ship.
    let mut asked: BTreeMap<ProductId, Quantity> = BTreeMap::new();
    match wanted {
        Some(w) => {
            for (p, q) in w {
                if !order.lines.iter().any(|l| l.product == *p) {
                    let sku = products.get(p).map_or_else(|| p.to_string(), |x| x.sku.to_string());
                    return Err(invalid("line", format!("{sku} is not on order {}", order.reference())));
                }
                let e = asked.entry(*p).or_insert(Quantity::ZERO);
                *e = e.plus(*q);
            }
            for (p, q) in &asked {
                let open: Decimal = order.lines.iter().filter(|l| l.product == *p).map(|l| l.undelivered().get()).sum();
                if q.get() > open {
                    let sku = products.get(p).map_or_else(|| p.to_string(), |x| x.sku.to_string());
                    return Err(invalid(
                        "line",
                        format!(
                            "{sku}: {} asked, {} left to deliver on order {}",
                            q,
                            open.normalize(),
                            order.reference()
                        ),
                    ));
                }
            }
        }
        None => {
            for l in &order.lines {
                let free = match l.kind {
                    ProductKind::Service => l.undelivered(),
                    ProductKind::Goods => {
                        let avail = levels.get(&l.product).map_or(Decimal::ZERO, |s| s.available().max(Decimal::ZERO));
                        let allow = products.get(&l.product).is_some_and(|p| p.allow_negative);
                        if allow {
                            l.undelivered()
                        } else {
                            Quantity::new(l.reserved.get() + avail).unwrap_or(Quantity::ZERO).min(l.undelivered())
                        }
                    }
                };
                if !free.is_zero() {
                    let e = asked.entry(l.product).or_insert(Quantity::ZERO);
                    *e = e.plus(free);
                }
            }
        }
    }
    let mut shipped = Vec::new();
    for line in &mut order.lines {
        let Some(left) = asked.get_mut(&line.product) else { continue };
        let q = (*left).min(line.undelivered());
        if q.is_zero() {
            continue;
        }
        *left = left.saturating_sub(q);
        let product = products
            .get(&line.product)
            .ok_or_else(|| RuleError::NotFound { entity: "product", id: line.product.to_string() })?;
        let cost = if line.kind == ProductKind::Goods {
            let level = levels.entry(line.product).or_insert_with(|| StockLevel::empty(line.product, order.warehouse));
            let from_reserved = line.reserved.min(q);
            let cost = stock::issue(level, product, q, from_reserved, company)?;
            line.reserved = line.reserved.saturating_sub(from_reserved);
            cost
        } else {
            Decimal::ZERO
        };
        line.delivered = line.delivered.plus(q);
        line.backorder = line.backorder.min(line.undelivered().saturating_sub(line.reserved));
        shipped.push(DeliveredLine { order_line: line.id, product: line.product, sku: line.sku.clone(), qty: q, cost });
    }
    if shipped.is_empty() {
        return Err(invalid(
            "line",
            format!("nothing of order {} can be delivered now: the open lines are back-ordered", order.reference()),
        ));
    }
    order.settle_status();
    Ok(shipped)
}

/// An invoice (or credit note, negative `qty_sign`) moved the invoiced quantities of lines.
pub fn record_invoiced(order: &mut SalesOrder, lines: &[(OrderLineId, Quantity)], credit: bool, gross: Decimal) {
    for (id, q) in lines {
        if let Some(l) = order.lines.iter_mut().find(|l| l.id == *id) {
            l.invoiced = if credit { l.invoiced.saturating_sub(*q) } else { l.invoiced.plus(*q) };
        }
    }
    if credit {
        order.invoiced_amount -= gross;
    } else {
        order.invoiced_amount += gross;
    }
    if order.status == OrderStatus::Closed && credit {
        order.status = OrderStatus::Invoiced;
    }
    order.settle_status();
}

/// The order is closed once everything is invoiced and its invoices are paid.
pub fn close_if_paid(order: &mut SalesOrder, all_invoices_paid: bool) {
    if order.status == OrderStatus::Invoiced && all_invoices_paid {
        order.status = OrderStatus::Closed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CreditPolicy, ProductInput};
    use crate::stock::main_warehouse;
    use uuid::Uuid;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).expect("qty")
    }

    fn day() -> NaiveDate {
        "2026-11-23".parse().expect("date")
    }

    fn product(n: u128, sku: &str, price: &str) -> Product {
        Product::parse(
            ProductId::from_uuid(Uuid::from_u128(n)),
            &ProductInput {
                sku: Some(sku.into()),
                name: Some(sku.into()),
                tax_rate: Some("19".into()),
                price: Some(price.into()),
                cost: Some("10".into()),
                ..Default::default()
            },
            Currency::EUR,
        )
        .expect("product")
    }

    struct World {
        products: BTreeMap<ProductId, Product>,
        terms: CustomerTerms,
        levels: BTreeMap<ProductId, StockLevel>,
    }

    fn world() -> World {
        let a = product(1, "CHAIR", "100");
        let b = product(2, "DESK", "400");
        let mut levels = BTreeMap::new();
        let mut l = StockLevel::empty(a.id, main_warehouse().id);
        stock::receive(&mut l, q("10"), d("40"), Currency::EUR).expect("receipt");
        levels.insert(a.id, l);
        let terms = CustomerTerms::default_for(AccountId::from_uuid(Uuid::from_u128(9)), Currency::EUR);
        World { products: [(a.id, a), (b.id, b)].into_iter().collect(), terms, levels }
    }

    fn draft(w: &World, lines: &[(u128, &str)]) -> SalesOrder {
        let ctx = OrderContext { customer_name: "ACME", terms: &w.terms, products: &w.products, price_lists: &[] };
        let new = NewOrder {
            id: OrderId::from_uuid(Uuid::from_u128(100)),
            account: w.terms.account,
            date: day(),
            warehouse: main_warehouse().id,
            discount: None,
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, (p, qty))| NewOrderLine {
                    id: OrderLineId::from_uuid(Uuid::from_u128(200 + i as u128)),
                    product: ProductId::from_uuid(Uuid::from_u128(*p)),
                    qty: q(qty),
                    discount: None,
                })
                .collect(),
        };
        create(Existing::Missing, &new, &ctx).expect("a valid draft")
    }

    #[test]
    fn over_the_credit_limit_a_confirmation_is_refused_with_the_figures() {
        let mut w = world();
        w.terms.credit_limit = Some(d("5000"));
        let mut o = draft(&w, &[(1, "3"), (2, "6")]); // 300 + 2400 = 2700 net, 3213.00 gross
        let exposure = Exposure { open_receivables: d("2000"), open_orders: d("1619.96") };
        let e = confirm(&mut o, "SO-2026-00001".into(), &w.terms, &exposure, &w.products, &mut w.levels, day())
            .expect_err("over the limit");
        assert_eq!(e.code(), "credit_limit");
        assert!(
            e.to_string().contains("exceeds credit limit 5,000.00 EUR by 1,832.96 EUR"),
            "the refusal explains itself with the figures: {e}"
        );
        assert_eq!(o.status, OrderStatus::Draft, "a refused confirmation changes nothing");
        assert_eq!(w.levels[&ProductId::from_uuid(Uuid::from_u128(1))].reserved, Decimal::ZERO);

        w.terms.credit_policy = CreditPolicy::Hold;
        let held = confirm(&mut o, "SO-2026-00001".into(), &w.terms, &exposure, &w.products, &mut w.levels, day())
            .expect("held");
        assert!(matches!(held, Confirmed::Held(_)));
        assert_eq!(o.status, OrderStatus::Held);
        release(&mut o, &w.products, &mut w.levels, day()).expect("a back-office release confirms it");
        assert_eq!(o.status, OrderStatus::Confirmed);
    }

    #[test]
    fn what_cannot_be_reserved_is_back_ordered_with_an_expected_date() {
        let mut w = world();
        let mut o = draft(&w, &[(1, "12"), (2, "1")]);
        confirm(&mut o, "SO-1".into(), &w.terms, &Exposure::default(), &w.products, &mut w.levels, day()).expect("ok");
        let chair = &o.lines[0];
        assert_eq!((chair.reserved, chair.backorder), (q("10"), q("2")));
        assert_eq!(chair.promise_date, Some("2026-12-07".parse().expect("date")), "the lead time decides");
        assert_eq!(o.lines[1].backorder, q("1"), "no desks in stock");
        let shipped = deliver(&mut o, None, &w.products, &mut w.levels, Currency::EUR).expect("ship what is there");
        assert_eq!(shipped.len(), 1);
        assert_eq!((shipped[0].qty, shipped[0].cost), (q("10"), d("400.00")));
        assert_eq!(o.status, OrderStatus::PartlyDelivered);
        let e = deliver(&mut o, None, &w.products, &mut w.levels, Currency::EUR).expect_err("nothing left in stock");
        assert!(e.to_string().contains("back-ordered"), "{e}");
        let e = cancel(&mut o, "changed mind".into(), &mut w.levels).expect_err("delivered orders are not cancelled");
        assert!(e.to_string().contains("cannot be cancelled"), "{e}");
    }

    #[test]
    fn a_confirmed_order_changes_only_through_its_transitions() {
        let mut w = world();
        let mut o = draft(&w, &[(1, "2")]);
        let e = deliver(&mut o, None, &w.products, &mut w.levels, Currency::EUR).expect_err("a draft is not shipped");
        assert!(e.to_string().contains("is draft: it cannot be delivered"), "{e}");
        confirm(&mut o, "SO-2".into(), &w.terms, &Exposure::default(), &w.products, &mut w.levels, day()).expect("ok");
        let again = confirm(&mut o, "SO-3".into(), &w.terms, &Exposure::default(), &w.products, &mut w.levels, day());
        assert!(again.is_err(), "confirmed twice");
        let ctx = OrderContext { customer_name: "ACME", terms: &w.terms, products: &w.products, price_lists: &[] };
        let edit = NewOrder {
            id: o.id,
            account: o.account,
            date: day(),
            warehouse: o.warehouse,
            discount: None,
            lines: vec![NewOrderLine {
                id: OrderLineId::from_uuid(Uuid::from_u128(300)),
                product: ProductId::from_uuid(Uuid::from_u128(1)),
                qty: q("5"),
                discount: None,
            }],
        };
        let e = update_draft(&o, &edit, &ctx).expect_err("a confirmed order is not edited");
        assert!(e.to_string().contains("is confirmed: it cannot be edited"), "{e}");
        cancel(&mut o, "customer called".into(), &mut w.levels).expect("nothing delivered yet");
        assert_eq!(w.levels[&ProductId::from_uuid(Uuid::from_u128(1))].reserved, Decimal::ZERO, "reservation released");
    }

    #[test]
    fn a_delivery_of_more_than_ordered_or_of_another_product_is_refused() {
        let mut w = world();
        let mut o = draft(&w, &[(1, "2")]);
        confirm(&mut o, "SO-4".into(), &w.terms, &Exposure::default(), &w.products, &mut w.levels, day()).expect("ok");
        let chair = ProductId::from_uuid(Uuid::from_u128(1));
        let desk = ProductId::from_uuid(Uuid::from_u128(2));
        let e =
            deliver(&mut o, Some(&[(chair, q("3"))]), &w.products, &mut w.levels, Currency::EUR).expect_err("3 > 2");
        assert!(e.to_string().contains("3 asked, 2 left"), "{e}");
        let e = deliver(&mut o, Some(&[(desk, q("1"))]), &w.products, &mut w.levels, Currency::EUR).expect_err("desk");
        assert!(e.to_string().contains("DESK is not on order"), "{e}");
        deliver(&mut o, Some(&[(chair, q("1"))]), &w.products, &mut w.levels, Currency::EUR).expect("partial");
        deliver(&mut o, Some(&[(chair, q("1"))]), &w.products, &mut w.levels, Currency::EUR).expect("rest");
        assert_eq!(o.status, OrderStatus::Delivered);
    }
}
