//! CSV import of leads, accounts, contacts and deals (one dialog for all four), and the
//! contacts of every account for the CSV export: parse (serde), call the replica, map the
//! error. Nothing else.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::sync_loop;
use serde::Serialize;
use tandem_core::crm::CrmEntity;
use tandem_core::{ColumnMapping, ImportError};
use tandem_replica::{ContactRow, DocPage, ImportPreview, ReplicaError};
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

/// The preview shows this many rows.
const PREVIEW_ROWS: usize = 10;

/// A refused import names every bad line and column (`errors`), so the UI can show them as a
/// table; any other failure is the usual `{code, message, fields}`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ImportFailure {
    Lines { code: &'static str, message: String, errors: Vec<ImportError> },
    Other(ApiError),
}

impl From<ReplicaError> for ImportFailure {
    fn from(e: ReplicaError) -> Self {
        match e {
            ReplicaError::Import(errors) => {
                let message = format!("nothing was imported: {} problem(s) in the file", errors.0.len());
                ImportFailure::Lines { code: "import", message, errors: errors.0 }
            }
            other => ImportFailure::Other(other.into()),
        }
    }
}

/// `entity`: `lead`, `account`, `contact` or `deal`, as the mapping names it.
fn entity_of(raw: &str) -> Result<CrmEntity, ImportFailure> {
    CrmEntity::parse(raw).map_err(|e| ImportFailure::Other(ApiError::new("bad_input", e.message)))
}

/// The first rows of `text` (the CSV file's content: the UI reads the file, this side touches
/// none) as `mapping` would import them (none: the suggested mapping, which is returned);
/// deals are checked against `pipeline` (none: the only or the standard one).
#[tauri::command]
pub async fn crm_preview_import(
    state: S<'_>,
    entity: String,
    text: String,
    mapping: Option<ColumnMapping>,
    pipeline: Option<String>,
) -> Result<ImportPreview, ImportFailure> {
    let entity = entity_of(&entity)?;
    let replica = state.replica().await;
    Ok(replica.preview_import(entity, &text, mapping, pipeline.as_deref(), PREVIEW_ROWS).await?)
}

/// All or nothing: how many records were queued, or every bad line and column.
#[tauri::command]
pub async fn crm_import(
    app: AppHandle,
    state: S<'_>,
    entity: String,
    text: String,
    mapping: Option<ColumnMapping>,
    pipeline: Option<String>,
) -> Result<usize, ImportFailure> {
    let entity = entity_of(&entity)?;
    let n = state.replica().await.import_csv_into(entity, &text, mapping, pipeline.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(n)
}

/// Every account's contacts, paged by id (for the CSV export).
#[tauri::command]
pub async fn crm_contacts(state: S<'_>, after: Option<String>, limit: u32) -> ApiResult<DocPage<ContactRow>> {
    Ok(state.replica().await.contacts_page(after.as_deref(), limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_import_keeps_every_line_and_column() {
        let errors = tandem_core::ImportErrors(vec![ImportError {
            line: 3,
            column: Some("E-mail".into()),
            message: "not an e-mail address".into(),
        }]);
        let json = serde_json::to_value(ImportFailure::from(ReplicaError::Import(errors))).expect("serialises");
        assert_eq!(json["code"], "import");
        assert_eq!(json["errors"][0]["line"], 3);
        assert_eq!(json["errors"][0]["column"], "E-mail");
        let other = serde_json::to_value(ImportFailure::from(ReplicaError::BadInput("empty".into()))).expect("ok");
        assert_eq!(other["code"], "bad_input", "other failures keep the usual shape: {other}");
    }

    #[test]
    fn the_record_type_is_named_as_the_mapping_names_it() {
        assert!(matches!(entity_of("deal"), Ok(CrmEntity::Deal)));
        let Err(ImportFailure::Other(e)) = entity_of("invoice") else { panic!("an invoice is no CRM list") };
        let json = serde_json::to_value(e).expect("serialises");
        assert_eq!(json["code"], "bad_input", "{json}");
    }
}
