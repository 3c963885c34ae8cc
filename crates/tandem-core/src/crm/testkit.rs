//! Fixtures shared by the CRM tests.
#![allow(dead_code)] // each module's tests use some of the fixtures

use super::deal::{create, DealInput, NewDeal};
use super::pipeline::{ForecastCategory as F, Outcome as O, Pipeline, Stage};
use crate::fields::ItemName;
use crate::id::{AccountId, ContactId, DealId, PipelineId};
use crate::money::Currency;
use crate::Existing;
use chrono::NaiveDate;
use uuid::Uuid;

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("a test date")
}

pub fn account_id(n: u128) -> AccountId {
    AccountId::from_uuid(Uuid::from_u128(0xA000 + n))
}

pub fn contact_id(n: u128) -> ContactId {
    ContactId::from_uuid(Uuid::from_u128(0xC000 + n))
}

pub fn deal_id(n: u128) -> DealId {
    DealId::from_uuid(Uuid::from_u128(0xD000 + n))
}

/// Qualify 10 % (pipeline), Propose 50 % (best case), Negotiate 80 % (commit), Won, Lost.
pub fn enterprise() -> Pipeline {
    Pipeline::new(
        PipelineId::from_uuid(Uuid::from_u128(0xE000)),
        ItemName::parse("Enterprise").expect("name"),
        vec![
            Stage::new("Qualify", 10, O::Open, F::Pipeline).expect("s"),
            Stage::new("Propose", 50, O::Open, F::BestCase).expect("s"),
            Stage::new("Negotiate", 80, O::Open, F::Commit).expect("s"),
            Stage::new("Won", 100, O::Won, F::Closed).expect("s"),
            Stage::new("Lost", 0, O::Lost, F::Omitted).expect("s"),
        ],
    )
    .expect("a valid pipeline")
}

pub fn deal_input(name: &str, amount: &str) -> DealInput {
    DealInput {
        name: Some(name.into()),
        amount: Some(amount.into()),
        expected_close: Some("2026-12-15".into()),
        owner: Some("anna".into()),
        ..Default::default()
    }
}

pub fn new_deal(p: &Pipeline, n: u128, name: &str, amount: &str, stage: Option<&str>, owner: &str) -> NewDeal {
    let input = DealInput { stage: stage.map(Into::into), owner: Some(owner.into()), ..deal_input(name, amount) };
    NewDeal::parse(deal_id(n), account_id(1), None, p, &input, &[], Currency::EUR).expect("a valid deal form")
}

/// A deal created on 2026-11-02 (in an open stage; use `move_to` to close it).
pub fn deal(p: &Pipeline, n: u128, name: &str, amount: &str, stage: Option<&str>, owner: &str) -> super::deal::Deal {
    create(Existing::Missing, &new_deal(p, n, name, amount, stage, owner), p, day("2026-11-02")).expect("created")
}
