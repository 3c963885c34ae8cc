//! CSV import of any CRM list as the app's dialog does it: a column mapping (the suggested one,
//! or the user's), a preview of the first rows with each row's problems, then the import, all
//! or nothing. Deals go into the pipeline the user chose.
//!
//! The rules are tandem-core's (`crm::csv`); this file only finds what they need on the device:
//! the custom fields, the accounts the file names, the owner of unowned rows, the pipeline.

use crate::crm::MAX_LEADS_PER_IMPORT;
use crate::error::{ReplicaError, Result};
use crate::replica::Replica;
use chrono::Local;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use tandem_core::crm::csv::{self, ColumnMapping, ImportContext, ImportError, ImportRecord, PreviewRow, Target};
use tandem_core::crm::custom::FieldDef;
use tandem_core::crm::pipeline::Pipeline;
use tandem_core::crm::{CrmEntity, UserName};
use tandem_core::{AccountId, Currency};
use tandem_sync::erp::DealCreate;
use tandem_sync::Op;
use uuid::Uuid;

/// A custom field a column can go to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomTarget {
    pub key: String,
    pub label: String,
}

/// What the import dialog shows before anything is imported.
#[derive(Clone, Debug, Serialize)]
pub struct ImportPreview {
    /// The mapping the rows were checked with: the one given, else the suggested one.
    pub mapping: ColumnMapping,
    /// The first rows, each with its problems under that mapping.
    pub rows: Vec<PreviewRow>,
    /// Why the mapping cannot import at all (line 1: a required field has no column, deals
    /// have no pipeline); the rows then carry no problems of their own.
    pub problems: Vec<ImportError>,
    /// The built-in fields a column can go to (snake_case, as the mapping names them).
    pub fields: Vec<&'static str>,
    pub custom: Vec<CustomTarget>,
}

/// Everything an import of one file needs besides the text and the mapping.
struct Setting {
    defs: Vec<FieldDef>,
    company: Currency,
    owner: UserName,
    pipeline: Option<Pipeline>,
    /// The accounts the file names, by lower-case name or id.
    accounts: BTreeMap<String, AccountId>,
}

impl Setting {
    fn find(&self, name: &str) -> Option<AccountId> {
        self.accounts.get(&name.trim().to_lowercase()).copied()
    }

    /// `find`: [`Setting::find`], as a closure the context can borrow.
    fn context<'a>(&'a self, find: &'a (dyn Fn(&str) -> Option<AccountId> + Sync)) -> ImportContext<'a> {
        ImportContext {
            defs: &self.defs,
            company: self.company,
            default_owner: Some(&self.owner),
            pipeline: self.pipeline.as_ref(),
            find_account: find,
        }
    }
}

fn is_blank(fields: &[String]) -> bool {
    fields.iter().all(|f| f.trim().is_empty())
}

impl Replica {
    /// The mapping (the given one, else the one suggested by the headers) and what the import
    /// needs. A mapping made for another record type is refused.
    async fn import_setting(
        &self,
        entity: CrmEntity,
        text: &str,
        mapping: Option<ColumnMapping>,
        pipeline: Option<&str>,
    ) -> Result<(ColumnMapping, Setting)> {
        let defs = self.crm_settings().await?.fields_of(entity);
        let mapping = match mapping {
            Some(m) if m.entity != entity => {
                return Err(ReplicaError::BadInput(format!(
                    "the mapping is for {} records, not {entity} records",
                    m.entity
                )))
            }
            Some(m) => m,
            None => csv::suggest_mapping(&csv::headers(text).map_err(ReplicaError::Import)?, entity, &defs),
        };
        let pipeline = match (entity, pipeline.map(str::trim).filter(|p| !p.is_empty())) {
            (CrmEntity::Deal, Some(p)) => Some(self.pipeline(Some(p)).await?),
            // No pipeline yet: the core refuses the mapping and says to choose one.
            (CrmEntity::Deal, None) => self.pipeline(None).await.ok(),
            _ => None,
        };
        let owner = UserName::parse(&self.meta("user").await?.unwrap_or_else(|| "me".into()))
            .map_err(|e| ReplicaError::Validation(e.on("owner").into()))?;
        let accounts = self.accounts_named(text, &mapping).await?;
        let company = self.company_currency().await?;
        Ok((mapping, Setting { defs, company, owner, pipeline, accounts }))
    }

    /// The live accounts the file's account column names (by name, case-insensitively, or by
    /// id), looked up once per name.
    pub(crate) async fn accounts_named(
        &self,
        text: &str,
        mapping: &ColumnMapping,
    ) -> Result<BTreeMap<String, AccountId>> {
        let mut found = BTreeMap::new();
        let Some(col) = mapping.columns.iter().position(|c| matches!(c, Some(Target::Field(f)) if f == "account"))
        else {
            return Ok(found);
        };
        let records = csv::read(text).map_err(|e| ReplicaError::Import(e.into()))?;
        let names: BTreeSet<String> = records
            .iter()
            .skip(1)
            .filter_map(|r| r.fields.get(col))
            .map(|n| n.trim().to_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        let mut conn = self.pool.acquire().await?;
        for n in names {
            let id: Option<String> = sqlx::query_scalar(
                "SELECT id FROM accounts WHERE NOT deleted AND (name_key = ?1 OR id = ?1) ORDER BY id LIMIT 1",
            )
            .bind(&n)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(id) = id.and_then(|i| AccountId::from_str(&i).ok()) {
                found.insert(n, id);
            }
        }
        Ok(found)
    }

    /// The first `rows` rows of a CSV text as `mapping` (none: the suggested one) would import
    /// them into `entity` records, each with its problems; deals are checked against
    /// `pipeline` (none: the only or the standard one). A mapping that cannot import at all
    /// still returns the rows, with the reasons in `problems`, so the user can fix it.
    pub async fn preview_import(
        &self,
        entity: CrmEntity,
        text: &str,
        mapping: Option<ColumnMapping>,
        pipeline: Option<&str>,
        rows: usize,
    ) -> Result<ImportPreview> {
        let (mapping, s) = self.import_setting(entity, text, mapping, pipeline).await?;
        let find = |name: &str| s.find(name);
        let ctx = s.context(&find);
        let (rows, problems) = match csv::preview(text, &mapping, &ctx, rows) {
            Ok(r) => (r, Vec::new()),
            Err(e) if e.0.iter().all(|p| p.line == 1) => {
                let records = csv::read(text).map_err(|e| ReplicaError::Import(e.into()))?;
                let cells = records
                    .into_iter()
                    .skip(1)
                    .filter(|r| !is_blank(&r.fields))
                    .take(rows)
                    .map(|r| PreviewRow { line: r.line, cells: r.fields, errors: Vec::new() })
                    .collect();
                (cells, e.0)
            }
            Err(e) => return Err(ReplicaError::Import(e)),
        };
        let fields = csv::fields_of(entity).iter().map(|(name, _)| *name).collect();
        let custom =
            s.defs.iter().map(|d| CustomTarget { key: d.key.to_string(), label: d.label.to_string() }).collect();
        Ok(ImportPreview { mapping, rows, problems, fields, custom })
    }

    /// Imports a CSV text as `entity` records, all or nothing: one bad line imports none, and
    /// every bad line and column is named. `mapping` none: the suggested one. Deals go into
    /// `pipeline`; without one, and for the other records, this is [`Replica::import_csv`].
    /// Returns how many records were queued.
    pub async fn import_csv_into(
        &self,
        entity: CrmEntity,
        text: &str,
        mapping: Option<ColumnMapping>,
        pipeline: Option<&str>,
    ) -> Result<usize> {
        let pipeline = pipeline.map(str::trim).filter(|p| !p.is_empty() && entity == CrmEntity::Deal);
        let Some(pipeline) = pipeline else {
            return self.import_csv(entity, text, mapping).await;
        };
        let (mapping, s) = self.import_setting(entity, text, mapping, Some(pipeline)).await?;
        let find = |name: &str| s.find(name);
        let ctx = s.context(&find);
        let rows = csv::parse_all(text, &mapping, &ctx, &mut Uuid::now_v7).map_err(ReplicaError::Import)?;
        if rows.is_empty() || rows.len() > MAX_LEADS_PER_IMPORT {
            return Err(ReplicaError::BadInput(format!(
                "{} rows in the file: import 1 to {MAX_LEADS_PER_IMPORT} at once",
                rows.len()
            )));
        }
        let on = Local::now().date_naive();
        let ops: Vec<Op> = rows
            .into_iter()
            .filter_map(|r| match r.record {
                ImportRecord::Deal(deal) => Some(Op::DealCreate(DealCreate { deal, on })),
                _ => None,
            })
            .collect();
        self.mutate_all(&ops).await?;
        Ok(ops.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::{ListQuery, Mode, Replica};
    use tandem_core::crm::csv::Target;
    use tandem_core::crm::CrmEntity;
    use tandem_core::AccountInput;

    async fn replica() -> (tempfile::TempDir, Replica) {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = Replica::open(&dir.path().join("r.sqlite"), Mode::Local).await.expect("open replica");
        (dir, r)
    }

    async fn contacts_of_acme(r: &Replica) -> i64 {
        let page = r.list_accounts(&ListQuery { limit: 10, ..Default::default() }).await.expect("list");
        page.items[0].contact_count
    }

    fn field(name: &str) -> Option<Target> {
        Some(Target::Field(name.to_owned()))
    }

    #[tokio::test]
    async fn the_preview_follows_the_users_mapping_and_keeps_the_rows_of_a_mapping_that_cannot_work() {
        let (_d, r) = replica().await;
        let text = "Firm,Town,Mail\nAlster GmbH,Hamburg,not-an-address\nElbe KG,Kiel,info@elbe.example\n";
        let suggested = r.preview_import(CrmEntity::Account, text, None, None, 10).await.expect("preview");
        assert_eq!(suggested.mapping.columns, [field("name"), field("city"), field("email")]);
        assert!(suggested.problems.is_empty(), "the suggested mapping works: {:?}", suggested.problems);
        assert_eq!(suggested.rows.len(), 2);
        assert_eq!(suggested.rows[0].errors.len(), 1, "line 2's e-mail is bad under the suggested mapping");
        assert!(suggested.fields.contains(&"territory"), "the dialog offers every field of an account");

        let mut mine = suggested.mapping.clone();
        mine.columns[2] = None;
        let remapped = r.preview_import(CrmEntity::Account, text, Some(mine.clone()), None, 10).await.expect("ok");
        assert_eq!(remapped.mapping, mine, "the preview is computed with the user's mapping, not the suggested one");
        assert!(remapped.rows.iter().all(|row| row.errors.is_empty()), "an ignored column cannot be wrong");

        mine.columns[0] = None;
        let broken = r.preview_import(CrmEntity::Account, text, Some(mine), None, 1).await.expect("still a preview");
        assert_eq!(broken.rows.len(), 1, "the rows stay visible, so the user can fix the mapping");
        assert_eq!(broken.rows[0].cells, ["Alster GmbH", "Hamburg", "not-an-address"]);
        assert_eq!(broken.problems.len(), 1);
        assert!(broken.problems[0].message.contains("no column is mapped to name"), "{:?}", broken.problems);

        let lead_mapping = r.preview_import(CrmEntity::Lead, text, None, None, 1).await.expect("lead").mapping;
        let wrong = r.preview_import(CrmEntity::Account, text, Some(lead_mapping), None, 1).await;
        assert_eq!(wrong.expect_err("a lead mapping for accounts").code(), "bad_input");
    }

    #[tokio::test]
    async fn contacts_and_deals_import_all_or_nothing_into_the_chosen_pipeline() {
        let (_d, r) = replica().await;
        let acme = AccountInput { name: Some("ACME GmbH".into()), ..Default::default() };
        r.create_account(&acme).await.expect("account");
        let contacts = "Name,Account\nAnna Berg,acme gmbh\nBo Lind,Nobody Inc\n";
        let e = r.import_csv_into(CrmEntity::Contact, contacts, None, None).await.expect_err("line 3");
        assert_eq!(e.code(), "import");
        assert!(e.to_string().contains("line 3"), "the bad line is named: {e}");
        assert_eq!(contacts_of_acme(&r).await, 0, "one bad line imports nothing");
        let n = r.import_csv_into(CrmEntity::Contact, "Name,Account\nAnna Berg,acme gmbh\n", None, None).await;
        assert_eq!(n.expect("imported"), 1);
        assert_eq!(contacts_of_acme(&r).await, 1, "the contact joined the account named in the file");

        r.create_pipeline("Field sales").await.expect("standard");
        let other = r.create_pipeline("Renewals").await.expect("second pipeline");
        let deals = "Deal,Account,Amount,Close date\nTablets,ACME GmbH,1200.50,2026-12-01\n";
        let none = r.preview_import(CrmEntity::Deal, deals, None, None, 5).await.expect("preview");
        assert!(none.problems.is_empty() && none.rows[0].errors.is_empty(), "{none:?}");
        let n = r.import_csv_into(CrmEntity::Deal, deals, None, Some("Renewals")).await.expect("imported");
        assert_eq!(n, 1);
        let page = r.deals(None, None, 10).await.expect("deals");
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].pipeline, other, "the deal went into the chosen pipeline");
        assert_eq!(page.items[0].amount.amount.to_string(), "1200.50");
        let unknown = r.preview_import(CrmEntity::Deal, deals, None, Some("Nope"), 5).await;
        assert_eq!(unknown.expect_err("no such pipeline").code(), "bad_input");
    }
}
