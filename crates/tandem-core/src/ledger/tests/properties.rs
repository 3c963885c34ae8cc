//! Random sequences of documents: every entry balances, the books balance, the receivable
//! account equals the open invoices, and a reversal undoes an entry exactly.

use super::super::*;
use crate::id::{AccountId, JournalEntryId};
use crate::money::{Currency, FxRate};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use uuid::Uuid;

const COMPANY: Currency = Currency::EUR;

#[derive(Clone, Debug)]
enum Op {
    Invoice { customer: u8, usd: bool, rate_bp: u32, lines: Vec<(bool, u32)>, tax_cents: u32 },
    CreditNote { pick: usize, pct: u32 },
    Payment { pick: usize, rate_bp: u32, pct: u32 },
    Refund { pick: usize, pct: u32 },
    Cogs { cents: u32 },
    Receipt { cents: u32 },
    Adjustment { cents: i32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3, any::<bool>(), 8000u32..=12500, prop::collection::vec((any::<bool>(), 1u32..=500_000), 1..=4), 0u32..=50_000)
            .prop_map(|(customer, usd, rate_bp, lines, tax_cents)| Op::Invoice { customer, usd, rate_bp, lines, tax_cents }),
        1 => (any::<usize>(), 1u32..=100).prop_map(|(pick, pct)| Op::CreditNote { pick, pct }),
        4 => (any::<usize>(), 8000u32..=12500, 1u32..=150).prop_map(|(pick, rate_bp, pct)| Op::Payment { pick, rate_bp, pct }),
        1 => (any::<usize>(), 1u32..=100).prop_map(|(pick, pct)| Op::Refund { pick, pct }),
        1 => (0u32..=100_000).prop_map(|cents| Op::Cogs { cents }),
        1 => (0u32..=100_000).prop_map(|cents| Op::Receipt { cents }),
        1 => (-50_000i32..=50_000).prop_map(|cents| Op::Adjustment { cents }),
    ]
}

/// An invoice still (partly) open, as the documents layer would track it.
#[derive(Clone, Debug)]
struct Open {
    reference: String,
    customer: AccountId,
    currency: Currency,
    rate: FxRate,
    revenue: Vec<(String, Decimal)>,
    tax: Decimal,
    open_doc: Decimal,
    open_company: Decimal,
}

#[derive(Default)]
struct Books {
    entries: Vec<JournalEntry>,
    invoices: Vec<Open>,
    /// Unused customer credit in the document and the company currency, per (customer, currency).
    credit: BTreeMap<(AccountId, Currency), (Decimal, Decimal)>,
    n: u128,
}

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

fn rate_of(usd: bool, bp: u32) -> FxRate {
    if usd {
        FxRate::new(Decimal::new(i64::from(bp), 4)).unwrap_or(FxRate::ONE)
    } else {
        FxRate::ONE
    }
}

/// `amount * pct / 100`, rounded down to the cent.
fn share(amount: Decimal, pct: u32) -> Decimal {
    let mut s = (amount * Decimal::from(pct) / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
    s.rescale(2);
    s
}

impl Books {
    fn next(&mut self) -> (JournalEntryId, Uuid, NaiveDate) {
        self.n += 1;
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.checked_add_days(Days::new(self.n as u64)));
        (
            JournalEntryId::from_uuid(Uuid::from_u128(self.n)),
            Uuid::from_u128(1 << 64 | self.n),
            date.unwrap_or_default(),
        )
    }

    fn push(&mut self, chart: &Chart, e: JournalEntry) -> Result<(), TestCaseError> {
        let (debit, credit) = e.totals();
        prop_assert_eq!(debit, credit, "entry {} balances", e.reference());
        prop_assert!(e.validate(chart).is_ok(), "entry {} validates", e.reference());
        self.entries.push(e);
        Ok(())
    }

    fn apply(&mut self, chart: &Chart, op: Op) -> Result<(), TestCaseError> {
        match op {
            Op::Invoice { customer, usd, rate_bp, lines, tax_cents } => {
                let (entry_id, source_id, date) = self.next();
                let currency = if usd { Currency::USD } else { Currency::EUR };
                let rate = rate_of(usd, rate_bp);
                let revenue: Vec<(String, Decimal)> = lines
                    .iter()
                    .map(|(goods, c)| {
                        (
                            (if *goods { codes::SALES_GOODS } else { codes::SALES_SERVICES }).to_owned(),
                            cents(i64::from(*c)),
                        )
                    })
                    .collect();
                let p = InvoicePosting {
                    entry_id,
                    source_id,
                    date,
                    reference: format!("INV-{}", self.n),
                    customer: AccountId::from_uuid(Uuid::from_u128(u128::from(customer) + 1)),
                    credit_note: false,
                    doc_currency: currency,
                    rate,
                    revenue: revenue.clone(),
                    tax: cents(i64::from(tax_cents)),
                };
                let e = p.post(chart, COMPANY);
                prop_assert!(e.is_ok(), "invoice posts: {:?}", e);
                self.push(chart, e.map_err(|e| TestCaseError::fail(e.to_string()))?)?;
                self.invoices.push(Open {
                    reference: p.reference.clone(),
                    customer: p.customer,
                    currency,
                    rate,
                    revenue,
                    tax: p.tax,
                    open_doc: p.total_doc(),
                    open_company: p.receivable_amount(COMPANY),
                });
            }
            Op::CreditNote { pick, pct } => {
                if self.invoices.is_empty() {
                    return Ok(());
                }
                let inv = self.invoices[pick % self.invoices.len()].clone();
                let revenue: Vec<(String, Decimal)> =
                    inv.revenue.iter().map(|(c, a)| (c.clone(), share(*a, pct))).collect();
                let (entry_id, source_id, date) = self.next();
                let p = InvoicePosting {
                    entry_id,
                    source_id,
                    date,
                    reference: format!("CN-{}", self.n),
                    customer: inv.customer,
                    credit_note: true,
                    doc_currency: inv.currency,
                    rate: inv.rate,
                    revenue,
                    tax: share(inv.tax, pct),
                };
                let (doc, company) = (p.total_doc(), p.receivable_amount(COMPANY));
                // A credit note never credits more than is still open.
                // One that settles the rest must clear the rest in the company currency too.
                let settles_with_residual = doc == inv.open_doc && company != inv.open_company;
                if doc > inv.open_doc || company > inv.open_company || company.is_zero() || settles_with_residual {
                    return Ok(());
                }
                let e = p.post(chart, COMPANY).map_err(|e| TestCaseError::fail(e.to_string()))?;
                self.push(chart, e)?;
                if let Some(open) = self.invoices.iter_mut().find(|i| i.reference == inv.reference) {
                    open.open_doc -= doc;
                    open.open_company -= company;
                }
            }
            Op::Payment { pick, rate_bp, pct } => {
                if self.invoices.is_empty() {
                    return Ok(());
                }
                let first = self.invoices[pick % self.invoices.len()].clone();
                let (customer, currency) = (first.customer, first.currency);
                let open_total: Decimal = self
                    .invoices
                    .iter()
                    .filter(|i| i.customer == customer && i.currency == currency)
                    .map(|i| i.open_doc)
                    .sum();
                let amount = share(open_total.max(cents(1000)), pct);
                if amount.is_zero() {
                    return Ok(());
                }
                let mut left = amount;
                let mut allocations = Vec::new();
                let mut cleared = Vec::new();
                for inv in self.invoices.iter().filter(|i| i.customer == customer && i.currency == currency) {
                    if left.is_zero() || inv.open_doc <= Decimal::ZERO {
                        continue;
                    }
                    let alloc = left.min(inv.open_doc);
                    let company = allocation_in_company(inv.open_doc, inv.open_company, alloc, inv.rate, COMPANY);
                    allocations.push(AllocationPosting {
                        invoice_reference: inv.reference.clone(),
                        amount_doc: alloc,
                        amount_company: company,
                    });
                    cleared.push((inv.reference.clone(), alloc, company));
                    left -= alloc;
                }
                let (entry_id, source_id, date) = self.next();
                let p = PaymentPosting {
                    entry_id,
                    source_id,
                    date,
                    reference: format!("PAY-{}", self.n),
                    customer,
                    doc_currency: currency,
                    rate: rate_of(currency == Currency::USD, rate_bp),
                    amount,
                    allocations,
                };
                let e = p.post(chart, COMPANY);
                prop_assert!(e.is_ok(), "payment posts: {:?}", e);
                self.push(chart, e.map_err(|e| TestCaseError::fail(e.to_string()))?)?;
                for (reference, doc, company) in cleared {
                    if let Some(open) = self.invoices.iter_mut().find(|i| i.reference == reference) {
                        open.open_doc -= doc;
                        open.open_company -= company;
                    }
                }
                let credit = self.credit.entry((customer, currency)).or_default();
                credit.0 += left;
                credit.1 += p.credit_amount(COMPANY);
            }
            Op::Refund { pick, pct } => {
                let with_credit: Vec<((AccountId, Currency), (Decimal, Decimal))> =
                    self.credit.iter().filter(|(_, v)| v.0 > Decimal::ZERO).map(|(k, v)| (*k, *v)).collect();
                if with_credit.is_empty() {
                    return Ok(());
                }
                let ((customer, currency), (credit_doc, credit_company)) = with_credit[pick % with_credit.len()];
                let amount = share(credit_doc, pct);
                let clears = credit_in_company(credit_doc, credit_company, amount, COMPANY);
                if amount.is_zero() {
                    return Ok(());
                }
                let (entry_id, source_id, date) = self.next();
                let p = RefundPosting {
                    entry_id,
                    source_id,
                    date,
                    reference: format!("REF-{}", self.n),
                    customer,
                    doc_currency: currency,
                    rate: rate_of(currency == Currency::USD, 9000 + (pct * 31) % 3000),
                    amount,
                    clears_company: Some(clears),
                };
                let e = p.post(chart, COMPANY).map_err(|e| TestCaseError::fail(e.to_string()))?;
                self.push(chart, e)?;
                let credit = self.credit.entry((customer, currency)).or_default();
                credit.0 -= amount;
                credit.1 -= clears;
            }
            Op::Cogs { cents: c } => {
                let (entry_id, source_id, date) = self.next();
                let p = CogsPosting {
                    entry_id,
                    source_id,
                    date,
                    reference: format!("DEL-{}", self.n),
                    cost: cents(i64::from(c)),
                };
                let e = p.post(chart, COMPANY).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(e.is_none(), c == 0, "only a zero cost books nothing");
                if let Some(e) = e {
                    self.push(chart, e)?;
                }
            }
            Op::Receipt { cents: c } => {
                let (entry_id, source_id, date) = self.next();
                let p = ReceiptPosting {
                    entry_id,
                    source_id,
                    date,
                    reference: format!("REC-{}", self.n),
                    supplier: None,
                    value: cents(i64::from(c)),
                };
                if let Some(e) = p.post(chart, COMPANY).map_err(|e| TestCaseError::fail(e.to_string()))? {
                    self.push(chart, e)?;
                }
            }
            Op::Adjustment { cents: c } => {
                let (entry_id, source_id, date) = self.next();
                let p = AdjustmentPosting {
                    entry_id,
                    source_id,
                    date,
                    reference: format!("ADJ-{}", self.n),
                    value: cents(i64::from(c)),
                };
                if let Some(e) = p.post(chart, COMPANY).map_err(|e| TestCaseError::fail(e.to_string()))? {
                    self.push(chart, e)?;
                }
            }
        }
        Ok(())
    }
}

fn balances(entries: &[JournalEntry]) -> BTreeMap<String, Decimal> {
    let mut m: BTreeMap<String, Decimal> = BTreeMap::new();
    for e in entries {
        for l in e.lines() {
            *m.entry(l.account.clone()).or_default() += l.amount();
        }
    }
    m.retain(|_, v| !v.is_zero());
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_documents_keep_the_books_balanced_and_receivables_exact(
        ops in prop::collection::vec(op(), 1..40),
        reverse_pick in any::<usize>(),
    ) {
        let chart = Chart::standard();
        let mut books = Books::default();
        for op in ops {
            books.apply(&chart, op)?; // (a) every built entry balances and validates
        }
        let end = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap_or_default();

        // (b) the trial balance balances.
        let tb = trial_balance(&chart, &books.entries, None, end);
        prop_assert_eq!(tb.total_debit, tb.total_credit, "trial balance debits equal credits");
        prop_assert_eq!(tb.rows.iter().map(|r| r.balance).sum::<Decimal>(), Decimal::ZERO, "balances sum to zero");

        // (c) the receivable account equals the open invoices in the company currency.
        let open: Decimal = books.invoices.iter().map(|i| i.open_company).sum();
        prop_assert_eq!(account_balance(&books.entries, codes::RECEIVABLE, None, end), open, "receivable = open invoices");
        for i in &books.invoices {
            prop_assert!(i.open_doc >= Decimal::ZERO && i.open_company >= Decimal::ZERO, "never over-cleared: {:?}", i);
            if i.open_doc.is_zero() {
                prop_assert_eq!(i.open_company, Decimal::ZERO, "a settled invoice leaves no receivable: {:?}", i);
            }
        }
        for c in 1..=3u128 {
            let customer = AccountId::from_uuid(Uuid::from_u128(c));
            let per: Decimal = books.invoices.iter().filter(|i| i.customer == customer).map(|i| i.open_company).sum();
            prop_assert_eq!(account_balance(&books.entries, codes::RECEIVABLE, Some(customer), end), per, "per customer too");
        }

        // Customer credit in the ledger equals the unused credit as booked.
        let credit: Decimal = books.credit.values().map(|c| c.1).sum();
        prop_assert_eq!(-account_balance(&books.entries, codes::CUSTOMER_CREDIT, None, end), credit, "customer credit as booked");
        for (doc, company) in books.credit.values() {
            prop_assert!(*doc >= Decimal::ZERO && *company >= Decimal::ZERO, "no credit refunded twice");
            if doc.is_zero() {
                prop_assert_eq!(*company, Decimal::ZERO, "a credit refunded in full leaves nothing");
            }
        }

        // (d) the balance sheet balances.
        let bs = balance_sheet(&chart, &books.entries, end);
        prop_assert_eq!(bs.total_assets, bs.total_liabilities_and_equity, "assets = liabilities + equity + earnings");
        let pl = profit_and_loss(&chart, &books.entries, None, end);
        prop_assert_eq!(pl.net_profit, bs.current_earnings, "unclosed earnings are the profit to date");

        // (e) an entry and its reversal together change nothing.
        if !books.entries.is_empty() {
            let i = reverse_pick % books.entries.len();
            let original = books.entries[i].clone();
            let reversal = original.reverse(JournalEntryId::from_uuid(Uuid::from_u128(u128::MAX)), end);
            prop_assert!(reversal.validate(&chart).is_ok(), "a reversal validates");
            let mut without: Vec<JournalEntry> = books.entries.clone();
            without.remove(i);
            let mut with_both = books.entries.clone();
            with_both.push(reversal);
            prop_assert_eq!(balances(&with_both), balances(&without), "reversing {} restores every balance", original.reference());
            let all_reversed: Vec<JournalEntry> = books
                .entries
                .iter()
                .flat_map(|e| [e.clone(), e.reverse(JournalEntryId::from_uuid(Uuid::nil()), end)])
                .collect();
            prop_assert!(balances(&all_reversed).is_empty(), "reversing everything leaves nothing");
        }

        // The export writes one posting per line.
        let text = to_ledger_text(&chart, &books.entries);
        let postings = books.entries.iter().map(|e| e.lines().len()).sum::<usize>();
        prop_assert_eq!(text.lines().filter(|l| l.starts_with("    ")).count(), postings, "one posting per line");
    }
}
