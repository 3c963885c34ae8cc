//! Rules-based lead scoring.
//!
//! An admin writes rules ("source is referral: +20", "e-mail on a free-mail domain: −10", "per
//! meeting logged: +10, at most 3"). A lead's score is the sum of the points of the rules it
//! meets, **clamped to 0–100** so that scores read as a percentage and one strongly negative
//! rule cannot push a lead below "not interesting". The explanation lists every rule that
//! contributed, with its points, in rule order, so a rep sees why a lead is hot.

use super::activity::ActivityKind;
use super::custom::FieldKey;
use super::lead::{Lead, LeadSource};
use super::{email_domain, is_free_mail};
use crate::error::{FieldError, ValidationErrors};
use crate::fields::ItemName;
use crate::id::ScoringRuleId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The highest score.
pub const MAX_SCORE: i64 = 100;

/// The lead fields rules can look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadField {
    Company,
    Person,
    Email,
    Phone,
    VatId,
    City,
    Territory,
    Owner,
}

impl LeadField {
    fn value(&self, lead: &Lead) -> Option<String> {
        match self {
            LeadField::Company => Some(lead.company.to_string()),
            LeadField::Person => lead.person.as_ref().map(ToString::to_string),
            LeadField::Email => lead.email.as_ref().map(ToString::to_string),
            LeadField::Phone => lead.phone.as_ref().map(ToString::to_string),
            LeadField::VatId => lead.vat_id.as_ref().map(ToString::to_string),
            LeadField::City => lead.city.as_ref().map(ToString::to_string),
            LeadField::Territory => lead.territory.as_ref().map(ToString::to_string),
            LeadField::Owner => Some(lead.owner.to_string()),
        }
    }
}

/// When a rule applies. Text comparisons ignore case and surrounding spaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "if", deny_unknown_fields)]
pub enum Condition {
    FieldEquals {
        field: LeadField,
        value: String,
    },
    FieldContains {
        field: LeadField,
        value: String,
    },
    FieldIsSet {
        field: LeadField,
    },
    SourceIs {
        source: LeadSource,
    },
    /// The lead's e-mail is on a company domain (not free-mail).
    BusinessEmail,
    /// The custom field holds this value (compared as written, see `CustomValue::to_raw`).
    CustomEquals {
        key: FieldKey,
        value: String,
    },
    /// Points for each activity of `kind` logged on the lead, counting at most `max`.
    PerActivity {
        kind: ActivityKind,
        max: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRule {
    pub id: ScoringRuleId,
    pub label: ItemName,
    pub condition: Condition,
    /// Per match (per activity for [`Condition::PerActivity`]); negative takes points off.
    pub points: i32,
}

/// One rule's contribution to a score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorePart {
    pub rule: ScoringRuleId,
    pub label: String,
    pub points: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// The sum of the parts clamped to 0–100.
    pub total: u8,
    /// The sum of the parts before clamping.
    pub raw: i64,
    pub parts: Vec<ScorePart>,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// How many times the rule matches the lead (0 = not at all).
fn matches(rule: &ScoringRule, lead: &Lead, activity_counts: &BTreeMap<ActivityKind, u32>) -> u32 {
    let hit = |b: bool| u32::from(b);
    match &rule.condition {
        Condition::FieldEquals { field, value } => hit(field.value(lead).is_some_and(|v| same(&v, value))),
        Condition::FieldContains { field, value } => {
            hit(field.value(lead).is_some_and(|v| v.to_lowercase().contains(&value.trim().to_lowercase())))
        }
        Condition::FieldIsSet { field } => hit(field.value(lead).is_some()),
        Condition::SourceIs { source } => hit(lead.source == *source),
        Condition::BusinessEmail => hit(lead.email.as_ref().is_some_and(|e| !is_free_mail(email_domain(e)))),
        Condition::CustomEquals { key, value } => {
            hit(lead.custom.get(key.as_str()).is_some_and(|v| same(&v.to_raw(), value)))
        }
        Condition::PerActivity { kind, max } => activity_counts.get(kind).copied().unwrap_or(0).min(*max),
    }
}

/// The score of `lead` under `rules`; `activity_counts` are the activities logged on the lead by
/// kind.
pub fn score(lead: &Lead, rules: &[ScoringRule], activity_counts: &BTreeMap<ActivityKind, u32>) -> Score {
    let parts: Vec<ScorePart> = rules
        .iter()
        .filter_map(|r| {
            let n = matches(r, lead, activity_counts);
            (n > 0 && r.points != 0).then(|| ScorePart {
                rule: r.id,
                label: r.label.to_string(),
                points: i64::from(r.points) * i64::from(n),
            })
        })
        .collect();
    let raw: i64 = parts.iter().map(|p| p.points).sum();
    let total = u8::try_from(raw.clamp(0, MAX_SCORE)).unwrap_or(0);
    Score { total, raw, parts }
}

/// Checks rules as an admin saves them: points within ±100 (one rule cannot decide more than
/// the whole scale), activity caps of at least 1, comparison values not blank.
pub fn validate_rules(rules: &[ScoringRule]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    for (i, r) in rules.iter().enumerate() {
        let at = |f: &str| format!("rules[{}].{f}", i + 1);
        if !(-100..=100).contains(&r.points) {
            errors.push(FieldError::new(at("points"), format!("{} is outside -100 to 100", r.points)));
        }
        match &r.condition {
            Condition::PerActivity { max: 0, kind } => errors.push(FieldError::new(
                at("max"),
                format!("\"{}\" counts at most 0 {kind} activities: give a cap of 1 or more", r.label),
            )),
            Condition::FieldEquals { value, .. }
            | Condition::FieldContains { value, .. }
            | Condition::CustomEquals { value, .. }
                if value.trim().is_empty() =>
            {
                errors.push(FieldError::new(at("value"), format!("\"{}\" compares with nothing", r.label)))
            }
            _ => {}
        }
    }
    errors.into_result(|| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::custom::{CustomValue, CustomValues};
    use crate::crm::lead::{create, LeadInput, NewLead};
    use crate::id::LeadId;
    use crate::Existing;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn lead(email: &str, source: &str) -> Lead {
        let input = LeadInput {
            company: Some("ACME GmbH".into()),
            email: Some(email.into()),
            source: Some(source.into()),
            city: Some("Berlin".into()),
            owner: Some("bob".into()),
            ..Default::default()
        };
        let new = NewLead::parse(LeadId::from_uuid(Uuid::from_u128(1)), &input, &[]).expect("valid");
        create(Existing::Missing, &new, "2026-11-02".parse().expect("d")).expect("new")
    }

    fn rule(n: u128, label: &str, condition: Condition, points: i32) -> ScoringRule {
        ScoringRule {
            id: ScoringRuleId::from_uuid(Uuid::from_u128(n)),
            label: ItemName::parse(label).expect("l"),
            condition,
            points,
        }
    }

    fn rules() -> Vec<ScoringRule> {
        vec![
            rule(1, "Referral", Condition::SourceIs { source: LeadSource::Referral }, 20),
            rule(2, "Company e-mail", Condition::BusinessEmail, 15),
            rule(3, "In Berlin", Condition::FieldEquals { field: LeadField::City, value: "berlin".into() }, 5),
            rule(4, "Meetings", Condition::PerActivity { kind: ActivityKind::Meeting, max: 3 }, 10),
            rule(5, "Has phone", Condition::FieldIsSet { field: LeadField::Phone }, 5),
            rule(6, "GmbH", Condition::FieldContains { field: LeadField::Company, value: "gmbh".into() }, 5),
        ]
    }

    #[test]
    fn the_score_explains_each_contributing_rule() {
        let counts = BTreeMap::from([(ActivityKind::Meeting, 5), (ActivityKind::Call, 2)]);
        let s = score(&lead("anna@acme.de", "referral"), &rules(), &counts);
        let parts: Vec<(&str, i64)> = s.parts.iter().map(|p| (p.label.as_str(), p.points)).collect();
        assert_eq!(parts, [("Referral", 20), ("Company e-mail", 15), ("In Berlin", 5), ("Meetings", 30), ("GmbH", 5)]);
        assert_eq!((s.total, s.raw), (75, 75), "5 meetings count as the cap of 3; no phone, no points");
        let s = score(&lead("anna@gmail.com", "web"), &rules(), &BTreeMap::new());
        assert_eq!(s.total, 10, "free-mail is no company e-mail");
    }

    #[test]
    fn the_total_is_clamped_to_0_100_but_the_raw_sum_is_kept() {
        let mut r = rules();
        r.push(rule(
            7,
            "Competitor",
            Condition::FieldContains { field: LeadField::Email, value: "@acme.de".into() },
            -100,
        ));
        let s = score(&lead("anna@acme.de", "web"), &r, &BTreeMap::new());
        assert_eq!((s.total, s.raw), (0, -75));
        let big = vec![rule(1, "A", Condition::BusinessEmail, 80), rule(2, "B", Condition::BusinessEmail, 80)];
        assert_eq!(score(&lead("anna@acme.de", "web"), &big, &BTreeMap::new()).total, 100);
    }

    #[test]
    fn custom_field_rules_compare_the_written_value() {
        let mut l = lead("anna@acme.de", "web");
        let mut custom = CustomValues::new();
        custom.insert(FieldKey::parse("industry").expect("k"), CustomValue::Choice("Manufacturing".into()));
        l.custom = custom;
        let r = vec![rule(
            1,
            "Manufacturing",
            Condition::CustomEquals { key: FieldKey::parse("industry").expect("k"), value: "manufacturing".into() },
            25,
        )];
        assert_eq!(score(&l, &r, &BTreeMap::new()).total, 25);
    }

    #[test]
    fn rules_are_checked_when_saved() {
        let bad = vec![
            rule(1, "Huge", Condition::BusinessEmail, 500),
            rule(2, "Never", Condition::PerActivity { kind: ActivityKind::Call, max: 0 }, 5),
            rule(3, "Blank", Condition::FieldEquals { field: LeadField::City, value: " ".into() }, 5),
        ];
        let e = validate_rules(&bad).expect_err("bad");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["rules[1].points", "rules[2].max", "rules[3].value"]);
        assert_eq!(validate_rules(&rules()), Ok(()));
    }

    proptest! {
        /// Whatever the rules and activity counts, the total stays within 0–100 and the raw
        /// sum is the sum of the explained parts.
        #[test]
        fn totals_stay_in_range_and_parts_add_up(points in proptest::collection::vec(-100i32..=100, 0..8), meetings in 0u32..50) {
            let r: Vec<ScoringRule> = points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let c = if i % 2 == 0 { Condition::BusinessEmail } else { Condition::PerActivity { kind: ActivityKind::Meeting, max: 4 } };
                    rule(i as u128, "R", c, *p)
                })
                .collect();
            let s = score(&lead("a@acme.de", "web"), &r, &BTreeMap::from([(ActivityKind::Meeting, meetings)]));
            prop_assert!(i64::from(s.total) <= MAX_SCORE);
            prop_assert_eq!(s.parts.iter().map(|p| p.points).sum::<i64>(), s.raw);
            prop_assert_eq!(i64::from(s.total), s.raw.clamp(0, MAX_SCORE));
        }
    }
}
