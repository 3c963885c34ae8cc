//! Deals (opportunities): an amount a customer may buy, moving through a pipeline's stages.
//!
//! The stage is the deal's state. Moving it follows the pipeline: only stages the pipeline has;
//! a lost stage needs a lost reason; a won or lost stage closes the deal on that day; moving
//! back to an open stage reopens it (closing date and lost reason cleared).

use super::custom::{validate_all, CustomValues, FieldDef};
use super::pipeline::{Outcome, Pipeline, Stage, StageName};
use super::{invalid, parse_date, CrmEntity, Team, UserName};
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{clean_text, optional, text_value, ItemName};
use crate::id::{AccountId, ContactId, ContractId, DealId, LeadId, PipelineId};
use crate::money::{Currency, Money};
use crate::Existing;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

text_value!(
    /// Why a deal was lost ("price", "went with a competitor"): 1–200 characters.
    LostReason,
    "lost_reason"
);
impl LostReason {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 200).map(Self)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    pub id: DealId,
    pub name: ItemName,
    pub account: AccountId,
    #[serde(default)]
    pub contact: Option<ContactId>,
    pub pipeline: PipelineId,
    /// The stage by name (names are unique within a pipeline).
    pub stage: StageName,
    /// Zero or more, at the currency's minor unit.
    pub amount: Money,
    pub expected_close: NaiveDate,
    pub owner: UserName,
    #[serde(default)]
    pub team: Option<Team>,
    /// Set only while the deal is in a lost stage.
    #[serde(default)]
    pub lost_reason: Option<LostReason>,
    /// The day the deal reached a won or lost stage; none while open.
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
    pub created: NaiveDate,
    /// The lead it was converted from.
    #[serde(default)]
    pub lead: Option<LeadId>,
    /// The contract it renews.
    #[serde(default)]
    pub renews: Option<ContractId>,
    #[serde(default, skip_serializing_if = "CustomValues::is_empty")]
    pub custom: CustomValues,
}

impl Deal {
    /// The deal's stage in its pipeline.
    pub fn stage_in<'p>(&self, pipeline: &'p Pipeline) -> Result<&'p Stage, RuleError> {
        if pipeline.id != self.pipeline {
            return Err(invalid(
                "pipeline",
                format!("deal \"{}\" is not in pipeline \"{}\"", self.name, pipeline.name),
            ));
        }
        pipeline.stage(self.stage.as_str())
    }

    pub fn is_closed(&self) -> bool {
        self.closed_on.is_some()
    }
}

/// Raw text of a deal form, a CLI call or a CSV row. `None` = not given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealInput {
    pub name: Option<String>,
    pub amount: Option<String>,
    /// Blank: the company currency.
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub expected_close: Option<String>,
    /// Blank: the pipeline's first open stage.
    pub stage: Option<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    /// Needed when the stage is a lost one.
    pub lost_reason: Option<String>,
    #[serde(default)]
    pub custom: BTreeMap<String, String>,
}

/// The arguments of `deal.create`, valid by construction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDeal {
    pub id: DealId,
    pub name: ItemName,
    pub account: AccountId,
    #[serde(default)]
    pub contact: Option<ContactId>,
    pub pipeline: PipelineId,
    /// None: the pipeline's first open stage.
    #[serde(default)]
    pub stage: Option<StageName>,
    pub amount: Money,
    pub expected_close: NaiveDate,
    pub owner: UserName,
    #[serde(default)]
    pub team: Option<Team>,
    #[serde(default)]
    pub lost_reason: Option<LostReason>,
    #[serde(default)]
    pub lead: Option<LeadId>,
    #[serde(default)]
    pub renews: Option<ContractId>,
    #[serde(default)]
    pub custom: CustomValues,
}

fn parse_amount(currency: Currency, raw: &str) -> Result<Money, FieldError> {
    let amount = currency.parse_amount("amount", raw)?;
    if amount.is_sign_negative() {
        return Err(FieldError::new("amount", format!("{} is negative", raw.trim())));
    }
    Ok(Money::new(amount, currency))
}

impl NewDeal {
    /// Parses a create form for a deal of `account` in `pipeline`, reporting every bad field at
    /// once (the stage is checked against the pipeline). `company` is the default currency.
    pub fn parse(
        id: DealId,
        account: AccountId,
        contact: Option<ContactId>,
        pipeline: &Pipeline,
        input: &DealInput,
        defs: &[FieldDef],
        company: Currency,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let text = |o: &Option<String>| o.as_deref().unwrap_or("").to_owned();
        let name = errors.take(ItemName::parse(&text(&input.name)));
        let currency = errors.take(match input.currency.as_deref().map(str::trim) {
            None | Some("") => Ok(company),
            Some(c) => Currency::parse(c),
        });
        let amount = currency.and_then(|c| errors.take(parse_amount(c, &text(&input.amount))));
        let expected_close = errors.take(parse_date("expected_close", &text(&input.expected_close)));
        let stage = errors.take(optional(input.stage.as_deref(), |s| {
            pipeline.stage(s).map(|st| st.name.clone()).map_err(|e| FieldError::new("stage", e.to_string()))
        }));
        let owner = errors.take(UserName::parse(&text(&input.owner)));
        let team = errors.take(optional(input.team.as_deref(), Team::parse));
        let lost_reason = errors.take(optional(input.lost_reason.as_deref(), LostReason::parse));
        let custom = match CustomValues::parse(defs, CrmEntity::Deal, &input.custom) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.0.extend(e.0);
                None
            }
        };
        match (name, amount, expected_close, stage, owner, team, lost_reason, custom) {
            (
                Some(name),
                Some(amount),
                Some(expected_close),
                Some(stage),
                Some(owner),
                Some(team),
                Some(lost_reason),
                Some(custom),
            ) if errors.is_empty() => Ok(NewDeal {
                id,
                name,
                account,
                contact,
                pipeline: pipeline.id,
                stage,
                amount,
                expected_close,
                owner,
                team,
                lost_reason,
                lead: None,
                renews: None,
                custom,
            }),
            _ => Err(errors),
        }
    }
}

/// `deal.create`: the id must be new and the stage one of the pipeline's (the first open stage
/// when none is given). A deal created in a won or lost stage is closed on `today`; a lost one
/// needs its reason.
pub fn create(
    existing: Existing<&Deal>,
    new: &NewDeal,
    pipeline: &Pipeline,
    today: NaiveDate,
) -> Result<Deal, RuleError> {
    if !matches!(existing, Existing::Missing) {
        return Err(RuleError::AlreadyExists { entity: "deal", id: new.id.to_string() });
    }
    if pipeline.id != new.pipeline {
        return Err(invalid(
            "pipeline",
            format!("the deal names pipeline {}, not \"{}\"", new.pipeline, pipeline.name),
        ));
    }
    if new.amount.amount.is_sign_negative() {
        return Err(invalid("amount", format!("{} is negative", new.amount)));
    }
    let stage = match &new.stage {
        Some(s) => pipeline.stage(s.as_str())?,
        None => pipeline.first_open().ok_or_else(|| {
            invalid("stage", format!("pipeline \"{}\" has no open stage: name the stage", pipeline.name))
        })?,
    };
    let mut deal = Deal {
        id: new.id,
        name: new.name.clone(),
        account: new.account,
        contact: new.contact,
        pipeline: pipeline.id,
        stage: stage.name.clone(),
        amount: new.amount,
        expected_close: new.expected_close,
        owner: new.owner.clone(),
        team: new.team.clone(),
        lost_reason: None,
        closed_on: None,
        created: today,
        lead: new.lead,
        renews: new.renews,
        custom: new.custom.clone(),
    };
    let name = stage.name.to_string();
    move_to(&mut deal, pipeline, &name, today, new.lost_reason.clone())?;
    Ok(deal)
}

/// `deal.move`: to `stage` of `pipeline` (which may be another pipeline than the deal's: the
/// deal moves there). See the module doc for what closing and reopening do. A lost reason given
/// for a stage that is not lost is not kept.
pub fn move_to(
    deal: &mut Deal,
    pipeline: &Pipeline,
    stage: &str,
    today: NaiveDate,
    lost_reason: Option<LostReason>,
) -> Result<(), RuleError> {
    let target = pipeline.stage(stage)?;
    match target.outcome {
        Outcome::Lost => {
            let Some(reason) = lost_reason else {
                return Err(invalid(
                    "lost_reason",
                    format!("moving \"{}\" to {} needs a lost reason", deal.name, target.name),
                ));
            };
            if deal.closed_on.is_none() || deal.lost_reason.is_none() {
                deal.closed_on = Some(today);
            }
            deal.lost_reason = Some(reason);
        }
        Outcome::Won => {
            // Won again (another won stage) keeps the day it was first won.
            if deal.closed_on.is_none() || deal.lost_reason.is_some() {
                deal.closed_on = Some(today);
            }
            deal.lost_reason = None;
        }
        Outcome::Open => {
            deal.closed_on = None;
            deal.lost_reason = None;
        }
    }
    deal.pipeline = pipeline.id;
    deal.stage = target.name.clone();
    Ok(())
}

/// `deal.update`: the touched fields of a form (`None` = untouched; team blank = cleared). The
/// stage changes only by [`move_to`], so a stage in the form is refused.
pub fn update(deal: &Deal, input: &DealInput, defs: &[FieldDef]) -> Result<Deal, RuleError> {
    let mut errors = ValidationErrors::default();
    let mut next = deal.clone();
    if input.stage.as_deref().is_some_and(|s| !s.trim().is_empty() && !deal.stage.is(s)) {
        errors.push(FieldError::new("stage", "the stage changes by moving the deal, not by editing it"));
    }
    if let Some(n) = &input.name {
        if let Some(n) = errors.take(ItemName::parse(n)) {
            next.name = n;
        }
    }
    let currency = match input.currency.as_deref().map(str::trim) {
        None | Some("") => Some(deal.amount.currency),
        Some(c) => errors.take(Currency::parse(c)),
    };
    if let Some(c) = currency {
        let raw = input.amount.clone().unwrap_or_else(|| deal.amount.amount.to_string());
        if let Some(m) = errors.take(parse_amount(c, &raw)) {
            next.amount = m;
        }
    }
    if let Some(d) = &input.expected_close {
        if let Some(d) = errors.take(parse_date("expected_close", d)) {
            next.expected_close = d;
        }
    }
    if let Some(o) = &input.owner {
        if let Some(o) = errors.take(UserName::parse(o)) {
            next.owner = o;
        }
    }
    if let Some(t) = errors.take(crate::patch::Patch::from_input(input.team.as_deref(), Team::parse)) {
        t.apply_to(&mut next.team);
    }
    if !input.custom.is_empty() {
        match deal.custom.patched(defs, CrmEntity::Deal, &input.custom) {
            Ok(c) => next.custom = c,
            Err(e) => errors.0.extend(e.0),
        }
    } else if let Err(e) = validate_all(defs, CrmEntity::Deal, &next.custom) {
        errors.0.extend(e.0);
    }
    errors.into_result(|| next).map_err(RuleError::Invalid)
}

/// After [`Pipeline::rename_stage`]: the deals of `pipeline` in stage `from` now are in `to`.
/// Returns how many deals changed.
pub fn rename_stage(deals: &mut [Deal], pipeline: PipelineId, from: &StageName, to: &StageName) -> usize {
    let mut n = 0;
    for d in deals.iter_mut().filter(|d| d.pipeline == pipeline && d.stage == *from) {
        d.stage = to.clone();
        n += 1;
    }
    n
}

/// How many deals are in each stage of `pipeline` (for [`Pipeline::remove_stage`]).
pub fn count_in_stage(deals: &[Deal], pipeline: PipelineId, stage: &str) -> usize {
    deals.iter().filter(|d| d.pipeline == pipeline && d.stage.is(stage)).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::testkit::*;

    #[test]
    fn a_form_is_parsed_against_the_pipeline_and_reports_every_bad_field() {
        let p = enterprise();
        let input = DealInput {
            name: Some("".into()),
            amount: Some("10.555".into()),
            expected_close: Some("31.12.2026".into()),
            stage: Some("Won2".into()),
            owner: Some("anna".into()),
            ..Default::default()
        };
        let e = NewDeal::parse(deal_id(1), account_id(1), None, &p, &input, &[], Currency::EUR).expect_err("bad");
        let msgs: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "name: is required",
                "amount: 10.555 has more decimals than EUR allows (2)",
                "expected_close: \"31.12.2026\" is not a date (use YYYY-MM-DD)",
                "stage: stage \"Won2\" is not in pipeline \"Enterprise\" (stages: Qualify, Propose, Negotiate, Won, Lost)",
            ]
        );
        let neg = DealInput { amount: Some("-5".into()), ..deal_input("X", "5") };
        assert!(NewDeal::parse(deal_id(1), account_id(1), None, &p, &neg, &[], Currency::EUR).is_err());
    }

    #[test]
    fn a_new_deal_starts_in_the_first_open_stage() {
        let p = enterprise();
        let d = deal(&p, 1, "ACME chairs", "5000", None, "anna");
        assert_eq!(d.stage.as_str(), "Qualify");
        assert_eq!((d.closed_on, d.created), (None, day("2026-11-02")));
        assert_eq!(
            create(Existing::Live(&d), &new_deal(&p, 1, "x", "1", None, "anna"), &p, day("2026-11-02"))
                .map(|_| ())
                .expect_err("dup")
                .code(),
            "already_exists"
        );
    }

    #[test]
    fn moving_closes_and_reopens_under_the_pipeline_rules() {
        let p = enterprise();
        let mut d = deal(&p, 1, "ACME chairs", "5000", None, "anna");
        let e = move_to(&mut d, &p, "Won2", day("2026-11-10"), None).expect_err("unknown");
        assert_eq!(e.code(), "unknown_stage");
        let e = move_to(&mut d, &p, "Lost", day("2026-11-10"), None).expect_err("no reason");
        assert_eq!(e.to_string(), "lost_reason: moving \"ACME chairs\" to Lost needs a lost reason");
        assert_eq!(d.stage.as_str(), "Qualify", "a refused move changes nothing");
        let reason = LostReason::parse("went with a competitor").expect("r");
        move_to(&mut d, &p, "lost", day("2026-11-10"), Some(reason.clone())).expect("lost");
        assert_eq!(
            (d.stage.as_str(), d.closed_on, d.lost_reason.as_ref()),
            ("Lost", Some(day("2026-11-10")), Some(&reason))
        );
        move_to(&mut d, &p, "Propose", day("2026-11-12"), None).expect("reopened");
        assert_eq!((d.closed_on, d.lost_reason.clone()), (None, None), "reopening clears the closing");
        move_to(&mut d, &p, "Won", day("2026-11-20"), Some(reason)).expect("won");
        assert_eq!((d.closed_on, d.lost_reason.clone()), (Some(day("2026-11-20")), None), "won keeps no lost reason");
    }

    #[test]
    fn an_edit_changes_fields_but_not_the_stage() {
        let p = enterprise();
        let d = deal(&p, 1, "ACME chairs", "5000", None, "anna");
        let e = update(&d, &DealInput { stage: Some("Won".into()), ..Default::default() }, &[]).expect_err("stage");
        assert!(e.to_string().contains("by moving the deal"), "{e}");
        let d2 = update(
            &d,
            &DealInput { amount: Some("7000".into()), team: Some("Key Accounts".into()), ..Default::default() },
            &[],
        )
        .expect("ok");
        assert_eq!(
            (d2.amount.to_string(), d2.team.as_ref().map(Team::as_str)),
            ("7,000.00 EUR".into(), Some("Key Accounts"))
        );
    }

    #[test]
    fn renaming_a_stage_follows_on_the_deals() {
        let mut p = enterprise();
        let mut deals = vec![deal(&p, 1, "A", "1", None, "anna"), deal(&p, 2, "B", "1", Some("Propose"), "anna")];
        let to = StageName::parse("Discovery").expect("n");
        let from = p.rename_stage("Qualify", to.clone()).expect("ok");
        assert_eq!(rename_stage(&mut deals, p.id, &from, &to), 1);
        assert_eq!(count_in_stage(&deals, p.id, "discovery"), 1);
        assert!(deals[0].stage_in(&p).is_ok());
    }
}
