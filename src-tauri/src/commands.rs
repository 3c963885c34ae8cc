//! Tauri commands: parse (serde), call the replica, map the error. Nothing else.

use crate::error::ApiError;
use crate::error::ApiResult;
use crate::state::StartupFailure;
use crate::state::{AppState, AppStatus};
use crate::sync_loop;
use crate::update::{self, UpdateStatus, Updates};
use serde::Serialize;
use tandem_core::{AccountInput, ContactInput};
use tandem_replica::{AccountDetail, AccountRow, ContactRow, ListQuery, Page};
use tandem_sync::Secret;
use tauri::{AppHandle, Manager, State};

type S<'a> = State<'a, AppState>;

#[tauri::command]
pub async fn list_accounts(state: S<'_>, query: ListQuery) -> ApiResult<Page<AccountRow>> {
    Ok(state.replica().await.list_accounts(&query).await?)
}

#[tauri::command]
pub async fn get_account(state: S<'_>, id: String) -> ApiResult<AccountDetail> {
    Ok(state.replica().await.account(&id).await?)
}

#[tauri::command]
pub async fn create_account(app: AppHandle, state: S<'_>, input: AccountInput) -> ApiResult<AccountRow> {
    let replica = state.replica().await;
    let id = replica.create_account(&input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(replica.account(&id.to_string()).await?.account)
}

#[tauri::command]
pub async fn update_account(app: AppHandle, state: S<'_>, id: String, input: AccountInput) -> ApiResult<AccountRow> {
    let replica = state.replica().await;
    let id = replica.update_account(&id, &input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(replica.account(&id.to_string()).await?.account)
}

#[tauri::command]
pub async fn delete_account(app: AppHandle, state: S<'_>, id: String) -> ApiResult<()> {
    state.replica().await.delete_account(&id).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(())
}

#[tauri::command]
pub async fn add_contact(
    app: AppHandle,
    state: S<'_>,
    account_id: String,
    input: ContactInput,
) -> ApiResult<ContactRow> {
    let replica = state.replica().await;
    let id = replica.add_contact(&account_id, &input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(replica.contact(&id.to_string()).await?)
}

#[tauri::command]
pub async fn update_contact(app: AppHandle, state: S<'_>, id: String, input: ContactInput) -> ApiResult<ContactRow> {
    let replica = state.replica().await;
    let id = replica.update_contact(&id, &input).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(replica.contact(&id.to_string()).await?)
}

#[tauri::command]
pub async fn delete_contact(app: AppHandle, state: S<'_>, id: String) -> ApiResult<()> {
    state.replica().await.delete_contact(&id).await?;
    sync_loop::changed_locally(&app, &state);
    Ok(())
}

#[tauri::command]
pub async fn resolve_conflict(
    app: AppHandle,
    state: S<'_>,
    id: String,
    keep: tandem_sync::Keep,
) -> ApiResult<AppStatus> {
    state.replica().await.resolve_conflict(&id, keep).await?;
    sync_loop::changed_locally(&app, &state);
    let _ = tauri::Emitter::emit(&app, sync_loop::DATA_EVENT, serde_json::json!({}));
    Ok(state.status().await?)
}

#[tauri::command]
pub async fn audit_page(
    state: S<'_>,
    before: Option<i64>,
    limit: u32,
    record_id: Option<String>,
) -> ApiResult<tandem_sync::AuditPage> {
    Ok(state.replica().await.audit(before, limit, record_id.as_deref()).await?)
}

#[tauri::command]
pub async fn sync_status(state: S<'_>) -> ApiResult<AppStatus> {
    Ok(state.status().await?)
}

#[tauri::command]
pub async fn sync_now(app: AppHandle, state: S<'_>) -> ApiResult<AppStatus> {
    sync_loop::sync_once(&app, &state).await;
    Ok(state.status().await?)
}

#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    state: S<'_>,
    server_url: String,
    user: String,
    password: String,
) -> ApiResult<AppStatus> {
    let replica = state.workspace.sign_in(&server_url, &user, Secret::new(password)).await?;
    state.switch_to(replica).await;
    sync_loop::switched(&app, &state).await;
    Ok(state.status().await?)
}

#[tauri::command]
pub async fn sign_out(app: AppHandle, state: S<'_>) -> ApiResult<AppStatus> {
    let local = state.workspace.sign_out().await?;
    local.seed_demo_once().await?;
    state.switch_to(local).await;
    sync_loop::switched(&app, &state).await;
    Ok(state.status().await?)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: String,
    data_dir: String,
}

#[tauri::command]
pub async fn app_info(app: AppHandle, state: S<'_>) -> ApiResult<AppInfo> {
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        data_dir: state.workspace.dir().display().to_string(),
    })
}

/// The server's version and protocol for the About view (`None` in a local workspace).
#[tauri::command]
pub async fn server_info(state: S<'_>) -> ApiResult<Option<tandem_sync::Health>> {
    Ok(state.replica().await.server_health().await?)
}

#[tauri::command]
pub async fn update_status(updates: State<'_, Updates>) -> ApiResult<UpdateStatus> {
    Ok(updates.status())
}

/// "Check for updates": runs a check now and returns its outcome.
#[tauri::command]
pub async fn update_check(app: AppHandle) -> ApiResult<UpdateStatus> {
    update::check(&app).await;
    Ok(app.state::<Updates>().status())
}

/// Installs the downloaded update and relaunches; returns only on failure.
#[tauri::command]
pub async fn update_install(app: AppHandle) -> ApiResult<()> {
    update::install(&app).await.map_err(|message| ApiError::new("update_failed", message))
}

/// Why the app could not open its data at start (a failed update migration), if it could not.
#[tauri::command]
pub fn startup_error(failure: State<'_, StartupFailure>) -> Option<ApiError> {
    failure.0.as_ref().map(|(code, message)| ApiError::new(code, message.clone()))
}
