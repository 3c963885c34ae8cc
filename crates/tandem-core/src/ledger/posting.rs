//! The automatic postings of Tandem's documents, in the company currency.

use super::chart::{codes, AccountKind, Chart};
use super::entry::{drop_zero_lines, EntryDraft, JournalEntry, JournalLine, Source, SourceKind};
use super::error::LedgerError;
use crate::id::{AccountId, JournalEntryId};
use crate::money::{Currency, FxRate};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

/// Refuses a negative document amount or one finer than the currency's minor unit.
fn check_amount(reference: &str, what: &str, amount: Decimal, currency: Currency) -> Result<(), LedgerError> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(LedgerError::InvalidAmount {
            reference: reference.to_owned(),
            message: format!("{what} {} is negative", amount.normalize()),
        });
    }
    check_precision(reference, what, amount, currency)
}

fn check_precision(reference: &str, what: &str, amount: Decimal, currency: Currency) -> Result<(), LedgerError> {
    if amount.normalize().scale() > currency.minor_units() {
        return Err(LedgerError::InvalidAmount {
            reference: reference.to_owned(),
            message: format!(
                "{what} {} has more decimals than {currency} allows ({})",
                amount.normalize(),
                currency.minor_units()
            ),
        });
    }
    Ok(())
}

struct Header<'a> {
    id: JournalEntryId,
    date: NaiveDate,
    reference: &'a str,
    memo: String,
    kind: SourceKind,
    source_id: Uuid,
}

fn build(
    chart: &Chart,
    company: Currency,
    h: Header<'_>,
    lines: Vec<JournalLine>,
) -> Result<JournalEntry, LedgerError> {
    JournalEntry::new(
        chart,
        EntryDraft {
            id: h.id,
            date: h.date,
            reference: h.reference.to_owned(),
            memo: h.memo,
            source: Source { kind: h.kind, id: h.source_id },
            currency: company,
            lines: drop_zero_lines(lines),
        },
    )
}

/// An invoice (or credit note): Dr receivable, Cr revenue per line, Cr VAT payable. A credit
/// note is the mirror image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoicePosting {
    pub entry_id: JournalEntryId,
    pub source_id: Uuid,
    pub date: NaiveDate,
    pub reference: String,
    pub customer: AccountId,
    pub credit_note: bool,
    pub doc_currency: Currency,
    /// Company units per one document unit on the invoice date.
    pub rate: FxRate,
    /// (income account code, net amount in the document currency); a negative net (a discount
    /// line) is booked on the other side.
    pub revenue: Vec<(String, Decimal)>,
    /// Tax in the document currency.
    pub tax: Decimal,
}

impl InvoicePosting {
    /// The document total (net + tax) in the document currency.
    pub fn total_doc(&self) -> Decimal {
        self.revenue.iter().map(|(_, a)| *a).sum::<Decimal>() + self.tax
    }

    /// The receivable the entry books, in the company currency: the sum of the converted revenue
    /// and tax lines (so the entry balances exactly). Positive for invoices and credit notes alike.
    pub fn receivable_amount(&self, company: Currency) -> Decimal {
        self.revenue.iter().map(|(_, a)| self.rate.convert(*a, company)).sum::<Decimal>()
            + self.rate.convert(self.tax, company)
    }

    pub fn post(&self, chart: &Chart, company: Currency) -> Result<JournalEntry, LedgerError> {
        let r = self.reference.as_str();
        if self.revenue.is_empty() {
            return Err(LedgerError::InvalidEntry { reference: r.to_owned(), message: "has no revenue line".into() });
        }
        for (code, net) in &self.revenue {
            match chart.get(code) {
                None => return Err(LedgerError::UnknownLedgerAccount { reference: r.to_owned(), code: code.clone() }),
                Some(a) if a.kind != AccountKind::Income => {
                    return Err(LedgerError::InvalidEntry {
                        reference: r.to_owned(),
                        message: format!("revenue account {code} ({}) is not an income account", a.name),
                    })
                }
                Some(_) => {}
            }
            check_precision(r, &format!("net amount on {code}"), *net, self.doc_currency)?;
        }
        check_amount(r, "tax", self.tax, self.doc_currency)?;
        let receivable = self.receivable_amount(company);
        if receivable <= Decimal::ZERO {
            return Err(LedgerError::InvalidAmount {
                reference: r.to_owned(),
                message: format!("total {} is not above zero", company.format(receivable)),
            });
        }
        // Invoice: credits are negative in "debit minus credit" terms; a credit note flips signs.
        let sign = if self.credit_note { Decimal::ONE } else { -Decimal::ONE };
        let customer = Some(self.customer);
        let mut lines = vec![JournalLine::signed(codes::RECEIVABLE, -sign * receivable, customer, r)];
        for (code, net) in &self.revenue {
            lines.push(JournalLine::signed(code, sign * self.rate.convert(*net, company), None, r));
        }
        lines.push(JournalLine::signed(codes::VAT_PAYABLE, sign * self.rate.convert(self.tax, company), None, r));
        let (kind, what) =
            if self.credit_note { (SourceKind::CreditNote, "Credit note") } else { (SourceKind::Invoice, "Invoice") };
        let memo = format!("{what} {r} ({})", self.doc_currency.format(self.total_doc()));
        let h = Header { id: self.entry_id, date: self.date, reference: r, memo, kind, source_id: self.source_id };
        build(chart, company, h, lines)
    }
}

/// The company-currency part of a receivable that an allocation of `alloc_doc` clears: all of
/// `open_company` when the allocation settles the open document amount, else the allocation at
/// the invoice rate, never more than `open_company`. Keeps the receivable in the ledger equal to
/// the open invoice amounts under partial payments.
pub fn allocation_in_company(
    open_doc: Decimal,
    open_company: Decimal,
    alloc_doc: Decimal,
    invoice_rate: FxRate,
    company: Currency,
) -> Decimal {
    if alloc_doc >= open_doc {
        open_company
    } else {
        invoice_rate.convert(alloc_doc, company).min(open_company)
    }
}

/// The part of a payment that settles one invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationPosting {
    pub invoice_reference: String,
    /// In the document currency (the payment's and the invoice's).
    pub amount_doc: Decimal,
    /// The receivable it clears in the company currency (see [`allocation_in_company`]).
    pub amount_company: Decimal,
}

/// A payment received: Dr bank, Cr receivable per allocation, Cr customer credit for the rest,
/// the difference to exchange gain or loss.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentPosting {
    pub entry_id: JournalEntryId,
    pub source_id: Uuid,
    pub date: NaiveDate,
    pub reference: String,
    pub customer: AccountId,
    pub doc_currency: Currency,
    /// Company units per one document unit on the payment date.
    pub rate: FxRate,
    /// Received, in the document currency.
    pub amount: Decimal,
    pub allocations: Vec<AllocationPosting>,
}

impl PaymentPosting {
    /// What lands in the bank, in the company currency.
    pub fn bank_amount(&self, company: Currency) -> Decimal {
        self.rate.convert(self.amount, company)
    }

    /// The unallocated rest kept as customer credit, in the document currency.
    pub fn unallocated_doc(&self) -> Decimal {
        self.amount - self.allocations.iter().map(|a| a.amount_doc).sum::<Decimal>()
    }

    /// The unallocated rest in the company currency (at the payment rate).
    pub fn credit_amount(&self, company: Currency) -> Decimal {
        self.rate.convert(self.unallocated_doc(), company)
    }

    pub fn post(&self, chart: &Chart, company: Currency) -> Result<JournalEntry, LedgerError> {
        let r = self.reference.as_str();
        check_amount(r, "amount", self.amount, self.doc_currency)?;
        for a in &self.allocations {
            let what = format!("allocation to {}", a.invoice_reference);
            check_amount(r, &what, a.amount_doc, self.doc_currency)?;
            check_amount(r, &format!("{what} (company currency)"), a.amount_company, company)?;
        }
        let rest = self.unallocated_doc();
        if rest.is_sign_negative() && !rest.is_zero() {
            return Err(LedgerError::OverAllocated {
                reference: r.to_owned(),
                allocated: self.doc_currency.format(self.amount - rest),
                amount: self.doc_currency.format(self.amount),
            });
        }
        let customer = Some(self.customer);
        let bank = self.bank_amount(company);
        let credit = self.credit_amount(company);
        let mut lines = vec![JournalLine::debit(codes::BANK, bank, None, r)];
        let mut cleared = Decimal::ZERO;
        for a in &self.allocations {
            lines.push(JournalLine::credit(codes::RECEIVABLE, a.amount_company, customer, &a.invoice_reference));
            cleared += a.amount_company;
        }
        lines.push(JournalLine::credit(codes::CUSTOMER_CREDIT, credit, customer, "Unallocated payment"));
        let difference = bank - cleared - credit;
        if difference > Decimal::ZERO {
            lines.push(JournalLine::credit(codes::FX_GAIN, difference, None, "Realised exchange gain"));
        } else if difference < Decimal::ZERO {
            lines.push(JournalLine::debit(codes::FX_LOSS, -difference, None, "Realised exchange loss"));
        }
        let memo = format!("Payment {r} ({})", self.doc_currency.format(self.amount));
        let h = Header {
            id: self.entry_id,
            date: self.date,
            reference: r,
            memo,
            kind: SourceKind::Payment,
            source_id: self.source_id,
        };
        build(chart, company, h, lines)
    }
}

/// Paying back a customer's credit: Dr customer credit, Cr bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundPosting {
    pub entry_id: JournalEntryId,
    pub source_id: Uuid,
    pub date: NaiveDate,
    pub reference: String,
    pub customer: AccountId,
    pub doc_currency: Currency,
    /// Company units per one document unit on the refund date.
    pub rate: FxRate,
    /// Paid back, in the document currency.
    pub amount: Decimal,
    /// The customer credit it clears in the company currency, as booked when the credit arose
    /// (see [`credit_in_company`]); `None`: the amount at the refund rate. A difference to what
    /// leaves the bank is a realised exchange gain or loss.
    pub clears_company: Option<Decimal>,
}

/// The company-currency part of a customer credit that a refund of `refund_doc` clears: all of
/// `credit_company` when the whole credit is refunded, else its proportional share (rounded,
/// never more than `credit_company`).
pub fn credit_in_company(
    credit_doc: Decimal,
    credit_company: Decimal,
    refund_doc: Decimal,
    company: Currency,
) -> Decimal {
    if refund_doc >= credit_doc || credit_doc <= Decimal::ZERO {
        credit_company
    } else {
        company.round(credit_company * refund_doc / credit_doc).min(credit_company)
    }
}

impl RefundPosting {
    /// What leaves the bank, in the company currency.
    pub fn bank_amount(&self, company: Currency) -> Decimal {
        self.rate.convert(self.amount, company)
    }

    pub fn post(&self, chart: &Chart, company: Currency) -> Result<JournalEntry, LedgerError> {
        let r = self.reference.as_str();
        check_amount(r, "amount", self.amount, self.doc_currency)?;
        let bank = self.bank_amount(company);
        let cleared = match self.clears_company {
            Some(v) => {
                check_amount(r, "credit cleared", v, company)?;
                v
            }
            None => bank,
        };
        let mut lines = vec![
            JournalLine::debit(codes::CUSTOMER_CREDIT, cleared, Some(self.customer), r),
            JournalLine::credit(codes::BANK, bank, None, r),
        ];
        let difference = cleared - bank;
        if difference > Decimal::ZERO {
            lines.push(JournalLine::credit(codes::FX_GAIN, difference, None, "Realised exchange gain"));
        } else if difference < Decimal::ZERO {
            lines.push(JournalLine::debit(codes::FX_LOSS, -difference, None, "Realised exchange loss"));
        }
        let memo = format!("Refund {r} ({})", self.doc_currency.format(self.amount));
        let h = Header {
            id: self.entry_id,
            date: self.date,
            reference: r,
            memo,
            kind: SourceKind::Refund,
            source_id: self.source_id,
        };
        build(chart, company, h, lines)
    }
}

/// Goods delivered at average cost: Dr cost of goods sold, Cr inventory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CogsPosting {
    pub entry_id: JournalEntryId,
    pub source_id: Uuid,
    pub date: NaiveDate,
    pub reference: String,
    /// In the company currency.
    pub cost: Decimal,
}

impl CogsPosting {
    /// `None` for a zero cost (nothing to book).
    pub fn post(&self, chart: &Chart, company: Currency) -> Result<Option<JournalEntry>, LedgerError> {
        let r = self.reference.as_str();
        check_amount(r, "cost", self.cost, company)?;
        if self.cost.is_zero() {
            return Ok(None);
        }
        let lines = vec![
            JournalLine::debit(codes::COGS, self.cost, None, r),
            JournalLine::credit(codes::INVENTORY, self.cost, None, r),
        ];
        let memo = format!("Delivery {r} at cost");
        let h = Header {
            id: self.entry_id,
            date: self.date,
            reference: r,
            memo,
            kind: SourceKind::Delivery,
            source_id: self.source_id,
        };
        build(chart, company, h, lines).map(Some)
    }
}

/// Goods received from a supplier: Dr inventory, Cr payable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptPosting {
    pub entry_id: JournalEntryId,
    pub source_id: Uuid,
    pub date: NaiveDate,
    pub reference: String,
    pub supplier: Option<AccountId>,
    /// In the company currency.
    pub value: Decimal,
}

impl ReceiptPosting {
    /// `None` for a zero value (nothing to book).
    pub fn post(&self, chart: &Chart, company: Currency) -> Result<Option<JournalEntry>, LedgerError> {
        let r = self.reference.as_str();
        check_amount(r, "value", self.value, company)?;
        if self.value.is_zero() {
            return Ok(None);
        }
        let lines = vec![
            JournalLine::debit(codes::INVENTORY, self.value, None, r),
            JournalLine::credit(codes::PAYABLE, self.value, self.supplier, r),
        ];
        let memo = format!("Goods received {r}");
        let h = Header {
            id: self.entry_id,
            date: self.date,
            reference: r,
            memo,
            kind: SourceKind::Receipt,
            source_id: self.source_id,
        };
        build(chart, company, h, lines).map(Some)
    }
}

/// A stock count correction: a positive value raises inventory (Cr stock adjustments), a
/// negative one lowers it (Dr stock adjustments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustmentPosting {
    pub entry_id: JournalEntryId,
    pub source_id: Uuid,
    pub date: NaiveDate,
    pub reference: String,
    /// Signed, in the company currency.
    pub value: Decimal,
}

impl AdjustmentPosting {
    /// `None` for a zero value (nothing to book).
    pub fn post(&self, chart: &Chart, company: Currency) -> Result<Option<JournalEntry>, LedgerError> {
        let r = self.reference.as_str();
        check_precision(r, "value", self.value, company)?;
        if self.value.is_zero() {
            return Ok(None);
        }
        let lines = vec![
            JournalLine::signed(codes::INVENTORY, self.value, None, r),
            JournalLine::signed(codes::STOCK_ADJUSTMENT, -self.value, None, r),
        ];
        let memo = format!("Stock adjustment {r}");
        let h = Header {
            id: self.entry_id,
            date: self.date,
            reference: r,
            memo,
            kind: SourceKind::Adjustment,
            source_id: self.source_id,
        };
        build(chart, company, h, lines).map(Some)
    }
}
