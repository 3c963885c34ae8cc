//! Quotes (configure, price, quote): an offer that becomes a sales order when accepted.
//!
//! ```text
//!  draft ──send──────────────────────────────────────▶ sent ──accept──▶ accepted (→ order)
//!    │                                                  ▲   └─reject──▶ rejected
//!    └─request approval─▶ pending ──approve──▶ approved ┘
//!                            └──refuse──▶ draft
//!  any open state past valid_until ──expire──▶ expired;  an edit of an open quote ──▶ draft
//! ```
//!
//! **Pricing is the order's.** A quote is priced by building the sales order it would become
//! and pricing that with [`crate::order::create`] (price lists, quantity breaks, customer terms,
//! fiscal position, [`crate::pricing`]'s rounding), on the day the quote is priced. Accepting
//! builds the very same order input, dated that day, so the order's totals are the quote's; if
//! the catalog changed a quoted price in the meantime the acceptance is refused and the quote
//! must be revised, rather than the customer getting another price than the one accepted.
//!
//! **Optional lines** are offered but not in the total until selected. **Bundles** group
//! component lines under one name and quantity; each component is priced individually (its own
//! price list price and discount) and a bundle's price is the sum of its components, so the
//! order carries every component as a line: the warehouse ships them and nothing is priced
//! twice. A component's ordered quantity is its quantity per bundle × the bundle quantity.
//!
//! **Approval**: a quote with a line discount, the quote discount or the overall discount
//! above the company's threshold must be approved by a sales manager or an admin before it is
//! sent or accepted. Editing an approved quote sends it back to draft, to be approved again.

use super::{invalid, UserName};
use crate::catalog::PriceSource;
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{ItemName, Note};
use crate::id::{AccountId, DealId, OrderId, OrderLineId, PriceListId, ProductId, QuoteId, QuoteLineId, WarehouseId};
use crate::money::{Currency, Percent, Quantity, TaxRate};
use crate::order::{self, NewOrder, NewOrderLine, OrderContext};
use crate::pricing::Totals;
use crate::scope::{may, Duty};
use crate::Existing;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    Draft,
    PendingApproval,
    Approved,
    Sent,
    Accepted,
    Rejected,
    Expired,
}

impl QuoteStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteStatus::Draft => "draft",
            QuoteStatus::PendingApproval => "pending approval",
            QuoteStatus::Approved => "approved",
            QuoteStatus::Sent => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Rejected => "rejected",
            QuoteStatus::Expired => "expired",
        }
    }

    /// Still an offer (not accepted, rejected or expired).
    pub fn is_open(&self) -> bool {
        matches!(self, QuoteStatus::Draft | QuoteStatus::PendingApproval | QuoteStatus::Approved | QuoteStatus::Sent)
    }
}

/// A product line of a quote (alone or inside a bundle), with its price as the order gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteItem {
    pub id: QuoteLineId,
    pub product: ProductId,
    /// Per bundle inside a bundle.
    pub qty: Quantity,
    pub discount: Percent,
    /// Offered, in the total only when selected.
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub selected: bool,
    pub sku: String,
    pub name: String,
    pub unit_price: Decimal,
    pub price_source: PriceSource,
    pub tax_rate: TaxRate,
    /// Net of the line (for a component: for all bundles), as on the order.
    pub net: Decimal,
}

impl QuoteItem {
    fn counts(&self) -> bool {
        !self.optional || self.selected
    }
}

/// A named group of components sold together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteBundle {
    pub id: QuoteLineId,
    pub name: ItemName,
    /// How many bundles (whole bundles only).
    pub qty: u32,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub selected: bool,
    pub components: Vec<QuoteItem>,
    /// Σ net of the components that count.
    pub net: Decimal,
}

impl QuoteBundle {
    fn counts(&self) -> bool {
        !self.optional || self.selected
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum QuoteLine {
    Item(QuoteItem),
    Bundle(QuoteBundle),
}

/// Who asked for a discount approval, and who decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub requested_by: UserName,
    #[serde(default)]
    pub requested_at: Option<NaiveDate>,
    /// The rep's justification.
    #[serde(default)]
    pub reason: Option<Note>,
    #[serde(default)]
    pub granted_by: Option<UserName>,
    #[serde(default)]
    pub granted_at: Option<NaiveDate>,
    #[serde(default)]
    pub refused_by: Option<UserName>,
    #[serde(default)]
    pub refusal: Option<Note>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub id: QuoteId,
    /// Given by the server ("QU-2026-00012").
    #[serde(default)]
    pub number: Option<String>,
    pub account: AccountId,
    pub customer_name: String,
    #[serde(default)]
    pub deal: Option<DealId>,
    pub currency: Currency,
    /// The price list that priced every priced line, when it is one list (shown on the quote).
    #[serde(default)]
    pub price_list: Option<PriceListId>,
    pub lines: Vec<QuoteLine>,
    /// The quote discount (the order discount of the order it becomes).
    pub discount: Percent,
    pub status: QuoteStatus,
    pub valid_until: NaiveDate,
    /// The day the lines were priced (the date of the order it becomes).
    pub priced_on: NaiveDate,
    #[serde(default)]
    pub approval: Option<Approval>,
    /// Of the lines that count (not optional, or selected).
    pub totals: Totals,
    pub created: NaiveDate,
    #[serde(default)]
    pub sent_on: Option<NaiveDate>,
    /// Accepted, rejected or expired on.
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
    /// The order an accepted quote became.
    #[serde(default)]
    pub order: Option<OrderId>,
}

impl Quote {
    pub fn reference(&self) -> String {
        self.number.clone().unwrap_or_else(|| format!("QU-DRAFT-{}", &self.id.to_string()[..8]))
    }

    /// Every item, bundle components included, with whether it counts in the total.
    pub fn items(&self) -> Vec<(&QuoteItem, bool)> {
        let mut out = Vec::new();
        for line in &self.lines {
            match line {
                QuoteLine::Item(i) => out.push((i, i.counts())),
                QuoteLine::Bundle(b) => out.extend(b.components.iter().map(|c| (c, b.counts() && c.counts()))),
            }
        }
        out
    }

    fn refuse_unless(&self, allowed: &[QuoteStatus], action: &str) -> Result<(), RuleError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(RuleError::WrongState(format!(
                "quote {} is {}: it cannot be {action}",
                self.reference(),
                self.status.as_str()
            )))
        }
    }

    fn refuse_expired(&self, today: NaiveDate, action: &str) -> Result<(), RuleError> {
        if today > self.valid_until {
            return Err(RuleError::WrongState(format!(
                "quote {} was valid until {}: it cannot be {action} (revise it with a new validity)",
                self.reference(),
                self.valid_until
            )));
        }
        Ok(())
    }
}

/// A product line as the user enters it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewQuoteItem {
    pub id: QuoteLineId,
    pub product: ProductId,
    pub qty: Quantity,
    #[serde(default)]
    pub discount: Option<Percent>,
    #[serde(default)]
    pub optional: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum NewQuoteLine {
    Item(NewQuoteItem),
    Bundle {
        id: QuoteLineId,
        name: ItemName,
        qty: u32,
        #[serde(default)]
        optional: bool,
        components: Vec<NewQuoteItem>,
    },
}

/// The arguments of `quote.create` and `quote.update`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewQuote {
    pub id: QuoteId,
    pub account: AccountId,
    #[serde(default)]
    pub deal: Option<DealId>,
    pub valid_until: NaiveDate,
    /// None: the customer's default discount.
    #[serde(default)]
    pub discount: Option<Percent>,
    pub lines: Vec<NewQuoteLine>,
}

impl NewQuote {
    /// The products it names (to load for pricing).
    pub fn products(&self) -> Vec<ProductId> {
        let mut out = Vec::new();
        for l in &self.lines {
            match l {
                NewQuoteLine::Item(i) => out.push(i.product),
                NewQuoteLine::Bundle { components, .. } => out.extend(components.iter().map(|c| c.product)),
            }
        }
        out
    }
}

impl Quote {
    /// The products it names (to load for pricing).
    pub fn products(&self) -> Vec<ProductId> {
        self.items().into_iter().map(|(i, _)| i.product).collect()
    }
}

/// One order line a quote item becomes.
struct Flat {
    id: QuoteLineId,
    label: String,
    product: ProductId,
    qty: Quantity,
    discount: Percent,
    counts: bool,
}

fn order_line_id(id: QuoteLineId) -> OrderLineId {
    OrderLineId::from_uuid(id.as_uuid())
}

/// The order lines of a quote's items, in order (component quantities multiplied out).
fn flatten(lines: &[QuoteLine]) -> Result<Vec<Flat>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match line {
            QuoteLine::Item(it) => out.push(Flat {
                id: it.id,
                label: format!("lines[{}]", i + 1),
                product: it.product,
                qty: it.qty,
                discount: it.discount,
                counts: it.counts(),
            }),
            QuoteLine::Bundle(b) => {
                for (j, c) in b.components.iter().enumerate() {
                    let label = format!("lines[{}].components[{}]", i + 1, j + 1);
                    match Quantity::new(c.qty.get() * Decimal::from(b.qty)) {
                        Ok(qty) => out.push(Flat {
                            id: c.id,
                            label,
                            product: c.product,
                            qty,
                            discount: c.discount,
                            counts: b.counts() && c.counts(),
                        }),
                        Err(e) => {
                            errors.push(FieldError::new(label, format!("{} × {} bundles: {}", c.qty, b.qty, e.message)))
                        }
                    }
                }
            }
        }
    }
    errors.into_result(|| out)
}

fn order_of(q: &Quote, flat: &[Flat], order_id: OrderId, warehouse: WarehouseId) -> NewOrder {
    NewOrder {
        id: order_id,
        account: q.account,
        date: q.priced_on,
        warehouse,
        discount: Some(q.discount),
        lines: flat
            .iter()
            .filter(|f| f.counts)
            .map(|f| NewOrderLine {
                id: order_line_id(f.id),
                product: f.product,
                qty: f.qty,
                discount: Some(f.discount),
            })
            .collect(),
    }
}

/// Renames "lines[k]" of the flattened order in an order error to the quote's own line label.
fn relabel(e: RuleError, labels: &[String]) -> RuleError {
    match e {
        RuleError::Invalid(errs) => RuleError::Invalid(ValidationErrors(
            errs.0
                .into_iter()
                .map(|f| {
                    let k = f
                        .field
                        .strip_prefix("lines[")
                        .and_then(|r| r.strip_suffix(']'))
                        .and_then(|n| n.parse::<usize>().ok());
                    match k.and_then(|k| labels.get(k.wrapping_sub(1))) {
                        Some(l) => FieldError::new(l.clone(), f.message),
                        None => f,
                    }
                })
                .collect(),
        )),
        other => other,
    }
}

/// Prices every item through the order rules (see the module doc) and sets the totals.
fn price(q: &mut Quote, ctx: &OrderContext<'_>) -> Result<(), RuleError> {
    let flat = flatten(&q.lines).map_err(RuleError::Invalid)?;
    if flat.is_empty() {
        return Err(invalid("lines", "a quote needs at least one product line"));
    }
    let labels: Vec<String> = flat.iter().map(|f| f.label.clone()).collect();
    // Every item, optional ones too, so the quote shows their prices.
    let all = NewOrder {
        lines: flat
            .iter()
            .map(|f| NewOrderLine {
                id: order_line_id(f.id),
                product: f.product,
                qty: f.qty,
                discount: Some(f.discount),
            })
            .collect(),
        ..order_of(q, &flat, OrderId::from_uuid(q.id.as_uuid()), WarehouseId::from_uuid(q.id.as_uuid()))
    };
    let priced = order::create(Existing::Missing, &all, ctx).map_err(|e| relabel(e, &labels))?;
    let counted = order_of(q, &flat, OrderId::from_uuid(q.id.as_uuid()), WarehouseId::from_uuid(q.id.as_uuid()));
    q.totals = if counted.lines.is_empty() {
        Totals::zero(q.currency)
    } else {
        order::create(Existing::Missing, &counted, ctx).map_err(|e| relabel(e, &labels))?.totals
    };
    let set = |item: &mut QuoteItem| {
        if let Some(l) = priced.lines.iter().find(|l| l.id == order_line_id(item.id)) {
            item.sku = l.sku.clone();
            item.name = l.name.clone();
            item.unit_price = l.unit_price;
            item.price_source = l.price_source.clone();
            item.tax_rate = l.tax_rate;
            item.net = l.net;
        }
    };
    for line in &mut q.lines {
        match line {
            QuoteLine::Item(i) => set(i),
            QuoteLine::Bundle(b) => {
                b.components.iter_mut().for_each(set);
                b.net = b.components.iter().filter(|c| c.counts()).map(|c| c.net).sum();
            }
        }
    }
    let lists: BTreeSet<Option<PriceListId>> = priced
        .lines
        .iter()
        .map(|l| match &l.price_source {
            PriceSource::List { id, .. } => Some(*id),
            PriceSource::ProductPrice => None,
        })
        .collect();
    q.price_list = if lists.len() == 1 { lists.into_iter().next().flatten() } else { None };
    Ok(())
}

fn item_of(n: &NewQuoteItem) -> QuoteItem {
    QuoteItem {
        id: n.id,
        product: n.product,
        qty: n.qty,
        discount: n.discount.unwrap_or(Percent::ZERO),
        optional: n.optional,
        selected: false,
        sku: String::new(),
        name: String::new(),
        unit_price: Decimal::ZERO,
        price_source: PriceSource::ProductPrice,
        tax_rate: TaxRate::ZERO,
        net: Decimal::ZERO,
    }
}

fn lines_of(new: &NewQuote) -> Result<Vec<QuoteLine>, RuleError> {
    let mut errors = ValidationErrors::default();
    let mut ids = BTreeSet::new();
    let mut lines = Vec::new();
    for (i, l) in new.lines.iter().enumerate() {
        let mut check_id = |id: QuoteLineId, at: String| {
            if !ids.insert(id) {
                errors.push(FieldError::new(at, format!("line id {id} is used twice")));
            }
        };
        match l {
            NewQuoteLine::Item(it) => {
                check_id(it.id, format!("lines[{}]", i + 1));
                lines.push(QuoteLine::Item(item_of(it)));
            }
            NewQuoteLine::Bundle { id, name, qty, optional, components } => {
                check_id(*id, format!("lines[{}]", i + 1));
                for (j, c) in components.iter().enumerate() {
                    check_id(c.id, format!("lines[{}].components[{}]", i + 1, j + 1));
                }
                if *qty == 0 {
                    errors.push(FieldError::new(
                        format!("lines[{}].qty", i + 1),
                        format!("bundle \"{name}\": the quantity must be 1 or more"),
                    ));
                }
                if components.is_empty() {
                    errors.push(FieldError::new(
                        format!("lines[{}]", i + 1),
                        format!("bundle \"{name}\" has no components"),
                    ));
                }
                lines.push(QuoteLine::Bundle(QuoteBundle {
                    id: *id,
                    name: name.clone(),
                    qty: *qty,
                    optional: *optional,
                    selected: false,
                    components: components.iter().map(item_of).collect(),
                    net: Decimal::ZERO,
                }));
            }
        }
    }
    errors.into_result(|| lines).map_err(RuleError::Invalid)
}

/// `quote.create`: a draft priced today, valid until a day not in the past.
pub fn create(
    existing: Existing<&Quote>,
    new: &NewQuote,
    ctx: &OrderContext<'_>,
    today: NaiveDate,
) -> Result<Quote, RuleError> {
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "quote", id: new.id.to_string() });
    }
    if new.account != ctx.terms.account {
        return Err(invalid("account", "the customer terms given are another customer's"));
    }
    if new.valid_until < today {
        return Err(invalid("valid_until", format!("{} is in the past", new.valid_until)));
    }
    let currency = ctx.terms.currency;
    let mut q = Quote {
        id: new.id,
        number: None,
        account: new.account,
        customer_name: ctx.customer_name.to_owned(),
        deal: new.deal,
        currency,
        price_list: None,
        lines: lines_of(new)?,
        discount: new.discount.or(ctx.terms.discount).unwrap_or(Percent::ZERO),
        status: QuoteStatus::Draft,
        valid_until: new.valid_until,
        priced_on: today,
        approval: None,
        totals: Totals::zero(currency),
        created: today,
        sent_on: None,
        closed_on: None,
        order: None,
    };
    price(&mut q, ctx)?;
    Ok(q)
}

/// `quote.update`: lines, discount and validity replaced and priced again today. Any open quote
/// may be revised; it goes back to draft and a past approval no longer holds.
pub fn update(q: &Quote, new: &NewQuote, ctx: &OrderContext<'_>, today: NaiveDate) -> Result<Quote, RuleError> {
    q.refuse_unless(
        &[QuoteStatus::Draft, QuoteStatus::PendingApproval, QuoteStatus::Approved, QuoteStatus::Sent],
        "edited",
    )?;
    if new.account != q.account {
        return Err(invalid("account", "the customer of a quote does not change: make a new quote"));
    }
    let mut next = create(Existing::Missing, new, ctx, today)?;
    next.number = q.number.clone();
    next.created = q.created;
    next.deal = new.deal.or(q.deal);
    Ok(next)
}

/// Chooses which optional lines (items, bundles or components) the customer takes; the others
/// are left out. The totals are priced again on the quote's pricing day.
pub fn select_options(q: &mut Quote, selected: &[QuoteLineId], ctx: &OrderContext<'_>) -> Result<(), RuleError> {
    q.refuse_unless(
        &[QuoteStatus::Draft, QuoteStatus::PendingApproval, QuoteStatus::Approved, QuoteStatus::Sent],
        "changed",
    )?;
    let mut optional_ids = BTreeSet::new();
    for line in &q.lines {
        match line {
            QuoteLine::Item(i) if i.optional => {
                optional_ids.insert(i.id);
            }
            QuoteLine::Bundle(b) => {
                if b.optional {
                    optional_ids.insert(b.id);
                }
                optional_ids.extend(b.components.iter().filter(|c| c.optional).map(|c| c.id));
            }
            QuoteLine::Item(_) => {}
        }
    }
    if let Some(bad) = selected.iter().find(|id| !optional_ids.contains(id)) {
        return Err(invalid("selected", format!("line {bad} is not an optional line of quote {}", q.reference())));
    }
    let pick = |id: QuoteLineId| selected.contains(&id);
    let mut next = q.clone();
    for line in &mut next.lines {
        match line {
            QuoteLine::Item(i) => i.selected = i.optional && pick(i.id),
            QuoteLine::Bundle(b) => {
                b.selected = b.optional && pick(b.id);
                for c in &mut b.components {
                    c.selected = c.optional && pick(c.id);
                }
            }
        }
    }
    price(&mut next, ctx)?;
    *q = next;
    Ok(())
}

/// Why `q` needs an approval at `threshold` (empty: it does not): a line discount, the quote
/// discount, or the overall discount (list value of the lines that count against the net)
/// above the threshold. Every line is looked at, optional ones too, since the customer may
/// select them.
pub fn needs_approval(q: &Quote, threshold: Percent) -> Vec<String> {
    let mut why = Vec::new();
    for (item, _) in q.items() {
        if item.discount > threshold {
            why.push(format!("line {}: discount {} % is over {} %", item.sku, item.discount, threshold));
        }
    }
    if q.discount > threshold {
        why.push(format!("quote discount {} % is over {} %", q.discount, threshold));
    }
    if why.is_empty() {
        let list: Decimal = q
            .items()
            .iter()
            .filter(|(_, counts)| *counts)
            .map(|(i, _)| q.currency.round(i.qty.get() * i.unit_price * multiplier(q, i)))
            .sum();
        if list > Decimal::ZERO {
            let off = ((list - q.totals.net) * Decimal::ONE_HUNDRED / list).round_dp(2);
            if off > threshold.get() {
                why.push(format!("overall discount {} % is over {} %", off.normalize(), threshold));
            }
        }
    }
    why
}

/// The bundle quantity an item is multiplied by (1 outside bundles).
fn multiplier(q: &Quote, item: &QuoteItem) -> Decimal {
    q.lines
        .iter()
        .find_map(|l| match l {
            QuoteLine::Bundle(b) if b.components.iter().any(|c| c.id == item.id) => Some(Decimal::from(b.qty)),
            _ => None,
        })
        .unwrap_or(Decimal::ONE)
}

fn approved(q: &Quote) -> bool {
    q.approval.as_ref().is_some_and(|a| a.granted_by.is_some())
}

fn refuse_unapproved(q: &Quote, threshold: Percent, action: &str) -> Result<(), RuleError> {
    let why = needs_approval(q, threshold);
    if !why.is_empty() && !approved(q) {
        return Err(RuleError::ApprovalRequired(format!(
            "quote {} needs a sales manager's approval before it is {action}: {}",
            q.reference(),
            why.join("; ")
        )));
    }
    Ok(())
}

/// `quote.request_approval`: a draft whose discounts need it goes to the approvers.
pub fn request_approval(
    q: &mut Quote,
    by: UserName,
    reason: Option<Note>,
    threshold: Percent,
    today: NaiveDate,
) -> Result<(), RuleError> {
    q.refuse_unless(&[QuoteStatus::Draft], "sent for approval")?;
    if needs_approval(q, threshold).is_empty() {
        return Err(RuleError::WrongState(format!(
            "quote {} has no discount above {threshold} %: it needs no approval, send it",
            q.reference()
        )));
    }
    q.status = QuoteStatus::PendingApproval;
    q.approval = Some(Approval {
        requested_by: by,
        requested_at: Some(today),
        reason,
        granted_by: None,
        granted_at: None,
        refused_by: None,
        refusal: None,
    });
    Ok(())
}

fn approver_check(q: &Quote, by: &UserName, role: &str) -> Result<(), RuleError> {
    may(role, Duty::ApproveDiscounts)?;
    q.refuse_unless(&[QuoteStatus::PendingApproval], "approved or refused")?;
    if role != "admin" && q.approval.as_ref().is_some_and(|a| a.requested_by == *by) {
        return Err(RuleError::Forbidden(format!(
            "{by} asked for the approval of quote {}: another sales manager or an admin decides",
            q.reference()
        )));
    }
    Ok(())
}

/// `quote.approve`: by a sales manager or an admin, not the one who asked (an admin may).
pub fn approve(q: &mut Quote, by: UserName, role: &str, today: NaiveDate) -> Result<(), RuleError> {
    approver_check(q, &by, role)?;
    if let Some(a) = q.approval.as_mut() {
        a.granted_by = Some(by);
        a.granted_at = Some(today);
    }
    q.status = QuoteStatus::Approved;
    Ok(())
}

/// `quote.refuse_approval`: back to draft with the approver's reason.
pub fn refuse_approval(q: &mut Quote, by: UserName, role: &str, reason: Note) -> Result<(), RuleError> {
    approver_check(q, &by, role)?;
    if let Some(a) = q.approval.as_mut() {
        a.refused_by = Some(by);
        a.refusal = Some(reason);
    }
    q.status = QuoteStatus::Draft;
    Ok(())
}

/// `quote.send`: to the customer, if valid and approved where needed.
pub fn send(q: &mut Quote, threshold: Percent, today: NaiveDate) -> Result<(), RuleError> {
    q.refuse_unless(&[QuoteStatus::Draft, QuoteStatus::Approved, QuoteStatus::Sent], "sent")?;
    q.refuse_expired(today, "sent")?;
    refuse_unapproved(q, threshold, "sent")?;
    q.status = QuoteStatus::Sent;
    q.sent_on = Some(today);
    Ok(())
}

/// What an acceptance makes: the quote, accepted, and the order to create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub quote: Quote,
    /// The input of `order.create`; its lines carry the quote lines' ids.
    pub order: NewOrder,
}

/// `quote.accept`: the customer takes the quote with the optional lines in `selected`. Returns
/// the order input (dated on the pricing day, see the module doc) after checking that the
/// order it makes has exactly the quote's totals.
pub fn accept(
    q: &Quote,
    selected: &[QuoteLineId],
    order_id: OrderId,
    warehouse: WarehouseId,
    ctx: &OrderContext<'_>,
    threshold: Percent,
    today: NaiveDate,
) -> Result<Accepted, RuleError> {
    q.refuse_unless(&[QuoteStatus::Draft, QuoteStatus::Approved, QuoteStatus::Sent], "accepted")?;
    q.refuse_expired(today, "accepted")?;
    refuse_unapproved(q, threshold, "accepted")?;
    let mut next = q.clone();
    select_options(&mut next, selected, ctx)?;
    // The catalog may have changed since the quote was priced: the customer accepted these prices.
    for ((old, _), (new, _)) in q.items().iter().zip(next.items().iter()) {
        if old.unit_price != new.unit_price || old.tax_rate != new.tax_rate {
            return Err(RuleError::WrongState(format!(
                "the price of {} changed since quote {} was priced on {} ({} → {} {}): revise the quote",
                new.sku,
                q.reference(),
                q.priced_on,
                old.unit_price,
                new.unit_price,
                q.currency
            )));
        }
    }
    let flat = flatten(&next.lines).map_err(RuleError::Invalid)?;
    let new_order = order_of(&next, &flat, order_id, warehouse);
    if new_order.lines.is_empty() {
        return Err(invalid("selected", "nothing is ordered: every line is optional and none is selected"));
    }
    let check = order::create(Existing::Missing, &new_order, ctx)?;
    if check.totals != next.totals {
        return Err(RuleError::WrongState(format!(
            "the order would total {} but quote {} totals {}: revise the quote",
            q.currency.format(check.totals.total),
            q.reference(),
            q.currency.format(next.totals.total)
        )));
    }
    next.status = QuoteStatus::Accepted;
    next.closed_on = Some(today);
    next.order = Some(order_id);
    Ok(Accepted { quote: next, order: new_order })
}

/// `quote.reject`: the customer declined a sent quote.
pub fn reject(q: &mut Quote, today: NaiveDate) -> Result<(), RuleError> {
    q.refuse_unless(&[QuoteStatus::Sent], "rejected")?;
    q.status = QuoteStatus::Rejected;
    q.closed_on = Some(today);
    Ok(())
}

/// An open quote past its validity expires; true when it did.
pub fn expire(q: &mut Quote, today: NaiveDate) -> bool {
    if q.status.is_open() && today > q.valid_until {
        q.status = QuoteStatus::Expired;
        q.closed_on = Some(today);
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::testkit::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    fn pct(s: &str) -> Percent {
        Percent::parse(s).expect("pct")
    }

    fn item(n: u128, product: u128, qty: &str, discount: Option<&str>, optional: bool) -> NewQuoteItem {
        NewQuoteItem {
            id: QuoteLineId::from_uuid(Uuid::from_u128(0x9000 + n)),
            product: product_id(product),
            qty: Quantity::parse(qty).expect("qty"),
            discount: discount.map(pct),
            optional,
        }
    }

    fn line_id(n: u128) -> QuoteLineId {
        QuoteLineId::from_uuid(Uuid::from_u128(0x9000 + n))
    }

    fn new_quote(lines: Vec<NewQuoteLine>, discount: Option<&str>) -> NewQuote {
        NewQuote {
            id: QuoteId::from_uuid(Uuid::from_u128(0x0A)),
            account: account_id(1),
            deal: None,
            valid_until: day("2026-12-31"),
            discount: discount.map(pct),
            lines,
        }
    }

    fn office_quote(shop: &Shop) -> Quote {
        let lines = vec![
            NewQuoteLine::Item(item(1, 1, "10", Some("5"), false)), // 10 chairs at 120, 5 % off
            NewQuoteLine::Bundle {
                id: line_id(2),
                name: ItemName::parse("Workstation").expect("n"),
                qty: 2,
                optional: false,
                components: vec![item(3, 2, "1", None, false), item(4, 3, "2", None, false)], // desk 400 + 2 lamps 35
            },
            NewQuoteLine::Item(item(5, 4, "1", None, true)), // optional installation service 250
        ];
        create(Existing::Missing, &new_quote(lines, Some("2")), &shop.ctx(), day("2026-11-20")).expect("priced")
    }

    #[test]
    fn a_quote_is_priced_like_the_order_it_becomes_with_bundles_and_options() {
        let shop = Shop::new();
        let q = office_quote(&shop);
        let QuoteLine::Bundle(b) = &q.lines[1] else { panic!("a bundle") };
        assert_eq!(b.components[1].net, d("140.00"), "2 lamps per bundle × 2 bundles × 35");
        assert_eq!(b.net, d("940.00"));
        let QuoteLine::Item(option) = &q.lines[2] else { panic!("an item") };
        assert_eq!(option.net, d("250.00"), "an option shows its price");
        // 1140 + 940 = 2080, −2 % = 2038.40, 19 % tax 387.30
        assert_eq!(
            (q.totals.lines, q.totals.net, q.totals.tax, q.totals.total),
            (d("2080.00"), d("2038.40"), d("387.30"), d("2425.70"))
        );

        let accepted = accept(&q, &[line_id(5)], order_id(), warehouse(), &shop.ctx(), pct("10"), day("2026-11-25"))
            .expect("accepted");
        assert_eq!(accepted.quote.status, QuoteStatus::Accepted);
        assert_eq!(accepted.order.lines.len(), 4, "chairs, desk, lamps, installation");
        assert_eq!(accepted.order.date, day("2026-11-20"), "the order is priced on the quote's day");
        let o = order::create(Existing::Missing, &accepted.order, &shop.ctx()).expect("order");
        assert_eq!(o.totals, accepted.quote.totals, "the order totals are the accepted quote's");
        assert_eq!(o.totals.net, d("2283.40"), "the selected option is in: (2080 + 250) × 0.98");
    }

    #[test]
    fn discounts_over_100_or_the_threshold_are_refused_or_need_approval() {
        assert_eq!(Percent::parse("120").expect_err("over").to_string(), "discount: 120% is over 100 %");
        let shop = Shop::new();
        let mut q = office_quote(&shop);
        assert!(needs_approval(&q, pct("10")).is_empty());
        let why = needs_approval(&q, pct("4"));
        assert_eq!(why, ["line CHAIR: discount 5 % is over 4 %"]);
        let why = needs_approval(&q, pct("1"));
        assert!(why.contains(&"quote discount 2 % is over 1 %".to_owned()), "{why:?}");
        let e = send(&mut q, pct("4"), day("2026-11-21")).expect_err("needs approval");
        assert_eq!(e.code(), "approval_required");
        assert!(e.to_string().contains("needs a sales manager's approval before it is sent: line CHAIR"), "{e}");
        let e = accept(&q, &[], order_id(), warehouse(), &shop.ctx(), pct("4"), day("2026-11-21"))
            .expect_err("no approval");
        assert_eq!(e.code(), "approval_required");
        let e = request_approval(&mut q, user("anna"), None, pct("10"), day("2026-11-21")).expect_err("none needed");
        assert!(e.to_string().contains("needs no approval"), "{e}");
    }

    #[test]
    fn the_overall_discount_counts_too() {
        let shop = Shop::new();
        let lines = vec![NewQuoteLine::Item(item(1, 1, "10", Some("8"), false))];
        let q = create(Existing::Missing, &new_quote(lines, Some("8")), &shop.ctx(), day("2026-11-20")).expect("q");
        assert_eq!(needs_approval(&q, pct("10")), ["overall discount 15.36 % is over 10 %"]);
    }

    #[test]
    fn approval_is_for_managers_and_not_for_the_requester() {
        let shop = Shop::new();
        let mut q = office_quote(&shop);
        request_approval(
            &mut q,
            user("anna"),
            Some(Note::parse("competitor offer").expect("n")),
            pct("4"),
            day("2026-11-21"),
        )
        .expect("ok");
        let e = approve(&mut q, user("anna"), "sales_rep", day("2026-11-21")).expect_err("rep");
        assert_eq!(e.to_string(), "a sales_rep may not approve discounts (roles that may: admin, sales_manager)");
        let e = approve(&mut q, user("anna"), "sales_manager", day("2026-11-21")).expect_err("own");
        assert!(e.to_string().contains("another sales manager or an admin decides"), "{e}");
        refuse_approval(&mut q, user("maria"), "sales_manager", Note::parse("too low").expect("n")).expect("refused");
        assert_eq!(q.status, QuoteStatus::Draft);
        request_approval(&mut q, user("anna"), None, pct("4"), day("2026-11-22")).expect("again");
        approve(&mut q, user("maria"), "sales_manager", day("2026-11-22")).expect("approved");
        send(&mut q, pct("4"), day("2026-11-22")).expect("sent once approved");
        let edited = update(
            &q,
            &new_quote(vec![NewQuoteLine::Item(item(1, 1, "12", Some("5"), false))], None),
            &shop.ctx(),
            day("2026-11-23"),
        )
        .expect("revised");
        assert_eq!(
            (edited.status, edited.approval.is_none()),
            (QuoteStatus::Draft, true),
            "an edit needs a new approval"
        );
    }

    #[test]
    fn expired_rejected_and_changed_prices_are_refused() {
        let mut shop = Shop::new();
        let mut q = office_quote(&shop);
        send(&mut q, pct("10"), day("2026-11-21")).expect("sent");
        let e =
            accept(&q, &[], order_id(), warehouse(), &shop.ctx(), pct("10"), day("2027-01-02")).expect_err("expired");
        assert!(e.to_string().contains("was valid until 2026-12-31"), "{e}");
        let e = accept(&q, &[line_id(1)], order_id(), warehouse(), &shop.ctx(), pct("10"), day("2026-11-25"))
            .expect_err("not optional");
        assert!(e.to_string().contains("is not an optional line"), "{e}");
        shop.set_price(1, "130");
        let e = accept(&q, &[], order_id(), warehouse(), &shop.ctx(), pct("10"), day("2026-11-25"))
            .expect_err("price changed");
        assert!(e.to_string().contains("the price of CHAIR changed since quote"), "{e}");
        let mut r = q.clone();
        reject(&mut r, day("2026-11-26")).expect("rejected");
        assert!(update(
            &r,
            &new_quote(vec![NewQuoteLine::Item(item(1, 1, "1", None, false))], None),
            &shop.ctx(),
            day("2026-11-26")
        )
        .is_err());
        assert!(expire(&mut q, day("2027-01-01")));
        assert_eq!(q.status, QuoteStatus::Expired);
    }

    #[test]
    fn bad_lines_are_reported_with_the_quote_line_they_are_on() {
        let shop = Shop::new();
        let lines = vec![NewQuoteLine::Bundle {
            id: line_id(1),
            name: ItemName::parse("Set").expect("n"),
            qty: 1,
            optional: false,
            components: vec![item(2, 1, "1", None, false), item(3, 99, "1", None, false)],
        }];
        let e = create(Existing::Missing, &new_quote(lines, None), &shop.ctx(), day("2026-11-20"))
            .expect_err("unknown product");
        assert!(e.to_string().starts_with("lines[1].components[2]: product"), "{e}");
    }

    proptest! {
        /// Whatever the lines, options, bundles and discounts, the order an accepted quote makes
        /// has the quote's totals.
        #[test]
        fn quote_totals_equal_order_totals(
            spec in proptest::collection::vec((1u128..5, 1u32..50, 0u32..3000, any::<bool>(), any::<bool>(), 0u32..4), 1..8),
            doc in 0u32..2000,
        ) {
            let shop = Shop::new();
            let mut lines = Vec::new();
            let mut selected = Vec::new();
            for (i, (p, qty, disc, optional, pick, bundle)) in spec.iter().enumerate() {
                let n = 100 * i as u128;
                let mk = |k: u128| NewQuoteItem {
                    id: line_id(n + k),
                    product: product_id(*p),
                    qty: Quantity::new(Decimal::new(i64::from(*qty), 1)).expect("q"),
                    discount: Some(Percent::new(Decimal::new(i64::from(*disc), 2)).expect("p")),
                    optional: *optional && k == 1,
                };
                if *bundle == 0 {
                    lines.push(NewQuoteLine::Bundle { id: line_id(n + 50), name: ItemName::parse("B").expect("n"), qty: 1 + qty % 3, optional: false, components: vec![mk(1), mk(2)] });
                } else {
                    lines.push(NewQuoteLine::Item(mk(1)));
                }
                if *optional && *pick {
                    selected.push(line_id(n + 1));
                }
            }
            let nq = new_quote(lines, Some(&Decimal::new(i64::from(doc), 2).to_string()));
            let q = create(Existing::Missing, &nq, &shop.ctx(), day("2026-11-20")).expect("priced");
            match accept(&q, &selected, order_id(), warehouse(), &shop.ctx(), Percent::new(Decimal::ONE_HUNDRED).expect("p"), day("2026-11-21")) {
                Ok(a) => {
                    let o = order::create(Existing::Missing, &a.order, &shop.ctx()).expect("order");
                    prop_assert_eq!(&o.totals, &a.quote.totals);
                    let counted: Decimal = a.quote.items().iter().filter(|(_, c)| *c).map(|(i, _)| i.net).sum();
                    prop_assert_eq!(counted, o.totals.lines, "the counted lines are the order's lines");
                }
                Err(e) => prop_assert!(e.to_string().contains("nothing is ordered"), "{}", e),
            }
        }
    }
}
