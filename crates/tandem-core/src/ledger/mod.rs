//! The double-entry ledger: chart of accounts, journal entries, automatic postings, reports.
