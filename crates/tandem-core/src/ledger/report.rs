//! Reports over posted entries: trial balance, profit and loss, balance sheet, account balances.

use super::chart::{AccountKind, Chart};
use super::entry::JournalEntry;
use crate::id::AccountId;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Debit and credit totals per account code of the entries dated within `from..=to`.
fn movements<'a>(
    entries: impl IntoIterator<Item = &'a JournalEntry>,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> BTreeMap<String, (Decimal, Decimal)> {
    let mut m: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for e in entries {
        if e.date() > to || from.is_some_and(|f| e.date() < f) {
            continue;
        }
        for l in e.lines() {
            let t = m.entry(l.account.clone()).or_default();
            t.0 += l.debit;
            t.1 += l.credit;
        }
    }
    m
}

/// One account of the trial balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrialBalanceRow {
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
    pub debit: Decimal,
    pub credit: Decimal,
    /// Debit minus credit.
    pub balance: Decimal,
}

/// Debits and credits per account over a period (`from` = None: since the beginning).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrialBalance {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
    pub rows: Vec<TrialBalanceRow>,
    pub total_debit: Decimal,
    pub total_credit: Decimal,
}

/// The trial balance: one row per account with movements, sorted by code.
pub fn trial_balance<'a>(
    chart: &Chart,
    entries: impl IntoIterator<Item = &'a JournalEntry>,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> TrialBalance {
    let rows: Vec<TrialBalanceRow> = movements(entries, from, to)
        .into_iter()
        .map(|(code, (debit, credit))| TrialBalanceRow {
            name: chart.name_of(&code).to_owned(),
            kind: chart.kind_of(&code),
            code,
            debit,
            credit,
            balance: debit - credit,
        })
        .collect();
    TrialBalance {
        from,
        to,
        total_debit: rows.iter().map(|r| r.debit).sum(),
        total_credit: rows.iter().map(|r| r.credit).sum(),
        rows,
    }
}

/// One account of a report, its amount in the report's natural sign (income and liabilities
/// positive when credited).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    pub code: String,
    pub name: String,
    pub amount: Decimal,
}

/// Income and expenses over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfitAndLoss {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
    pub income: Vec<ReportRow>,
    pub expenses: Vec<ReportRow>,
    pub total_income: Decimal,
    pub total_expenses: Decimal,
    /// Income minus expenses.
    pub net_profit: Decimal,
}

fn rows_of_kind(chart: &Chart, m: &BTreeMap<String, (Decimal, Decimal)>, kind: AccountKind) -> Vec<ReportRow> {
    m.iter()
        .filter(|(code, _)| chart.kind_of(code) == kind)
        .map(|(code, (d, c))| ReportRow {
            code: code.clone(),
            name: chart.name_of(code).to_owned(),
            amount: if kind.is_debit_normal() { d - c } else { c - d },
        })
        .collect()
}

fn total(rows: &[ReportRow]) -> Decimal {
    rows.iter().map(|r| r.amount).sum()
}

/// Profit and loss over `from..=to` (`from` = None: since the beginning); income positive.
pub fn profit_and_loss<'a>(
    chart: &Chart,
    entries: impl IntoIterator<Item = &'a JournalEntry>,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> ProfitAndLoss {
    let m = movements(entries, from, to);
    let income = rows_of_kind(chart, &m, AccountKind::Income);
    let expenses = rows_of_kind(chart, &m, AccountKind::Expense);
    let (total_income, total_expenses) = (total(&income), total(&expenses));
    ProfitAndLoss {
        from,
        to,
        income,
        expenses,
        total_income,
        total_expenses,
        net_profit: total_income - total_expenses,
    }
}

/// Assets, liabilities and equity at a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BalanceSheet {
    pub at: NaiveDate,
    /// Debit balances positive.
    pub assets: Vec<ReportRow>,
    /// Credit balances positive.
    pub liabilities: Vec<ReportRow>,
    /// Credit balances positive.
    pub equity: Vec<ReportRow>,
    /// Income minus expenses up to `at` not yet closed to retained earnings.
    pub current_earnings: Decimal,
    pub total_assets: Decimal,
    /// Liabilities + equity + current earnings: always equal to `total_assets`.
    pub total_liabilities_and_equity: Decimal,
}

/// The balance sheet at `at` (every entry dated on or before it).
pub fn balance_sheet<'a>(
    chart: &Chart,
    entries: impl IntoIterator<Item = &'a JournalEntry>,
    at: NaiveDate,
) -> BalanceSheet {
    let m = movements(entries, None, at);
    let assets = rows_of_kind(chart, &m, AccountKind::Asset);
    let liabilities = rows_of_kind(chart, &m, AccountKind::Liability);
    let equity = rows_of_kind(chart, &m, AccountKind::Equity);
    let current_earnings =
        total(&rows_of_kind(chart, &m, AccountKind::Income)) - total(&rows_of_kind(chart, &m, AccountKind::Expense));
    BalanceSheet {
        at,
        total_assets: total(&assets),
        total_liabilities_and_equity: total(&liabilities) + total(&equity) + current_earnings,
        assets,
        liabilities,
        equity,
        current_earnings,
    }
}

/// Debit minus credit on `code` up to and including `at`, for one partner if given.
pub fn account_balance<'a>(
    entries: impl IntoIterator<Item = &'a JournalEntry>,
    code: &str,
    partner: Option<AccountId>,
    at: NaiveDate,
) -> Decimal {
    entries.into_iter().filter(|e| e.date() <= at).map(|e| e.net(code, partner)).sum()
}
