use axum::extract::State;
use tandem_sync::{AuditPage, AuditRequest};
use tracing::instrument;

use crate::auth::Session;
use crate::error::Error;
use crate::extract::Json;
use crate::AppState;

/// `POST /v1/audit` (bearer token, admins).
#[instrument(skip_all, fields(user = %session.user_name), err(level = "info"))]
pub async fn audit(
    State(state): State<AppState>,
    session: Session,
    Json(req): Json<AuditRequest>,
) -> Result<Json<AuditPage>, Error> {
    crate::audit::page(&state.pool, &session, req).await.map(Json)
}
