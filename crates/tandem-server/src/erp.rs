//! Applying order-to-cash mutations: the `tandem-core` rules plus what only the server knows
//! (stock across all users, credit exposure, document numbers, exchange rates, the ledger).
//!
//! # Lock order (extends the one in `apply.rs`)
//!
//! device row → the customer's account row (`FOR UPDATE`: one writer per customer, so two
//! confirmations cannot both pass the same credit check) → the documents read (`FOR UPDATE`,
//! stock levels in id order) → the number series row → the clock. Numbers are taken only after
//! every rule has passed, and a rolled-back transaction gives its number back, so invoice
//! numbers stay gapless.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use std::collections::{BTreeMap, BTreeSet};
use tandem_core::catalog::{self, CustomerTerms, PriceList, Product};
use tandem_core::company::{self, CompanySettings, RateEntry};
use tandem_core::crm::{self, pipeline::Pipeline};
use tandem_core::id::{LeadId, PipelineId};
use tandem_core::invoice::{self, Invoice, InvoiceKind, InvoiceStatus};
use tandem_core::ledger::{self, Chart, JournalEntry, LedgerError};
use tandem_core::order::{self, Delivery, Exposure, OrderContext, SalesOrder};
use tandem_core::payment::{self, Payment, PaymentKind};
use tandem_core::scope::{may, Duty};
use tandem_core::stock::{self, main_warehouse, MoveKind, StockLevel, StockMove};
use tandem_core::{
    AccountId, Currency, Existing, FieldError, FxRate, InvoiceId, JournalEntryId, OrderId, ProductId, Quantity,
    RuleError, Visibility, WarehouseId,
};
use tandem_sync::erp::{terms_id, ContractStep, Doc, LeadStep, QuoteStep};
use tandem_sync::Op;
use uuid::Uuid;

use crate::store::{accounts, docs, RowLock, StoreError};

/// What applying needs to know about the actor.
#[derive(Debug)]
pub struct ErpCtx<'a> {
    pub role: &'a str,
    /// The user's name (an approver, a requester).
    pub user: &'a str,
    pub visibility: &'a Visibility,
    pub at: DateTime<Utc>,
}

type Outcome = Result<Result<Applied, RuleError>, StoreError>;

/// The documents a mutation writes (all under one new version).
#[derive(Debug, Default)]
pub struct Applied {
    pub docs: Vec<Doc>,
}

fn refuse(e: RuleError) -> Outcome {
    Ok(Err(e))
}

fn invalid(field: &str, msg: String) -> RuleError {
    RuleError::Invalid(FieldError::new(field, msg).into())
}

fn ledger_refusal(e: LedgerError) -> RuleError {
    match e {
        LedgerError::PeriodLocked { .. } => RuleError::PeriodLocked(e.to_string()),
        other => invalid("ledger", other.to_string()),
    }
}

macro_rules! check {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return refuse(e),
        }
    };
}

pub async fn settings(conn: &mut PgConnection) -> Result<CompanySettings, StoreError> {
    Ok(match docs::load(conn, CompanySettings::ID, RowLock::Share).await? {
        Some(Doc::Settings(s)) => s,
        _ => CompanySettings::default(),
    })
}

async fn rates(conn: &mut PgConnection) -> Result<Vec<RateEntry>, StoreError> {
    Ok(docs::of_kind(conn, "rate")
        .await?
        .into_iter()
        .filter_map(|d| match d {
            Doc::Rate(r) => Some(r),
            _ => None,
        })
        .collect())
}

/// Locks the customer's account (one writer per customer) and checks the actor sees it.
async fn customer(
    conn: &mut PgConnection,
    ctx: &ErpCtx<'_>,
    id: AccountId,
) -> Result<Result<String, RuleError>, StoreError> {
    let existing = accounts::load(conn, id, RowLock::Update).await?;
    let account = match existing.live("account", id.to_string()) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    if let Err(e) = ctx.visibility.may_write_under(Some(&account)) {
        return Ok(Err(e));
    }
    Ok(Ok(account.name.to_string()))
}

/// At most this many leads in one `lead.import` (one mutation, applied all or nothing).
pub const MAX_LEADS_PER_IMPORT: usize = 5_000;

/// A lead the user may see, locked for a change.
async fn lead_for_update(
    conn: &mut PgConnection,
    ctx: &ErpCtx<'_>,
    id: LeadId,
) -> Result<Result<crm::lead::Lead, RuleError>, StoreError> {
    Ok(match docs::load(conn, id.as_uuid(), RowLock::Update).await? {
        Some(Doc::Lead(l)) if ctx.visibility.sees(l.territory.as_ref()) => Ok(l),
        _ => Err(RuleError::NotFound { entity: "lead", id: id.to_string() }),
    })
}

/// The links of an activity must be records the user sees, and agree with each other: a
/// contact or deal of the linked account, a lead of the linked territory.
async fn activity_links(
    conn: &mut PgConnection,
    ctx: &ErpCtx<'_>,
    links: &crm::activity::Links,
) -> Result<Result<(), RuleError>, StoreError> {
    let mismatch =
        |what: &str| Err(invalid("links", format!("the {what} belongs to another account than the one linked")));
    if let Some(account) = links.account {
        if let Err(e) = customer(conn, ctx, account).await? {
            return Ok(Err(e));
        }
    } else if links.contact.is_some() || links.deal.is_some() {
        return Ok(Err(invalid("links", "an activity on a contact or a deal names its account too".into())));
    }
    if let Some(id) = links.contact {
        match crate::store::contacts::load(conn, id, RowLock::Share).await? {
            Existing::Live(c) if Some(c.account_id) == links.account => {}
            Existing::Live(_) => return Ok(mismatch("contact")),
            _ => return Ok(Err(RuleError::NotFound { entity: "contact", id: id.to_string() })),
        }
    }
    if let Some(id) = links.deal {
        match docs::load(conn, id.as_uuid(), RowLock::Share).await? {
            Some(Doc::Deal(d)) if Some(d.account) == links.account => {}
            Some(Doc::Deal(_)) => return Ok(mismatch("deal")),
            _ => return Ok(Err(RuleError::NotFound { entity: "deal", id: id.to_string() })),
        }
    }
    if let Some(id) = links.lead {
        match docs::load(conn, id.as_uuid(), RowLock::Share).await? {
            Some(Doc::Lead(l)) if ctx.visibility.sees(l.territory.as_ref()) => {
                if links.account.is_none() && links.territory != l.territory {
                    return Ok(Err(invalid("links", "an activity on a lead carries the lead's territory".into())));
                }
            }
            _ => return Ok(Err(RuleError::NotFound { entity: "lead", id: id.to_string() })),
        }
    }
    Ok(Ok(()))
}

/// An activity the user may see, locked for a change.
async fn activity_for_update(
    conn: &mut PgConnection,
    ctx: &ErpCtx<'_>,
    id: tandem_core::id::ActivityId,
) -> Result<Result<crm::activity::Activity, RuleError>, StoreError> {
    let Some(Doc::Activity(a)) = docs::peek(conn, id.as_uuid()).await? else {
        return Ok(Err(RuleError::NotFound { entity: "activity", id: id.to_string() }));
    };
    match a.links.account {
        // One writer per customer: the account row first, then the activity.
        Some(account) => {
            if let Err(e) = customer(conn, ctx, account).await? {
                return Ok(Err(e));
            }
        }
        None if !ctx.visibility.sees(a.links.territory.as_ref()) => {
            return Ok(Err(RuleError::NotFound { entity: "activity", id: id.to_string() }));
        }
        None => {}
    }
    Ok(match docs::load(conn, id.as_uuid(), RowLock::Update).await? {
        Some(Doc::Activity(a)) => Ok(a),
        _ => Err(RuleError::NotFound { entity: "activity", id: id.to_string() }),
    })
}

/// A quote of a customer the user sees, the account row locked first, then the quote.
async fn quote_for_update(
    conn: &mut PgConnection,
    ctx: &ErpCtx<'_>,
    id: tandem_core::id::QuoteId,
) -> Result<Result<crm::quote::Quote, RuleError>, StoreError> {
    let Some(Doc::Quote(q)) = docs::peek(conn, id.as_uuid()).await? else {
        return Ok(Err(RuleError::NotFound { entity: "quote", id: id.to_string() }));
    };
    if let Err(e) = customer(conn, ctx, q.account).await? {
        return Ok(Err(e));
    }
    Ok(match docs::load(conn, id.as_uuid(), RowLock::Update).await? {
        Some(Doc::Quote(q)) => Ok(q),
        _ => Err(RuleError::NotFound { entity: "quote", id: id.to_string() }),
    })
}

/// A contract of a customer the user sees, the account row locked first.
async fn contract_for_update(
    conn: &mut PgConnection,
    ctx: &ErpCtx<'_>,
    id: tandem_core::id::ContractId,
) -> Result<Result<crm::contract::Contract, RuleError>, StoreError> {
    let Some(Doc::Contract(c)) = docs::peek(conn, id.as_uuid()).await? else {
        return Ok(Err(RuleError::NotFound { entity: "contract", id: id.to_string() }));
    };
    if let Err(e) = customer(conn, ctx, c.account).await? {
        return Ok(Err(e));
    }
    Ok(match docs::load(conn, id.as_uuid(), RowLock::Update).await? {
        Some(Doc::Contract(c)) => Ok(c),
        _ => Err(RuleError::NotFound { entity: "contract", id: id.to_string() }),
    })
}

async fn crm_settings(conn: &mut PgConnection) -> Result<crm::settings::CrmSettings, StoreError> {
    Ok(match docs::load(conn, crm::settings::CrmSettings::ID, RowLock::Share).await? {
        Some(Doc::CrmSettings(s)) => s,
        _ => crm::settings::CrmSettings::default(),
    })
}

async fn pipeline(conn: &mut PgConnection, id: PipelineId) -> Result<Result<Pipeline, RuleError>, StoreError> {
    Ok(match docs::load(conn, id.as_uuid(), RowLock::Share).await? {
        Some(Doc::Pipeline(p)) => Ok(p),
        _ => Err(RuleError::NotFound { entity: "pipeline", id: id.to_string() }),
    })
}

/// The products of `ids`, in one query (shared locks, in id order).
async fn products(conn: &mut PgConnection, ids: &[ProductId]) -> Result<BTreeMap<ProductId, Product>, StoreError> {
    let ids: Vec<Uuid> = ids.iter().map(ProductId::as_uuid).collect();
    Ok(docs::load_many(conn, &ids, RowLock::Share)
        .await?
        .into_values()
        .filter_map(|d| match d {
            Doc::Product(p) => Some((p.id, p)),
            _ => None,
        })
        .collect())
}

/// The company settings, a customer's terms (or the defaults) and the products of `ids`, in one
/// query (shared locks, in id order).
async fn sales_refs(
    conn: &mut PgConnection,
    account: AccountId,
    ids: &[ProductId],
) -> Result<(CompanySettings, CustomerTerms, BTreeMap<ProductId, Product>), StoreError> {
    let terms_id = terms_id(account);
    let wanted: Vec<Uuid> =
        [CompanySettings::ID, terms_id].into_iter().chain(ids.iter().map(ProductId::as_uuid)).collect();
    let mut found = docs::load_many(conn, &wanted, RowLock::Share).await?;
    let s = match found.remove(&CompanySettings::ID) {
        Some(Doc::Settings(s)) => s,
        _ => CompanySettings::default(),
    };
    let t = match found.remove(&terms_id) {
        Some(Doc::Terms(t)) => t,
        _ => CustomerTerms::default_for(account, s.currency),
    };
    let ps = found
        .into_values()
        .filter_map(|d| match d {
            Doc::Product(p) => Some((p.id, p)),
            _ => None,
        })
        .collect();
    Ok((s, t, ps))
}

/// The next number of `series` in the year of `date` ("INV-2026-00017"): gapless, taken only
/// after every rule has passed (see the module doc).
async fn number(conn: &mut PgConnection, series: &str, date: NaiveDate) -> Result<String, StoreError> {
    let n = docs::next_number(conn, series, date.year()).await?;
    Ok(invoice::format_number(series, date.year(), n))
}

/// The stock levels of `products` in `warehouse`, locked in id order.
async fn levels(
    conn: &mut PgConnection,
    warehouse: WarehouseId,
    products: impl IntoIterator<Item = ProductId>,
) -> Result<BTreeMap<ProductId, StockLevel>, StoreError> {
    let ids: Vec<Uuid> = products.into_iter().map(|p| StockLevel::id_of(p, warehouse)).collect();
    let found = docs::load_many_for_update(conn, &ids).await?;
    Ok(found
        .into_values()
        .filter_map(|d| match d {
            Doc::Stock(s) => Some((s.product, s)),
            _ => None,
        })
        .collect())
}

async fn load_order(conn: &mut PgConnection, id: OrderId) -> Result<Result<SalesOrder, RuleError>, StoreError> {
    Ok(match docs::load(conn, id.as_uuid(), RowLock::Update).await? {
        Some(Doc::Order(o)) => Ok(o),
        _ => Err(RuleError::NotFound { entity: "order", id: id.to_string() }),
    })
}

async fn load_invoice(conn: &mut PgConnection, id: InvoiceId) -> Result<Result<Invoice, RuleError>, StoreError> {
    Ok(match docs::load(conn, id.as_uuid(), RowLock::Update).await? {
        Some(Doc::Invoice(i)) => Ok(i),
        _ => Err(RuleError::NotFound { entity: "invoice", id: id.to_string() }),
    })
}

/// The account a document belongs to, read without a lock (to lock the account first).
async fn owner_of(
    conn: &mut PgConnection,
    id: Uuid,
    entity: &'static str,
) -> Result<Result<AccountId, RuleError>, StoreError> {
    let owner: Option<Option<Uuid>> = sqlx::query_scalar("SELECT account_id FROM docs WHERE id = $1 AND NOT deleted")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(match owner.flatten() {
        Some(a) => Ok(AccountId::from_uuid(a)),
        None => Err(RuleError::NotFound { entity, id: id.to_string() }),
    })
}

fn entry_id() -> JournalEntryId {
    JournalEntryId::from_uuid(Uuid::now_v7())
}

fn today(ctx: &ErpCtx<'_>) -> NaiveDate {
    ctx.at.date_naive()
}

/// Runs the rule of an order-to-cash `op`; returns the documents to write under a new version.
pub async fn apply(conn: &mut PgConnection, ctx: &ErpCtx<'_>, op: &Op) -> Outcome {
    let chart = Chart::standard();
    match op {
        Op::ProductCreate(p) => {
            check!(may(ctx.role, Duty::Catalog));
            let existing = docs::load(conn, p.id.as_uuid(), RowLock::Update).await?;
            let same = match docs::by_key(conn, "product", p.sku.as_str()).await? {
                Some(Doc::Product(x)) => Some(x),
                _ => None,
            };
            let existing = match existing {
                Some(Doc::Product(x)) => Some(x),
                _ => None,
            };
            check!(catalog::create_product(existing.as_ref(), same.as_ref(), p));
            check!(check_product(p));
            Ok(Ok(Applied { docs: vec![Doc::Product(p.clone())] }))
        }
        Op::PriceListSave(pl) => {
            check!(may(ctx.role, Duty::Catalog));
            if let Some(c) = pl.customer {
                check!(customer(conn, ctx, c).await?);
            }
            check!(pl.check());
            Ok(Ok(Applied { docs: vec![Doc::PriceList(pl.clone())] }))
        }
        Op::CustomerSetTerms(t) => {
            check!(may(ctx.role, Duty::Account));
            check!(customer(conn, ctx, t.account).await?);
            check!(t.check());
            Ok(Ok(Applied { docs: vec![Doc::Terms(t.clone())] }))
        }
        Op::PipelineSave(p) => {
            check!(may(ctx.role, Duty::ConfigureCrm));
            check!(p.check());
            // A stage that still holds deals cannot disappear (rename it instead).
            if let Some(Doc::Pipeline(old)) = docs::load(conn, p.id.as_uuid(), RowLock::Update).await? {
                for stage in old.stages.iter().filter(|s| p.stage(s.name.as_str()).is_err()) {
                    let n = docs::count_deals_in_stage(conn, p.id, stage.name.as_str()).await?;
                    if n > 0 {
                        return refuse(RuleError::InUse(format!(
                            "stage {} of pipeline \"{}\" still holds {n} deal(s): move them first",
                            stage.name, old.name
                        )));
                    }
                }
            }
            Ok(Ok(Applied { docs: vec![Doc::Pipeline(p.clone())] }))
        }
        Op::DealCreate(c) => {
            check!(customer(conn, ctx, c.deal.account).await?);
            let pipeline = check!(pipeline(conn, c.deal.pipeline).await?);
            let existing = docs::load(conn, c.deal.id.as_uuid(), RowLock::Update).await?;
            let existing = match &existing {
                Some(Doc::Deal(d)) => Existing::Live(d),
                Some(_) => return refuse(RuleError::AlreadyExists { entity: "deal", id: c.deal.id.to_string() }),
                None => Existing::Missing,
            };
            let fields = crm_settings(conn).await?.fields;
            check!(crm::custom::validate_all(&fields, crm::CrmEntity::Deal, &c.deal.custom).map_err(RuleError::Invalid));
            let deal = check!(crm::deal::create(existing, &c.deal, &pipeline, c.on));
            Ok(Ok(Applied { docs: vec![Doc::Deal(deal)] }))
        }
        Op::DealMove(m) => {
            let Some(Doc::Deal(mut deal)) = docs::peek(conn, m.id.as_uuid()).await? else {
                return refuse(RuleError::NotFound { entity: "deal", id: m.id.to_string() });
            };
            check!(customer(conn, ctx, deal.account).await?);
            let Some(Doc::Deal(d)) = docs::load(conn, m.id.as_uuid(), RowLock::Update).await? else {
                return refuse(RuleError::NotFound { entity: "deal", id: m.id.to_string() });
            };
            deal = d;
            let pipeline = check!(pipeline(conn, m.pipeline.unwrap_or(deal.pipeline)).await?);
            check!(crm::deal::move_to(&mut deal, &pipeline, m.stage.as_str(), m.on, m.lost_reason.clone()));
            Ok(Ok(Applied { docs: vec![Doc::Deal(deal)] }))
        }
        Op::LeadImport(import) => {
            if import.leads.len() > MAX_LEADS_PER_IMPORT {
                return refuse(invalid(
                    "leads",
                    format!("{} leads in one import, at most {MAX_LEADS_PER_IMPORT}", import.leads.len()),
                ));
            }
            let crm_fields = crm_settings(conn).await?.fields;
            let mut out = Vec::with_capacity(import.leads.len());
            for new in &import.leads {
                if !ctx.visibility.sees(new.territory.as_ref()) {
                    return refuse(RuleError::Forbidden(format!(
                        "lead \"{}\": you may create leads only in your territories (give --territory)",
                        new.company
                    )));
                }
                let existing = docs::load(conn, new.id.as_uuid(), RowLock::Update).await?;
                let existing = match &existing {
                    Some(Doc::Lead(l)) => Existing::Live(l),
                    Some(_) => return refuse(RuleError::AlreadyExists { entity: "lead", id: new.id.to_string() }),
                    None => Existing::Missing,
                };
                check!(crm::custom::validate_all(&crm_fields, crm::CrmEntity::Lead, &new.custom)
                    .map_err(RuleError::Invalid));
                out.push(Doc::Lead(check!(crm::lead::create(existing, new, import.on))));
            }
            Ok(Ok(Applied { docs: out }))
        }
        Op::LeadSetStatus(step) => {
            let mut lead = check!(lead_for_update(conn, ctx, step.id).await?);
            check!(match &step.step {
                LeadStep::Work => crm::lead::work(&mut lead),
                LeadStep::Qualify => crm::lead::qualify(&mut lead),
                LeadStep::Disqualify(reason) => crm::lead::disqualify(&mut lead, Some(reason.clone())),
                LeadStep::Reopen => crm::lead::reopen(&mut lead),
            });
            Ok(Ok(Applied { docs: vec![Doc::Lead(lead)] }))
        }
        Op::LeadConvert(c) => {
            let lead = check!(lead_for_update(conn, ctx, c.id).await?);
            let mut accounts = Vec::new();
            if let crm::lead::AccountChoice::Existing(id) = &c.plan.account {
                check!(customer(conn, ctx, *id).await?);
                if let Existing::Live(a) = accounts::load(conn, *id, RowLock::Share).await? {
                    accounts.push(a);
                }
            }
            let mut contacts = Vec::new();
            if let crm::lead::ContactChoice::Existing(id) = &c.plan.contact {
                if let Existing::Live(x) = crate::store::contacts::load(conn, *id, RowLock::Share).await? {
                    contacts.push(x);
                }
            }
            let pipeline = match &c.plan.deal {
                Some(d) => Some(check!(pipeline(conn, d.pipeline).await?)),
                None => None,
            };
            let cx = crm::lead::ConvertContext {
                accounts: &accounts,
                contacts: &contacts,
                pipeline: pipeline.as_ref(),
                today: c.on,
            };
            let conversion = check!(crm::lead::convert(&lead, &c.plan, &cx));
            if conversion.account.is_some() || conversion.contact.is_some() {
                // A new account or contact travels as its own mutation before this one.
                return refuse(invalid("plan", "a conversion names an account and a contact that exist".into()));
            }
            let mut out = vec![Doc::Lead(conversion.lead)];
            out.extend(conversion.deal.map(Doc::Deal));
            Ok(Ok(Applied { docs: out }))
        }
        Op::ActivityCreate(a) => {
            check!(crm::activity::check(a));
            check!(activity_links(conn, ctx, &a.links).await?);
            if docs::load(conn, a.id.as_uuid(), RowLock::Update).await?.is_some() {
                return refuse(RuleError::AlreadyExists { entity: "activity", id: a.id.to_string() });
            }
            Ok(Ok(Applied { docs: vec![Doc::Activity((**a).clone())] }))
        }
        Op::ActivityComplete(x) | Op::ActivityReminded(x) => {
            let mut a = check!(activity_for_update(conn, ctx, x.id).await?);
            if matches!(op, Op::ActivityComplete(_)) {
                check!(crm::activity::complete(&mut a, x.at));
            } else {
                crm::activity::mark_reminded(&mut a, x.at);
            }
            Ok(Ok(Applied { docs: vec![Doc::Activity(a)] }))
        }
        Op::ActivityReschedule(x) => {
            let mut a = check!(activity_for_update(conn, ctx, x.id).await?);
            check!(crm::activity::reschedule(&mut a, x.due, x.reminder));
            Ok(Ok(Applied { docs: vec![Doc::Activity(a)] }))
        }
        Op::QuoteCreate(save) | Op::QuoteUpdate(save) => {
            check!(may(ctx.role, Duty::Sell));
            let new = &save.quote;
            let name = check!(customer(conn, ctx, new.account).await?);
            let existing = docs::load(conn, new.id.as_uuid(), RowLock::Update).await?;
            let (_, t, ps) = sales_refs(conn, new.account, &new.products()).await?;
            let lists = price_lists(conn).await?;
            let octx = OrderContext { customer_name: &name, terms: &t, products: &ps, price_lists: &lists };
            let q = match (op, existing) {
                (Op::QuoteCreate(_), None) => check!(crm::quote::create(Existing::Missing, new, &octx, save.on)),
                (Op::QuoteCreate(_), Some(_)) => {
                    return refuse(RuleError::AlreadyExists { entity: "quote", id: new.id.to_string() })
                }
                (_, Some(Doc::Quote(old))) => check!(crm::quote::update(&old, new, &octx, save.on)),
                _ => return refuse(RuleError::NotFound { entity: "quote", id: new.id.to_string() }),
            };
            Ok(Ok(Applied { docs: vec![Doc::Quote(q)] }))
        }
        Op::QuoteStep(t) => {
            let mut q = check!(quote_for_update(conn, ctx, t.id).await?);
            let s = settings(conn).await?;
            let me = check!(crm::UserName::parse(ctx.user).map_err(|e| RuleError::Invalid(e.into())));
            check!(match &t.step {
                QuoteStep::RequestApproval(reason) => {
                    crm::quote::request_approval(&mut q, me, reason.clone(), s.quote_approval_threshold, t.on)
                }
                QuoteStep::Approve => crm::quote::approve(&mut q, me, ctx.role, t.on),
                QuoteStep::RefuseApproval(reason) => crm::quote::refuse_approval(&mut q, me, ctx.role, reason.clone()),
                QuoteStep::Send => crm::quote::send(&mut q, s.quote_approval_threshold, t.on),
                QuoteStep::Reject => crm::quote::reject(&mut q, t.on),
            });
            // The legal number is given when a quote first leaves the company.
            if matches!(t.step, QuoteStep::Send) && q.number.is_none() {
                let n = docs::next_number(conn, "QU", t.on.year()).await?;
                q.number = Some(format!("QU-{}-{n:05}", t.on.year()));
            }
            Ok(Ok(Applied { docs: vec![Doc::Quote(q)] }))
        }
        Op::QuoteAccept(a) => {
            check!(may(ctx.role, Duty::Sell));
            let q = check!(quote_for_update(conn, ctx, a.id).await?);
            if docs::load(conn, a.order.as_uuid(), RowLock::Update).await?.is_some() {
                return refuse(RuleError::AlreadyExists { entity: "order", id: a.order.to_string() });
            }
            let (s, t, ps) = sales_refs(conn, q.account, &q.products()).await?;
            let lists = price_lists(conn).await?;
            let name = q.customer_name.clone();
            let octx = OrderContext { customer_name: &name, terms: &t, products: &ps, price_lists: &lists };
            let accepted = check!(crm::quote::accept(
                &q,
                &a.selected,
                a.order,
                main_warehouse().id,
                &octx,
                s.quote_approval_threshold,
                a.on
            ));
            let order = check!(order::create(Existing::Missing, &accepted.order, &octx));
            Ok(Ok(Applied { docs: vec![Doc::Quote(accepted.quote), Doc::Order(order)] }))
        }
        Op::ContractCreate(c) => {
            check!(may(ctx.role, Duty::Sell));
            check!(customer(conn, ctx, c.account).await?);
            check!(c.check_new());
            if docs::load(conn, c.id.as_uuid(), RowLock::Update).await?.is_some() {
                return refuse(RuleError::AlreadyExists { entity: "contract", id: c.id.to_string() });
            }
            Ok(Ok(Applied { docs: vec![Doc::Contract((**c).clone())] }))
        }
        Op::ContractStep(t) => {
            check!(may(ctx.role, Duty::Sell));
            let mut c = check!(contract_for_update(conn, ctx, t.id).await?);
            let mut out = Vec::new();
            match &t.step {
                ContractStep::Renew(next) => {
                    if docs::load(conn, next.as_uuid(), RowLock::Update).await?.is_some() {
                        return refuse(RuleError::AlreadyExists { entity: "contract", id: next.to_string() });
                    }
                    out.push(Doc::Contract(check!(crm::contract::renew(&mut c, *next))));
                }
                ContractStep::GiveNotice => check!(crm::contract::give_notice(&mut c, t.on)),
                ContractStep::Cancel => check!(crm::contract::cancel(&mut c, t.on)),
            }
            out.insert(0, Doc::Contract(c));
            Ok(Ok(Applied { docs: out }))
        }
        Op::ContractRenewalDeal(r) => {
            let mut c = check!(contract_for_update(conn, ctx, r.id).await?);
            if r.deal != tandem_sync::erp::renewal_deal_id(c.id) {
                return refuse(invalid("deal", "a renewal deal's id comes from its contract".into()));
            }
            if c.renewal_deal.is_some() {
                // Another device opened it first: nothing more to do.
                return Ok(Ok(Applied::default()));
            }
            let p = check!(pipeline(conn, r.pipeline).await?);
            let owner = check!(crm::UserName::parse(ctx.user).map_err(|e| RuleError::Invalid(e.into())));
            let deal = check!(crm::contract::renewal_deal(&mut c, r.deal, &p, owner, r.on));
            Ok(Ok(Applied { docs: vec![Doc::Contract(c), Doc::Deal(deal)] }))
        }
        Op::DealUpdate(u) => {
            let Some(Doc::Deal(d)) = docs::peek(conn, u.id.as_uuid()).await? else {
                return refuse(RuleError::NotFound { entity: "deal", id: u.id.to_string() });
            };
            check!(customer(conn, ctx, d.account).await?);
            let Some(Doc::Deal(d)) = docs::load(conn, u.id.as_uuid(), RowLock::Update).await? else {
                return refuse(RuleError::NotFound { entity: "deal", id: u.id.to_string() });
            };
            let fields = crm_settings(conn).await?.fields_of(crm::CrmEntity::Deal);
            Ok(Ok(Applied { docs: vec![Doc::Deal(check!(crm::deal::update(&d, &u.input, &fields)))] }))
        }
        Op::ProfileUpdate(u) => {
            let t = u.target;
            match t.entity {
                crm::CrmEntity::Account if t.id == t.account.as_uuid() => {}
                crm::CrmEntity::Contact => {
                    let id = tandem_core::ContactId::from_uuid(t.id);
                    let c = check!(crate::store::contacts::load(conn, id, RowLock::Share)
                        .await?
                        .live("contact", id.to_string()));
                    if c.account_id != t.account {
                        return refuse(invalid(
                            "account",
                            format!("contact {id} belongs to account {}, not {}", c.account_id, t.account),
                        ));
                    }
                }
                other => return refuse(invalid("entity", format!("{other} {} has no profile", t.id))),
            }
            check!(customer(conn, ctx, t.account).await?);
            let existing = match docs::load(conn, t.id, RowLock::Update).await? {
                Some(Doc::Profile(p)) => Some(p),
                Some(_) => return refuse(RuleError::AlreadyExists { entity: "profile", id: t.id.to_string() }),
                None => None,
            };
            let fields = crm_settings(conn).await?.fields;
            let p = check!(crm::profile::update(existing.as_ref(), t, &u.input, &fields));
            Ok(Ok(Applied { docs: vec![Doc::Profile(p)] }))
        }
        Op::LeadUpdate(u) => {
            let l = check!(lead_for_update(conn, ctx, u.id).await?);
            let fields = crm_settings(conn).await?.fields_of(crm::CrmEntity::Lead);
            let next = check!(crm::lead::update(&l, &u.input, &fields));
            if !ctx.visibility.sees(next.territory.as_ref()) {
                return refuse(RuleError::Forbidden(format!(
                    "lead \"{}\": you may move leads only within your territories",
                    next.company
                )));
            }
            Ok(Ok(Applied { docs: vec![Doc::Lead(next)] }))
        }
        Op::CrmConfigure(c) => {
            check!(may(ctx.role, Duty::ConfigureCrm));
            check!(c.check());
            Ok(Ok(Applied { docs: vec![Doc::CrmSettings(c.clone())] }))
        }
        Op::SetRate(r) => {
            check!(may(ctx.role, Duty::Account));
            let s = settings(conn).await?;
            if r.currency == s.currency {
                return refuse(invalid("currency", format!("{} is the company currency (its rate is 1)", r.currency)));
            }
            Ok(Ok(Applied { docs: vec![Doc::Rate(RateEntry { currency: r.currency, date: r.date, rate: r.rate })] }))
        }
        Op::LockPeriod(l) => {
            check!(may(ctx.role, Duty::Account));
            let mut s = match docs::load(conn, CompanySettings::ID, RowLock::Update).await? {
                Some(Doc::Settings(s)) => s,
                _ => CompanySettings::default(),
            };
            if let Some(old) = s.lock_date.filter(|old| *old > l.date) {
                return refuse(invalid(
                    "date",
                    format!("the books are already locked up to {old}; a lock date never moves back"),
                ));
            }
            s.lock_date = Some(l.date);
            Ok(Ok(Applied { docs: vec![Doc::Settings(s)] }))
        }
        Op::StockReceive(r) => {
            check!(may(ctx.role, Duty::Operate));
            let s = settings(conn).await?;
            check!(invoice::ensure_open(r.date, s.lock_date));
            let ps = products(conn, &[r.product]).await?;
            let Some(p) = ps.get(&r.product) else {
                return refuse(RuleError::NotFound { entity: "product", id: r.product.to_string() });
            };
            if !p.is_stocked() {
                return refuse(invalid("sku", format!("{} is a service: it is not stocked", p.sku)));
            }
            let mut docs_out = check!(ensure_warehouse(conn, r.warehouse).await?);
            let mut lv = levels(conn, r.warehouse, [r.product]).await?;
            let level = lv.entry(r.product).or_insert_with(|| StockLevel::empty(r.product, r.warehouse));
            let value = check!(stock::receive(level, r.qty, r.unit_cost, s.currency));
            let reference = format!("Receipt {} {}", p.sku, r.qty);
            docs_out.push(Doc::Stock(level.clone()));
            docs_out.push(Doc::Move(StockMove {
                id: r.id,
                kind: MoveKind::Receipt,
                product: r.product,
                warehouse: r.warehouse,
                qty: r.qty.get(),
                value,
                date: r.date,
                reference: reference.clone(),
            }));
            let posting = ledger::ReceiptPosting {
                entry_id: entry_id(),
                source_id: r.id,
                date: r.date,
                reference,
                supplier: None,
                value,
            };
            if let Some(e) = check!(posting.post(&chart, s.currency).map_err(ledger_refusal)) {
                docs_out.push(Doc::Journal(e));
            }
            Ok(Ok(Applied { docs: docs_out }))
        }
        Op::WarehouseCreate(w) => {
            check!(may(ctx.role, Duty::Operate));
            if docs::load(conn, w.id.as_uuid(), RowLock::Share).await?.is_some() {
                return refuse(RuleError::AlreadyExists { entity: "warehouse", id: w.id.to_string() });
            }
            let taken = docs::by_key(conn, "warehouse", w.code.as_str()).await?.is_some();
            if taken || (w.code == main_warehouse().code && w.id != main_warehouse().id) {
                return refuse(invalid("code", format!("warehouse {} already exists", w.code)));
            }
            Ok(Ok(Applied { docs: vec![Doc::Warehouse(w.clone())] }))
        }
        Op::StockTransfer(t) => {
            check!(may(ctx.role, Duty::Operate));
            let s = settings(conn).await?;
            if t.from == t.to {
                return refuse(invalid("to", "a transfer needs two different warehouses".into()));
            }
            let ps = products(conn, &[t.product]).await?;
            let Some(p) = ps.get(&t.product) else {
                return refuse(RuleError::NotFound { entity: "product", id: t.product.to_string() });
            };
            if !p.is_stocked() {
                return refuse(invalid("sku", format!("{} is a service: it is not stocked", p.sku)));
            }
            let mut docs_out = check!(ensure_warehouse(conn, t.from).await?);
            docs_out.extend(check!(ensure_warehouse(conn, t.to).await?));
            // Both levels in id order (the one lock order).
            let ids = [StockLevel::id_of(t.product, t.from), StockLevel::id_of(t.product, t.to)];
            let found = docs::load_many_for_update(conn, &ids).await?;
            let level_of = |id: Uuid, wh: WarehouseId| match found.get(&id) {
                Some(Doc::Stock(l)) => l.clone(),
                _ => StockLevel::empty(t.product, wh),
            };
            let (mut out_level, mut in_level) = (level_of(ids[0], t.from), level_of(ids[1], t.to));
            let value = check!(stock::issue(&mut out_level, p, t.qty, Quantity::ZERO, s.currency));
            in_level.on_hand += t.qty.get();
            in_level.value += value;
            let reference = format!("Transfer {} {}", p.sku, t.qty);
            for (wh, qty, v) in [(t.from, -t.qty.get(), -value), (t.to, t.qty.get(), value)] {
                docs_out.push(Doc::Move(StockMove {
                    id: if wh == t.from { t.id } else { Uuid::now_v7() },
                    kind: MoveKind::Transfer,
                    product: t.product,
                    warehouse: wh,
                    qty,
                    value: v,
                    date: t.date,
                    reference: reference.clone(),
                }));
            }
            docs_out.push(Doc::Stock(out_level));
            docs_out.push(Doc::Stock(in_level));
            Ok(Ok(Applied { docs: docs_out }))
        }
        Op::StockAdjust(a) => {
            check!(may(ctx.role, Duty::Operate));
            let s = settings(conn).await?;
            check!(invoice::ensure_open(a.date, s.lock_date));
            let ps = products(conn, &[a.product]).await?;
            let Some(p) = ps.get(&a.product) else {
                return refuse(RuleError::NotFound { entity: "product", id: a.product.to_string() });
            };
            let mut docs_out = check!(ensure_warehouse(conn, a.warehouse).await?);
            let mut lv = levels(conn, a.warehouse, [a.product]).await?;
            let level = lv.entry(a.product).or_insert_with(|| StockLevel::empty(a.product, a.warehouse));
            let delta = a.delta.get();
            let value = if delta >= Decimal::ZERO {
                let q = check!(Quantity::new(delta).map_err(|e| RuleError::Invalid(e.into())));
                let cost = level.unit_cost(p);
                check!(stock::receive(level, q, cost, s.currency))
            } else {
                let q = check!(Quantity::new(-delta).map_err(|e| RuleError::Invalid(e.into())));
                -check!(stock::issue(level, p, q, Quantity::ZERO, s.currency))
            };
            let reference = format!("Adjustment {} {} ({})", p.sku, a.delta, a.reason);
            docs_out.push(Doc::Stock(level.clone()));
            docs_out.push(Doc::Move(StockMove {
                id: a.id,
                kind: MoveKind::Adjustment,
                product: a.product,
                warehouse: a.warehouse,
                qty: delta,
                value,
                date: a.date,
                reference: reference.clone(),
            }));
            let posting =
                ledger::AdjustmentPosting { entry_id: entry_id(), source_id: a.id, date: a.date, reference, value };
            if let Some(e) = check!(posting.post(&chart, s.currency).map_err(ledger_refusal)) {
                docs_out.push(Doc::Journal(e));
            }
            Ok(Ok(Applied { docs: docs_out }))
        }
        Op::OrderCreate(new) => {
            check!(may(ctx.role, Duty::Sell));
            let name = check!(customer(conn, ctx, new.account).await?);
            let existing = match docs::load(conn, new.id.as_uuid(), RowLock::Update).await? {
                Some(_) => Existing::Live(()),
                None => Existing::Missing,
            };
            if matches!(existing, Existing::Live(())) {
                return refuse(RuleError::AlreadyExists { entity: "order", id: new.id.to_string() });
            }
            let ids: Vec<ProductId> = new.lines.iter().map(|l| l.product).collect();
            let (_, t, ps) = sales_refs(conn, new.account, &ids).await?;
            let lists = price_lists(conn).await?;
            let octx = OrderContext { customer_name: &name, terms: &t, products: &ps, price_lists: &lists };
            let o = check!(order::create(Existing::Missing, new, &octx));
            Ok(Ok(Applied { docs: vec![Doc::Order(o)] }))
        }
        Op::OrderUpdate(new) => {
            check!(may(ctx.role, Duty::Sell));
            let account = check!(owner_of(conn, new.id.as_uuid(), "order").await?);
            let name = check!(customer(conn, ctx, account).await?);
            let existing = check!(load_order(conn, new.id).await?);
            let ids: Vec<ProductId> = new.lines.iter().map(|l| l.product).collect();
            let (_, t, ps) = sales_refs(conn, account, &ids).await?;
            let lists = price_lists(conn).await?;
            let octx = OrderContext { customer_name: &name, terms: &t, products: &ps, price_lists: &lists };
            let o = check!(order::update_draft(&existing, new, &octx));
            Ok(Ok(Applied { docs: vec![Doc::Order(o)] }))
        }
        Op::OrderConfirm(r) => {
            check!(may(ctx.role, Duty::Sell));
            let account = check!(owner_of(conn, r.id.as_uuid(), "order").await?);
            check!(customer(conn, ctx, account).await?);
            let mut o = check!(load_order(conn, r.id).await?);
            let ids: Vec<ProductId> = o.lines.iter().map(|l| l.product).collect();
            let (_, t, ps) = sales_refs(conn, account, &ids).await?;
            let exposure = exposure(conn, account, o.id).await?;
            let mut lv = levels(conn, o.warehouse, ids.iter().copied()).await?;
            let before = lv.clone();
            let outcome = check!(order::confirm(&mut o, String::new(), &t, &exposure, &ps, &mut lv, today(ctx)));
            o.number = Some(number(conn, "SO", o.date).await?);
            if let order::Confirmed::Held(reason) = &outcome {
                tracing::info!(order = %o.id, reason, "order held for credit release");
            }
            let mut out = vec![Doc::Order(o)];
            out.extend(changed_levels(&before, lv));
            Ok(Ok(Applied { docs: out }))
        }
        Op::OrderRelease(r) => {
            check!(may(ctx.role, Duty::Account));
            let account = check!(owner_of(conn, r.id.as_uuid(), "order").await?);
            check!(customer(conn, ctx, account).await?);
            let mut o = check!(load_order(conn, r.id).await?);
            let ids: Vec<ProductId> = o.lines.iter().map(|l| l.product).collect();
            let ps = products(conn, &ids).await?;
            let mut lv = levels(conn, o.warehouse, ids.iter().copied()).await?;
            let before = lv.clone();
            check!(order::release(&mut o, &ps, &mut lv, today(ctx)));
            let mut out = vec![Doc::Order(o)];
            out.extend(changed_levels(&before, lv));
            Ok(Ok(Applied { docs: out }))
        }
        Op::OrderCancel(c) => {
            check!(may(ctx.role, Duty::Sell));
            let account = check!(owner_of(conn, c.id.as_uuid(), "order").await?);
            check!(customer(conn, ctx, account).await?);
            let mut o = check!(load_order(conn, c.id).await?);
            let ids: Vec<ProductId> = o.lines.iter().map(|l| l.product).collect();
            let mut lv = levels(conn, o.warehouse, ids.iter().copied()).await?;
            let before = lv.clone();
            check!(order::cancel(&mut o, c.reason.to_string(), &mut lv));
            let mut out = vec![Doc::Order(o)];
            out.extend(changed_levels(&before, lv));
            Ok(Ok(Applied { docs: out }))
        }
        Op::OrderDeliver(d) => {
            check!(may(ctx.role, Duty::Operate));
            let account = check!(owner_of(conn, d.id.as_uuid(), "order").await?);
            let name = check!(customer(conn, ctx, account).await?);
            if docs::load(conn, d.delivery.as_uuid(), RowLock::Share).await?.is_some() {
                return refuse(RuleError::AlreadyExists { entity: "delivery", id: d.delivery.to_string() });
            }
            let mut o = check!(load_order(conn, d.id).await?);
            let s = settings(conn).await?;
            check!(invoice::ensure_open(d.date, s.lock_date));
            let ids: Vec<ProductId> = o.lines.iter().map(|l| l.product).collect();
            let ps = products(conn, &ids).await?;
            let mut lv = levels(conn, o.warehouse, ids.iter().copied()).await?;
            let before = lv.clone();
            let wanted: Option<Vec<(ProductId, Quantity)>> =
                d.lines.as_ref().map(|ls| ls.iter().map(|l| (l.product, l.qty)).collect());
            let promised = o.lines.iter().filter_map(|l| l.promise_date).min();
            let shipped = check!(order::deliver(&mut o, wanted.as_deref(), &ps, &mut lv, s.currency));
            let number = number(conn, "DL", d.date).await?;
            let order_number = o.reference();
            let cost: Decimal = shipped.iter().map(|l| l.cost).sum();
            let mut out: Vec<Doc> = Vec::new();
            for l in &shipped {
                if l.cost.is_zero() && !lv.contains_key(&l.product) {
                    continue;
                }
                out.push(Doc::Move(StockMove {
                    id: Uuid::now_v7(),
                    kind: MoveKind::Delivery,
                    product: l.product,
                    warehouse: o.warehouse,
                    qty: -l.qty.get(),
                    value: -l.cost,
                    date: d.date,
                    reference: format!("{number} {}", l.sku),
                }));
            }
            let posting = ledger::CogsPosting {
                entry_id: entry_id(),
                source_id: d.delivery.as_uuid(),
                date: d.date,
                reference: number.clone(),
                cost,
            };
            if let Some(e) = check!(posting.post(&chart, s.currency).map_err(ledger_refusal)) {
                out.push(Doc::Journal(e));
            }
            out.push(Doc::Delivery(Delivery {
                id: d.delivery,
                number,
                order: o.id,
                order_number,
                account,
                customer_name: name,
                warehouse: o.warehouse,
                date: d.date,
                promised,
                carrier: d.carrier.as_ref().map(ToString::to_string),
                tracking: d.tracking.as_ref().map(ToString::to_string),
                lines: shipped,
                cost,
            }));
            out.push(Doc::Order(o));
            out.extend(changed_levels(&before, lv));
            Ok(Ok(Applied { docs: out }))
        }
        Op::InvoiceCreate(c) => {
            check!(may(ctx.role, Duty::Sell));
            let account = check!(owner_of(conn, c.order.as_uuid(), "order").await?);
            check!(customer(conn, ctx, account).await?);
            let existing = match docs::load(conn, c.id.as_uuid(), RowLock::Update).await? {
                Some(Doc::Invoice(i)) => Existing::Live(i),
                Some(_) => return refuse(RuleError::AlreadyExists { entity: "invoice", id: c.id.to_string() }),
                None => Existing::Missing,
            };
            let o = check!(load_order(conn, c.order).await?);
            let (_, t, _) = sales_refs(conn, account, &[]).await?;
            let inv = check!(invoice::draft_from_order(existing.as_ref(), c.id, &o, &t, c.date));
            Ok(Ok(Applied { docs: vec![Doc::Invoice(inv)] }))
        }
        Op::InvoiceCreditNote(c) => {
            check!(may(ctx.role, Duty::Account));
            let account = check!(owner_of(conn, c.invoice.as_uuid(), "invoice").await?);
            check!(customer(conn, ctx, account).await?);
            let existing = match docs::load(conn, c.id.as_uuid(), RowLock::Update).await? {
                Some(Doc::Invoice(i)) => Existing::Live(i),
                Some(_) => return refuse(RuleError::AlreadyExists { entity: "invoice", id: c.id.to_string() }),
                None => Existing::Missing,
            };
            let of = check!(load_invoice(conn, c.invoice).await?);
            let cn = check!(invoice::credit_note(existing.as_ref(), c.id, &of, c.date));
            Ok(Ok(Applied { docs: vec![Doc::Invoice(cn)] }))
        }
        Op::InvoicePost(r) => {
            check!(may(ctx.role, Duty::Account));
            let account = check!(owner_of(conn, r.id.as_uuid(), "invoice").await?);
            check!(customer(conn, ctx, account).await?);
            let mut inv = check!(load_invoice(conn, r.id).await?);
            let (s, t, _) = sales_refs(conn, account, &[]).await?;
            let mut order = match inv.order {
                Some(oid) => Some(check!(load_order(conn, oid).await?)),
                None => None,
            };
            let mut original = match inv.credit_of {
                Some(id) => Some(check!(load_invoice(conn, id).await?)),
                None => None,
            };
            let rates = rates(conn).await?;
            let rate = check!(may_post(&inv, order.as_ref(), &s, &t, &rates));
            let number = number(conn, inv.series(), inv.date).await?;
            let entry = check!(post_under(&mut inv, order.as_mut(), original.as_mut(), number, rate, &s, &chart));
            let mut out: Vec<Doc> = vec![Doc::Journal(entry)];
            out.extend(original.map(Doc::Invoice));
            out.push(Doc::Invoice(inv));
            out.extend(order.map(Doc::Order));
            Ok(Ok(Applied { docs: out }))
        }
        Op::InvoicePostMany(batch) => {
            check!(may(ctx.role, Duty::Account));
            post_many(conn, ctx, &batch.ids, &chart).await
        }
        Op::PaymentRecord(p) => {
            let money = MoneyIn { account: p.account, id: p.id, amount: p.amount, currency: p.currency, date: p.date };
            let (name, s, rate) = check!(money_in(conn, ctx, &money).await?);
            let mut open: Vec<Invoice> = docs::open_of_account(conn, "invoice", p.account)
                .await?
                .into_iter()
                .filter_map(|d| match d {
                    Doc::Invoice(i) if i.is_open() && i.currency == p.currency && i.kind == InvoiceKind::Invoice => {
                        Some(i)
                    }
                    _ => None,
                })
                .collect();
            for &id in &p.invoices {
                if !open.iter().any(|i| i.id == id) {
                    return refuse(invalid(
                        "invoice",
                        format!("invoice {id} is not an open {} invoice of {name}", p.currency),
                    ));
                }
            }
            let before: BTreeMap<InvoiceId, Decimal> = open.iter().map(|i| (i.id, i.residual)).collect();
            let (allocations, left) = check!(payment::allocate(p.amount, &mut open, &p.invoices, s.currency));
            let number = number(conn, "PAY", p.date).await?;
            let posting = ledger::PaymentPosting {
                entry_id: entry_id(),
                source_id: p.id.as_uuid(),
                date: p.date,
                reference: number.clone(),
                customer: p.account,
                doc_currency: p.currency,
                rate,
                amount: p.amount,
                allocations: allocations
                    .iter()
                    .map(|a| ledger::AllocationPosting {
                        invoice_reference: a.reference.clone(),
                        amount_doc: a.amount,
                        amount_company: a.amount_company,
                    })
                    .collect(),
            };
            let entry = check!(posting.post(&chart, s.currency).map_err(ledger_refusal));
            let credit_company = posting.credit_amount(s.currency);
            let payment = Payment {
                id: p.id,
                kind: PaymentKind::Receipt,
                number,
                account: p.account,
                customer_name: name,
                date: p.date,
                currency: p.currency,
                amount: p.amount,
                rate,
                allocations,
                unallocated: left,
                credit_company,
                journal_entry: Some(entry.id()),
            };
            let mut out = vec![Doc::Journal(entry), Doc::Payment(payment)];
            let changed: Vec<Invoice> =
                open.into_iter().filter(|i| before.get(&i.id).is_some_and(|r| *r != i.residual)).collect();
            out.extend(close_paid_orders(conn, p.account, &changed).await?);
            out.extend(changed.into_iter().map(Doc::Invoice));
            Ok(Ok(Applied { docs: out }))
        }
        Op::PaymentRefund(p) => {
            let money = MoneyIn { account: p.account, id: p.id, amount: p.amount, currency: p.currency, date: p.date };
            let (name, s, rate) = check!(money_in(conn, ctx, &money).await?);
            let (credit, credit_company) = customer_credit(conn, p.account, p.currency).await?;
            if p.amount > credit {
                return refuse(invalid(
                    "amount",
                    format!(
                        "a refund of {} is more than {name}'s credit of {}",
                        p.currency.format(p.amount),
                        p.currency.format(credit)
                    ),
                ));
            }
            let number = number(conn, "REF", p.date).await?;
            let posting = ledger::RefundPosting {
                entry_id: entry_id(),
                source_id: p.id.as_uuid(),
                date: p.date,
                reference: number.clone(),
                customer: p.account,
                doc_currency: p.currency,
                rate,
                amount: p.amount,
                clears_company: Some(ledger::credit_in_company(credit, credit_company, p.amount, s.currency)),
            };
            let entry = check!(posting.post(&chart, s.currency).map_err(ledger_refusal));
            let cleared = posting.clears_company.unwrap_or_default();
            let refund = Payment {
                id: p.id,
                kind: PaymentKind::Refund,
                number,
                account: p.account,
                customer_name: name,
                date: p.date,
                currency: p.currency,
                amount: p.amount,
                rate,
                allocations: vec![],
                unallocated: Decimal::ZERO,
                credit_company: -cleared,
                journal_entry: Some(entry.id()),
            };
            Ok(Ok(Applied { docs: vec![Doc::Journal(entry), Doc::Payment(refund)] }))
        }
        _ => refuse(invalid("mutation", format!("{} is not an order-to-cash mutation", op.name()))),
    }
}

/// The money of a payment or refund.
#[derive(Debug)]
struct MoneyIn {
    account: AccountId,
    id: tandem_core::PaymentId,
    amount: Decimal,
    currency: Currency,
    date: NaiveDate,
}

/// Whether `inv` may be posted now (before its number is taken): a draft, in an open period,
/// within its order (an invoice), with a rate into the company currency. Returns that rate.
fn may_post(
    inv: &Invoice,
    order: Option<&SalesOrder>,
    s: &CompanySettings,
    t: &CustomerTerms,
    rates: &[RateEntry],
) -> Result<FxRate, RuleError> {
    invoice::ensure_draft(inv)?;
    invoice::ensure_open(inv.date, s.lock_date)?;
    if let (Some(o), InvoiceKind::Invoice) = (order, inv.kind) {
        invoice::check_against_order(inv, o, t.invoice_policy)?;
    }
    company::rate_on(rates, inv.currency, inv.date, s.currency)
}

/// Posts `inv` as `number` at `rate` (checked by [`may_post`]): its journal entry, the invoiced
/// quantities of its order and, for a credit note, what it takes off the original invoice.
fn post_under(
    inv: &mut Invoice,
    order: Option<&mut SalesOrder>,
    original: Option<&mut Invoice>,
    number: String,
    rate: FxRate,
    s: &CompanySettings,
    chart: &Chart,
) -> Result<JournalEntry, RuleError> {
    let posting = ledger::InvoicePosting {
        entry_id: entry_id(),
        source_id: inv.id.as_uuid(),
        date: inv.date,
        reference: number.clone(),
        customer: inv.account,
        credit_note: inv.kind == InvoiceKind::CreditNote,
        doc_currency: inv.currency,
        rate,
        revenue: invoice::revenue_by_account(inv),
        tax: inv.totals.tax,
    };
    let entry = posting.post(chart, s.currency).map_err(ledger_refusal)?;
    let total_company = posting.receivable_amount(s.currency);
    invoice::post(inv, number, rate, total_company, entry.id(), s.lock_date)?;
    let credit = inv.kind == InvoiceKind::CreditNote;
    if let Some(orig) = original {
        invoice::apply_credit_note(orig, inv, s.currency);
    }
    if let Some(o) = order {
        let lines: Vec<_> = inv.lines.iter().filter_map(|l| l.order_line.map(|ol| (ol, l.qty))).collect();
        order::record_invoiced(o, &lines, credit, inv.totals.total);
    }
    Ok(entry)
}

/// A refusal about one invoice of a batch, naming it (unless it already does).
fn about(inv: &Invoice, e: RuleError) -> RuleError {
    let r = inv.reference();
    if e.to_string().contains(&r) {
        return e;
    }
    match e {
        RuleError::Invalid(errors) => RuleError::Invalid(tandem_core::ValidationErrors(
            errors.0.into_iter().map(|f| FieldError::new(f.field, format!("invoice {r}: {}", f.message))).collect(),
        )),
        RuleError::PeriodLocked(m) => RuleError::PeriodLocked(format!("invoice {r}: {m}")),
        RuleError::WrongState(m) => RuleError::WrongState(format!("invoice {r}: {m}")),
        other => other,
    }
}

/// `invoice.post_many`: every invoice of `ids` posted in one go, or none. Each is checked as
/// `invoice.post` checks it; the numbers are taken once per series for the whole batch, in the
/// order of the invoices' dates (then ids). Locks, in the module's order: the customers' account
/// rows (id order), the invoices, then their orders and credited invoices (id order each), the
/// series rows.
async fn post_many(conn: &mut PgConnection, ctx: &ErpCtx<'_>, ids: &[InvoiceId], chart: &Chart) -> Outcome {
    check!(invoice::check_posting(ids));
    let mut wanted: Vec<Uuid> = ids.iter().map(InvoiceId::as_uuid).collect();
    wanted.sort_unstable();
    let owners = docs::owners(conn, &wanted, "invoice").await?;
    if let Some(missing) = wanted.iter().find(|id| !owners.contains_key(id)) {
        return refuse(RuleError::NotFound { entity: "invoice", id: missing.to_string() });
    }
    let accounts: BTreeSet<AccountId> = owners.values().copied().collect();
    for &account in &accounts {
        check!(customer(conn, ctx, account).await?);
    }
    let mut invoices: BTreeMap<Uuid, Invoice> = BTreeMap::new();
    for (id, doc) in docs::load_many_for_update(conn, &wanted).await? {
        if let Doc::Invoice(i) = doc {
            invoices.insert(id, i);
        }
    }
    if let Some(missing) = wanted.iter().find(|id| !invoices.contains_key(id)) {
        return refuse(RuleError::NotFound { entity: "invoice", id: missing.to_string() });
    }
    // Their orders and the invoices their credit notes credit (not in the batch: a credited
    // invoice is posted already).
    let related: BTreeSet<Uuid> = invoices
        .values()
        .flat_map(|i| [i.order.map(|o| o.as_uuid()), i.credit_of.map(|c| c.as_uuid())])
        .flatten()
        .filter(|id| !invoices.contains_key(id))
        .collect();
    let related: Vec<Uuid> = related.into_iter().collect();
    let mut orders: BTreeMap<OrderId, SalesOrder> = BTreeMap::new();
    let mut originals: BTreeMap<InvoiceId, Invoice> = BTreeMap::new();
    for (_, doc) in docs::load_many_for_update(conn, &related).await? {
        match doc {
            Doc::Order(o) => {
                orders.insert(o.id, o);
            }
            Doc::Invoice(i) => {
                originals.insert(i.id, i);
            }
            _ => {}
        }
    }
    let s = settings(conn).await?;
    let terms = customer_terms(conn, &accounts, s.currency).await?;
    let rates = rates(conn).await?;

    let mut order_of_posting: Vec<Invoice> = invoices.into_values().collect();
    order_of_posting.sort_by_key(|i| (i.date, i.id));
    // Every rule before any number is taken: a refusal leaves the series untouched.
    let mut checked = Vec::with_capacity(order_of_posting.len());
    for inv in order_of_posting {
        if let Some(o) = inv.order {
            if !orders.contains_key(&o) {
                return refuse(about(&inv, RuleError::NotFound { entity: "order", id: o.to_string() }));
            }
        }
        if let Some(c) = inv.credit_of {
            if !originals.contains_key(&c) {
                return refuse(about(&inv, RuleError::NotFound { entity: "invoice", id: c.to_string() }));
            }
        }
        let t = &terms[&inv.account];
        let rate = match may_post(&inv, inv.order.and_then(|o| orders.get(&o)), &s, t, &rates) {
            Ok(rate) => rate,
            Err(e) => return refuse(about(&inv, e)),
        };
        checked.push((inv, rate));
    }
    let mut counts: BTreeMap<(&'static str, i32), i64> = BTreeMap::new();
    for (inv, _) in &checked {
        *counts.entry((inv.series(), inv.date.year())).or_default() += 1;
    }
    let mut next: BTreeMap<(&'static str, i32), i64> = BTreeMap::new();
    for (&(series, year), &n) in &counts {
        next.insert((series, year), docs::take_numbers(conn, series, year, n).await?);
    }
    let mut out = Vec::with_capacity(checked.len() * 2 + orders.len());
    let mut posted = Vec::with_capacity(checked.len());
    for (mut inv, rate) in checked {
        let key = (inv.series(), inv.date.year());
        let n = next.get_mut(&key).map(|n| std::mem::replace(n, *n + 1)).unwrap_or_default();
        let number = invoice::format_number(key.0, key.1, n);
        let order = inv.order.and_then(|o| orders.get_mut(&o));
        let original = inv.credit_of.and_then(|c| originals.get_mut(&c));
        let entry = match post_under(&mut inv, order, original, number, rate, &s, chart) {
            Ok(entry) => entry,
            Err(e) => return refuse(about(&inv, e)),
        };
        out.push(Doc::Journal(entry));
        posted.push(inv);
    }
    out.extend(originals.into_values().map(Doc::Invoice));
    out.extend(posted.into_iter().map(Doc::Invoice));
    out.extend(orders.into_values().map(Doc::Order));
    Ok(Ok(Applied { docs: out }))
}

/// The terms of each of `accounts` (the defaults where none are set), in one query.
async fn customer_terms(
    conn: &mut PgConnection,
    accounts: &BTreeSet<AccountId>,
    currency: Currency,
) -> Result<BTreeMap<AccountId, CustomerTerms>, StoreError> {
    let ids: Vec<Uuid> = accounts.iter().map(|&a| terms_id(a)).collect();
    let mut found = docs::load_many(conn, &ids, RowLock::Share).await?;
    Ok(accounts
        .iter()
        .map(|&a| {
            let t = match found.remove(&terms_id(a)) {
                Some(Doc::Terms(t)) => t,
                _ => CustomerTerms::default_for(a, currency),
            };
            (a, t)
        })
        .collect())
}

/// What a payment and a refund check alike: the duty, the customer (locked), a new id, the
/// amount, an open period and the rate of the day. Returns the customer's name, the settings
/// and the rate.
async fn money_in(
    conn: &mut PgConnection,
    ctx: &ErpCtx<'_>,
    m: &MoneyIn,
) -> Result<Result<(String, CompanySettings, tandem_core::FxRate), RuleError>, StoreError> {
    if let Err(e) = may(ctx.role, Duty::Account) {
        return Ok(Err(e));
    }
    let name = match customer(conn, ctx, m.account).await? {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    if docs::load(conn, m.id.as_uuid(), RowLock::Share).await?.is_some() {
        return Ok(Err(RuleError::AlreadyExists { entity: "payment", id: m.id.to_string() }));
    }
    let s = settings(conn).await?;
    if let Err(e) = payment::check_amount(m.amount, m.currency).and_then(|()| invoice::ensure_open(m.date, s.lock_date))
    {
        return Ok(Err(e));
    }
    let rate = match company::rate_on(&rates(conn).await?, m.currency, m.date, s.currency) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok((name, s, rate)))
}

fn check_product(p: &Product) -> Result<(), RuleError> {
    if p.cost.is_sign_negative() {
        return Err(invalid("cost", format!("{} is negative", p.cost)));
    }
    if p.price.amount.is_sign_negative() {
        return Err(invalid("price", format!("{} is negative", p.price)));
    }
    if p.price.currency.round(p.price.amount) != p.price.amount {
        return Err(invalid("price", format!("{} has more decimals than {} allows", p.price.amount, p.price.currency)));
    }
    Ok(())
}

async fn price_lists(conn: &mut PgConnection) -> Result<Vec<PriceList>, StoreError> {
    Ok(docs::of_kind(conn, "price_list")
        .await?
        .into_iter()
        .filter_map(|d| match d {
            Doc::PriceList(p) => Some(p),
            _ => None,
        })
        .collect())
}

/// The main warehouse is created on first use; any other must exist.
async fn ensure_warehouse(conn: &mut PgConnection, id: WarehouseId) -> Result<Result<Vec<Doc>, RuleError>, StoreError> {
    if docs::load(conn, id.as_uuid(), RowLock::Share).await?.is_some() {
        return Ok(Ok(vec![]));
    }
    let main = main_warehouse();
    if id == main.id {
        return Ok(Ok(vec![Doc::Warehouse(main)]));
    }
    Ok(Err(RuleError::NotFound { entity: "warehouse", id: id.to_string() }))
}

fn changed_levels(before: &BTreeMap<ProductId, StockLevel>, after: BTreeMap<ProductId, StockLevel>) -> Vec<Doc> {
    after.into_iter().filter(|(p, l)| before.get(p) != Some(l)).map(|(_, l)| Doc::Stock(l)).collect()
}

/// Open receivables and open confirmed orders of a customer, other than `this` order: the sums
/// of the open amounts the rules gave each document when it was written.
async fn exposure(conn: &mut PgConnection, account: AccountId, this: OrderId) -> Result<Exposure, StoreError> {
    let (open_receivables, open_orders) = docs::open_amounts(conn, account, this.as_uuid()).await?;
    Ok(Exposure { open_receivables, open_orders })
}

/// Payments kept as credit minus refunds, in one currency: (document currency, company
/// currency as booked).
async fn customer_credit(
    conn: &mut PgConnection,
    account: AccountId,
    currency: Currency,
) -> Result<(Decimal, Decimal), StoreError> {
    let (mut credit, mut company) = (Decimal::ZERO, Decimal::ZERO);
    for d in docs::of_account(conn, "payment", account).await? {
        if let Doc::Payment(p) = d {
            if p.currency == currency {
                match p.kind {
                    PaymentKind::Receipt => credit += p.unallocated,
                    PaymentKind::Refund => credit -= p.amount,
                }
                company += p.credit_company;
            }
        }
    }
    Ok((credit, company))
}

/// Orders whose invoices are now all paid move from invoiced to closed.
async fn close_paid_orders(
    conn: &mut PgConnection,
    account: AccountId,
    changed: &[Invoice],
) -> Result<Vec<Doc>, StoreError> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for inv in changed {
        let Some(oid) = inv.order else { continue };
        if !seen.insert(oid) {
            continue;
        }
        let all: Vec<Invoice> = docs::invoices_of_order(conn, account, oid.as_uuid())
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Invoice(i) => Some(i),
                _ => None,
            })
            .collect();
        let residual_of = |i: &Invoice| changed.iter().find(|c| c.id == i.id).map_or(i.residual, |c| c.residual);
        let paid = all
            .iter()
            .filter(|i| i.order == Some(oid) && i.kind == InvoiceKind::Invoice && i.status == InvoiceStatus::Posted)
            .all(|i| residual_of(i).is_zero());
        if let Some(Doc::Order(mut o)) = docs::load(conn, oid.as_uuid(), RowLock::Update).await? {
            let was = o.status;
            order::close_if_paid(&mut o, paid);
            if o.status != was {
                out.push(Doc::Order(o));
            }
        }
    }
    Ok(out)
}

/// Everything in the journal (reports and export on the server side).
pub async fn journal(conn: &mut PgConnection) -> Result<Vec<JournalEntry>, StoreError> {
    Ok(docs::of_kind(conn, "journal")
        .await?
        .into_iter()
        .filter_map(|d| match d {
            Doc::Journal(j) => Some(j),
            _ => None,
        })
        .collect())
}
