//! Invoices and credit notes.
//!
//! A draft can be made anywhere, offline too, and carries a provisional reference
//! ("DRAFT-0193a5f2"). The legal number ("INV-2026-00017") is given by the server when it posts
//! the invoice: gapless per series and year. A posted invoice never changes; a credit note
//! corrects it. Lines come from the order's delivered quantities not yet invoiced (or its
//! ordered quantities, per the customer's invoice policy).

use crate::catalog::{CustomerTerms, InvoicePolicy, ProductKind};
use crate::error::{FieldError, RuleError};
use crate::id::{AccountId, InvoiceId, JournalEntryId, OrderId, OrderLineId, ProductId};
use crate::money::{Currency, FxRate, Percent, Quantity, TaxRate};
use crate::order::{OrderStatus, SalesOrder};
use crate::pricing::{line_net, totals, Totals};
use crate::Existing;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Income account of goods (see the ledger's chart).
pub const INCOME_GOODS: &str = "4000";
/// Income account of services.
pub const INCOME_SERVICES: &str = "4100";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Posted,
}

impl InvoiceStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Posted => "posted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    #[serde(default)]
    pub order_line: Option<OrderLineId>,
    pub product: ProductId,
    pub sku: String,
    pub name: String,
    pub qty: Quantity,
    pub unit_price: Decimal,
    pub discount: Percent,
    pub tax_rate: TaxRate,
    pub net: Decimal,
    /// The income account the line is booked to.
    pub income_account: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    pub id: InvoiceId,
    pub kind: InvoiceKind,
    /// The legal number, given by the server when posting.
    #[serde(default)]
    pub number: Option<String>,
    pub account: AccountId,
    pub customer_name: String,
    #[serde(default)]
    pub order: Option<OrderId>,
    #[serde(default)]
    pub order_number: Option<String>,
    pub date: NaiveDate,
    pub due: NaiveDate,
    pub currency: Currency,
    /// Company currency per unit of `currency` on `date` (set when posting).
    pub rate: FxRate,
    #[serde(default)]
    pub fiscal_note: Option<String>,
    pub discount: Percent,
    pub lines: Vec<InvoiceLine>,
    pub totals: Totals,
    pub status: InvoiceStatus,
    /// What is still to be paid (a credit note: still to be used), document currency.
    pub residual: Decimal,
    /// The same in the company currency at the invoice's rate (the receivable in the ledger).
    pub residual_company: Decimal,
    pub total_company: Decimal,
    /// The invoice this credit note corrects.
    #[serde(default)]
    pub credit_of: Option<InvoiceId>,
    #[serde(default)]
    pub journal_entry: Option<JournalEntryId>,
}

impl Invoice {
    /// The legal number, or the provisional reference of a draft.
    pub fn reference(&self) -> String {
        self.number.clone().unwrap_or_else(|| provisional(self.id))
    }

    /// Posted with something left to pay.
    pub fn is_open(&self) -> bool {
        self.status == InvoiceStatus::Posted && !self.residual.is_zero()
    }

    /// Signed receivable: an invoice is owed to us, a credit note is owed to the customer.
    pub fn signed(&self, d: Decimal) -> Decimal {
        match self.kind {
            InvoiceKind::Invoice => d,
            InvoiceKind::CreditNote => -d,
        }
    }

    /// The number series: `INV` or `CN`.
    pub fn series(&self) -> &'static str {
        match self.kind {
            InvoiceKind::Invoice => "INV",
            InvoiceKind::CreditNote => "CN",
        }
    }
}

/// "DRAFT-0193a5f2": what a draft is called until the server numbers it.
pub fn provisional(id: InvoiceId) -> String {
    format!("DRAFT-{}", &id.to_string()[..8])
}

/// "INV-2026-00017".
pub fn format_number(series: &str, year: i32, n: i64) -> String {
    format!("{series}-{year}-{n:05}")
}

fn invalid(field: &str, msg: String) -> RuleError {
    RuleError::Invalid(FieldError::new(field, msg).into())
}

/// What can be invoiced of each order line now: delivered (or ordered) minus invoiced.
pub fn invoiceable(order: &SalesOrder, policy: InvoicePolicy) -> Vec<(OrderLineId, Quantity)> {
    order
        .lines
        .iter()
        .map(|l| {
            let basis = match policy {
                InvoicePolicy::Delivered => l.delivered,
                InvoicePolicy::Ordered => l.qty,
            };
            (l.id, basis.saturating_sub(l.invoiced))
        })
        .filter(|(_, q)| !q.is_zero())
        .collect()
}

/// The rule of `invoice.create`: a draft from an order (offline too).
pub fn draft_from_order(
    existing: Existing<&Invoice>,
    id: InvoiceId,
    order: &SalesOrder,
    terms: &CustomerTerms,
    date: NaiveDate,
) -> Result<Invoice, RuleError> {
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "invoice", id: id.to_string() });
    }
    if matches!(order.status, OrderStatus::Draft | OrderStatus::Held | OrderStatus::Cancelled) {
        return Err(invalid(
            "order",
            format!("order {} is {}: only a confirmed order is invoiced", order.reference(), order.status.as_str()),
        ));
    }
    let todo = invoiceable(order, terms.invoice_policy);
    if todo.is_empty() {
        return Err(invalid(
            "order",
            format!(
                "nothing to invoice on order {}: {}",
                order.reference(),
                match terms.invoice_policy {
                    InvoicePolicy::Delivered => "everything delivered is invoiced (deliver first)",
                    InvoicePolicy::Ordered => "everything ordered is invoiced",
                }
            ),
        ));
    }
    let lines: Vec<InvoiceLine> = todo
        .iter()
        .filter_map(|(lid, qty)| order.lines.iter().find(|l| l.id == *lid).map(|l| (l, *qty)))
        .map(|(l, qty)| InvoiceLine {
            order_line: Some(l.id),
            product: l.product,
            sku: l.sku.clone(),
            name: l.name.clone(),
            qty,
            unit_price: l.unit_price,
            discount: l.discount,
            tax_rate: l.tax_rate,
            net: line_net(order.currency, qty, l.unit_price, l.discount),
            income_account: match l.kind {
                ProductKind::Goods => INCOME_GOODS,
                ProductKind::Service => INCOME_SERVICES,
            }
            .to_owned(),
        })
        .collect();
    let t = totals(order.currency, &lines.iter().map(|l| (l.net, l.tax_rate)).collect::<Vec<_>>(), order.discount);
    let days = u64::from(terms.payment_days);
    Ok(Invoice {
        id,
        kind: InvoiceKind::Invoice,
        number: None,
        account: order.account,
        customer_name: order.customer_name.clone(),
        order: Some(order.id),
        order_number: order.number.clone(),
        date,
        due: date.checked_add_days(Days::new(days)).unwrap_or(date),
        currency: order.currency,
        rate: FxRate::ONE,
        fiscal_note: order.fiscal_position.note().map(str::to_owned),
        discount: order.discount,
        residual: t.total,
        residual_company: Decimal::ZERO,
        total_company: Decimal::ZERO,
        totals: t,
        lines,
        status: InvoiceStatus::Draft,
        credit_of: None,
        journal_entry: None,
    })
}

/// The net of an invoice per income account, after the document discount: the discount comes
/// off each account in proportion to its share (the last account takes the rounding rest), so
/// the accounts add up to the invoice's net exactly. What the ledger books as revenue.
pub fn revenue_by_account(inv: &Invoice) -> Vec<(String, Decimal)> {
    let mut revenue: std::collections::BTreeMap<String, Decimal> = std::collections::BTreeMap::new();
    for l in &inv.lines {
        *revenue.entry(l.income_account.clone()).or_default() += l.net;
    }
    let gross: Decimal = revenue.values().copied().sum();
    let discount = inv.totals.discount;
    if !discount.is_zero() && !gross.is_zero() {
        let mut left = discount;
        let n = revenue.len();
        for (i, v) in revenue.values_mut().enumerate() {
            let share = if i + 1 == n { left } else { inv.currency.round(discount * *v / gross) };
            *v -= share;
            left -= share;
        }
    }
    revenue.into_iter().collect()
}

/// Checks a draft still fits its order before posting (another invoice may have been posted
/// for the same lines since the draft was made).
pub fn check_against_order(inv: &Invoice, order: &SalesOrder, policy: InvoicePolicy) -> Result<(), RuleError> {
    let open = invoiceable(order, policy);
    for l in &inv.lines {
        let Some(ol) = l.order_line else { continue };
        let left = open.iter().find(|(id, _)| *id == ol).map_or(Quantity::ZERO, |(_, q)| *q);
        if l.qty > left {
            return Err(invalid(
                "lines",
                format!(
                    "{}: {} on the draft, only {} left to invoice on order {} (another invoice took the rest)",
                    l.sku,
                    l.qty,
                    left,
                    order.reference()
                ),
            ));
        }
    }
    Ok(())
}

/// The rule of `invoice.post` (server): the number, the rate and the company amount are the
/// server's; the date must be in an open period.
pub fn post(
    inv: &mut Invoice,
    number: String,
    rate: FxRate,
    total_company: Decimal,
    entry: JournalEntryId,
    lock_date: Option<NaiveDate>,
) -> Result<(), RuleError> {
    ensure_draft(inv)?;
    ensure_open(inv.date, lock_date)?;
    inv.number = Some(number);
    inv.rate = rate;
    inv.status = InvoiceStatus::Posted;
    inv.residual = inv.totals.total;
    inv.total_company = total_company;
    inv.residual_company = total_company;
    inv.journal_entry = Some(entry);
    Ok(())
}

/// Refuses an invoice that is posted already: a posted invoice never changes.
pub fn ensure_draft(inv: &Invoice) -> Result<(), RuleError> {
    if inv.status == InvoiceStatus::Draft {
        Ok(())
    } else {
        Err(invalid("status", format!("invoice {} is already posted: issue a credit note instead", inv.reference())))
    }
}

/// At most this many invoices in one posting of several (`invoice.post_many`).
pub const MAX_PER_POSTING: usize = 10_000;

/// The invoices of one posting of several: at least one, at most [`MAX_PER_POSTING`], each
/// once.
pub fn check_posting(ids: &[InvoiceId]) -> Result<(), RuleError> {
    if ids.is_empty() {
        return Err(invalid("invoices", "no invoice to post".into()));
    }
    if ids.len() > MAX_PER_POSTING {
        return Err(invalid("invoices", format!("{} invoices in one posting, at most {MAX_PER_POSTING}", ids.len())));
    }
    let mut seen = std::collections::BTreeSet::new();
    match ids.iter().find(|id| !seen.insert(**id)) {
        Some(twice) => Err(invalid("invoices", format!("invoice {twice} is listed twice"))),
        None => Ok(()),
    }
}

/// Refuses a date on or before the lock date.
pub fn ensure_open(date: NaiveDate, lock_date: Option<NaiveDate>) -> Result<(), RuleError> {
    match lock_date {
        Some(lock) if date <= lock => {
            Err(RuleError::PeriodLocked(format!("{date} is in a locked period (the books are locked up to {lock})")))
        }
        _ => Ok(()),
    }
}

/// The rule of `invoice.credit_note`: a draft credit note for all of a posted invoice.
pub fn credit_note(
    existing: Existing<&Invoice>,
    id: InvoiceId,
    of: &Invoice,
    date: NaiveDate,
) -> Result<Invoice, RuleError> {
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "invoice", id: id.to_string() });
    }
    if of.kind != InvoiceKind::Invoice || of.status != InvoiceStatus::Posted {
        return Err(invalid("invoice", format!("{} is not a posted invoice", of.reference())));
    }
    Ok(Invoice {
        id,
        kind: InvoiceKind::CreditNote,
        number: None,
        date,
        due: date,
        rate: of.rate,
        status: InvoiceStatus::Draft,
        residual: of.totals.total,
        residual_company: Decimal::ZERO,
        total_company: Decimal::ZERO,
        credit_of: Some(of.id),
        journal_entry: None,
        ..of.clone()
    })
}

/// A posted credit note settles what it can of the invoice it corrects; returns the amounts
/// (document, company) it used. What is left stays open on the credit note (customer credit).
pub fn apply_credit_note(invoice: &mut Invoice, cn: &mut Invoice, company: Currency) -> (Decimal, Decimal) {
    let used = invoice.residual.min(cn.residual).max(Decimal::ZERO);
    if used.is_zero() {
        return (Decimal::ZERO, Decimal::ZERO);
    }
    let company = if used == invoice.residual {
        invoice.residual_company
    } else {
        invoice.rate.convert(used, company).min(invoice.residual_company)
    };
    invoice.residual -= used;
    invoice.residual_company -= company;
    cn.residual -= used;
    cn.residual_company = (cn.residual_company - company).max(Decimal::ZERO);
    (used, company)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_per_account_adds_up_to_the_net_after_the_document_discount() {
        use crate::pricing::totals;
        let d = |s: &str| Decimal::from_str_exact(s).expect("decimal");
        let rate = TaxRate::parse("19").expect("rate");
        let line = |account: &str, net: &str| InvoiceLine {
            order_line: None,
            product: ProductId::from_uuid(uuid::Uuid::nil()),
            sku: "X".into(),
            name: "X".into(),
            qty: Quantity::parse("1").expect("qty"),
            unit_price: d(net),
            discount: Percent::ZERO,
            tax_rate: rate,
            net: d(net),
            income_account: account.into(),
        };
        let lines = vec![line(INCOME_GOODS, "100.00"), line(INCOME_SERVICES, "33.33"), line(INCOME_GOODS, "0.01")];
        let discount = Percent::parse("7").expect("pct");
        let t = totals(Currency::EUR, &lines.iter().map(|l| (l.net, l.tax_rate)).collect::<Vec<_>>(), discount);
        let inv = Invoice {
            id: InvoiceId::from_uuid(uuid::Uuid::nil()),
            kind: InvoiceKind::Invoice,
            number: None,
            account: AccountId::from_uuid(uuid::Uuid::nil()),
            customer_name: "ACME".into(),
            order: None,
            order_number: None,
            date: "2026-11-23".parse().expect("date"),
            due: "2026-12-23".parse().expect("date"),
            currency: Currency::EUR,
            rate: FxRate::ONE,
            fiscal_note: None,
            discount,
            lines,
            residual: t.total,
            residual_company: Decimal::ZERO,
            total_company: Decimal::ZERO,
            totals: t.clone(),
            status: InvoiceStatus::Draft,
            credit_of: None,
            journal_entry: None,
        };
        let revenue = revenue_by_account(&inv);
        assert_eq!(revenue.iter().map(|(_, v)| *v).sum::<Decimal>(), t.net, "the accounts add up to the net");
        assert_eq!(revenue.len(), 2, "one amount per income account: {revenue:?}");
    }

    #[test]
    fn numbers_are_padded_per_series_and_year() {
        assert_eq!(format_number("INV", 2026, 17), "INV-2026-00017");
    }

    #[test]
    fn a_locked_period_refuses_the_date() {
        let lock = Some("2026-10-31".parse().expect("date"));
        let e = ensure_open("2026-10-15".parse().expect("date"), lock).expect_err("locked");
        assert_eq!(e.code(), "period_locked");
        assert!(e.to_string().contains("locked up to 2026-10-31"), "{e}");
        ensure_open("2026-11-01".parse().expect("date"), lock).expect("open");
    }

    #[test]
    fn a_posting_of_several_lists_each_invoice_once_and_not_too_many() {
        let id = |n: u128| InvoiceId::from_uuid(uuid::Uuid::from_u128(n));
        check_posting(&[id(1), id(2)]).expect("two invoices");
        assert_eq!(check_posting(&[]).expect_err("none").code(), "validation");
        let e = check_posting(&[id(1), id(2), id(1)]).expect_err("twice");
        assert!(e.to_string().contains(&format!("invoice {} is listed twice", id(1))), "{e}");
        let many: Vec<InvoiceId> = (0..=MAX_PER_POSTING as u128).map(id).collect();
        let e = check_posting(&many).expect_err("too many");
        assert!(e.to_string().contains("at most 10000"), "{e}");
        check_posting(&many[..MAX_PER_POSTING]).expect("the most one posting takes");
    }
}
