//! Field values that can only exist when valid ("parse, don't validate").
//!
//! Each type has private contents, a `parse` that says what is wrong, and serde that goes through
//! `parse`, so a bad value is refused at every edge: form, CLI flag, file and network.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Trims, refuses control characters and enforces a length range in characters.
pub(crate) fn clean_text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let s = raw.trim();
    let len = s.chars().count();
    if len < min {
        return Err(FieldError::new(field, "is required"));
    }
    if len > max {
        return Err(FieldError::new(field, format!("is too long ({len} characters, at most {max})")));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(FieldError::new(field, format!("contains a control character ({:?})", c)));
    }
    // Collapse runs of inner whitespace: "ACME   GmbH" and "ACME GmbH" are the same name.
    Ok(s.split_whitespace().collect::<Vec<_>>().join(" "))
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(s: String) -> Result<Self, FieldError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, FieldError> {
                Self::parse(s)
            }
        }

        impl $name {
            /// The field name used in error messages.
            pub const FIELD: &'static str = $field;
        }
    };
}

pub(crate) use text_value;

text_value!(
    /// The name of a company: 1–200 characters, inner whitespace collapsed.
    AccountName,
    "name"
);
impl AccountName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 200).map(Self)
    }
}

text_value!(
    /// The name of a person: 1–120 characters, with at least one letter.
    PersonName,
    "name"
);
impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = clean_text(Self::FIELD, raw, 1, 120)?;
        if !s.chars().any(char::is_alphabetic) {
            return Err(FieldError::new(Self::FIELD, "must contain at least one letter"));
        }
        Ok(Self(s))
    }
}

text_value!(
    /// A city name: 1–100 characters.
    City,
    "city"
);
impl City {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 100).map(Self)
    }
}

text_value!(
    /// A sales territory ("North", "DACH-South", "Key Accounts"): 1–64 characters of letters,
    /// digits, spaces and `- _ . /`.
    Territory,
    "territory"
);
impl Territory {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = clean_text(Self::FIELD, raw, 1, 64)?;
        if let Some(c) = s.chars().find(|c| !(c.is_alphanumeric() || " -_./".contains(*c))) {
            return Err(FieldError::new(
                Self::FIELD,
                format!("{s:?} contains {c:?}: use letters, digits, spaces and - _ . /"),
            ));
        }
        Ok(Self(s))
    }
}

text_value!(
    /// An e-mail address, stored with its domain in lower case.
    Email,
    "email"
);
impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let bad = |why: &str| FieldError::new(Self::FIELD, format!("{s:?} is not an e-mail address: {why}"));
        if s.is_empty() {
            return Err(FieldError::new(Self::FIELD, "is required"));
        }
        if s.len() > 254 {
            return Err(bad("longer than 254 characters"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("contains a space"));
        }
        let (local, domain) = match s.rsplit_once('@') {
            Some(parts) => parts,
            None => return Err(bad("missing '@'")),
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(bad("the part before '@' is empty, too long or has another '@'"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad("misplaced '.' before '@'"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(bad("the domain needs a dot (example.com)"));
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-');
            if !ok {
                return Err(bad("the domain is malformed"));
            }
        }
        if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
            return Err(bad("the domain ends in a number"));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }
}

text_value!(
    /// A phone number as people write it ("+49 30 1234-567"), 5–15 digits (ITU E.164),
    /// an optional leading '+', and spaces, dashes, dots, slashes and parentheses as separators.
    Phone,
    "phone"
);
impl Phone {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(FieldError::new(Self::FIELD, "is required"));
        }
        let body = s.strip_prefix('+').unwrap_or(&s);
        if let Some(c) = body.chars().find(|c| !(c.is_ascii_digit() || " -./()".contains(*c))) {
            return Err(FieldError::new(
                Self::FIELD,
                format!("{s:?} is not a phone number: unexpected {c:?} (use digits, '+', spaces, '-', '/', '.', '()')"),
            ));
        }
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !(5..=15).contains(&digits) {
            return Err(FieldError::new(
                Self::FIELD,
                format!("{s:?} is not a phone number: {digits} digits, expected 5 to 15"),
            ));
        }
        Ok(Self(s))
    }

    /// Digits only, with the leading '+' kept: the form to compare and dial.
    pub fn dialable(&self) -> String {
        let plus = if self.0.starts_with('+') { "+" } else { "" };
        format!("{plus}{}", self.0.chars().filter(char::is_ascii_digit).collect::<String>())
    }
}

text_value!(
    /// A VAT identification number: a two-letter country prefix and 2–13 letters or digits,
    /// stored in upper case without separators ("de 123.456.789" becomes "DE123456789").
    VatId,
    "vat_id"
);
impl VatId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect::<String>().to_uppercase();
        if compact.is_empty() {
            return Err(FieldError::new(Self::FIELD, "is required"));
        }
        let bad = |why: &str| FieldError::new(Self::FIELD, format!("{:?} is not a VAT id: {why}", raw.trim()));
        let mut chars = compact.chars();
        let prefix: String = chars.by_ref().take(2).collect();
        if prefix.len() != 2 || !prefix.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(bad("it must start with a two-letter country code (DE, FR, GB, ...)"));
        }
        let rest: String = chars.collect();
        if !(2..=13).contains(&rest.len()) {
            return Err(bad("after the country code come 2 to 13 letters or digits"));
        }
        if !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("only letters and digits may follow the country code"));
        }
        if !rest.chars().any(|c| c.is_ascii_digit()) {
            return Err(bad("the number part has no digit"));
        }
        if let Some(expected) = country_digits(&prefix) {
            if !(rest.len() == expected && rest.chars().all(|c| c.is_ascii_digit())) {
                return Err(bad(&format!("a {prefix} VAT id has {expected} digits after {prefix}")));
            }
        }
        Ok(Self(compact))
    }

    /// The two-letter country prefix.
    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

/// Countries whose VAT number is a fixed count of digits (others mix letters or vary in length).
fn country_digits(prefix: &str) -> Option<usize> {
    match prefix {
        "DE" | "EE" | "EL" | "PT" => Some(9),
        "DK" | "FI" | "HU" | "LU" | "MT" | "SI" => Some(8),
        "PL" | "SK" => Some(10),
        "IT" | "LV" => Some(11),
        "HR" => Some(11),
        "SE" => Some(12),
        _ => None,
    }
}

/// Parses an optional field: blank means "no value".
pub fn optional<T>(raw: Option<&str>, parse: impl Fn(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse(s).map(Some),
    }
}

/// Upper-cased code: letters, digits and `- _ . /`, `min`–`max` characters.
fn code_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let s = clean_text(field, raw, 1, max)?.to_uppercase();
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_./".contains(*c))) {
        return Err(FieldError::new(field, format!("{s:?} contains {c:?}: use letters, digits and - _ . /")));
    }
    Ok(s)
}

text_value!(
    /// A stock-keeping unit ("CHAIR-01"): 1–40 letters, digits and `- _ . /`, upper case.
    Sku,
    "sku"
);
impl Sku {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        code_text(Self::FIELD, raw, 40).map(Self)
    }
}

text_value!(
    /// A warehouse code ("MAIN", "HAMBURG-2"): 1–16 letters, digits and `- _ . /`, upper case.
    WarehouseCode,
    "warehouse"
);
impl WarehouseCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        code_text(Self::FIELD, raw, 16).map(Self)
    }
}

text_value!(
    /// The name of a product, price list, warehouse, pipeline, deal or contract: 1–200 characters.
    ItemName,
    "name"
);
impl ItemName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 200).map(Self)
    }
}

text_value!(
    /// A unit of measure ("pc", "kg", "h"): 1–12 characters.
    Unit,
    "unit"
);
impl Unit {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 12).map(Self)
    }
}

text_value!(
    /// A short free text (a carrier, a tracking number, a reason): 1–200 characters.
    Note,
    "note"
);
impl Note {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 200).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_accepts_ordinary_addresses_and_lowercases_the_domain() {
        assert_eq!(Email::parse("  Anna.Berg@Example.COM ").map(String::from), Ok("Anna.Berg@example.com".into()));
        assert!(Email::parse("sales+eu@mail.acme.co.uk").is_ok());
        assert!(Email::parse("info@bäckerei-müller.de").is_ok(), "international domains are e-mail too");
    }

    #[test]
    fn email_refuses_what_cannot_be_delivered_and_says_why() {
        for (bad, why) in [
            ("", "is required"),
            ("anna", "missing '@'"),
            ("@example.com", "before '@'"),
            ("anna@", "needs a dot"),
            ("anna@example", "needs a dot"),
            ("an na@example.com", "space"),
            ("anna@exa_mple.com", "malformed"),
            ("anna@-example.com", "malformed"),
            ("anna@example..com", "malformed"),
            ("anna..b@example.com", "misplaced '.'"),
            ("anna@10.0.0.1", "ends in a number"),
        ] {
            let err = Email::parse(bad).expect_err(bad);
            assert_eq!(err.field, "email");
            assert!(err.message.contains(why), "{bad:?}: expected {why:?} in {:?}", err.message);
        }
    }

    #[test]
    fn vat_id_is_normalised_and_checked_per_country() {
        assert_eq!(VatId::parse("de 123.456.789").map(String::from), Ok("DE123456789".into()));
        assert_eq!(VatId::parse("FR40303265045").map(|v| v.country().to_owned()), Ok("FR".into()));
        assert!(VatId::parse("GB123456789").is_ok());
        let e = VatId::parse("DE12345").expect_err("German VAT ids have 9 digits");
        assert!(e.message.contains("9 digits"), "{e}");
        assert!(VatId::parse("123456789").expect_err("no prefix").message.contains("country code"));
        assert!(VatId::parse("DE12345678!").is_err());
        assert!(VatId::parse("FRABCDEF").expect_err("no digit").message.contains("no digit"));
        assert_eq!(VatId::parse("  ").expect_err("blank").message, "is required");
    }

    #[test]
    fn phone_accepts_written_forms_and_refuses_letters_and_wrong_lengths() {
        let p = Phone::parse(" +49 (30)  1234-567 ").expect("a written number");
        assert_eq!(p.as_str(), "+49 (30) 1234-567", "inner whitespace is collapsed");
        assert_eq!(p.dialable(), "+49301234567");
        assert!(Phone::parse("0171/1234567").is_ok());
        assert!(Phone::parse("call me").expect_err("letters").message.contains("unexpected"));
        assert!(Phone::parse("1234").expect_err("too short").message.contains("4 digits"));
        assert!(Phone::parse("+1 234 567 890 123 456").expect_err("too long").message.contains("16 digits"));
        assert!(Phone::parse("++49 30 1234").is_err());
    }

    #[test]
    fn names_are_trimmed_collapsed_and_bounded() {
        assert_eq!(AccountName::parse("  ACME   GmbH ").map(String::from), Ok("ACME GmbH".into()));
        assert_eq!(AccountName::parse("   ").expect_err("blank").message, "is required");
        let long = "x".repeat(201);
        assert!(AccountName::parse(&long).expect_err("too long").message.contains("201 characters"));
        assert!(AccountName::parse("ACME\u{0007}").expect_err("bell").message.contains("control"));
        assert!(PersonName::parse("Anna Berg").is_ok());
        assert!(PersonName::parse("1234").expect_err("digits only").message.contains("letter"));
        assert!(City::parse("São Paulo").is_ok());
    }

    #[test]
    fn serde_goes_through_parse_so_bad_values_cannot_enter_from_json() {
        let ok: Email = serde_json::from_str("\"a@b.co\"").expect("valid");
        assert_eq!(ok.as_str(), "a@b.co");
        let err = serde_json::from_str::<Email>("\"nope\"").expect_err("invalid e-mail from JSON");
        assert!(err.to_string().contains("missing '@'"), "{err}");
    }

    #[test]
    fn optional_fields_treat_blank_as_absent() {
        assert_eq!(optional(Some("  "), Email::parse), Ok(None));
        assert_eq!(optional(None, Email::parse), Ok(None));
        assert!(optional(Some("x"), Email::parse).is_err());
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(s in "\\PC{0,60}") {
            // What parse accepts, it accepts again unchanged: stored values always re-parse.
            if let Ok(n) = AccountName::parse(&s) { prop_assert_eq!(AccountName::parse(n.as_str()), Ok(n.clone())); }
            if let Ok(e) = Email::parse(&s) { prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone())); }
            if let Ok(p) = Phone::parse(&s) { prop_assert_eq!(Phone::parse(p.as_str()), Ok(p.clone())); }
            if let Ok(v) = VatId::parse(&s) { prop_assert_eq!(VatId::parse(v.as_str()), Ok(v.clone())); }
        }

        #[test]
        fn phone_accepts_any_number_of_5_to_15_digits(d in "[0-9]{5,15}") {
            prop_assert!(Phone::parse(&d).is_ok());
            let plus = format!("+{d}");
            prop_assert!(Phone::parse(&plus).is_ok());
        }
    }
}
