//! Owners, tags and custom values of accounts and contacts, likely duplicate accounts and
//! merges: parse (serde), call the replica, map the error. Nothing else.
//!
//! Written on the device first (offline too) and decided again by the server; after a write the
//! background sync is woken.

use crate::error::ApiResult;
use crate::state::AppState;
use crate::sync_loop;
use tandem_core::crm::profile::{AccountDuplicate, ProfileInput};
use tandem_core::crm::CrmEntity;
use tandem_replica::ProfileView;
use tauri::{AppHandle, State};

type S<'a> = State<'a, AppState>;

/// The owner, tags and custom values of an account or a contact.
#[tauri::command]
pub async fn crm_profile(state: S<'_>, id: String) -> ApiResult<ProfileView> {
    Ok(state.replica().await.profile(&id).await?)
}

/// Edits one account's or contact's profile (`entity`: `account` or `contact`).
#[tauri::command]
pub async fn crm_edit_profile(
    app: AppHandle,
    state: S<'_>,
    entity: CrmEntity,
    id: String,
    input: ProfileInput,
) -> ApiResult<ProfileView> {
    let p = state.replica().await.edit_profile(entity, &id, &input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(p)
}

/// The same owner or tag change on a selection, all or nothing; returns how many changed.
#[tauri::command]
pub async fn crm_bulk_edit_profiles(
    app: AppHandle,
    state: S<'_>,
    entity: CrmEntity,
    ids: Vec<String>,
    input: ProfileInput,
) -> ApiResult<usize> {
    let n = state.replica().await.bulk_edit_profiles(entity, &ids, &input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(n)
}

#[tauri::command]
pub async fn crm_account_duplicates(state: S<'_>) -> ApiResult<Vec<AccountDuplicate>> {
    Ok(state.replica().await.account_duplicates().await?)
}

/// Merges account `merged` into `keep`; returns the id of the note left on `keep`'s timeline.
#[tauri::command]
pub async fn crm_merge_accounts(app: AppHandle, state: S<'_>, keep: String, merged: String) -> ApiResult<String> {
    let note = state.replica().await.merge_accounts(&keep, &merged).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(note.to_string())
}

/// The custom fields admins defined for one record type (`account`, `contact`, `deal`, `lead`),
/// for forms.
#[tauri::command]
pub async fn crm_custom_fields(state: S<'_>, entity: CrmEntity) -> ApiResult<Vec<tandem_core::crm::custom::FieldDef>> {
    Ok(state.replica().await.crm_settings().await?.fields_of(entity))
}
