//! Document totals: the one place where lines, discounts and taxes are rounded.
//!
//! Rounding points, in this order, each to the currency's minor unit (half away from zero):
//! 1. **line**: `net = round(qty × unit_price × (1 − line discount))`;
//! 2. **tax group** (lines with the same tax rate): `base = round(Σ net × (1 − document
//!    discount))`, `tax = round(base × rate)`;
//! 3. **document**: `net = Σ base`, `tax = Σ tax`, `total = net + tax` (sums of rounded values,
//!    so nothing is rounded again).
//!
//! Device and server call these same functions, so a draft shows the very total the server
//! books.

use crate::money::{Currency, Percent, Quantity, TaxRate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The net amount of one line (rounding point 1).
pub fn line_net(currency: Currency, qty: Quantity, unit_price: Decimal, discount: Percent) -> Decimal {
    let gross = qty.get() * unit_price;
    currency.round(gross - discount.of(gross))
}

/// The tax of one rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxLine {
    pub rate: TaxRate,
    pub base: Decimal,
    pub tax: Decimal,
}

/// The totals of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Σ line nets before the document discount.
    pub lines: Decimal,
    /// What the document discount took off.
    pub discount: Decimal,
    /// Net after the document discount.
    pub net: Decimal,
    pub taxes: Vec<TaxLine>,
    pub tax: Decimal,
    pub total: Decimal,
}

impl Totals {
    pub fn zero(currency: Currency) -> Self {
        let z = currency.round(Decimal::ZERO);
        Totals { lines: z, discount: z, net: z, taxes: vec![], tax: z, total: z }
    }
}

/// Totals of lines given as `(net, tax rate)` under a document discount (rounding points 2, 3).
pub fn totals(currency: Currency, lines: &[(Decimal, TaxRate)], discount: Percent) -> Totals {
    let mut groups: BTreeMap<TaxRate, Decimal> = BTreeMap::new();
    for (net, rate) in lines {
        *groups.entry(*rate).or_default() += *net;
    }
    let mut t = Totals::zero(currency);
    for (rate, sum) in groups {
        let base = currency.round(sum - discount.of(sum));
        let tax = currency.round(rate.of(base));
        t.lines += sum;
        t.net += base;
        t.tax += tax;
        t.taxes.push(TaxLine { rate, base, tax });
    }
    t.lines = currency.round(t.lines);
    t.discount = t.lines - t.net;
    t.total = t.net + t.tax;
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    #[test]
    fn lines_taxes_and_totals_round_at_the_documented_points() {
        let eur = Currency::EUR;
        let q = |s: &str| Quantity::parse(s).expect("qty");
        let p = |s: &str| Percent::parse(s).expect("pct");
        let r = |s: &str| TaxRate::parse(s).expect("rate");
        // 3 × 19.99 − 10 % = 53.973 → 53.97
        let a = line_net(eur, q("3"), d("19.99"), p("10"));
        assert_eq!(a, d("53.97"));
        // 0.333 kg × 1.50 = 0.4995 → 0.50 (half away from zero)
        let b = line_net(eur, q("0.333"), d("1.50"), Percent::ZERO);
        assert_eq!(b, d("0.50"));
        let t = totals(eur, &[(a, r("19")), (b, r("7")), (d("100.00"), r("19"))], p("2"));
        // 19 %: 153.97 − 2 % = 150.8906 → 150.89; tax 28.6691 → 28.67
        // 7 %: 0.50 − 2 % = 0.49; tax 0.0343 → 0.03
        assert_eq!(t.taxes[0], TaxLine { rate: r("7"), base: d("0.49"), tax: d("0.03") });
        assert_eq!(t.taxes[1], TaxLine { rate: r("19"), base: d("150.89"), tax: d("28.67") });
        assert_eq!(
            (t.lines, t.discount, t.net, t.tax, t.total),
            (d("154.47"), d("3.09"), d("151.38"), d("28.70"), d("180.08"))
        );
    }

    proptest! {
        /// Whatever the lines, the parts add up to the whole exactly and every figure is at the
        /// currency's minor unit.
        #[test]
        fn totals_add_up_exactly(
            lines in proptest::collection::vec((0u32..100_000, 0u32..10_000_000, 0u32..3), 0..12),
            disc in 0u32..10_000,
        ) {
            let eur = Currency::EUR;
            let rates = [TaxRate::ZERO, TaxRate::parse("7").expect("r"), TaxRate::parse("19").expect("r")];
            let ls: Vec<(Decimal, TaxRate)> = lines
                .iter()
                .map(|(q, p, r)| {
                    let qty = Quantity::new(Decimal::new(i64::from(*q), 3)).expect("qty");
                    (line_net(eur, qty, Decimal::new(i64::from(*p), 4), Percent::ZERO), rates[*r as usize])
                })
                .collect();
            let t = totals(eur, &ls, Percent::new(Decimal::new(i64::from(disc), 2)).expect("pct"));
            prop_assert_eq!(t.net + t.tax, t.total);
            prop_assert_eq!(t.lines - t.discount, t.net);
            prop_assert_eq!(t.taxes.iter().map(|x| x.base).sum::<Decimal>(), t.net);
            prop_assert_eq!(t.taxes.iter().map(|x| x.tax).sum::<Decimal>(), t.tax);
            for v in [t.net, t.tax, t.total, t.discount] {
                prop_assert_eq!(eur.round(v), v, "every figure is at the minor unit");
            }
        }
    }
}
