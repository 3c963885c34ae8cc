use axum::extract::State;
use tandem_sync::{PushRequest, PushResponse};
use tracing::instrument;

use crate::auth::Session;
use crate::error::Error;
use crate::extract::Json;
use crate::AppState;

/// `POST /v1/push` (bearer token).
#[instrument(skip_all, fields(user = %session.user_name), err(level = "info"))]
pub async fn push(
    State(state): State<AppState>,
    session: Session,
    Json(req): Json<PushRequest>,
) -> Result<Json<PushResponse>, Error> {
    crate::push::push(&state.pool, &session, req).await.map(Json)
}
