//! Receivables aging and customer statements.

use crate::id::AccountId;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An open invoice (or an unused credit) of a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenItem {
    pub customer: AccountId,
    pub customer_name: String,
    pub reference: String,
    pub due: NaiveDate,
    /// Company currency; positive = owed to us.
    pub residual: Decimal,
}

/// Amounts by how long they are overdue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AgingBuckets {
    /// Not yet due (due on or after the aging date).
    pub current: Decimal,
    pub d1_30: Decimal,
    pub d31_60: Decimal,
    pub d61_90: Decimal,
    pub over_90: Decimal,
    pub total: Decimal,
}

impl AgingBuckets {
    fn add(&mut self, days_overdue: i64, amount: Decimal) {
        let bucket = match days_overdue {
            i64::MIN..=0 => &mut self.current,
            1..=30 => &mut self.d1_30,
            31..=60 => &mut self.d31_60,
            61..=90 => &mut self.d61_90,
            _ => &mut self.over_90,
        };
        *bucket += amount;
        self.total += amount;
    }
}

/// One customer's open items by age.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomerAging {
    pub customer: AccountId,
    pub customer_name: String,
    #[serde(flatten)]
    pub buckets: AgingBuckets,
}

/// The aged receivables at a date: per customer (sorted by name) and in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Aging {
    pub as_of: NaiveDate,
    pub customers: Vec<CustomerAging>,
    pub total: AgingBuckets,
}

/// Ages open items at `as_of`: not yet due, 1–30, 31–60, 61–90 and over 90 days overdue.
pub fn aging(items: &[OpenItem], as_of: NaiveDate) -> Aging {
    let mut customers: Vec<CustomerAging> = Vec::new();
    let mut total = AgingBuckets::default();
    for item in items {
        let days = (as_of - item.due).num_days();
        let i = match customers.iter().position(|c| c.customer == item.customer) {
            Some(i) => i,
            None => {
                customers.push(CustomerAging {
                    customer: item.customer,
                    customer_name: item.customer_name.clone(),
                    buckets: AgingBuckets::default(),
                });
                customers.len() - 1
            }
        };
        customers[i].buckets.add(days, item.residual);
        total.add(days, item.residual);
    }
    customers.sort_by(|a, b| a.customer_name.cmp(&b.customer_name).then(a.customer.cmp(&b.customer)));
    Aging { as_of, customers, total }
}

/// A dated movement of a customer's account: an invoice (debit) or a payment or credit note (credit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementItem {
    pub date: NaiveDate,
    pub reference: String,
    pub description: String,
    pub debit: Decimal,
    pub credit: Decimal,
}

/// A statement line with the balance after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub date: NaiveDate,
    pub reference: String,
    pub description: String,
    pub debit: Decimal,
    pub credit: Decimal,
    /// Running balance (positive = owed to us).
    pub balance: Decimal,
}

/// A customer's account over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub customer: AccountId,
    pub customer_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Everything before `from`.
    pub opening_balance: Decimal,
    pub lines: Vec<StatementLine>,
    pub closing_balance: Decimal,
}

/// The statement of `from..=to`: items before `from` make the opening balance, items after `to`
/// are left out, the rest are listed by date (in given order within a day) with a running balance.
pub fn statement(
    customer: AccountId,
    customer_name: &str,
    items: &[StatementItem],
    from: NaiveDate,
    to: NaiveDate,
) -> Statement {
    let opening_balance: Decimal = items.iter().filter(|i| i.date < from).map(|i| i.debit - i.credit).sum();
    let mut within: Vec<&StatementItem> = items.iter().filter(|i| i.date >= from && i.date <= to).collect();
    within.sort_by_key(|i| i.date);
    let mut balance = opening_balance;
    let lines = within
        .into_iter()
        .map(|i| {
            balance += i.debit - i.credit;
            StatementLine {
                date: i.date,
                reference: i.reference.clone(),
                description: i.description.clone(),
                debit: i.debit,
                credit: i.credit,
                balance,
            }
        })
        .collect();
    Statement {
        customer,
        customer_name: customer_name.to_owned(),
        from,
        to,
        opening_balance,
        lines,
        closing_balance: balance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use uuid::Uuid;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("a decimal literal")
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).expect("a date literal")
    }
    fn customer(n: u128) -> AccountId {
        AccountId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn aging_sorts_items_into_buckets_by_days_overdue() {
        let (a, b) = (customer(1), customer(2));
        let item = |c, name: &str, due: &str, r: &str| OpenItem {
            customer: c,
            customer_name: name.into(),
            reference: format!("INV-{due}"),
            due: day(due),
            residual: d(r),
        };
        let items = vec![
            item(b, "Zeta", "2026-06-30", "10.00"),  // due today: current
            item(b, "Zeta", "2026-06-29", "20.00"),  // 1 day
            item(a, "Alpha", "2026-05-31", "30.00"), // 30 days
            item(a, "Alpha", "2026-05-30", "40.00"), // 31 days
            item(a, "Alpha", "2026-04-01", "50.00"), // 90 days
            item(a, "Alpha", "2026-03-01", "60.00"), // 121 days
        ];
        let ag = aging(&items, day("2026-06-30"));
        assert_eq!(ag.customers[0].customer_name, "Alpha", "customers are sorted by name");
        let alpha = &ag.customers[0].buckets;
        assert_eq!((alpha.d1_30, alpha.d31_60, alpha.d61_90, alpha.over_90), (d("30"), d("40"), d("50"), d("60")));
        let zeta = &ag.customers[1].buckets;
        assert_eq!((zeta.current, zeta.d1_30, zeta.total), (d("10"), d("20"), d("30")), "due today is not overdue");
        assert_eq!(ag.total.total, d("210.00"), "the total sums every item");
        let json = serde_json::to_value(&ag).expect("aging serializes");
        assert_eq!(json["customers"][0]["over_90"], "60.00", "buckets are flat fields of a customer");
    }

    #[test]
    fn statement_carries_an_opening_balance_and_a_running_balance() {
        let it = |date: &str, r: &str, debit: &str, credit: &str| StatementItem {
            date: day(date),
            reference: r.into(),
            description: r.into(),
            debit: d(debit),
            credit: d(credit),
        };
        let items = vec![
            it("2026-01-10", "INV-1", "100.00", "0"),
            it("2026-02-05", "PAY-1", "0", "60.00"),
            it("2026-02-01", "INV-2", "50.00", "0"),
            it("2026-03-01", "INV-3", "999.00", "0"),
        ];
        let s = statement(customer(1), "Alpha", &items, day("2026-02-01"), day("2026-02-28"));
        assert_eq!(s.opening_balance, d("100.00"), "INV-1 is before the period");
        let refs: Vec<&str> = s.lines.iter().map(|l| l.reference.as_str()).collect();
        assert_eq!(refs, ["INV-2", "PAY-1"], "lines by date, INV-3 after the period is left out");
        assert_eq!(s.lines[0].balance, d("150.00"));
        assert_eq!(s.closing_balance, d("90.00"), "100 + 50 - 60");
    }
}
