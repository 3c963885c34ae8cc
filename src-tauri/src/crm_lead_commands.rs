//! Lead commands (capture, qualification, conversion) and the global search:
//! parse (serde), call the replica, map the error. Nothing else.
//!
//! Leads are written on the device first (offline too) and decided again by the server; after
//! a write the background sync is woken.

use crate::error::ApiResult;
use crate::state::AppState;
use crate::sync_loop;
use serde::Deserialize;
use tandem_core::{DealInput, DuplicateMatch, Lead, LeadInput};
use tandem_replica::{ConvertOptions, Converted, DocPage, SearchHit};
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

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

/// A text field as given: trimmed; blank means not given.
pub(crate) fn given(text: Option<String>) -> Option<String> {
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
}
