//! The double-entry ledger: chart of accounts, journal entries, automatic postings, reports.
//!
//! Every amount is in the company currency; document amounts are converted with the document's
//! [`crate::money::FxRate`] and rounded per line. An entry balances to the cent and is never
//! edited once posted: a mistake is undone with [`JournalEntry::reverse`]. Nothing is posted on
//! or before the lock date ([`ensure_open`]).
//!
//! What each document posts ([`codes`] in brackets):
//!
//! | Document | Debit | Credit |
//! |---|---|---|
//! | Invoice | Receivable (1200, per customer): the sum of the credits | each revenue line's income account (4000 goods, 4100 services), VAT payable (2200) |
//! | Credit note | the mirror image of an invoice | |
//! | Payment | Bank (1000) at the payment rate; Exchange loss (5900) | Receivable (1200) per allocated invoice, at the part of the invoice's booked amount it clears ([`allocation_in_company`]); Customer credit (2300) for the unallocated rest; Exchange gain (4900) |
//! | Refund | Customer credit (2300) as booked ([`credit_in_company`]); Exchange loss (5900) | Bank (1000) at the refund rate; Exchange gain (4900) |
//! | Delivery | Cost of goods sold (5000) at average cost | Inventory (1300) |
//! | Goods receipt | Inventory (1300) | Payable (2000) |
//! | Stock adjustment | Inventory (1300) when stock rises, else Stock adjustments (5100) | the other one |
//!
//! A payment clears receivables at the invoice's rate and lands in the bank at the payment's
//! rate: the difference is a realised exchange gain or loss. Because an allocation that settles
//! an invoice clears exactly what is still open in the company currency, the receivable account
//! always equals the open invoice amounts.
//!
//! Reports ([`trial_balance`], [`profit_and_loss`], [`balance_sheet`], [`account_balance`],
//! [`aging()`], [`statement`]) are pure functions over posted entries; [`to_ledger_text`] writes
//! them as a journal hledger and ledger-cli read.

pub mod aging;
pub mod chart;
pub mod entry;
pub mod error;
pub mod export;
pub mod posting;
pub mod report;

#[cfg(test)]
mod tests;

pub use aging::{
    aging, statement, Aging, AgingBuckets, CustomerAging, OpenItem, Statement, StatementItem, StatementLine,
};
pub use chart::{codes, default_chart, AccountKind, Chart, LedgerAccount};
pub use entry::{drop_zero_lines, ensure_open, EntryDraft, JournalEntry, JournalLine, Source, SourceKind};
pub use error::LedgerError;
pub use export::{ledger_account_name, to_ledger_text};
pub use posting::{
    allocation_in_company, credit_in_company, AdjustmentPosting, AllocationPosting, CogsPosting, InvoicePosting,
    PaymentPosting, ReceiptPosting, RefundPosting,
};
pub use report::{
    account_balance, balance_sheet, profit_and_loss, trial_balance, BalanceSheet, ProfitAndLoss, ReportRow,
    TrialBalance, TrialBalanceRow,
};
