use axum::extract::State;
use tandem_sync::PullRequest;
use tracing::instrument;

use crate::auth::Session;
use crate::error::Error;
use crate::extract::Json;
use crate::pull::PullPage;
use crate::AppState;

/// `POST /v1/pull` (bearer token).
#[instrument(skip_all, fields(user = %session.user_name), err(level = "info"))]
pub async fn pull(
    State(state): State<AppState>,
    session: Session,
    Json(req): Json<PullRequest>,
) -> Result<Json<PullPage>, Error> {
    crate::pull::pull(&state.pool, &session, req).await.map(Json)
}
