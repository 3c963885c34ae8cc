//! Payments from customers, their allocation to invoices, and refunds.
//!
//! A payment is allocated to the invoices it names, or else to the customer's open invoices
//! oldest due first; each allocation is at most what the invoice still owes. What is left over
//! is kept as the customer's credit, which a refund pays back. In the company currency an
//! allocation clears the receivable at the **invoice's** rate; the bank receives at the
//! **payment's** rate; the difference is a realised exchange gain or loss.

use crate::error::{FieldError, RuleError};
use crate::id::{AccountId, InvoiceId, JournalEntryId, PaymentId};
use crate::invoice::{Invoice, InvoiceKind};
use crate::money::{Currency, FxRate};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// Money received from the customer.
    Receipt,
    /// Money paid back to the customer (from their credit).
    Refund,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    pub invoice: InvoiceId,
    pub reference: String,
    /// Document currency.
    pub amount: Decimal,
    /// The receivable it cleared, company currency at the invoice's rate.
    pub amount_company: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub id: PaymentId,
    pub kind: PaymentKind,
    pub number: String,
    pub account: AccountId,
    pub customer_name: String,
    pub date: NaiveDate,
    pub currency: Currency,
    pub amount: Decimal,
    /// Company currency per unit of `currency` on `date`.
    pub rate: FxRate,
    pub allocations: Vec<Allocation>,
    /// Kept as customer credit.
    pub unallocated: Decimal,
    /// The customer credit this payment made (a receipt, positive) or used (a refund, negative),
    /// in the company currency as booked.
    #[serde(default)]
    pub credit_company: Decimal,
    #[serde(default)]
    pub journal_entry: Option<JournalEntryId>,
}

fn invalid(field: &str, msg: String) -> RuleError {
    RuleError::Invalid(FieldError::new(field, msg).into())
}

/// Checks an amount entered for a payment: above zero, at the currency's minor unit.
pub fn check_amount(amount: Decimal, currency: Currency) -> Result<(), RuleError> {
    if amount <= Decimal::ZERO {
        return Err(invalid("amount", format!("{} must be above zero", amount.normalize())));
    }
    if currency.round(amount) != amount {
        return Err(invalid("amount", format!("{} has more decimals than {currency} allows", amount.normalize())));
    }
    Ok(())
}

/// The company-currency part of a receivable that an allocation clears (see
/// [`crate::ledger::allocation_in_company`]).
pub fn allocation_in_company(inv: &Invoice, alloc: Decimal, company: Currency) -> Decimal {
    crate::ledger::allocation_in_company(inv.residual, inv.residual_company, alloc, inv.rate, company)
}

/// Allocates `amount` to `open` invoices of the customer (already filtered to this customer
/// and currency): to the invoices in `only`, in that order, if any are named, else oldest due
/// first. Updates the invoices' residuals and returns the allocations and what is left over
/// (kept as the customer's credit).
pub fn allocate(
    amount: Decimal,
    open: &mut [Invoice],
    only: &[InvoiceId],
    company: Currency,
) -> Result<(Vec<Allocation>, Decimal), RuleError> {
    for id in only {
        match open.iter().find(|i| i.id == *id) {
            None => return Err(invalid("invoice", format!("invoice {id} is not an open invoice of this customer"))),
            Some(i) if i.kind != InvoiceKind::Invoice => {
                return Err(invalid("invoice", format!("{} is a credit note", i.reference())))
            }
            Some(_) => {}
        }
    }
    if only.is_empty() {
        open.sort_by(|a, b| a.due.cmp(&b.due).then(a.number.cmp(&b.number)));
    } else {
        open.sort_by_key(|i| only.iter().position(|id| *id == i.id).unwrap_or(usize::MAX));
    }
    let mut left = amount;
    let mut out = Vec::new();
    for inv in open.iter_mut() {
        if left.is_zero() {
            break;
        }
        if inv.kind != InvoiceKind::Invoice || !inv.is_open() || (!only.is_empty() && !only.contains(&inv.id)) {
            continue;
        }
        let take = left.min(inv.residual);
        let company_part = allocation_in_company(inv, take, company);
        inv.residual -= take;
        inv.residual_company -= company_part;
        left -= take;
        out.push(Allocation {
            invoice: inv.id,
            reference: inv.reference(),
            amount: take,
            amount_company: company_part,
        });
    }
    Ok((out, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_fit_the_currency() {
        assert!(check_amount(Decimal::new(12345, 3), Currency::EUR).is_err());
        assert!(check_amount(Decimal::ZERO, Currency::EUR).is_err());
        check_amount(Decimal::new(1234, 2), Currency::EUR).expect("12.34 EUR");
    }
}
