//! Company-wide settings and exchange rates.

use crate::error::{FieldError, RuleError};
use crate::money::{Currency, FxRate};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The settings every device shares (one record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanySettings {
    /// The currency of the ledger.
    pub currency: Currency,
    /// Nothing is posted on or before this date.
    #[serde(default)]
    pub lock_date: Option<NaiveDate>,
    /// A quote with a discount above this needs a sales manager's approval.
    #[serde(default = "default_approval_threshold")]
    pub quote_approval_threshold: crate::money::Percent,
}

/// 15 %: above it, a quote's discount needs a sales manager's approval unless set otherwise.
pub fn default_approval_threshold() -> crate::money::Percent {
    crate::money::Percent::new(rust_decimal::Decimal::from(15)).unwrap_or(crate::money::Percent::ZERO)
}

impl CompanySettings {
    /// The id of the one settings record.
    pub const ID: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00c0);
}

impl Default for CompanySettings {
    fn default() -> Self {
        CompanySettings {
            currency: Currency::EUR,
            lock_date: None,
            quote_approval_threshold: default_approval_threshold(),
        }
    }
}

/// One exchange rate: units of the company currency for one unit of `currency` from `date`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateEntry {
    pub currency: Currency,
    pub date: NaiveDate,
    pub rate: FxRate,
}

impl RateEntry {
    /// One record per currency and date, the same id on every device.
    pub fn id_of(currency: Currency, date: NaiveDate) -> Uuid {
        Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("rate/{currency}/{date}").as_bytes())
    }
}

/// The rate of `currency` on `date`: the latest entry on or before it (1 for the company
/// currency).
pub fn rate_on(
    rates: &[RateEntry],
    currency: Currency,
    date: NaiveDate,
    company: Currency,
) -> Result<FxRate, RuleError> {
    if currency == company {
        return Ok(FxRate::ONE);
    }
    rates.iter().filter(|r| r.currency == currency && r.date <= date).max_by_key(|r| r.date).map(|r| r.rate).ok_or_else(
        || {
            RuleError::Invalid(
                FieldError::new("currency", format!("no {currency} rate on or before {date}: enter one first")).into(),
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_rate_on_or_before_the_date_applies() {
        let usd = Currency::USD;
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let r = |s: &str| FxRate::parse(s).expect("rate");
        let rates = vec![
            RateEntry { currency: usd, date: d("2026-11-01"), rate: r("0.92") },
            RateEntry { currency: usd, date: d("2026-11-20"), rate: r("0.95") },
        ];
        assert_eq!(rate_on(&rates, usd, d("2026-11-19"), Currency::EUR).expect("rate"), r("0.92"));
        assert_eq!(rate_on(&rates, usd, d("2026-11-23"), Currency::EUR).expect("rate"), r("0.95"));
        assert_eq!(rate_on(&rates, Currency::EUR, d("2026-11-23"), Currency::EUR).expect("rate"), FxRate::ONE);
        let e = rate_on(&rates, usd, d("2026-10-01"), Currency::EUR).expect_err("none yet");
        assert!(e.to_string().contains("no USD rate on or before 2026-10-01"), "{e}");
    }
}
