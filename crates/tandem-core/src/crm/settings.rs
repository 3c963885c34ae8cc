//! The CRM's configuration, one record for the company: the custom fields admins define and
//! the lead scoring rules. Sales managers and admins change it; every device holds it.

use super::custom::{validate_defs, FieldDef, FieldKind};
use super::scoring::{validate_rules, Condition, LeadField, ScoringRule};
use super::{invalid, CrmEntity};
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::ItemName;
use crate::id::{FieldDefId, ScoringRuleId};
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrmSettings {
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    #[serde(default)]
    pub scoring: Vec<ScoringRule>,
}

impl CrmSettings {
    /// The id of the one CRM settings record.
    pub const ID: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00c1);

    /// Every broken rule at once: unique field keys and labels per record type, choices with
    /// options, scoring points in range.
    pub fn check(&self) -> Result<(), RuleError> {
        let mut errors = ValidationErrors::default();
        if let Err(e) = validate_defs(&self.fields) {
            errors.0.extend(e.0);
        }
        if let Err(e) = validate_rules(&self.scoring) {
            errors.0.extend(e.0);
        }
        errors.into_result(|| ()).map_err(RuleError::Invalid)
    }

    /// The custom fields of one record type.
    pub fn fields_of(&self, entity: CrmEntity) -> Vec<FieldDef> {
        self.fields.iter().filter(|f| f.entity == entity).cloned().collect()
    }
}

/// A field kind as typed on a command line: `text[:MAX]`, `number[:SCALE]`, `money:CUR`, `date`,
/// `choice:A|B|C`.
pub fn parse_field_kind(raw: &str) -> Result<FieldKind, FieldError> {
    let (head, rest) = raw.trim().split_once(':').map_or((raw.trim(), None), |(h, r)| (h, Some(r.trim())));
    let bad = || {
        FieldError::new(
            "kind",
            format!("{raw:?} is not a field kind (text[:MAX], number[:SCALE], money:CUR, date, choice:A|B|C)"),
        )
    };
    match (head.to_lowercase().as_str(), rest) {
        ("text", None) => Ok(FieldKind::Text { max_len: 200 }),
        ("text", Some(n)) => {
            n.parse().ok().filter(|n| (1..=2000).contains(n)).map(|max_len| FieldKind::Text { max_len }).ok_or_else(bad)
        }
        ("number", None) => Ok(FieldKind::Number { scale: None }),
        ("number", Some(n)) => {
            n.parse().ok().filter(|n| *n <= 10).map(|s| FieldKind::Number { scale: Some(s) }).ok_or_else(bad)
        }
        ("money", Some(c)) => Currency::parse(c).map(|currency| FieldKind::Money { currency }),
        ("date", None) => Ok(FieldKind::Date),
        ("choice", Some(list)) => {
            let options: Vec<String> =
                list.split('|').map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect();
            if options.is_empty() {
                return Err(bad());
            }
            Ok(FieldKind::Choice { options })
        }
        _ => Err(bad()),
    }
}

/// A custom field definition from its parts (a CLI call or an admin form).
pub fn new_field(
    entity: &str,
    key: &str,
    label: &str,
    kind: &str,
    required: bool,
) -> Result<FieldDef, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let entity = errors.take(CrmEntity::parse(entity));
    let key = errors.take(super::custom::FieldKey::parse(key));
    let label = errors.take(super::custom::FieldLabel::parse(label));
    let kind = errors.take(parse_field_kind(kind));
    match (entity, key, label, kind) {
        (Some(entity), Some(key), Some(label), Some(kind)) if errors.is_empty() => {
            Ok(FieldDef { id: FieldDefId::from_uuid(Uuid::now_v7()), entity, key, label, kind, required })
        }
        _ => Err(errors),
    }
}

fn lead_field(raw: &str) -> Result<LeadField, FieldError> {
    Ok(match raw.trim().to_lowercase().replace('-', "_").as_str() {
        "company" => LeadField::Company,
        "person" => LeadField::Person,
        "email" => LeadField::Email,
        "phone" => LeadField::Phone,
        "vat_id" => LeadField::VatId,
        "city" => LeadField::City,
        "territory" => LeadField::Territory,
        "owner" => LeadField::Owner,
        _ => {
            return Err(FieldError::new(
                "condition",
                format!("{raw:?} is not a lead field (company, person, email, phone, vat_id, city, territory, owner)"),
            ))
        }
    })
}

/// A scoring condition as typed: `source=event`, `equals:city=Hamburg`, `contains:company=GmbH`,
/// `set:phone`, `business-email`, `custom:budget=large`, `activity:call:3` (per call, at most 3).
pub fn parse_condition(raw: &str) -> Result<Condition, FieldError> {
    let s = raw.trim();
    let bad = || {
        FieldError::new("condition", format!("{s:?} is not a condition (source=…, equals:FIELD=…, contains:FIELD=…, set:FIELD, business-email, custom:KEY=…, activity:KIND:MAX)"))
    };
    if s.eq_ignore_ascii_case("business-email") {
        return Ok(Condition::BusinessEmail);
    }
    if let Some(v) = s.strip_prefix("source=") {
        return super::lead::LeadSource::parse(v).map(|source| Condition::SourceIs { source });
    }
    if let Some(f) = s.strip_prefix("set:") {
        return lead_field(f).map(|field| Condition::FieldIsSet { field });
    }
    for (prefix, contains) in [("equals:", false), ("contains:", true)] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let (f, v) = rest.split_once('=').ok_or_else(bad)?;
            let field = lead_field(f)?;
            let value = v.trim().to_owned();
            return Ok(if contains {
                Condition::FieldContains { field, value }
            } else {
                Condition::FieldEquals { field, value }
            });
        }
    }
    if let Some(rest) = s.strip_prefix("custom:") {
        let (k, v) = rest.split_once('=').ok_or_else(bad)?;
        return super::custom::FieldKey::parse(k)
            .map(|key| Condition::CustomEquals { key, value: v.trim().to_owned() });
    }
    if let Some(rest) = s.strip_prefix("activity:") {
        let (k, max) = rest.split_once(':').ok_or_else(bad)?;
        let kind = super::activity::ActivityKind::parse(k)?;
        let max = max.trim().parse().ok().filter(|m| (1..=100).contains(m)).ok_or_else(bad)?;
        return Ok(Condition::PerActivity { kind, max });
    }
    Err(bad())
}

/// A scoring rule from its parts.
pub fn new_rule(label: &str, condition: &str, points: i32) -> Result<ScoringRule, RuleError> {
    let label = ItemName::parse(label).map_err(|e| RuleError::Invalid(e.on("label").into()))?;
    let condition = parse_condition(condition).map_err(|e| RuleError::Invalid(e.into()))?;
    if !(-100..=100).contains(&points) {
        return Err(invalid("points", format!("{points} is outside -100 to 100")));
    }
    Ok(ScoringRule { id: ScoringRuleId::from_uuid(Uuid::now_v7()), label, condition, points })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_conditions_parse_from_text_and_say_what_is_wrong() {
        assert_eq!(parse_field_kind("money:EUR").ok(), Some(FieldKind::Money { currency: Currency::EUR }));
        assert_eq!(
            parse_field_kind("choice:S|M| L").ok(),
            Some(FieldKind::Choice { options: vec!["S".into(), "M".into(), "L".into()] })
        );
        assert!(parse_field_kind("blob").expect_err("bad").message.contains("not a field kind"));
        assert!(matches!(parse_condition("source=event"), Ok(Condition::SourceIs { .. })));
        assert!(matches!(
            parse_condition("contains:company=GmbH"),
            Ok(Condition::FieldContains { field: LeadField::Company, .. })
        ));
        assert!(matches!(parse_condition("activity:call:3"), Ok(Condition::PerActivity { max: 3, .. })));
        assert!(parse_condition("equals:shoe=42").expect_err("bad").message.contains("not a lead field"));
        assert!(new_rule("x", "business-email", 500).is_err());
    }

    #[test]
    fn settings_refuse_two_fields_with_one_key() {
        let a = new_field("lead", "budget", "Budget", "money:EUR", false).expect("a");
        let mut b = new_field("lead", "budget", "Budget 2", "text", false).expect("b");
        b.id = FieldDefId::from_uuid(Uuid::from_u128(9));
        let s = CrmSettings { fields: vec![a, b], scoring: vec![] };
        assert!(s.check().is_err(), "one key per record type");
    }
}
