//! The chart of accounts of a small trading company.

use super::error::LedgerError;
use serde::{Deserialize, Serialize};

/// The five kinds of account; the kind decides the report an account appears in and its sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Asset,
    Liability,
    Equity,
    Income,
    Expense,
}

impl AccountKind {
    /// The top-level account name in plain-text ledger files (hledger, ledger-cli).
    pub fn ledger_prefix(&self) -> &'static str {
        match self {
            AccountKind::Asset => "Assets",
            AccountKind::Liability => "Liabilities",
            AccountKind::Equity => "Equity",
            AccountKind::Income => "Income",
            AccountKind::Expense => "Expenses",
        }
    }

    /// Assets and expenses grow with debits; liabilities, equity and income with credits.
    pub fn is_debit_normal(&self) -> bool {
        matches!(self, AccountKind::Asset | AccountKind::Expense)
    }

    /// The kind a code suggests by its first digit (1 assets … 5-9 expenses), for codes a chart
    /// does not know.
    pub fn guess_from_code(code: &str) -> AccountKind {
        match code.chars().next() {
            Some('1') => AccountKind::Asset,
            Some('2') => AccountKind::Liability,
            Some('3') => AccountKind::Equity,
            Some('4') => AccountKind::Income,
            _ => AccountKind::Expense,
        }
    }
}

/// One account of the chart: a code (what entries reference), a name and a kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerAccount {
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
}

impl LedgerAccount {
    pub fn new(code: &str, name: &str, kind: AccountKind) -> Self {
        Self { code: code.to_owned(), name: name.to_owned(), kind }
    }
}

/// The account codes the rest of Tandem posts to.
pub mod codes {
    pub const BANK: &str = "1000";
    pub const CASH: &str = "1010";
    pub const RECEIVABLE: &str = "1200";
    pub const INVENTORY: &str = "1300";
    /// Suppliers: goods received not yet paid.
    pub const PAYABLE: &str = "2000";
    pub const VAT_PAYABLE: &str = "2200";
    /// Over-payments kept as customer credit (a liability).
    pub const CUSTOMER_CREDIT: &str = "2300";
    pub const EQUITY: &str = "3000";
    pub const RETAINED_EARNINGS: &str = "3100";
    pub const SALES_GOODS: &str = "4000";
    pub const SALES_SERVICES: &str = "4100";
    /// Realised exchange gains.
    pub const FX_GAIN: &str = "4900";
    pub const COGS: &str = "5000";
    pub const STOCK_ADJUSTMENT: &str = "5100";
    /// Realised exchange losses.
    pub const FX_LOSS: &str = "5900";
    pub const RENT: &str = "6000";
    pub const WAGES: &str = "6100";
    pub const BANK_FEES: &str = "6200";
}

/// The default chart of a small trading company (sorted by code).
pub fn default_chart() -> Vec<LedgerAccount> {
    use AccountKind::*;
    vec![
        LedgerAccount::new(codes::BANK, "Bank", Asset),
        LedgerAccount::new(codes::CASH, "Cash", Asset),
        LedgerAccount::new(codes::RECEIVABLE, "Receivable", Asset),
        LedgerAccount::new(codes::INVENTORY, "Inventory", Asset),
        LedgerAccount::new(codes::PAYABLE, "Payable", Liability),
        LedgerAccount::new(codes::VAT_PAYABLE, "VAT payable", Liability),
        LedgerAccount::new(codes::CUSTOMER_CREDIT, "Customer credit", Liability),
        LedgerAccount::new(codes::EQUITY, "Share capital", Equity),
        LedgerAccount::new(codes::RETAINED_EARNINGS, "Retained earnings", Equity),
        LedgerAccount::new(codes::SALES_GOODS, "Sales of goods", Income),
        LedgerAccount::new(codes::SALES_SERVICES, "Sales of services", Income),
        LedgerAccount::new(codes::FX_GAIN, "Exchange gains", Income),
        LedgerAccount::new(codes::COGS, "Cost of goods sold", Expense),
        LedgerAccount::new(codes::STOCK_ADJUSTMENT, "Stock adjustments", Expense),
        LedgerAccount::new(codes::FX_LOSS, "Exchange losses", Expense),
        LedgerAccount::new(codes::RENT, "Rent", Expense),
        LedgerAccount::new(codes::WAGES, "Wages", Expense),
        LedgerAccount::new(codes::BANK_FEES, "Bank fees", Expense),
    ]
}

/// A chart of accounts with lookup by code: codes are unique and not empty, accounts sorted by code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Chart {
    accounts: Vec<LedgerAccount>,
}

impl Chart {
    /// Refuses an empty or duplicate code.
    pub fn new(mut accounts: Vec<LedgerAccount>) -> Result<Self, LedgerError> {
        accounts.sort_by(|a, b| a.code.cmp(&b.code));
        for (i, a) in accounts.iter().enumerate() {
            if a.code.trim().is_empty() || a.code.trim() != a.code {
                return Err(LedgerError::InvalidChart(format!("account {:?} has no usable code", a.name)));
            }
            if i > 0 && accounts[i - 1].code == a.code {
                return Err(LedgerError::InvalidChart(format!("code {} is used twice", a.code)));
            }
        }
        Ok(Self { accounts })
    }

    /// The chart of [`default_chart`].
    pub fn standard() -> Self {
        let mut accounts = default_chart();
        accounts.sort_by(|a, b| a.code.cmp(&b.code));
        Self { accounts }
    }

    pub fn accounts(&self) -> &[LedgerAccount] {
        &self.accounts
    }

    pub fn get(&self, code: &str) -> Option<&LedgerAccount> {
        self.accounts.binary_search_by(|a| a.code.as_str().cmp(code)).ok().map(|i| &self.accounts[i])
    }

    pub fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    /// The account's kind, or the kind its first digit suggests for a code the chart lacks.
    pub fn kind_of(&self, code: &str) -> AccountKind {
        self.get(code).map_or_else(|| AccountKind::guess_from_code(code), |a| a.kind)
    }

    /// The account's name, or "Unknown account" for a code the chart lacks.
    pub fn name_of(&self, code: &str) -> &str {
        self.get(code).map_or("Unknown account", |a| a.name.as_str())
    }
}

impl Default for Chart {
    fn default() -> Self {
        Self::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_chart_has_every_code_tandem_posts_to() {
        let chart = Chart::standard();
        for code in [
            codes::BANK,
            codes::RECEIVABLE,
            codes::INVENTORY,
            codes::PAYABLE,
            codes::VAT_PAYABLE,
            codes::CUSTOMER_CREDIT,
            codes::EQUITY,
            codes::RETAINED_EARNINGS,
            codes::SALES_GOODS,
            codes::SALES_SERVICES,
            codes::FX_GAIN,
            codes::COGS,
            codes::STOCK_ADJUSTMENT,
            codes::FX_LOSS,
        ] {
            assert!(chart.contains(code), "the default chart must contain {code}");
        }
        assert_eq!(chart.kind_of(codes::CUSTOMER_CREDIT), AccountKind::Liability, "customer credit is owed");
        assert!(Chart::new(default_chart()).is_ok(), "the default chart has unique codes");
    }

    #[test]
    fn a_chart_refuses_duplicate_codes() {
        let mut accounts = default_chart();
        accounts.push(LedgerAccount::new(codes::BANK, "Second bank", AccountKind::Asset));
        let e = Chart::new(accounts).expect_err("1000 twice must be refused");
        assert_eq!(e.code(), "invalid_chart");
        assert!(e.to_string().contains("1000 is used twice"), "{e}");
    }
}
