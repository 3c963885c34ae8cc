//! Lead commands (capture, CSV import, qualification, conversion) and the global search:
//! parse (serde), call the replica, map the error. Nothing else.
//!
//! Leads are written on the device first (offline too) and decided again by the server; after
//! a write the background sync is woken.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::sync_loop;
use serde::{Deserialize, Serialize};
use tandem_core::crm::csv::PreviewRow;
use tandem_core::{ColumnMapping, DealInput, DuplicateMatch, ImportError, Lead, LeadInput};
use tandem_replica::{ConvertOptions, Converted, DocPage, ReplicaError, SearchHit};
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

/// The preview shows this many rows.
const PREVIEW_ROWS: usize = 10;

/// How to convert a lead, as the dialog sends it (camelCase; blank text = not given).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConvertInput {
    /// Convert into this existing account.
    into_account: Option<String>,
    /// Create a new account although the duplicate check found matches.
    #[serde(default)]
    new_anyway: bool,
    /// The contact's name when the lead names no person.
    contact_name: Option<String>,
    /// Open a deal; none: no deal.
    deal: Option<DealInput>,
    pipeline: Option<String>,
}

fn given(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

impl From<ConvertInput> for ConvertOptions {
    fn from(i: ConvertInput) -> Self {
        ConvertOptions {
            into_account: given(i.into_account),
            new_anyway: i.new_anyway,
            contact_name: given(i.contact_name),
            deal: i.deal,
            pipeline: given(i.pipeline),
        }
    }
}

/// The suggested mapping of a lead CSV and its first rows, each with its problems.
#[derive(Debug, Serialize)]
pub struct LeadImportPreview {
    mapping: ColumnMapping,
    rows: Vec<PreviewRow>,
}

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

/// Leads by company name, paged by key.
#[tauri::command]
pub async fn crm_leads(state: S<'_>, after: Option<String>, limit: u32) -> ApiResult<DocPage<Lead>> {
    Ok(state.replica().await.leads(after.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn crm_lead(state: S<'_>, id: String) -> ApiResult<Lead> {
    Ok(state.replica().await.lead(&id).await?)
}

/// Returns the new lead's id; the owner defaults to the signed-in user.
#[tauri::command]
pub async fn crm_create_lead(app: AppHandle, state: S<'_>, input: LeadInput) -> ApiResult<String> {
    let id = state.replica().await.create_lead(&input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(id.to_string())
}

/// `step`: `work`, `qualify`, `disqualify` (needs `reason`) or `reopen`.
#[tauri::command]
pub async fn crm_set_lead_status(
    app: AppHandle,
    state: S<'_>,
    id: String,
    step: String,
    reason: Option<String>,
) -> ApiResult<Lead> {
    let lead = state.replica().await.set_lead_status(&id, &step, reason.as_deref()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(lead)
}

#[tauri::command]
pub async fn crm_lead_duplicates(state: S<'_>, id: String) -> ApiResult<Vec<DuplicateMatch>> {
    Ok(state.replica().await.lead_duplicates(&id).await?)
}

#[tauri::command]
pub async fn crm_convert_lead(app: AppHandle, state: S<'_>, id: String, options: ConvertInput) -> ApiResult<Converted> {
    let converted = state.replica().await.convert_lead(&id, &options.into()).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(converted)
}

/// `text`: the CSV file's content (the UI reads the file; this side touches no file).
#[tauri::command]
pub async fn crm_preview_lead_import(state: S<'_>, text: String) -> Result<LeadImportPreview, ImportFailure> {
    let (mapping, rows) = state.replica().await.preview_lead_import(&text, PREVIEW_ROWS).await?;
    Ok(LeadImportPreview { mapping, rows })
}

/// All or nothing: the new leads' ids, or every bad line and column. `mapping` none: the
/// suggested one.
#[tauri::command]
pub async fn crm_import_leads(
    app: AppHandle,
    state: S<'_>,
    text: String,
    mapping: Option<ColumnMapping>,
) -> Result<Vec<String>, ImportFailure> {
    let replica = state.replica().await;
    // `Replica::import_leads` keeps the CSV `ImportContext` (a non-`Sync` `&dyn Fn`) across an
    // await, so its future is not `Send`: it runs to the end on a blocking thread instead.
    let runtime = tokio::runtime::Handle::current();
    let ids = tokio::task::spawn_blocking(move || runtime.block_on(replica.import_leads(&text, mapping)))
        .await
        .map_err(|e| ImportFailure::Other(ApiError::new("internal", format!("the import stopped: {e}"))))??;
    sync_loop::changed_locally(&app, &state);
    Ok(ids.iter().map(ToString::to_string).collect())
}

/// The global search over accounts, contacts, deals and leads on the device.
#[tauri::command]
pub async fn search(state: S<'_>, text: String, limit: u32) -> ApiResult<Vec<SearchHit>> {
    Ok(state.replica().await.search(&text, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_convert_fields_are_not_given() {
        let input: ConvertInput =
            serde_json::from_str(r#"{"intoAccount":" ","newAnyway":true,"contactName":" Jana Peters ","pipeline":""}"#)
                .expect("the dialog's shape");
        let options = ConvertOptions::from(input);
        assert_eq!(options.into_account, None, "a blank account means a new one");
        assert!(options.new_anyway);
        assert_eq!(options.contact_name.as_deref(), Some("Jana Peters"));
        assert_eq!(options.pipeline, None, "a blank pipeline means the default one");
        assert!(options.deal.is_none(), "no deal unless asked for");
    }

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
}
