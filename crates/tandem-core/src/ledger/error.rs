//! What the ledger refuses, with the figures a person needs to fix it.

use chrono::NaiveDate;

/// An entry, posting or chart the ledger refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// Debits and credits differ (amounts already formatted with their currency).
    #[error("entry {reference} does not balance: debit {debit}, credit {credit}")]
    Unbalanced { reference: String, debit: String, credit: String },
    /// The date is on or before the lock date.
    #[error("{date} is in a locked period (locked up to {locked_until})")]
    PeriodLocked { date: NaiveDate, locked_until: NaiveDate },
    /// An account code the chart does not have.
    #[error("entry {reference}: account {code} is not in the chart of accounts")]
    UnknownLedgerAccount { reference: String, code: String },
    /// A negative amount or one finer than the currency's minor unit.
    #[error("entry {reference}: {message}")]
    InvalidAmount { reference: String, message: String },
    /// An entry that is malformed (too few lines, a line with both or neither side).
    #[error("entry {reference}: {message}")]
    InvalidEntry { reference: String, message: String },
    /// A payment whose allocations exceed the amount received.
    #[error("payment {reference}: allocations of {allocated} exceed the amount received of {amount}")]
    OverAllocated { reference: String, allocated: String, amount: String },
    /// A chart of accounts with an empty or duplicate code.
    #[error("chart of accounts: {0}")]
    InvalidChart(String),
}

impl LedgerError {
    /// A stable machine-readable code for the UI and the wire.
    pub fn code(&self) -> &'static str {
        match self {
            LedgerError::Unbalanced { .. } => "unbalanced",
            LedgerError::PeriodLocked { .. } => "period_locked",
            LedgerError::UnknownLedgerAccount { .. } => "unknown_ledger_account",
            LedgerError::InvalidAmount { .. } => "invalid_amount",
            LedgerError::InvalidEntry { .. } => "invalid_entry",
            LedgerError::OverAllocated { .. } => "over_allocated",
            LedgerError::InvalidChart(_) => "invalid_chart",
        }
    }
}
