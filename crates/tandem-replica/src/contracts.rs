//! Contracts and renewals on the device: a contract per customer with its term and renewal
//! terms; renewal deals opened N days before the end (the same deal whichever device opens it);
//! renew, give notice, cancel; and repeating an earlier order in one step.

use crate::docs;
use crate::erp::DocPage;
use crate::error::{ReplicaError, Result};
use crate::replica::Replica;
use chrono::{Local, NaiveDate};
use sqlx::SqliteConnection;
use std::str::FromStr;
use tandem_core::crm::contract::{self, Contract, ContractInput};
use tandem_core::crm::UserName;
use tandem_core::id::ContractId;
use tandem_core::order::SalesOrder;
use tandem_core::{AccountId, FieldError, OrderId, OrderLineId, RuleError};
use tandem_sync::erp::{renewal_deal_id, ContractRenewalDeal, ContractStep, ContractTransition};
use tandem_sync::{Doc, Op};
use uuid::Uuid;

fn parse_id<T: FromStr<Err = FieldError>>(raw: &str, name: &str) -> Result<T> {
    T::from_str(raw.trim()).map_err(|e| ReplicaError::Validation(e.on(name).into()))
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

pub(crate) fn touches(op: &Op) -> Vec<Uuid> {
    match op {
        Op::ContractCreate(c) => vec![c.id.as_uuid()],
        Op::ContractStep(t) => match t.step {
            ContractStep::Renew(next) => vec![t.id.as_uuid(), next.as_uuid()],
            _ => vec![t.id.as_uuid()],
        },
        Op::ContractRenewalDeal(r) => vec![r.id.as_uuid(), r.deal.as_uuid()],
        _ => vec![],
    }
}

pub(crate) async fn apply_local(
    conn: &mut SqliteConnection,
    op: &Op,
    user: &str,
) -> Result<Option<std::result::Result<Vec<Doc>, RuleError>>> {
    Ok(Some(match op {
        Op::ContractCreate(c) => match c.check_new() {
            Err(e) => Err(e),
            Ok(()) if docs::load(conn, c.id.as_uuid()).await?.is_some() => {
                Err(RuleError::AlreadyExists { entity: "contract", id: c.id.to_string() })
            }
            Ok(()) => Ok(vec![Doc::Contract((**c).clone())]),
        },
        Op::ContractStep(t) => {
            let Some(Doc::Contract(mut c)) = docs::load(conn, t.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "contract", id: t.id.to_string() })));
            };
            match &t.step {
                ContractStep::Renew(next) => {
                    contract::renew(&mut c, *next).map(|n| vec![Doc::Contract(c), Doc::Contract(n)])
                }
                ContractStep::GiveNotice => contract::give_notice(&mut c, t.on).map(|()| vec![Doc::Contract(c)]),
                ContractStep::Cancel => contract::cancel(&mut c, t.on).map(|()| vec![Doc::Contract(c)]),
            }
        }
        Op::ContractRenewalDeal(r) => {
            let Some(Doc::Contract(mut c)) = docs::load(conn, r.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "contract", id: r.id.to_string() })));
            };
            if c.renewal_deal.is_some() {
                Ok(vec![])
            } else {
                let Some(Doc::Pipeline(p)) = docs::load(conn, r.pipeline.as_uuid()).await? else {
                    return Ok(Some(Err(RuleError::NotFound { entity: "pipeline", id: r.pipeline.to_string() })));
                };
                match UserName::parse(user) {
                    Ok(owner) => contract::renewal_deal(&mut c, r.deal, &p, owner, r.on)
                        .map(|d| vec![Doc::Contract(c), Doc::Deal(d)]),
                    Err(e) => Err(RuleError::Invalid(e.into())),
                }
            }
        }
        _ => return Ok(None),
    }))
}

impl Replica {
    /// A contract of a customer (offline too).
    pub async fn create_contract(&self, account: &str, input: &ContractInput) -> Result<ContractId> {
        let account: AccountId = parse_id(account, "account")?;
        let id = ContractId::from_uuid(Uuid::now_v7());
        let c = Contract::parse(id, account, input, self.company_currency().await?)?;
        self.mutate(Op::ContractCreate(Box::new(c))).await?;
        Ok(id)
    }

    pub async fn contract(&self, id: &str) -> Result<Contract> {
        let id: ContractId = parse_id(id, "contract")?;
        match docs::load(&mut *self.pool.acquire().await?, id.as_uuid()).await? {
            Some(Doc::Contract(c)) => Ok(c),
            _ => Err(RuleError::NotFound { entity: "contract", id: id.to_string() }.into()),
        }
    }

    pub async fn contracts(&self, account: Option<&str>, after: Option<&str>, limit: u32) -> Result<DocPage<Contract>> {
        self.page_of("contract", account, after, limit, |d| match d {
            Doc::Contract(c) => Some(c),
            _ => None,
        })
        .await
    }

    /// `renew` (into the next term), `notice` or `cancel`.
    pub async fn contract_step(&self, id: &str, step: &str) -> Result<Contract> {
        let c = self.contract(id).await?;
        let step = match step {
            "renew" => ContractStep::Renew(ContractId::from_uuid(Uuid::now_v7())),
            "notice" => ContractStep::GiveNotice,
            "cancel" => ContractStep::Cancel,
            other => return Err(ReplicaError::BadInput(format!("{other:?} is not a step (renew, notice, cancel)"))),
        };
        self.mutate(Op::ContractStep(ContractTransition { id: c.id, step, on: today() })).await?;
        self.contract(id).await
    }

    /// Opens the renewal deals that are due (N days before each contract's end) in the given or
    /// default pipeline; returns the contracts they renew.
    pub async fn open_due_renewals(&self, pipeline: Option<&str>) -> Result<Vec<Contract>> {
        let all: Vec<Contract> = docs::of_kind(&mut *self.pool.acquire().await?, "contract")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Contract(c) => Some(c),
                _ => None,
            })
            .collect();
        let due: Vec<Contract> = contract::renewals_due(&all, today()).into_iter().cloned().collect();
        if due.is_empty() {
            return Ok(due);
        }
        let p = self.pipeline(pipeline).await?;
        for c in &due {
            self.mutate(Op::ContractRenewalDeal(ContractRenewalDeal {
                id: c.id,
                deal: renewal_deal_id(c.id),
                pipeline: p.id,
                on: today(),
            }))
            .await?;
        }
        Ok(due)
    }

    /// Repeats an earlier order in one step: a new draft with the same lines, priced again
    /// today. Returns the new order's id.
    pub async fn repeat_order(&self, id: &str) -> Result<OrderId> {
        let o: SalesOrder = self.order(id).await?.order;
        let new_id = OrderId::from_uuid(Uuid::now_v7());
        let new = contract::repeat_order(&o, new_id, || OrderLineId::from_uuid(Uuid::now_v7()), today());
        self.mutate(Op::OrderCreate(new)).await?;
        Ok(new_id)
    }
}
