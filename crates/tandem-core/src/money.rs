//! Money, quantities, percentages and exchange rates: decimal values that can only exist valid.
//!
//! Amounts are `rust_decimal::Decimal` with an ISO 4217 [`Currency`]; never a float. JSON carries
//! every decimal as a string. Rounding to the currency's minor unit happens only where a rule
//! says so, always through [`Currency::round`] (half away from zero), on device and server alike.

use crate::error::FieldError;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The currencies Tandem knows, with their minor units (ISO 4217).
const CURRENCIES: &[(&str, u32)] = &[
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("INR", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PLN", 2),
    ("RON", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("TRY", 2),
    ("USD", 2),
    ("ZAR", 2),
];

/// An ISO 4217 currency Tandem knows (so its minor unit is known).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        match CURRENCIES.iter().find(|(c, _)| *c == code) {
            Some((c, _)) => {
                let b = c.as_bytes();
                Ok(Currency([b[0], b[1], b[2]]))
            }
            None if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
                Err(FieldError::new("currency", format!("{code} is not a currency Tandem knows")))
            }
            None => Err(FieldError::new("currency", format!("{raw:?} is not a currency code (e.g. EUR)"))),
        }
    }

    pub fn code(&self) -> &str {
        // Only built from the ASCII table above.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Decimal places of the minor unit (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn minor_units(&self) -> u32 {
        CURRENCIES.iter().find(|(c, _)| c.as_bytes() == self.0).map_or(2, |(_, m)| *m)
    }

    /// Rounds to the minor unit, half away from zero: the one rounding rule of Tandem.
    pub fn round(&self, d: Decimal) -> Decimal {
        let mut r = d.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero);
        // Always written with the minor unit's places: "12.50", not "12.5".
        r.rescale(self.minor_units());
        r
    }

    /// Parses an amount in this currency, refusing more decimals than the minor unit allows.
    pub fn parse_amount(&self, field: &str, raw: &str) -> Result<Decimal, FieldError> {
        let d = parse_decimal(field, raw)?;
        if d.normalize().scale() > self.minor_units() {
            return Err(FieldError::new(
                field,
                format!("{} has more decimals than {} allows ({})", raw.trim(), self.code(), self.minor_units()),
            ));
        }
        Ok(self.round(d))
    }

    /// "5,000.00 EUR": the amount rounded to the minor unit, with thousands separators.
    pub fn format(&self, d: Decimal) -> String {
        format!("{} {}", group(self.round(d), self.minor_units()), self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

fn group(d: Decimal, dp: u32) -> String {
    let s = format!("{:.*}", dp as usize, d.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    if d.is_sign_negative() && !d.is_zero() {
        format!("-{out}")
    } else {
        out
    }
}

/// Parses a plain decimal ("1234.5", "-3"): no exponent, no thousands separators, no float.
pub fn parse_decimal(field: &str, raw: &str) -> Result<Decimal, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+') {
        return Err(FieldError::new(field, format!("{s:?} is not a number")));
    }
    Decimal::from_str_exact(s).map_err(|_| FieldError::new(field, format!("{s:?} is not a number")))
}

/// An amount with its currency, already rounded to the currency's minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    /// Rounds `amount` to the minor unit of `currency`.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount: currency.round(amount), currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self { amount: Decimal::ZERO, currency }
    }

    pub fn parse(field: &str, amount: &str, currency: &str) -> Result<Self, FieldError> {
        let currency = Currency::parse(currency)?;
        Ok(Self { amount: currency.parse_amount(field, amount)?, currency })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.currency.format(self.amount))
    }
}

macro_rules! decimal_value {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "Decimal", into = "Decimal")]
        pub struct $name(Decimal);

        impl $name {
            pub fn new(d: Decimal) -> Result<Self, FieldError> {
                let check: fn(Decimal) -> Result<Decimal, String> = $check;
                check(d).map(Self).map_err(|m| FieldError::new($field, m))
            }

            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                Self::new(parse_decimal($field, raw)?)
            }

            pub fn get(&self) -> Decimal {
                self.0
            }
        }

        impl TryFrom<Decimal> for $name {
            type Error = FieldError;
            fn try_from(d: Decimal) -> Result<Self, FieldError> {
                Self::new(d)
            }
        }

        impl From<$name> for Decimal {
            fn from(v: $name) -> Decimal {
                v.0
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, FieldError> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.normalize().fmt(f)
            }
        }
    };
}

/// The most decimals of a quantity (thousandths of a unit: grams of a kilo).
pub const QUANTITY_DECIMALS: u32 = 3;

decimal_value!(
    /// A quantity of a product: zero or more, at most three decimals.
    Quantity,
    "quantity",
    |d| {
        if d.is_sign_negative() && !d.is_zero() {
            Err(format!("{} is negative (a quantity is zero or more)", d.normalize()))
        } else if d.normalize().scale() > QUANTITY_DECIMALS {
            Err(format!("{} has more than {QUANTITY_DECIMALS} decimals", d.normalize()))
        } else if d > Decimal::from(1_000_000_000i64) {
            Err(format!("{} is too large", d.normalize()))
        } else {
            Ok(d.normalize())
        }
    }
);

decimal_value!(
    /// A change of quantity (a stock adjustment): may be negative, at most three decimals.
    QuantityDelta,
    "quantity",
    |d| {
        if d.normalize().scale() > QUANTITY_DECIMALS {
            Err(format!("{} has more than {QUANTITY_DECIMALS} decimals", d.normalize()))
        } else if d.abs() > Decimal::from(1_000_000_000i64) {
            Err(format!("{} is too large", d.normalize()))
        } else {
            Ok(d.normalize())
        }
    }
);

decimal_value!(
    /// A percentage from 0 to 100 (a discount), at most two decimals.
    Percent,
    "discount",
    |d| {
        if d.is_sign_negative() && !d.is_zero() {
            Err(format!("{}% is negative", d.normalize()))
        } else if d > Decimal::ONE_HUNDRED {
            Err(format!("{}% is over 100 %", d.normalize()))
        } else if d.normalize().scale() > 2 {
            Err(format!("{}% has more than 2 decimals", d.normalize()))
        } else {
            Ok(d.normalize())
        }
    }
);

decimal_value!(
    /// A tax rate in percent (19, 7.7, 0), at most four decimals, below 100.
    TaxRate,
    "tax_rate",
    |d| {
        if d.is_sign_negative() && !d.is_zero() {
            Err(format!("{}% is negative", d.normalize()))
        } else if d >= Decimal::ONE_HUNDRED {
            Err(format!("{}% is not a tax rate (below 100 %)", d.normalize()))
        } else if d.normalize().scale() > 4 {
            Err(format!("{}% has more than 4 decimals", d.normalize()))
        } else {
            Ok(d.normalize())
        }
    }
);

decimal_value!(
    /// Units of the company currency for one unit of a document currency: positive, at most
    /// ten decimals.
    FxRate,
    "rate",
    |d| {
        if d <= Decimal::ZERO {
            Err(format!("{} is not a rate (it must be above zero)", d.normalize()))
        } else if d.normalize().scale() > 10 {
            Err(format!("{} has more than 10 decimals", d.normalize()))
        } else {
            Ok(d.normalize())
        }
    }
);

impl Percent {
    pub const ZERO: Percent = Percent(Decimal::ZERO);

    /// This share of `d` (unrounded).
    pub fn of(&self, d: Decimal) -> Decimal {
        d * self.0 / Decimal::ONE_HUNDRED
    }
}

impl TaxRate {
    pub const ZERO: TaxRate = TaxRate(Decimal::ZERO);

    pub fn of(&self, d: Decimal) -> Decimal {
        d * self.0 / Decimal::ONE_HUNDRED
    }
}

impl Quantity {
    pub const ZERO: Quantity = Quantity(Decimal::ZERO);

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// `self - other`, never below zero.
    pub fn saturating_sub(self, other: Quantity) -> Quantity {
        Quantity((self.0 - other.0).max(Decimal::ZERO))
    }

    /// Sum of two valid quantities (both at most three decimals, so the sum is too).
    pub fn plus(self, other: Quantity) -> Quantity {
        Quantity(self.0 + other.0)
    }
}

impl FxRate {
    pub const ONE: FxRate = FxRate(Decimal::ONE);

    /// `amount` (in the document currency) in the company currency, rounded to its minor unit.
    pub fn convert(&self, amount: Decimal, company: Currency) -> Decimal {
        company.round(amount * self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    #[test]
    fn currencies_parse_from_iso_codes_and_know_their_minor_unit() {
        assert_eq!(Currency::parse("eur").expect("eur").code(), "EUR");
        assert_eq!(Currency::parse("JPY").expect("jpy").minor_units(), 0);
        assert_eq!(Currency::parse("KWD").expect("kwd").minor_units(), 3);
        let e = Currency::parse("XYZ").expect_err("unknown");
        assert!(e.message.contains("XYZ is not a currency"), "{e}");
        assert!(Currency::parse("euro").is_err());
    }

    #[test]
    fn amounts_refuse_more_decimals_than_the_currency_allows() {
        assert_eq!(Currency::EUR.parse_amount("price", "12.5").expect("ok"), d("12.50"));
        let e = Currency::EUR.parse_amount("price", "12.345").expect_err("three decimals");
        assert_eq!(e.field, "price");
        assert!(e.message.contains("more decimals than EUR allows"), "{e}");
        assert!(Currency::parse("JPY").expect("jpy").parse_amount("price", "10.5").is_err());
        assert!(Currency::EUR.parse_amount("price", "1e3").is_err(), "no exponents");
        assert!(Currency::EUR.parse_amount("price", "1,000").is_err(), "no separators");
        assert!(Currency::EUR.parse_amount("price", "12.50000").is_ok(), "trailing zeros are not decimals");
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_the_minor_unit() {
        assert_eq!(Currency::EUR.round(d("0.125")), d("0.13"));
        assert_eq!(Currency::EUR.round(d("-0.125")), d("-0.13"));
        assert_eq!(Currency::EUR.round(d("0.124999")), d("0.12"));
        assert_eq!(Currency::parse("JPY").expect("jpy").round(d("10.5")), d("11"));
    }

    #[test]
    fn money_formats_with_separators_and_its_currency() {
        assert_eq!(Currency::EUR.format(d("5000")), "5,000.00 EUR");
        assert_eq!(Currency::EUR.format(d("1832.955")), "1,832.96 EUR");
        assert_eq!(Currency::EUR.format(d("-1234567.5")), "-1,234,567.50 EUR");
        assert_eq!(Currency::EUR.format(d("0")), "0.00 EUR");
        assert_eq!(Money::new(d("12.3"), Currency::USD).to_string(), "12.30 USD");
    }

    #[test]
    fn quantities_discounts_and_rates_refuse_what_makes_no_sense() {
        assert!(Quantity::parse("-1").expect_err("negative").message.contains("negative"));
        assert!(Quantity::parse("1.2345").is_err());
        assert_eq!(Quantity::parse("2.500").expect("ok").to_string(), "2.5");
        assert!(Percent::parse("100.5").expect_err("over").message.contains("over 100"));
        assert!(Percent::parse("-3").is_err());
        assert!(TaxRate::parse("100").is_err());
        assert!(FxRate::parse("0").is_err());
        let q: Result<Quantity, _> = serde_json::from_str("\"-2\"");
        assert!(q.is_err(), "serde goes through the same check");
    }

    #[test]
    fn money_travels_as_strings() {
        let m = Money::new(d("12.5"), Currency::EUR);
        assert_eq!(serde_json::to_string(&m).expect("json"), r#"{"amount":"12.50","currency":"EUR"}"#);
    }
}
