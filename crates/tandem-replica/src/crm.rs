//! The CRM on the device: pipelines and deals are written here first (offline too) through the
//! tandem-core rules, sent as mutations, and decided again by the server, like every draft.

use crate::docs;
use crate::erp::DocPage;
use crate::error::{ReplicaError, Result};
use crate::replica::Replica;
use chrono::{Local, NaiveDate};
use sqlx::SqliteConnection;
use std::str::FromStr;
use tandem_core::company::{self, RateEntry};
use tandem_core::crm::deal::{self, Deal, DealInput, LostReason, NewDeal};
use tandem_core::crm::forecast::{self, Forecast, ForecastOptions, Granularity, GroupBy};
use tandem_core::crm::pipeline::{Pipeline, StageName};
use tandem_core::id::{DealId, PipelineId};
use tandem_core::{AccountId, ContactId, Existing, FieldError, ItemName, RuleError};
use tandem_sync::erp::{DealCreate, DealMove};
use tandem_sync::{Doc, Op};
use uuid::Uuid;

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

pub(crate) fn touches(op: &Op) -> Option<Uuid> {
    match op {
        Op::PipelineSave(p) => Some(p.id.as_uuid()),
        Op::DealCreate(c) => Some(c.deal.id.as_uuid()),
        Op::DealMove(m) => Some(m.id.as_uuid()),
        _ => None,
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
pub(crate) async fn apply_local(
    conn: &mut SqliteConnection,
    op: &Op,
) -> Result<Option<std::result::Result<Doc, RuleError>>> {
    Ok(Some(match op {
        Op::PipelineSave(p) => p.check().map(|()| Doc::Pipeline(p.clone())),
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
    }))
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
        let new = NewDeal::parse(id, account, contact, &pipeline, &input, &[], company)?;
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
