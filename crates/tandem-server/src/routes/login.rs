use axum::extract::State;
use tandem_sync::{LoginRequest, LoginResponse};
use tracing::instrument;

use crate::error::Error;
use crate::extract::Json;
use crate::{auth, AppState};

/// `POST /v1/login`.
#[instrument(skip_all, err(level = "info"))]
pub async fn login(State(state): State<AppState>, Json(req): Json<LoginRequest>) -> Result<Json<LoginResponse>, Error> {
    auth::login(&state.pool, req).await.map(Json)
}
