//! The CRM on the device: pipelines and deals are written here first (offline too) through the
//! tandem-core rules, sent as mutations, and decided again by the server, like every draft.

use crate::docs;
use crate::erp::DocPage;
use crate::error::{ReplicaError, Result};
use crate::replica::Replica;
use crate::store;
use chrono::{Local, NaiveDate};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use std::str::FromStr;
use tandem_core::company::{self, RateEntry};
use tandem_core::crm::activity::ActivityKind;
use tandem_core::crm::csv::{self, ColumnMapping, ImportContext, ImportRecord, PreviewRow};
use tandem_core::crm::deal::{self, Deal, DealInput, LostReason, NewDeal};
use tandem_core::crm::forecast::{self, Forecast, ForecastOptions, Granularity, GroupBy};
use tandem_core::crm::lead::{
    self, AccountChoice, ContactChoice, ConvertContext, ConvertPlan, DisqualifyReason, DuplicateMatch, Lead, LeadInput,
    NewLead,
};
use tandem_core::crm::pipeline::{Pipeline, StageName};
use tandem_core::crm::scoring::{self, Condition, Score};
use tandem_core::crm::settings::{self, CrmSettings};
use tandem_core::crm::{CrmEntity, UserName};
use tandem_core::id::{DealId, LeadId, PipelineId};
use tandem_core::{AccountId, ContactId, Existing, FieldError, ItemName, RuleError};
use tandem_core::{ContactInput, NewAccount, NewContact};
use tandem_sync::erp::{
    DealCreate, DealMove, DealUpdate, LeadConvert, LeadImport, LeadSetStatus, LeadStep, LeadUpdate,
};
use tandem_sync::{Doc, Op};
use uuid::Uuid;

/// At most this many leads in one import (one mutation, all or nothing on the server too).
pub const MAX_LEADS_PER_IMPORT: usize = 5_000;

fn field(e: FieldError, name: &str) -> ReplicaError {
    ReplicaError::Validation(e.on(name).into())
}

fn parse_id<T: FromStr<Err = FieldError>>(raw: &str, name: &str) -> Result<T> {
    T::from_str(raw.trim()).map_err(|e| field(e, name))
}

/// The standard pipeline's id is the same on every device, so two devices that create it
/// offline make one pipeline, not two.
pub fn standard_pipeline_id() -> PipelineId {
    PipelineId::from_uuid(Uuid::new_v5(&Uuid::NAMESPACE_OID, b"tandem/pipeline/standard"))
}

pub(crate) fn touches(op: &Op) -> Vec<Uuid> {
    match op {
        Op::PipelineSave(p) => vec![p.id.as_uuid()],
        Op::CrmConfigure(_) => vec![CrmSettings::ID],
        Op::DealUpdate(u) => vec![u.id.as_uuid()],
        Op::ProfileUpdate(u) => vec![u.target.id],
        Op::LeadUpdate(u) => vec![u.id.as_uuid()],
        Op::DealCreate(c) => vec![c.deal.id.as_uuid()],
        Op::DealMove(m) => vec![m.id.as_uuid()],
        Op::LeadImport(i) => i.leads.iter().map(|l| l.id.as_uuid()).collect(),
        Op::LeadSetStatus(s) => vec![s.id.as_uuid()],
        Op::LeadConvert(c) => {
            let mut ids = vec![c.id.as_uuid()];
            ids.extend(c.plan.deal.as_ref().map(|d| d.id.as_uuid()));
            ids
        }
        other => {
            let mut ids = crate::activities::touches(other);
            ids.extend(crate::quotes::touches(other));
            ids.extend(crate::contracts::touches(other));
            ids
        }
    }
}

async fn load_pipeline(
    conn: &mut SqliteConnection,
    id: PipelineId,
) -> Result<std::result::Result<Pipeline, RuleError>> {
    Ok(match docs::load(conn, id.as_uuid()).await? {
        Some(Doc::Pipeline(p)) => Ok(p),
        _ => Err(RuleError::NotFound { entity: "pipeline", id: id.to_string() }),
    })
}

/// The optimistic half of a CRM op: the document it writes, or the rule that refuses it.
async fn settings_in(conn: &mut SqliteConnection) -> Result<CrmSettings> {
    Ok(match docs::load(conn, CrmSettings::ID).await? {
        Some(Doc::CrmSettings(s)) => s,
        _ => CrmSettings::default(),
    })
}

pub(crate) async fn apply_local(
    conn: &mut SqliteConnection,
    op: &Op,
) -> Result<Option<std::result::Result<Vec<Doc>, RuleError>>> {
    match op {
        Op::LeadImport(import) => {
            let mut out = Vec::with_capacity(import.leads.len());
            for new in &import.leads {
                let existing = docs::load(conn, new.id.as_uuid()).await?;
                let existing = match &existing {
                    Some(Doc::Lead(l)) => Existing::Live(l),
                    Some(_) => {
                        return Ok(Some(Err(RuleError::AlreadyExists { entity: "lead", id: new.id.to_string() })))
                    }
                    None => Existing::Missing,
                };
                match lead::create(existing, new, import.on) {
                    Ok(l) => out.push(Doc::Lead(l)),
                    Err(e) => return Ok(Some(Err(e))),
                }
            }
            return Ok(Some(Ok(out)));
        }
        Op::LeadSetStatus(step) => {
            let Some(Doc::Lead(mut l)) = docs::load(conn, step.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "lead", id: step.id.to_string() })));
            };
            let r = match &step.step {
                LeadStep::Work => lead::work(&mut l),
                LeadStep::Qualify => lead::qualify(&mut l),
                LeadStep::Disqualify(reason) => lead::disqualify(&mut l, Some(reason.clone())),
                LeadStep::Reopen => lead::reopen(&mut l),
            };
            return Ok(Some(r.map(|()| vec![Doc::Lead(l)])));
        }
        Op::LeadConvert(c) => {
            let Some(Doc::Lead(l)) = docs::load(conn, c.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "lead", id: c.id.to_string() })));
            };
            let mut accounts = Vec::new();
            if let AccountChoice::Existing(id) = &c.plan.account {
                if let Existing::Live(a) = store::load_account(conn, *id).await? {
                    accounts.push(a);
                }
            }
            let mut contacts = Vec::new();
            if let ContactChoice::Existing(id) = &c.plan.contact {
                if let Existing::Live(x) = store::load_contact(conn, *id).await? {
                    contacts.push(x);
                }
            }
            let pipeline = match &c.plan.deal {
                Some(d) => match load_pipeline(conn, d.pipeline).await? {
                    Ok(p) => Some(p),
                    Err(e) => return Ok(Some(Err(e))),
                },
                None => None,
            };
            let cx =
                ConvertContext { accounts: &accounts, contacts: &contacts, pipeline: pipeline.as_ref(), today: c.on };
            return Ok(Some(lead::convert(&l, &c.plan, &cx).map(|conv| {
                let mut out = vec![Doc::Lead(conv.lead)];
                out.extend(conv.deal.map(Doc::Deal));
                out
            })));
        }
        Op::ProfileUpdate(u) => return crate::profiles::apply_update(conn, u).await.map(Some),
        Op::ActivityCreate(_) | Op::ActivityComplete(_) | Op::ActivityReminded(_) | Op::ActivityReschedule(_) => {
            return crate::activities::apply_local(conn, op).await;
        }
        Op::QuoteCreate(_) | Op::QuoteUpdate(_) | Op::QuoteStep(_) | Op::QuoteAccept(_) => {
            return crate::quotes::apply_local(conn, op).await;
        }
        Op::ContractCreate(_) | Op::ContractStep(_) | Op::ContractRenewalDeal(_) => {
            let user = crate::replica::meta_get(conn, "user").await?.unwrap_or_else(|| "me".into());
            return crate::contracts::apply_local(conn, op, &user).await;
        }
        _ => {}
    }
    Ok(Some(
        match op {
            Op::PipelineSave(p) => p.check().map(|()| Doc::Pipeline(p.clone())),
            Op::CrmConfigure(c) => c.check().map(|()| Doc::CrmSettings(c.clone())),
            Op::DealUpdate(u) => {
                let Some(Doc::Deal(d)) = docs::load(conn, u.id.as_uuid()).await? else {
                    return Ok(Some(Err(RuleError::NotFound { entity: "deal", id: u.id.to_string() })));
                };
                let defs = settings_in(conn).await?.fields_of(CrmEntity::Deal);
                deal::update(&d, &u.input, &defs).map(Doc::Deal)
            }
            Op::LeadUpdate(u) => {
                let Some(Doc::Lead(l)) = docs::load(conn, u.id.as_uuid()).await? else {
                    return Ok(Some(Err(RuleError::NotFound { entity: "lead", id: u.id.to_string() })));
                };
                let defs = settings_in(conn).await?.fields_of(CrmEntity::Lead);
                lead::update(&l, &u.input, &defs).map(Doc::Lead)
            }
            Op::DealCreate(c) => {
                let pipeline = match load_pipeline(conn, c.deal.pipeline).await? {
                    Ok(p) => p,
                    Err(e) => return Ok(Some(Err(e))),
                };
                let existing = docs::load(conn, c.deal.id.as_uuid()).await?;
                let existing = match &existing {
                    Some(Doc::Deal(d)) => Existing::Live(d),
                    Some(_) => {
                        return Ok(Some(Err(RuleError::AlreadyExists { entity: "deal", id: c.deal.id.to_string() })))
                    }
                    None => Existing::Missing,
                };
                deal::create(existing, &c.deal, &pipeline, c.on).map(Doc::Deal)
            }
            Op::DealMove(m) => {
                let Some(Doc::Deal(mut d)) = docs::load(conn, m.id.as_uuid()).await? else {
                    return Ok(Some(Err(RuleError::NotFound { entity: "deal", id: m.id.to_string() })));
                };
                let pipeline = match load_pipeline(conn, m.pipeline.unwrap_or(d.pipeline)).await? {
                    Ok(p) => p,
                    Err(e) => return Ok(Some(Err(e))),
                };
                deal::move_to(&mut d, &pipeline, m.stage.as_str(), m.on, m.lost_reason.clone()).map(|()| Doc::Deal(d))
            }
            _ => return Ok(None),
        }
        .map(|d| vec![d]),
    ))
}

impl Replica {
    /// Every pipeline, by name.
    pub async fn pipelines(&self) -> Result<Vec<Pipeline>> {
        let mut list: Vec<Pipeline> = docs::of_kind(&mut *self.pool.acquire().await?, "pipeline")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Pipeline(p) => Some(p),
                _ => None,
            })
            .collect();
        list.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
        Ok(list)
    }

    /// A pipeline by name or id; none given: the only one (or the standard one).
    pub async fn pipeline(&self, name_or_id: Option<&str>) -> Result<Pipeline> {
        let all = self.pipelines().await?;
        let wanted = name_or_id.map(str::trim).filter(|s| !s.is_empty());
        let found = match wanted {
            Some(w) => all.iter().find(|p| p.id.to_string() == w || p.name.as_str().eq_ignore_ascii_case(w)).cloned(),
            None if all.len() == 1 => all.first().cloned(),
            None => all.iter().find(|p| p.id == standard_pipeline_id()).cloned(),
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
            ReplicaError::BadInput(match (wanted, names.is_empty()) {
                (_, true) => "there is no pipeline yet: a sales manager creates one (`tandem pipeline create`)".into(),
                (Some(w), false) => format!("pipeline {w:?} does not exist (pipelines: {})", names.join(", ")),
                (None, false) => format!("name the pipeline (pipelines: {})", names.join(", ")),
            })
        })
    }

    /// Creates a pipeline with the standard stages (Qualify 10 %, Propose 40 %, Negotiate 70 %,
    /// Won, Lost). The first one made without a name is the standard pipeline.
    pub async fn create_pipeline(&self, name: &str) -> Result<PipelineId> {
        let name = ItemName::parse(name).map_err(|e| field(e, "name"))?;
        let taken = self.pipelines().await?.into_iter().any(|p| p.name.as_str().eq_ignore_ascii_case(name.as_str()));
        if taken {
            return Err(field(FieldError::new("name", format!("a pipeline named \"{name}\" exists")), "name"));
        }
        let id = if self.pipelines().await?.iter().any(|p| p.id == standard_pipeline_id()) {
            PipelineId::from_uuid(Uuid::now_v7())
        } else {
            standard_pipeline_id()
        };
        self.mutate(Op::PipelineSave(Pipeline::standard(id, name))).await?;
        Ok(id)
    }

    fn today() -> NaiveDate {
        Local::now().date_naive()
    }

    /// Creates a deal of `account` (offline too). The owner defaults to the signed-in user.
    pub async fn create_deal(
        &self,
        account: &str,
        contact: Option<&str>,
        pipeline: Option<&str>,
        input: &DealInput,
    ) -> Result<DealId> {
        let account: AccountId = parse_id(account, "account")?;
        let contact = contact.map(|c| parse_id::<ContactId>(c, "contact")).transpose()?;
        let pipeline = self.pipeline(pipeline).await?;
        let company = self.company_currency().await?;
        let mut input = input.clone();
        if input.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
            input.owner = Some(self.meta("user").await?.unwrap_or_else(|| "me".into()));
        }
        let id = DealId::from_uuid(Uuid::now_v7());
        let defs = self.crm_settings().await?.fields_of(CrmEntity::Deal);
        let new = NewDeal::parse(id, account, contact, &pipeline, &input, &defs, company)?;
        self.mutate(Op::DealCreate(DealCreate { deal: new, on: Self::today() })).await?;
        Ok(id)
    }

    /// Moves a deal to a stage of its pipeline (a lost stage needs a reason).
    pub async fn move_deal(&self, id: &str, stage: &str, lost_reason: Option<&str>) -> Result<Deal> {
        let id: DealId = parse_id(id, "deal")?;
        let stage = StageName::parse(stage).map_err(|e| field(e, "stage"))?;
        let lost_reason = lost_reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(LostReason::parse)
            .transpose()
            .map_err(|e| field(e, "lost_reason"))?;
        // Checked here first, so a stage the pipeline lacks is refused before anything is queued.
        let current = self.deal(&id.to_string()).await?;
        let pipeline = self.pipeline(Some(&current.pipeline.to_string())).await?;
        let mut preview = current.clone();
        deal::move_to(&mut preview, &pipeline, stage.as_str(), Self::today(), lost_reason.clone())?;
        self.mutate(Op::DealMove(DealMove { id, pipeline: None, stage, lost_reason, on: Self::today() })).await?;
        self.deal(&id.to_string()).await
    }

    pub async fn deal(&self, id: &str) -> Result<Deal> {
        let id: DealId = parse_id(id, "deal")?;
        match docs::load(&mut *self.pool.acquire().await?, id.as_uuid()).await? {
            Some(Doc::Deal(d)) => Ok(d),
            _ => Err(RuleError::NotFound { entity: "deal", id: id.to_string() }.into()),
        }
    }

    /// Deals by expected close date, paged by key; `account` limits them to one customer.
    pub async fn deals(&self, account: Option<&str>, after: Option<&str>, limit: u32) -> Result<DocPage<Deal>> {
        self.page_of("deal", account, after, limit, |d| match d {
            Doc::Deal(x) => Some(x),
            _ => None,
        })
        .await
    }

    /// The weighted pipeline with commit and best case, per period and per owner or team, in
    /// the company currency (at the rate of each deal's date).
    pub async fn forecast(&self, granularity: Granularity, group_by: GroupBy) -> Result<Forecast> {
        let mut conn = self.pool.acquire().await?;
        let deals: Vec<Deal> = docs::of_kind(&mut conn, "deal")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Deal(x) => Some(x),
                _ => None,
            })
            .collect();
        let rates: Vec<RateEntry> = docs::of_kind(&mut conn, "rate")
            .await?
            .into_iter()
            .filter_map(|d| match d {
                Doc::Rate(r) => Some(r),
                _ => None,
            })
            .collect();
        drop(conn);
        let pipelines = self.pipelines().await?;
        let company = self.company_currency().await?;
        let options = ForecastOptions { granularity, group_by, company, fiscal_year_start: 1 };
        Ok(forecast::forecast(&deals, &pipelines, &options, |c, d| company::rate_on(&rates, c, d, company).ok())?)
    }
}

/// What `lead convert` made.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Converted {
    pub account: AccountId,
    pub contact: ContactId,
    pub deal: Option<DealId>,
}

/// How to convert a lead: into an existing account, or a new one despite possible duplicates.
#[derive(Clone, Debug, Default)]
pub struct ConvertOptions {
    pub into_account: Option<String>,
    /// Create a new account even though the duplicate check found matches.
    pub new_anyway: bool,
    /// The contact's name when the lead names no person.
    pub contact_name: Option<String>,
    /// Open a deal (in the default pipeline, unless `pipeline`); none: no deal.
    pub deal: Option<DealInput>,
    pub pipeline: Option<String>,
}

impl Replica {
    async fn user_name(&self) -> Result<String> {
        Ok(self.meta("user").await?.unwrap_or_else(|| "me".into()))
    }

    pub async fn create_lead(&self, input: &LeadInput) -> Result<LeadId> {
        let mut input = input.clone();
        if input.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
            input.owner = Some(self.user_name().await?);
        }
        let id = LeadId::from_uuid(Uuid::now_v7());
        let defs = self.crm_settings().await?.fields_of(CrmEntity::Lead);
        let new = NewLead::parse(id, &input, &defs)?;
        self.mutate(Op::LeadImport(LeadImport { leads: vec![new], on: Self::today() })).await?;
        Ok(id)
    }

    /// The suggested column mapping of a lead CSV and its first rows, as they would import.
    pub async fn preview_lead_import(&self, text: &str, rows: usize) -> Result<(ColumnMapping, Vec<PreviewRow>)> {
        let defs = self.crm_settings().await?.fields_of(CrmEntity::Lead);
        let headers = csv::headers(text).map_err(ReplicaError::Import)?;
        let mapping = csv::suggest_mapping(&headers, CrmEntity::Lead, &defs);
        let owner = UserName::parse(&self.user_name().await?).map_err(|e| field(e, "owner"))?;
        let company = self.company_currency().await?;
        let none = |_: &str| None;
        let ctx =
            ImportContext { defs: &defs, company, default_owner: Some(&owner), pipeline: None, find_account: &none };
        let preview = csv::preview(text, &mapping, &ctx, rows).map_err(ReplicaError::Import)?;
        Ok((mapping, preview))
    }

    /// Imports a lead CSV, all or nothing: one bad line imports none and names every bad line
    /// and column. `mapping` none: the suggested one.
    pub async fn import_leads(&self, text: &str, mapping: Option<ColumnMapping>) -> Result<Vec<LeadId>> {
        let defs = self.crm_settings().await?.fields_of(CrmEntity::Lead);
        let mapping = match mapping {
            Some(m) => m,
            None => {
                let headers = csv::headers(text).map_err(ReplicaError::Import)?;
                csv::suggest_mapping(&headers, CrmEntity::Lead, &defs)
            }
        };
        let owner = UserName::parse(&self.user_name().await?).map_err(|e| field(e, "owner"))?;
        let company = self.company_currency().await?;
        let none = |_: &str| None;
        let ctx =
            ImportContext { defs: &defs, company, default_owner: Some(&owner), pipeline: None, find_account: &none };
        let rows = csv::parse_all(text, &mapping, &ctx, &mut Uuid::now_v7).map_err(ReplicaError::Import)?;
        let leads: Vec<NewLead> = rows
            .into_iter()
            .filter_map(|r| match r.record {
                ImportRecord::Lead(l) => Some(l),
                _ => None,
            })
            .collect();
        if leads.is_empty() {
            return Err(ReplicaError::BadInput("the file has no lead rows".into()));
        }
        if leads.len() > MAX_LEADS_PER_IMPORT {
            return Err(ReplicaError::BadInput(format!(
                "{} leads in one file, at most {MAX_LEADS_PER_IMPORT}: split the file",
                leads.len()
            )));
        }
        let ids = leads.iter().map(|l| l.id).collect();
        self.mutate(Op::LeadImport(LeadImport { leads, on: Self::today() })).await?;
        Ok(ids)
    }

    /// Leads by company name, paged by key.
    pub async fn leads(&self, after: Option<&str>, limit: u32) -> Result<DocPage<Lead>> {
        self.page_of("lead", None, after, limit, |d| match d {
            Doc::Lead(x) => Some(x),
            _ => None,
        })
        .await
    }

    pub async fn lead(&self, id: &str) -> Result<Lead> {
        let id: LeadId = parse_id(id, "lead")?;
        match docs::load(&mut *self.pool.acquire().await?, id.as_uuid()).await? {
            Some(Doc::Lead(l)) => Ok(l),
            _ => Err(RuleError::NotFound { entity: "lead", id: id.to_string() }.into()),
        }
    }

    pub async fn set_lead_status(&self, id: &str, step: &str, reason: Option<&str>) -> Result<Lead> {
        let lead_id: LeadId = parse_id(id, "lead")?;
        let step = match step {
            "work" => LeadStep::Work,
            "qualify" => LeadStep::Qualify,
            "reopen" => LeadStep::Reopen,
            "disqualify" => {
                LeadStep::Disqualify(DisqualifyReason::parse(reason.unwrap_or("")).map_err(|e| field(e, "reason"))?)
            }
            other => {
                return Err(ReplicaError::BadInput(format!(
                    "{other:?} is not a step (work, qualify, disqualify, reopen)"
                )))
            }
        };
        self.mutate(Op::LeadSetStatus(LeadSetStatus { id: lead_id, step })).await?;
        self.lead(id).await
    }

    /// Accounts and contacts that may be the lead's company or person (the check before a
    /// conversion), looked up by name words, VAT id, e-mail domain and phone.
    pub async fn lead_duplicates(&self, id: &str) -> Result<Vec<DuplicateMatch>> {
        let l = self.lead(id).await?;
        let mut conn = self.pool.acquire().await?;
        let word = lead::normalise_company(l.company.as_str())
            .split_whitespace()
            .max_by_key(|w| w.len())
            .unwrap_or("")
            .to_owned();
        let domain = l.email.as_ref().and_then(|e| e.as_str().rsplit_once('@').map(|(_, d)| d.to_lowercase()));
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM accounts WHERE NOT deleted AND (
                (?1 <> '' AND name_key LIKE '%' || ?1 || '%')
             OR (?2 IS NOT NULL AND vat_id = ?2)
             OR (?3 IS NOT NULL AND lower(email) LIKE '%@' || ?3)
             OR (?4 IS NOT NULL AND phone = ?4))
             LIMIT 200",
        )
        .bind(&word)
        .bind(l.vat_id.as_ref().map(ToString::to_string))
        .bind(&domain)
        .bind(l.phone.as_ref().map(ToString::to_string))
        .fetch_all(&mut *conn)
        .await?;
        let mut accounts = Vec::new();
        for id in ids {
            if let Ok(id) = AccountId::from_str(&id) {
                if let Existing::Live(a) = store::load_account(&mut conn, id).await? {
                    accounts.push(a);
                }
            }
        }
        let contact_ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE NOT deleted AND ?1 IS NOT NULL AND lower(email) = ?1 LIMIT 200",
        )
        .bind(l.email.as_ref().map(|e| e.as_str().to_lowercase()))
        .fetch_all(&mut *conn)
        .await?;
        let mut contacts = Vec::new();
        for id in contact_ids {
            if let Ok(id) = ContactId::from_str(&id) {
                if let Existing::Live(c) = store::load_contact(&mut conn, id).await? {
                    contacts.push(c);
                }
            }
        }
        Ok(lead::find_duplicates(&l, &accounts, &contacts))
    }

    /// Converts a lead in one step into an account, a contact and (optionally) a deal, after the
    /// duplicate check: possible duplicates stop it unless the user picks an account or says
    /// `new_anyway`. Everything is queued together, or nothing.
    pub async fn convert_lead(&self, id: &str, options: &ConvertOptions) -> Result<Converted> {
        let l = self.lead(id).await?;
        let today = Self::today();
        let mut ops = Vec::new();
        let account_id = match options.into_account.as_deref() {
            Some(a) => {
                let a: AccountId = parse_id(a, "account")?;
                match store::load_account(&mut *self.pool.acquire().await?, a).await? {
                    Existing::Live(_) => a,
                    other => other.live("account", a.to_string()).map(|x| x.id)?,
                }
            }
            None => {
                let dups = self.lead_duplicates(id).await?;
                if !dups.is_empty() && !options.new_anyway {
                    let list: Vec<String> = dups.iter().map(ToString::to_string).collect();
                    return Err(ReplicaError::BadInput(format!(
                        "possible duplicates of \"{}\": {}. Convert into one of them with --account ID, or create \
                         a new account anyway with --new",
                        l.company,
                        list.join("; ")
                    )));
                }
                let new_id = AccountId::from_uuid(Uuid::now_v7());
                let new = NewAccount::parse(new_id, &l.account_input())?;
                ops.push(Op::AccountCreate(new));
                new_id
            }
        };
        let contact_id = ContactId::from_uuid(Uuid::now_v7());
        let contact = match (l.suggested_contact(contact_id, account_id), options.contact_name.as_deref()) {
            (_, Some(name)) => NewContact::parse(
                contact_id,
                account_id,
                &ContactInput {
                    name: Some(name.to_owned()),
                    email: l.email.as_ref().map(ToString::to_string),
                    phone: l.phone.as_ref().map(ToString::to_string),
                },
            )?,
            (Some(c), None) => c,
            (None, None) => {
                return Err(ReplicaError::BadInput(format!(
                    "lead \"{}\" names no person: give the contact's name (--contact-name)",
                    l.company
                )))
            }
        };
        ops.push(Op::ContactAdd(contact));
        let deal = match &options.deal {
            None => None,
            Some(input) => {
                let pipeline = self.pipeline(options.pipeline.as_deref()).await?;
                let company = self.company_currency().await?;
                let mut input = input.clone();
                input.name.get_or_insert_with(|| l.company.to_string());
                input.amount.get_or_insert_with(|| "0".into());
                input.expected_close.get_or_insert_with(|| (today + chrono::Days::new(30)).to_string());
                if input.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
                    input.owner = Some(l.owner.to_string());
                }
                let new = NewDeal::parse(
                    DealId::from_uuid(Uuid::now_v7()),
                    account_id,
                    Some(contact_id),
                    &pipeline,
                    &input,
                    &[],
                    company,
                )?;
                Some(new)
            }
        };
        let deal_id = deal.as_ref().map(|d| d.id);
        let plan = ConvertPlan {
            account: AccountChoice::Existing(account_id),
            contact: ContactChoice::Existing(contact_id),
            deal,
        };
        ops.push(Op::LeadConvert(Box::new(LeadConvert { id: l.id, plan, on: today })));
        self.mutate_all(&ops).await?;
        Ok(Converted { account: account_id, contact: contact_id, deal: deal_id })
    }
}

impl Replica {
    /// The company's CRM settings: custom fields and scoring rules.
    pub async fn crm_settings(&self) -> Result<CrmSettings> {
        Ok(match docs::load(&mut *self.pool.acquire().await?, CrmSettings::ID).await? {
            Some(Doc::CrmSettings(s)) => s,
            _ => CrmSettings::default(),
        })
    }

    async fn configure(&self, next: CrmSettings) -> Result<CrmSettings> {
        next.check()?;
        self.mutate(Op::CrmConfigure(next)).await?;
        self.crm_settings().await
    }

    /// Defines a custom field (`kind`: text[:MAX], number[:SCALE], money:CUR, date, choice:A|B).
    pub async fn add_custom_field(
        &self,
        entity: &str,
        key: &str,
        label: &str,
        kind: &str,
        required: bool,
    ) -> Result<CrmSettings> {
        let def = settings::new_field(entity, key, label, kind, required)?;
        let mut next = self.crm_settings().await?;
        next.fields.push(def);
        self.configure(next).await
    }

    pub async fn remove_custom_field(&self, entity: &str, key: &str) -> Result<CrmSettings> {
        let entity = CrmEntity::parse(entity).map_err(|e| field(e, "entity"))?;
        let mut next = self.crm_settings().await?;
        let before = next.fields.len();
        next.fields.retain(|f| !(f.entity == entity && f.key.as_str() == key.trim()));
        if next.fields.len() == before {
            return Err(ReplicaError::BadInput(format!("there is no custom field {key:?} on {entity}")));
        }
        self.configure(next).await
    }

    /// Adds a lead scoring rule (see `settings::parse_condition` for the conditions).
    pub async fn add_scoring_rule(&self, label: &str, condition: &str, points: i32) -> Result<CrmSettings> {
        let rule = settings::new_rule(label, condition, points)?;
        let mut next = self.crm_settings().await?;
        next.scoring.push(rule);
        self.configure(next).await
    }

    pub async fn remove_scoring_rule(&self, id: &str) -> Result<CrmSettings> {
        let mut next = self.crm_settings().await?;
        let before = next.scoring.len();
        next.scoring.retain(|r| r.id.to_string() != id.trim());
        if next.scoring.len() == before {
            return Err(ReplicaError::BadInput(format!("there is no scoring rule {id}")));
        }
        self.configure(next).await
    }

    /// The score of each lead with its explanation (the rules that gave or took points).
    pub async fn lead_scores(&self, leads: &[Lead]) -> Result<Vec<Score>> {
        let rules = self.crm_settings().await?.scoring;
        let per_activity = rules.iter().any(|r| matches!(r.condition, Condition::PerActivity { .. }));
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(leads.len());
        for l in leads {
            let rows: Vec<(String, i64)> = if per_activity {
                sqlx::query_as(
                    "SELECT json_extract(data, '$.data.kind'), count(*) FROM docs
                      WHERE kind = 'activity' AND json_extract(data, '$.data.links.lead') = ?1 GROUP BY 1",
                )
                .bind(l.id.to_string())
                .fetch_all(&mut *conn)
                .await?
            } else {
                Vec::new()
            };
            let counts: BTreeMap<ActivityKind, u32> = rows
                .into_iter()
                .filter_map(|(k, n)| ActivityKind::parse(&k).ok().map(|k| (k, u32::try_from(n).unwrap_or(u32::MAX))))
                .collect();
            out.push(scoring::score(l, &rules, &counts));
        }
        Ok(out)
    }
}

impl Replica {
    /// Imports accounts, contacts, deals or leads from CSV, all or nothing: one bad line imports
    /// none and every bad line and column is named. Contacts and deals name their account by
    /// name (or id). Returns how many records were queued.
    pub async fn import_csv(&self, entity: CrmEntity, text: &str, mapping: Option<ColumnMapping>) -> Result<usize> {
        let defs = self.crm_settings().await?.fields_of(entity);
        let mapping = match mapping {
            Some(m) => m,
            None => {
                let headers = csv::headers(text).map_err(ReplicaError::Import)?;
                csv::suggest_mapping(&headers, entity, &defs)
            }
        };
        // The accounts the file names, looked up once (by name, case-insensitively, or by id).
        let accounts = self.accounts_named(text, &mapping).await?;
        let find = |name: &str| accounts.get(&name.trim().to_lowercase()).copied();
        let owner = UserName::parse(&self.user_name().await?).map_err(|e| field(e, "owner"))?;
        let company = self.company_currency().await?;
        let pipeline = match entity {
            CrmEntity::Deal => Some(self.pipeline(None).await?),
            _ => None,
        };
        let ctx = ImportContext {
            defs: &defs,
            company,
            default_owner: Some(&owner),
            pipeline: pipeline.as_ref(),
            find_account: &find,
        };
        let rows = csv::parse_all(text, &mapping, &ctx, &mut Uuid::now_v7).map_err(ReplicaError::Import)?;
        if rows.is_empty() {
            return Err(ReplicaError::BadInput("the file has no rows".into()));
        }
        if rows.len() > MAX_LEADS_PER_IMPORT {
            return Err(ReplicaError::BadInput(format!(
                "{} rows in one file, at most {MAX_LEADS_PER_IMPORT}: split the file",
                rows.len()
            )));
        }
        let on = Self::today();
        let n = rows.len();
        let mut leads = Vec::new();
        let mut ops = Vec::new();
        for r in rows {
            let profile = tandem_core::crm::profile::ProfileInput {
                owner: r.owner.as_ref().map(ToString::to_string),
                tags: (!r.tags.is_empty())
                    .then(|| r.tags.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
                custom: r.custom.iter().map(|(k, v)| (k.to_string(), v.to_raw())).collect(),
                ..Default::default()
            };
            let profile_of = |target| {
                (!profile.is_empty())
                    .then(|| Op::ProfileUpdate(tandem_sync::erp::ProfileUpdate { target, input: profile.clone() }))
            };
            match r.record {
                ImportRecord::Lead(l) => leads.push(l),
                ImportRecord::Account(a) => {
                    let p = profile_of(tandem_core::crm::profile::ProfileTarget::account(a.id));
                    ops.push(Op::AccountCreate(a));
                    ops.extend(p);
                }
                ImportRecord::Contact(c) => {
                    let p = profile_of(tandem_core::crm::profile::ProfileTarget::contact(c.id, c.account_id));
                    ops.push(Op::ContactAdd(c));
                    ops.extend(p);
                }
                ImportRecord::Deal(d) => ops.push(Op::DealCreate(DealCreate { deal: d, on })),
            }
        }
        if !leads.is_empty() {
            ops.push(Op::LeadImport(LeadImport { leads, on }));
        }
        self.mutate_all(&ops).await?;
        Ok(n)
    }
}

impl Replica {
    /// Edits the given fields of several deals at once (owner, amount, close date, team) and
    /// moves them to `stage` if given: all or none (one refusal changes nothing).
    pub async fn bulk_edit_deals(&self, ids: &[String], input: &DealInput, stage: Option<&str>) -> Result<usize> {
        let mut ops = Vec::new();
        let touched_fields = input.name.is_some()
            || input.amount.is_some()
            || input.currency.is_some()
            || input.expected_close.is_some()
            || input.owner.is_some()
            || input.team.is_some()
            || !input.custom.is_empty();
        let stage = stage.map(StageName::parse).transpose().map_err(|e| field(e, "stage"))?;
        for raw in ids {
            let id: DealId = parse_id(raw, "deal")?;
            if touched_fields {
                ops.push(Op::DealUpdate(DealUpdate { id, input: input.clone() }));
            }
            if let Some(s) = &stage {
                ops.push(Op::DealMove(DealMove {
                    id,
                    pipeline: None,
                    stage: s.clone(),
                    lost_reason: None,
                    on: Self::today(),
                }));
            }
        }
        if ops.is_empty() {
            return Err(ReplicaError::BadInput("nothing to change: give a field or a stage".into()));
        }
        self.mutate_all(&ops).await?;
        Ok(ids.len())
    }

    /// Edits the given fields of several leads at once (owner, territory, ...): all or none.
    pub async fn bulk_edit_leads(&self, ids: &[String], input: &LeadInput) -> Result<usize> {
        let ops = ids
            .iter()
            .map(|raw| {
                parse_id::<LeadId>(raw, "lead").map(|id| Op::LeadUpdate(LeadUpdate { id, input: input.clone() }))
            })
            .collect::<Result<Vec<_>>>()?;
        self.mutate_all(&ops).await?;
        Ok(ids.len())
    }
}
