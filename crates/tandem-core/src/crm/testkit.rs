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

pub fn product_id(n: u128) -> crate::id::ProductId {
    crate::id::ProductId::from_uuid(Uuid::from_u128(0xB000 + n))
}

pub fn order_id() -> crate::id::OrderId {
    crate::id::OrderId::from_uuid(Uuid::from_u128(0x0D00))
}

pub fn warehouse() -> crate::id::WarehouseId {
    crate::stock::main_warehouse().id
}

pub fn user(name: &str) -> super::UserName {
    super::UserName::parse(name).expect("a user name")
}

/// A small catalog (19 % tax, EUR): 1 CHAIR 120, 2 DESK 400, 3 LAMP 35, 4 INSTALL 250 (a
/// service), and the default terms of account 1.
#[derive(Debug)]
pub struct Shop {
    pub products: std::collections::BTreeMap<crate::id::ProductId, crate::catalog::Product>,
    pub terms: crate::catalog::CustomerTerms,
    pub lists: Vec<crate::catalog::PriceList>,
}

impl Shop {
    pub fn new() -> Self {
        use crate::catalog::{CustomerTerms, Product, ProductInput};
        let mk = |n: u128, sku: &str, price: &str, kind: &str| {
            let input = ProductInput {
                sku: Some(sku.into()),
                name: Some(sku.into()),
                kind: Some(kind.into()),
                tax_rate: Some("19".into()),
                price: Some(price.into()),
                ..Default::default()
            };
            let p = Product::parse(product_id(n), &input, Currency::EUR).expect("a product");
            (p.id, p)
        };
        Shop {
            products: [
                mk(1, "CHAIR", "120", "goods"),
                mk(2, "DESK", "400", "goods"),
                mk(3, "LAMP", "35", "goods"),
                mk(4, "INSTALL", "250", "service"),
            ]
            .into_iter()
            .collect(),
            terms: CustomerTerms::default_for(account_id(1), Currency::EUR),
            lists: vec![],
        }
    }

    pub fn ctx(&self) -> crate::order::OrderContext<'_> {
        crate::order::OrderContext {
            customer_name: "ACME",
            terms: &self.terms,
            products: &self.products,
            price_lists: &self.lists,
        }
    }

    pub fn set_price(&mut self, n: u128, price: &str) {
        if let Some(p) = self.products.get_mut(&product_id(n)) {
            p.price = crate::money::Money::new(price.parse().expect("a price"), Currency::EUR);
        }
    }
}
