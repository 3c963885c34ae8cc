//! Journal entries: balanced, validated on creation, never edited once posted.

use super::chart::Chart;
use super::error::LedgerError;
use crate::id::{AccountId, JournalEntryId};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kind of document an entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Invoice,
    CreditNote,
    Payment,
    Refund,
    Delivery,
    Receipt,
    Adjustment,
    Reversal,
    Manual,
}

/// The document an entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    pub id: Uuid,
}

/// One line of an entry: exactly one of `debit` and `credit` is above zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalLine {
    /// The account code (see [`super::codes`]).
    pub account: String,
    pub debit: Decimal,
    pub credit: Decimal,
    /// The customer (or supplier) the line concerns, for sub-ledgers such as receivables.
    pub partner: Option<AccountId>,
    pub label: String,
}

impl JournalLine {
    pub fn debit(account: &str, amount: Decimal, partner: Option<AccountId>, label: &str) -> Self {
        Self { account: account.to_owned(), debit: amount, credit: Decimal::ZERO, partner, label: label.to_owned() }
    }

    pub fn credit(account: &str, amount: Decimal, partner: Option<AccountId>, label: &str) -> Self {
        Self { account: account.to_owned(), debit: Decimal::ZERO, credit: amount, partner, label: label.to_owned() }
    }

    /// A debit for a positive `amount`, a credit of its absolute value for a negative one.
    pub fn signed(account: &str, amount: Decimal, partner: Option<AccountId>, label: &str) -> Self {
        if amount.is_sign_negative() {
            Self::credit(account, -amount, partner, label)
        } else {
            Self::debit(account, amount, partner, label)
        }
    }

    /// Debit minus credit.
    pub fn amount(&self) -> Decimal {
        self.debit - self.credit
    }

    fn is_zero(&self) -> bool {
        self.debit.is_zero() && self.credit.is_zero()
    }
}

/// Drops lines with neither a debit nor a credit (what builders produce for zero amounts).
pub fn drop_zero_lines(lines: Vec<JournalLine>) -> Vec<JournalLine> {
    lines.into_iter().filter(|l| !l.is_zero()).collect()
}

/// What an entry is made of before it is validated by [`JournalEntry::new`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryDraft {
    pub id: JournalEntryId,
    pub date: NaiveDate,
    pub reference: String,
    pub memo: String,
    pub source: Source,
    /// The company currency: every line is in it.
    pub currency: Currency,
    pub lines: Vec<JournalLine>,
}

/// A balanced journal entry in the company currency. Only [`JournalEntry::new`] (validating),
/// [`JournalEntry::reverse`] and deserialization (validating everything but the chart) make one;
/// nothing changes it afterwards: a mistake is corrected by a reversal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "EntryWire")]
pub struct JournalEntry {
    id: JournalEntryId,
    date: NaiveDate,
    reference: String,
    memo: String,
    source: Source,
    currency: Currency,
    lines: Vec<JournalLine>,
    reverses: Option<JournalEntryId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryWire {
    id: JournalEntryId,
    date: NaiveDate,
    reference: String,
    memo: String,
    source: Source,
    currency: Currency,
    lines: Vec<JournalLine>,
    reverses: Option<JournalEntryId>,
}

impl TryFrom<EntryWire> for JournalEntry {
    type Error = LedgerError;
    fn try_from(w: EntryWire) -> Result<Self, LedgerError> {
        let e = JournalEntry {
            id: w.id,
            date: w.date,
            reference: w.reference,
            memo: w.memo,
            source: w.source,
            currency: w.currency,
            lines: w.lines,
            reverses: w.reverses,
        };
        e.check_structure()?;
        Ok(e)
    }
}

impl JournalEntry {
    /// Validates the draft: at least two lines, each with exactly one side above zero, no negative
    /// amount, every amount at the currency's minor unit, every account in the chart, and debits
    /// equal to credits. Amounts are written with the minor unit's places ("100.00").
    pub fn new(chart: &Chart, draft: EntryDraft) -> Result<JournalEntry, LedgerError> {
        let mut e = JournalEntry {
            id: draft.id,
            date: draft.date,
            reference: draft.reference,
            memo: draft.memo,
            source: draft.source,
            currency: draft.currency,
            lines: draft.lines,
            reverses: None,
        };
        e.validate(chart)?;
        let c = e.currency;
        for l in &mut e.lines {
            l.debit = c.round(l.debit);
            l.credit = c.round(l.credit);
        }
        Ok(e)
    }

    /// Everything [`JournalEntry::new`] checks, for an entry that came over the wire.
    pub fn validate(&self, chart: &Chart) -> Result<(), LedgerError> {
        self.check_structure()?;
        for l in &self.lines {
            if !chart.contains(&l.account) {
                return Err(LedgerError::UnknownLedgerAccount {
                    reference: self.reference.clone(),
                    code: l.account.clone(),
                });
            }
        }
        Ok(())
    }

    fn check_structure(&self) -> Result<(), LedgerError> {
        let reference = || self.reference.clone();
        let invalid = |message: String| LedgerError::InvalidEntry { reference: reference(), message };
        if self.reference.trim().is_empty() {
            return Err(LedgerError::InvalidEntry {
                reference: "(no reference)".into(),
                message: "has no reference".into(),
            });
        }
        if self.lines.len() < 2 {
            return Err(invalid(format!("has {} line(s), an entry needs at least two", self.lines.len())));
        }
        let c = self.currency;
        for (i, l) in self.lines.iter().enumerate() {
            let n = i + 1;
            for (side, v) in [("debit", l.debit), ("credit", l.credit)] {
                if v.is_sign_negative() && !v.is_zero() {
                    return Err(LedgerError::InvalidAmount {
                        reference: reference(),
                        message: format!("line {n} ({}): {side} {} is negative", l.account, v.normalize()),
                    });
                }
                if v.normalize().scale() > c.minor_units() {
                    return Err(LedgerError::InvalidAmount {
                        reference: reference(),
                        message: format!(
                            "line {n} ({}): {side} {} has more decimals than {c} allows ({})",
                            l.account,
                            v.normalize(),
                            c.minor_units()
                        ),
                    });
                }
            }
            let (d, cr) = (l.debit > Decimal::ZERO, l.credit > Decimal::ZERO);
            if d && cr {
                return Err(invalid(format!("line {n} ({}) has both a debit and a credit", l.account)));
            }
            if !d && !cr {
                return Err(invalid(format!("line {n} ({}) has neither a debit nor a credit", l.account)));
            }
        }
        let (debit, credit) = self.totals();
        if debit != credit {
            return Err(LedgerError::Unbalanced {
                reference: reference(),
                debit: c.format(debit),
                credit: c.format(credit),
            });
        }
        Ok(())
    }

    /// A new entry that undoes this one: debits and credits swapped, dated `date`.
    pub fn reverse(&self, id: JournalEntryId, date: NaiveDate) -> JournalEntry {
        JournalEntry {
            id,
            date,
            reference: format!("Reversal of {}", self.reference),
            memo: if self.memo.is_empty() {
                format!("Reversal of {}", self.reference)
            } else {
                format!("Reversal: {}", self.memo)
            },
            source: Source { kind: SourceKind::Reversal, id: self.id.as_uuid() },
            currency: self.currency,
            lines: self.lines.iter().map(|l| JournalLine { debit: l.credit, credit: l.debit, ..l.clone() }).collect(),
            reverses: Some(self.id),
        }
    }

    pub fn id(&self) -> JournalEntryId {
        self.id
    }
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    pub fn reference(&self) -> &str {
        &self.reference
    }
    pub fn memo(&self) -> &str {
        &self.memo
    }
    pub fn source(&self) -> Source {
        self.source
    }
    pub fn currency(&self) -> Currency {
        self.currency
    }
    pub fn lines(&self) -> &[JournalLine] {
        &self.lines
    }
    pub fn reverses(&self) -> Option<JournalEntryId> {
        self.reverses
    }

    /// Total debit and total credit.
    pub fn totals(&self) -> (Decimal, Decimal) {
        self.lines.iter().fold((Decimal::ZERO, Decimal::ZERO), |(d, c), l| (d + l.debit, c + l.credit))
    }

    /// Debit minus credit on `code` (and `partner`, if given) in this entry.
    pub fn net(&self, code: &str, partner: Option<AccountId>) -> Decimal {
        self.lines
            .iter()
            .filter(|l| l.account == code && (partner.is_none() || l.partner == partner))
            .map(JournalLine::amount)
            .sum()
    }
}

/// Refuses a date on or before the lock date (the books are closed up to and including it).
pub fn ensure_open(date: NaiveDate, lock_date: Option<NaiveDate>) -> Result<(), LedgerError> {
    match lock_date {
        Some(locked_until) if date <= locked_until => Err(LedgerError::PeriodLocked { date, locked_until }),
        _ => Ok(()),
    }
}
