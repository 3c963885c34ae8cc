//! Admin-defined custom fields on accounts, contacts, deals and leads.
//!
//! An admin defines a field once ([`FieldDef`]: key, label, kind, required); every form, import
//! and sync message then parses the raw text of that field through [`FieldDef::parse_value`], so
//! a custom value is as strictly typed as a built-in one. Errors name the field by its label, the
//! name users see.

use super::{parse_date, CrmEntity};
use crate::error::{FieldError, ValidationErrors};
use crate::fields::{clean_text, text_value};
use crate::id::FieldDefId;
use crate::money::{parse_decimal, Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The most decimals a number field may be defined with.
pub const MAX_SCALE: u32 = 10;
/// The longest a text field may be defined.
pub const MAX_TEXT_LEN: u32 = 10_000;

text_value!(
    /// The machine name of a custom field ("renewal_date"): a lower-case letter, then lower-case
    /// letters, digits and single underscores, at most 40 characters. It never changes, so
    /// stored values and imports keep working when the label is renamed.
    FieldKey,
    "key"
);
impl FieldKey {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let bad = |why: &str| FieldError::new(Self::FIELD, format!("{s:?} is not a field key: {why}"));
        if s.is_empty() {
            return Err(FieldError::new(Self::FIELD, "is required"));
        }
        if s.len() > 40 {
            return Err(bad("longer than 40 characters"));
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(bad("it must start with a lower-case letter"));
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')) {
            return Err(bad(&format!("{c:?} is not allowed (use a-z, 0-9 and _)")));
        }
        if s.contains("__") || s.ends_with('_') {
            return Err(bad("underscores separate words: no double or trailing '_'"));
            // "a__b", "a_"
        }
        Ok(Self(s.to_owned()))
    }
}

text_value!(
    /// The name of a custom field as users see it ("Renewal date"): 1–80 characters.
    FieldLabel,
    "label"
);
impl FieldLabel {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 80).map(Self)
    }
}

/// What a custom field holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum FieldKind {
    /// One line of text of at most `max_len` characters.
    Text { max_len: u32 },
    /// A decimal number with at most `scale` decimals (any when absent).
    Number {
        #[serde(default)]
        scale: Option<u32>,
    },
    /// An amount in one currency, with at most the currency's decimals.
    Money { currency: Currency },
    /// A calendar date, written `YYYY-MM-DD`.
    Date,
    /// One of a fixed list of options (matched without regard to case, stored as defined).
    Choice { options: Vec<String> },
}

impl FieldKind {
    fn name(&self) -> &'static str {
        match self {
            FieldKind::Text { .. } => "text",
            FieldKind::Number { .. } => "number",
            FieldKind::Money { .. } => "money",
            FieldKind::Date => "date",
            FieldKind::Choice { .. } => "choice",
        }
    }
}

/// A custom field an admin defined on one kind of record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub id: FieldDefId,
    pub entity: CrmEntity,
    pub key: FieldKey,
    pub label: FieldLabel,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
}

/// The value of one custom field, typed by its definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum CustomValue {
    Text(String),
    Number(Decimal),
    Money(Money),
    Date(NaiveDate),
    Choice(String),
}

impl CustomValue {
    fn kind_name(&self) -> &'static str {
        match self {
            CustomValue::Text(_) => "text",
            CustomValue::Number(_) => "number",
            CustomValue::Money(_) => "money",
            CustomValue::Date(_) => "date",
            CustomValue::Choice(_) => "choice",
        }
    }

    /// The value written as a user types it, so that [`FieldDef::parse_value`] reads it back
    /// unchanged (used for forms, CSV export and scoring rules).
    pub fn to_raw(&self) -> String {
        match self {
            CustomValue::Text(s) | CustomValue::Choice(s) => s.clone(),
            CustomValue::Number(d) => d.normalize().to_string(),
            CustomValue::Money(m) => m.amount.to_string(),
            CustomValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

impl fmt::Display for CustomValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomValue::Money(m) => m.fmt(f),
            other => f.write_str(&other.to_raw()),
        }
    }
}

impl FieldDef {
    fn error(&self, message: impl Into<String>) -> FieldError {
        FieldError::new(self.label.as_str(), message)
    }

    /// Parses what a user typed into this field. Blank is refused ("is required"): callers
    /// treat a blank optional field as absent before asking (see [`CustomValues::parse`]).
    pub fn parse_value(&self, raw: &str) -> Result<CustomValue, FieldError> {
        let label = self.label.as_str();
        let s = raw.trim();
        if s.is_empty() {
            return Err(self.error("is required"));
        }
        match &self.kind {
            FieldKind::Text { max_len } => clean_text(label, s, 1, *max_len as usize).map(CustomValue::Text),
            FieldKind::Number { scale } => {
                let d = parse_decimal(label, s)?;
                if let Some(scale) = scale.filter(|sc| d.normalize().scale() > *sc) {
                    let what = if scale == 0 {
                        "is not a whole number".to_owned()
                    } else {
                        format!("has more than {scale} decimals")
                    };
                    return Err(self.error(format!("{s:?} {what}")));
                }
                Ok(CustomValue::Number(d.normalize()))
            }
            FieldKind::Money { currency } => {
                // "1200", "1200.50" or "1200.50 EUR" (the code, when given, must be the field's).
                let amount = match s.rsplit_once(' ') {
                    Some((a, code)) if code.chars().all(|c| c.is_ascii_alphabetic()) => {
                        let given = Currency::parse(code).map_err(|e| self.error(e.message))?;
                        if given != *currency {
                            return Err(self.error(format!("{s:?} is in {given}, the field is in {currency}")));
                        }
                        a.trim()
                    }
                    _ => s,
                };
                let amount = currency.parse_amount(label, amount)?;
                Ok(CustomValue::Money(Money::new(amount, *currency)))
            }
            FieldKind::Date => parse_date(label, s).map(CustomValue::Date),
            FieldKind::Choice { options } => options
                .iter()
                .find(|o| o.trim().to_lowercase() == s.to_lowercase())
                .map(|o| CustomValue::Choice(o.clone()))
                .ok_or_else(|| self.error(format!("{s:?} is not one of: {}", options.join(", ")))),
        }
    }

    /// Is `value` a value this field could have produced (right kind, and re-parses unchanged)?
    pub fn check_value(&self, value: &CustomValue) -> Result<(), FieldError> {
        let same_kind = matches!(
            (&self.kind, value),
            (FieldKind::Text { .. }, CustomValue::Text(_))
                | (FieldKind::Number { .. }, CustomValue::Number(_))
                | (FieldKind::Money { .. }, CustomValue::Money(_))
                | (FieldKind::Date, CustomValue::Date(_))
                | (FieldKind::Choice { .. }, CustomValue::Choice(_))
        );
        if !same_kind {
            return Err(self.error(format!(
                "holds a {} value, the field is a {} field",
                value.kind_name(),
                self.kind.name()
            )));
        }
        if let (FieldKind::Money { currency }, CustomValue::Money(m)) = (&self.kind, value) {
            if m.currency != *currency {
                return Err(self.error(format!("{m} is in {}, the field is in {currency}", m.currency)));
            }
        }
        match self.parse_value(&value.to_raw()) {
            Ok(v) if v == *value => Ok(()),
            Ok(_) => Err(self.error(format!("{:?} is not written as the field defines it", value.to_raw()))),
            Err(e) => Err(e),
        }
    }
}

/// The custom values of one record: key → value, ordered by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomValues(BTreeMap<FieldKey, CustomValue>);

impl CustomValues {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<&CustomValue> {
        self.0.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    }

    pub fn insert(&mut self, key: FieldKey, value: CustomValue) -> Option<CustomValue> {
        self.0.insert(key, value)
    }

    pub fn remove(&mut self, key: &str) -> Option<CustomValue> {
        let k = self.0.keys().find(|k| k.as_str() == key)?.clone();
        self.0.remove(&k)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&FieldKey, &CustomValue)> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses a form's custom fields of `entity` (`raw`: key → text; blank = no value) and
    /// checks them all, reporting every bad field at once.
    pub fn parse(
        defs: &[FieldDef],
        entity: CrmEntity,
        raw: &BTreeMap<String, String>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut values = CustomValues::new();
        for (key, text) in raw {
            match defs.iter().find(|d| d.entity == entity && d.key.as_str() == key.trim()) {
                None => errors.push(unknown_key(entity, key)),
                Some(_) if text.trim().is_empty() => {}
                Some(def) => {
                    if let Some(v) = errors.take(def.parse_value(text)) {
                        values.insert(def.key.clone(), v);
                    }
                }
            }
        }
        for def in defs.iter().filter(|d| d.entity == entity && d.required) {
            if values.get(def.key.as_str()).is_none() && !errors.0.iter().any(|e| e.field == def.label.as_str()) {
                errors.push(def.error("is required"));
            }
        }
        errors.into_result(|| values)
    }

    /// Applies an edit: keys given with text are set, keys given blank are cleared, others keep
    /// their value; then the whole set is checked.
    pub fn patched(
        &self,
        defs: &[FieldDef],
        entity: CrmEntity,
        raw: &BTreeMap<String, String>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut values = self.clone();
        for (key, text) in raw {
            match defs.iter().find(|d| d.entity == entity && d.key.as_str() == key.trim()) {
                None => errors.push(unknown_key(entity, key)),
                Some(def) if text.trim().is_empty() => {
                    values.remove(def.key.as_str());
                }
                Some(def) => {
                    if let Some(v) = errors.take(def.parse_value(text)) {
                        values.insert(def.key.clone(), v);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        validate_all(defs, entity, &values).map(|()| values)
    }
}

fn unknown_key(entity: CrmEntity, key: &str) -> FieldError {
    FieldError::new(key.trim(), format!("is not a custom field of {entity} records"))
}

/// Checks stored custom values of an `entity` record against the definitions: every required
/// field present, no unknown key, every value of its field's kind. Reports every bad field.
pub fn validate_all(defs: &[FieldDef], entity: CrmEntity, values: &CustomValues) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    for (key, value) in values.iter() {
        match defs.iter().find(|d| d.entity == entity && d.key == *key) {
            None => errors.push(unknown_key(entity, key.as_str())),
            Some(def) => {
                errors.take(def.check_value(value));
            }
        }
    }
    for def in defs.iter().filter(|d| d.entity == entity && d.required) {
        if values.get(def.key.as_str()).is_none() {
            errors.push(def.error("is required"));
        }
    }
    errors.into_result(|| ())
}

/// Checks a set of definitions as an admin saves them: keys unique per record type, labels
/// unique per record type (case-insensitive, or forms would show two alike), choice lists not
/// empty and without repeats, sane text lengths and number scales.
pub fn validate_defs(defs: &[FieldDef]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut keys: BTreeSet<(CrmEntity, &str)> = BTreeSet::new();
    let mut labels: BTreeSet<(CrmEntity, String)> = BTreeSet::new();
    for (i, def) in defs.iter().enumerate() {
        let at = |f: &str| format!("fields[{}].{f}", i + 1);
        if !keys.insert((def.entity, def.key.as_str())) {
            errors
                .push(FieldError::new(at("key"), format!("{:?} is already a {} field", def.key.as_str(), def.entity)));
        }
        if !labels.insert((def.entity, def.label.as_str().to_lowercase())) {
            errors.push(FieldError::new(
                at("label"),
                format!("{:?} is already the label of a {} field", def.label.as_str(), def.entity),
            ));
        }
        match &def.kind {
            FieldKind::Text { max_len } if *max_len == 0 || *max_len > MAX_TEXT_LEN => errors
                .push(FieldError::new(at("max_len"), format!("{max_len} is not a text length (1 to {MAX_TEXT_LEN})"))),
            FieldKind::Number { scale: Some(s) } if *s > MAX_SCALE => {
                errors.push(FieldError::new(at("scale"), format!("{s} decimals is more than {MAX_SCALE}")))
            }
            FieldKind::Choice { options } => {
                if options.is_empty() {
                    errors.push(FieldError::new(
                        at("options"),
                        format!("{:?} has no options to choose from", def.label.as_str()),
                    ));
                }
                let mut seen = BTreeSet::new();
                for o in options {
                    if o.trim().is_empty() {
                        errors.push(FieldError::new(at("options"), "an option is blank"));
                    } else if !seen.insert(o.trim().to_lowercase()) {
                        errors.push(FieldError::new(at("options"), format!("{:?} is listed twice", o.trim())));
                    }
                }
            }
            _ => {}
        }
    }
    errors.into_result(|| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    pub(crate) fn def(n: u128, entity: CrmEntity, key: &str, label: &str, kind: FieldKind, required: bool) -> FieldDef {
        FieldDef {
            id: FieldDefId::from_uuid(Uuid::from_u128(n)),
            entity,
            key: FieldKey::parse(key).expect("key"),
            label: FieldLabel::parse(label).expect("label"),
            kind,
            required,
        }
    }

    fn defs() -> Vec<FieldDef> {
        vec![
            def(1, CrmEntity::Account, "renewal_date", "Renewal date", FieldKind::Date, false),
            def(
                2,
                CrmEntity::Account,
                "tier",
                "Tier",
                FieldKind::Choice { options: vec!["Bronze".into(), "Silver".into(), "Gold".into()] },
                true,
            ),
            def(3, CrmEntity::Account, "budget", "Budget", FieldKind::Money { currency: Currency::EUR }, false),
            def(4, CrmEntity::Account, "employees", "Employees", FieldKind::Number { scale: Some(0) }, false),
            def(5, CrmEntity::Account, "notes", "Notes", FieldKind::Text { max_len: 10 }, false),
            def(6, CrmEntity::Lead, "tier", "Tier", FieldKind::Text { max_len: 20 }, false),
        ]
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn keys_are_lower_snake_identifiers() {
        assert!(FieldKey::parse("renewal_date").is_ok());
        for bad in ["Renewal", "1st", "renewal-date", "a__b", "a_", "rénewal", ""] {
            assert!(FieldKey::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn each_kind_parses_and_names_the_field_by_its_label() {
        let d = defs();
        assert_eq!(
            d[0].parse_value("2026-03-12"),
            Ok(CustomValue::Date(NaiveDate::from_ymd_opt(2026, 3, 12).expect("d")))
        );
        let e = d[0].parse_value("12/03/2026").expect_err("not ISO");
        assert_eq!(e.to_string(), "Renewal date: \"12/03/2026\" is not a date (use YYYY-MM-DD)");
        assert_eq!(d[1].parse_value("gold"), Ok(CustomValue::Choice("Gold".into())), "stored as defined");
        assert_eq!(
            d[1].parse_value("Platinum").expect_err("no").to_string(),
            "Tier: \"Platinum\" is not one of: Bronze, Silver, Gold"
        );
        assert_eq!(d[2].parse_value("1200.5 EUR").map(|v| v.to_string()), Ok("1,200.50 EUR".into()));
        let e = d[2].parse_value("12.345").expect_err("three decimals in EUR");
        assert!(e.to_string().starts_with("Budget: 12.345 has more decimals than EUR allows"), "{e}");
        assert!(d[2].parse_value("12 USD").expect_err("other currency").message.contains("the field is in EUR"));
        assert!(d[3].parse_value("12.5").expect_err("scale 0").message.contains("not a whole number"));
        assert_eq!(d[3].parse_value("120"), Ok(CustomValue::Number(Decimal::from(120))));
        assert!(d[4].parse_value("eleven chars").expect_err("long").message.contains("at most 10"));
    }

    #[test]
    fn a_form_reports_every_bad_custom_field_and_missing_required_ones() {
        let e = CustomValues::parse(
            &defs(),
            CrmEntity::Account,
            &raw(&[("renewal_date", "tomorrow"), ("colour", "red"), ("budget", "")]),
        )
        .expect_err("bad");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["colour", "Renewal date", "Tier"], "{e}");
        let ok =
            CustomValues::parse(&defs(), CrmEntity::Account, &raw(&[("tier", "silver"), ("budget", " ")])).expect("ok");
        assert_eq!(ok.len(), 1, "a blank optional field is absent");
    }

    #[test]
    fn stored_values_are_checked_against_the_definitions() {
        let d = defs();
        let mut v = CustomValues::new();
        v.insert(FieldKey::parse("tier").expect("k"), CustomValue::Choice("Gold".into()));
        assert_eq!(validate_all(&d, CrmEntity::Account, &v), Ok(()));
        v.insert(FieldKey::parse("employees").expect("k"), CustomValue::Text("many".into()));
        v.insert(FieldKey::parse("ghost").expect("k"), CustomValue::Text("boo".into()));
        let e = validate_all(&d, CrmEntity::Account, &v).expect_err("bad");
        assert_eq!(e.to_string(), "Employees: holds a text value, the field is a number field; ghost: is not a custom field of account records");
        let e = validate_all(&d, CrmEntity::Account, &CustomValues::new()).expect_err("tier missing");
        assert_eq!(e.to_string(), "Tier: is required");
        let lead_tier = validate_all(&d, CrmEntity::Lead, &CustomValues::new());
        assert_eq!(lead_tier, Ok(()), "the lead's tier is another, optional field");
    }

    #[test]
    fn an_edit_sets_clears_and_keeps() {
        let d = defs();
        let v = CustomValues::parse(&d, CrmEntity::Account, &raw(&[("tier", "Gold"), ("budget", "10")])).expect("ok");
        let v2 = v.patched(&d, CrmEntity::Account, &raw(&[("budget", ""), ("employees", "5")])).expect("ok");
        assert!(v2.get("budget").is_none() && v2.get("tier").is_some() && v2.get("employees").is_some());
        let e = v.patched(&d, CrmEntity::Account, &raw(&[("tier", "")])).expect_err("tier is required");
        assert_eq!(e.to_string(), "Tier: is required");
    }

    #[test]
    fn definitions_are_unique_per_record_type_and_choices_not_empty() {
        let mut d = defs();
        d.push(def(7, CrmEntity::Account, "tier", "Level", FieldKind::Choice { options: vec![] }, false));
        d.push(def(
            8,
            CrmEntity::Account,
            "other",
            "notes",
            FieldKind::Choice { options: vec!["A".into(), "a".into()] },
            false,
        ));
        let e = validate_defs(&d).expect_err("bad");
        let msgs: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "fields[7].key: \"tier\" is already a account field",
                "fields[7].options: \"Level\" has no options to choose from",
                "fields[8].label: \"notes\" is already the label of a account field",
                "fields[8].options: \"a\" is listed twice",
            ]
        );
        assert_eq!(validate_defs(&defs()), Ok(()));
    }

    #[test]
    fn values_travel_as_tagged_json() {
        let v = CustomValue::Money(Money::new(Decimal::from(5), Currency::EUR));
        let json = serde_json::to_string(&v).expect("json");
        assert_eq!(json, r#"{"type":"money","value":{"amount":"5.00","currency":"EUR"}}"#);
        assert_eq!(serde_json::from_str::<CustomValue>(&json).expect("back"), v);
    }

    proptest! {
        /// Whatever a field accepted, written back as text it reads the same (forms and CSV
        /// export show `to_raw`).
        #[test]
        fn parsed_values_round_trip_through_their_text(s in "[ -~]{0,12}", n in -100_000i64..100_000, sc in 0u32..4) {
            let number = def(1, CrmEntity::Deal, "n", "N", FieldKind::Number { scale: Some(3) }, false);
            let money = def(2, CrmEntity::Deal, "m", "M", FieldKind::Money { currency: Currency::EUR }, false);
            let text = def(3, CrmEntity::Deal, "t", "T", FieldKind::Text { max_len: 20 }, false);
            let raw_n = Decimal::new(n, sc).to_string();
            for (d, r) in [(&number, raw_n.as_str()), (&money, raw_n.as_str()), (&text, s.as_str())] {
                if let Ok(v) = d.parse_value(r) {
                    prop_assert_eq!(d.parse_value(&v.to_raw()), Ok(v.clone()));
                    prop_assert_eq!(d.check_value(&v), Ok(()));
                }
            }
        }
    }
}
