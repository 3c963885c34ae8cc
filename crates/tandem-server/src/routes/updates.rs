use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tracing::instrument;

use crate::error::Error;
use crate::release;
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct CheckQuery {
    /// The device id: decides whether the device is in a staged rollout.
    device: Option<String>,
    /// The installer the app was bundled as (`deb`, `rpm`, `appimage`, `nsis`, ...).
    installer: Option<String>,
}

/// `GET /updates/{target}/{arch}/{current_version}`: the Tauri updater's check. 204 when there
/// is nothing newer for this device, else the newest release it is in the rollout of.
#[instrument(skip_all, fields(%target, %arch, %current), err(level = "info"))]
pub async fn check(
    State(state): State<AppState>,
    Path((target, arch, current)): Path<(String, String, String)>,
    Query(q): Query<CheckQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let platform = release::Platform::parse(&format!("{target}-{arch}"))?;
    let current = release::parse_version(&current)?;
    let mut conn = state.pool.acquire().await?;
    let base = base_url(&headers);
    let offer = release::offer(
        &mut conn,
        platform.as_str(),
        q.installer.as_deref(),
        &current,
        q.device.as_deref().filter(|d| !d.trim().is_empty()),
        &base,
    )
    .await?;
    Ok(match offer {
        Some(o) => axum::Json(o).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// `GET /updates/artifacts/{version}/{platform}`: the signed bundle itself.
#[instrument(skip_all, fields(%version, %platform), err(level = "info"))]
pub async fn artifact(
    State(state): State<AppState>,
    Path((version, platform)): Path<(String, String)>,
) -> Result<Response, Error> {
    let mut conn = state.pool.acquire().await?;
    let (name, bytes) = release::artifact(&mut conn, &version, &platform).await?.ok_or(Error::NotFound)?;
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\', '\r', '\n'], "_"));
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        Body::from(bytes),
    )
        .into_response())
}

/// This server as the device reached it (a proxy in front sets `X-Forwarded-Proto`/`-Host`).
fn base_url(headers: &HeaderMap) -> String {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|s| !s.is_empty());
    let proto = get("x-forwarded-proto").unwrap_or("http");
    let host = get("x-forwarded-host").or_else(|| get("host")).unwrap_or("localhost");
    format!("{proto}://{host}")
}
