//! Sales pipelines with admin-defined stages.
//!
//! A pipeline is an ordered list of stages (the order of the vector is the order on the board).
//! Each stage has a win probability, an outcome (open, won, lost) and a forecast category
//! (Salesforce's: pipeline, best case, commit, closed, omitted). The rules that keep a pipeline
//! usable:
//! - at least one stage, names unique without regard to case;
//! - at least one won and one lost stage, or no deal could ever close;
//! - a won stage is 100 % and in category "closed"; a lost stage is 0 % and "omitted"; an open
//!   stage is never "closed";
//! - a stage still holding deals cannot be removed (move the deals first).

use super::invalid;
use crate::error::{FieldError, RuleError, ValidationErrors};
use crate::fields::{clean_text, text_value, ItemName};
use crate::id::PipelineId;
use crate::money::Percent;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

text_value!(
    /// The name of a pipeline stage ("Qualify", "Proposal sent"): 1–60 characters.
    StageName,
    "stage"
);
impl StageName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_text(Self::FIELD, raw, 1, 60).map(Self)
    }

    /// Same name without regard to case ("won" is "Won").
    pub fn is(&self, other: &str) -> bool {
        self.0.to_lowercase() == other.trim().to_lowercase()
    }
}

/// Where a stage leaves a deal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Open,
    Won,
    Lost,
}

/// How a stage counts in the forecast (Salesforce's categories).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastCategory {
    /// Open, early: counted in the open pipeline only.
    Pipeline,
    /// Open, could close this period: counted in best case.
    BestCase,
    /// Open, the rep commits to it: counted in commit and best case.
    Commit,
    /// Won.
    Closed,
    /// Left out of the forecast (lost, or parked).
    Omitted,
}

/// One stage of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub name: StageName,
    pub probability: Percent,
    pub outcome: Outcome,
    pub forecast_category: ForecastCategory,
}

impl Stage {
    pub fn new(name: &str, probability: u32, outcome: Outcome, category: ForecastCategory) -> Result<Self, FieldError> {
        Ok(Stage {
            name: StageName::parse(name)?,
            probability: Percent::new(Decimal::from(probability)).map_err(|e| e.on("probability"))?,
            outcome,
            forecast_category: category,
        })
    }

    pub fn is_open(&self) -> bool {
        self.outcome == Outcome::Open
    }
}

/// A sales pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    pub id: PipelineId,
    pub name: ItemName,
    /// In board order.
    pub stages: Vec<Stage>,
}

impl Pipeline {
    /// A pipeline checked against the module's rules.
    pub fn new(id: PipelineId, name: ItemName, stages: Vec<Stage>) -> Result<Self, RuleError> {
        let p = Pipeline { id, name, stages };
        p.check()?;
        Ok(p)
    }

    /// The pipeline new workspaces start with: Qualify 10 %, Propose 40 %, Negotiate 70 %, Won,
    /// Lost.
    pub fn standard(id: PipelineId, name: ItemName) -> Self {
        use ForecastCategory as F;
        use Outcome as O;
        let stage = |n: &str, p: u32, o, f| Stage {
            name: StageName(n.to_owned()),
            probability: Percent::new(Decimal::from(p)).unwrap_or(Percent::ZERO),
            outcome: o,
            forecast_category: f,
        };
        Pipeline {
            id,
            name,
            stages: vec![
                stage("Qualify", 10, O::Open, F::Pipeline),
                stage("Propose", 40, O::Open, F::BestCase),
                stage("Negotiate", 70, O::Open, F::Commit),
                stage("Won", 100, O::Won, F::Closed),
                stage("Lost", 0, O::Lost, F::Omitted),
            ],
        }
    }

    /// Every broken rule at once (see the module doc).
    pub fn check(&self) -> Result<(), RuleError> {
        let mut errors = ValidationErrors::default();
        if self.stages.is_empty() {
            errors.push(FieldError::new("stages", format!("pipeline \"{}\" needs at least one stage", self.name)));
        }
        let mut seen = BTreeSet::new();
        for (i, s) in self.stages.iter().enumerate() {
            let at = |f: &str| format!("stages[{}].{f}", i + 1);
            if !seen.insert(s.name.as_str().to_lowercase()) {
                errors.push(FieldError::new(at("name"), format!("\"{}\" is already a stage of this pipeline", s.name)));
            }
            let p = s.probability.get();
            match s.outcome {
                Outcome::Won if p != Decimal::ONE_HUNDRED => errors.push(FieldError::new(
                    at("probability"),
                    format!("won stage \"{}\" is {p} %: a won stage is 100 %", s.name),
                )),
                Outcome::Lost if !p.is_zero() => errors.push(FieldError::new(
                    at("probability"),
                    format!("lost stage \"{}\" is {p} %: a lost stage is 0 %", s.name),
                )),
                _ => {}
            }
            let category_ok = match s.outcome {
                Outcome::Won => s.forecast_category == ForecastCategory::Closed,
                Outcome::Lost => s.forecast_category == ForecastCategory::Omitted,
                Outcome::Open => s.forecast_category != ForecastCategory::Closed,
            };
            if !category_ok {
                let want = match s.outcome {
                    Outcome::Won => "a won stage is in category closed",
                    Outcome::Lost => "a lost stage is in category omitted",
                    Outcome::Open => "an open stage cannot be in category closed",
                };
                errors.push(FieldError::new(at("forecast_category"), format!("stage \"{}\": {want}", s.name)));
            }
        }
        if !self.stages.is_empty() {
            for (outcome, word) in [(Outcome::Won, "won"), (Outcome::Lost, "lost")] {
                if !self.stages.iter().any(|s| s.outcome == outcome) {
                    errors.push(FieldError::new(
                        "stages",
                        format!("pipeline \"{}\" needs a {word} stage, or its deals can never close", self.name),
                    ));
                }
            }
        }
        errors.into_result(|| ()).map_err(RuleError::Invalid)
    }

    /// "Qualify, Propose, Won, Lost".
    pub fn stage_names(&self) -> String {
        self.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The stage called `name` (without regard to case); an unknown name is refused with the
    /// stages the pipeline has.
    pub fn stage(&self, name: &str) -> Result<&Stage, RuleError> {
        self.stages.iter().find(|s| s.name.is(name)).ok_or_else(|| RuleError::UnknownStage {
            stage: name.trim().to_owned(),
            pipeline: self.name.to_string(),
            stages: self.stage_names(),
        })
    }

    fn position(&self, name: &str) -> Result<usize, RuleError> {
        let stage = self.stage(name)?;
        Ok(self.stages.iter().position(|s| s.name == stage.name).unwrap_or(0))
    }

    /// Where new deals start: the first open stage.
    pub fn first_open(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.is_open())
    }

    /// Adds a stage at `position` (0-based; `None` = before the first closed stage, where a new
    /// working stage belongs).
    pub fn add_stage(&mut self, stage: Stage, position: Option<usize>) -> Result<(), RuleError> {
        let at = position
            .unwrap_or_else(|| self.stages.iter().position(|s| !s.is_open()).unwrap_or(self.stages.len()))
            .min(self.stages.len());
        let mut next = self.clone();
        next.stages.insert(at, stage);
        next.check()?;
        *self = next;
        Ok(())
    }

    /// Changes a stage's probability, outcome or category (its name stays).
    pub fn update_stage(
        &mut self,
        name: &str,
        probability: Percent,
        outcome: Outcome,
        category: ForecastCategory,
    ) -> Result<(), RuleError> {
        let i = self.position(name)?;
        let mut next = self.clone();
        next.stages[i].probability = probability;
        next.stages[i].outcome = outcome;
        next.stages[i].forecast_category = category;
        next.check()?;
        *self = next;
        Ok(())
    }

    /// Renames a stage. Deals hold their stage by name, so the caller renames it on the deals
    /// too (with [`crate::crm::deal::rename_stage`]); returns the old name for that.
    pub fn rename_stage(&mut self, from: &str, to: StageName) -> Result<StageName, RuleError> {
        let i = self.position(from)?;
        if let Some(other) = self.stages.iter().enumerate().find(|(j, s)| *j != i && s.name.is(to.as_str())) {
            return Err(invalid(
                "stage",
                format!("\"{}\" is already a stage of pipeline \"{}\"", other.1.name, self.name),
            ));
        }
        Ok(std::mem::replace(&mut self.stages[i].name, to))
    }

    /// Puts the stages in the order of `names`, which must name every stage exactly once.
    pub fn reorder(&mut self, names: &[&str]) -> Result<(), RuleError> {
        let mut order = Vec::with_capacity(names.len());
        for n in names {
            let i = self.position(n)?;
            if order.contains(&i) {
                return Err(invalid("stages", format!("stage \"{}\" is named twice", self.stages[i].name)));
            }
            order.push(i);
        }
        if order.len() != self.stages.len() {
            let missing: Vec<&str> =
                (0..self.stages.len()).filter(|i| !order.contains(i)).map(|i| self.stages[i].name.as_str()).collect();
            return Err(invalid("stages", format!("the new order leaves out: {}", missing.join(", "))));
        }
        self.stages = order.into_iter().map(|i| self.stages[i].clone()).collect();
        Ok(())
    }

    /// Removes a stage; refused while `deals_in_stage` deals are in it, or when the pipeline
    /// would break a rule (its last won or lost stage).
    pub fn remove_stage(&mut self, name: &str, deals_in_stage: usize) -> Result<Stage, RuleError> {
        let i = self.position(name)?;
        if deals_in_stage > 0 {
            let deals = if deals_in_stage == 1 { "1 deal".to_owned() } else { format!("{deals_in_stage} deals") };
            return Err(RuleError::InUse(format!(
                "stage \"{}\" of pipeline \"{}\" still holds {deals}: move them to another stage first",
                self.stages[i].name, self.name
            )));
        }
        let mut next = self.clone();
        let removed = next.stages.remove(i);
        next.check()?;
        *self = next;
        Ok(removed)
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.stage_names())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::testkit::enterprise;
    use uuid::Uuid;

    #[test]
    fn an_unknown_stage_is_refused_with_the_stages_there_are() {
        let p = enterprise();
        assert_eq!(p.stage("propose").expect("case-insensitive").name.as_str(), "Propose");
        let e = p.stage("Won2").expect_err("unknown");
        assert_eq!(
            e.to_string(),
            "stage \"Won2\" is not in pipeline \"Enterprise\" (stages: Qualify, Propose, Negotiate, Won, Lost)"
        );
        assert_eq!(e.code(), "unknown_stage");
    }

    #[test]
    fn a_pipeline_needs_consistent_stages_and_says_every_problem() {
        use ForecastCategory as F;
        use Outcome as O;
        let e = Pipeline::new(
            PipelineId::from_uuid(Uuid::from_u128(2)),
            ItemName::parse("Broken").expect("n"),
            vec![
                Stage::new("Open", 10, O::Open, F::Closed).expect("s"),
                Stage::new("open", 20, O::Open, F::Pipeline).expect("s"),
                Stage::new("Won", 90, O::Won, F::Closed).expect("s"),
            ],
        )
        .expect_err("broken");
        let msgs = e.to_string();
        for want in [
            "stage \"Open\": an open stage cannot be in category closed",
            "\"open\" is already a stage",
            "won stage \"Won\" is 90 %: a won stage is 100 %",
            "needs a lost stage",
        ] {
            assert!(msgs.contains(want), "missing {want:?} in {msgs}");
        }
        let empty = Pipeline::new(PipelineId::from_uuid(Uuid::from_u128(3)), ItemName::parse("E").expect("n"), vec![]);
        assert!(empty.expect_err("no stages").to_string().contains("at least one stage"));
        assert_eq!(
            Pipeline::standard(PipelineId::from_uuid(Uuid::from_u128(4)), ItemName::parse("Sales").expect("n")).check(),
            Ok(())
        );
    }

    #[test]
    fn stages_are_added_reordered_renamed_and_removed_under_the_rules() {
        let mut p = enterprise();
        p.remove_stage("Negotiate", 0).expect("empty");
        p.add_stage(Stage::new("Negotiate", 80, Outcome::Open, ForecastCategory::Commit).expect("s"), None)
            .expect("ok");
        assert_eq!(
            p.stage_names(),
            "Qualify, Propose, Negotiate, Won, Lost",
            "a new stage goes before the closed ones"
        );
        let e = p.reorder(&["Propose", "Qualify", "Won"]).expect_err("incomplete");
        assert!(e.to_string().contains("leaves out: Negotiate, Lost"), "{e}");
        p.reorder(&["Propose", "qualify", "Negotiate", "Won", "Lost"]).expect("ok");
        assert_eq!(p.first_open().map(|s| s.name.as_str()), Some("Propose"));
        let old = p.rename_stage("Propose", StageName::parse("Proposal").expect("n")).expect("ok");
        assert_eq!(old.as_str(), "Propose");
        assert!(p.rename_stage("Proposal", StageName::parse("WON").expect("n")).is_err(), "names stay unique");
        let e = p.remove_stage("Negotiate", 3).expect_err("in use");
        assert_eq!(
            e.to_string(),
            "stage \"Negotiate\" of pipeline \"Enterprise\" still holds 3 deals: move them to another stage first"
        );
        p.remove_stage("Negotiate", 0).expect("empty stage");
        assert!(p.remove_stage("Lost", 0).expect_err("last lost").to_string().contains("needs a lost stage"));
        assert_eq!(p.stage_names(), "Proposal, Qualify, Won, Lost", "a refused change leaves the pipeline as it was");
        let e = p.update_stage("Won", Percent::ZERO, Outcome::Won, ForecastCategory::Closed).expect_err("won is 100");
        assert!(e.to_string().contains("a won stage is 100 %"), "{e}");
    }
}
