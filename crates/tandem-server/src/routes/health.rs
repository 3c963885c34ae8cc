use axum::extract::State;
use tandem_sync::{Health, PROTOCOL_VERSION};
use tracing::instrument;

use crate::error::Error;
use crate::extract::Json;
use crate::AppState;

/// `GET /health`: 200 when the database answers, 503 otherwise.
#[instrument(skip_all, err(level = "warn"))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, Error> {
    sqlx::query("SELECT 1").execute(&state.pool).await.map_err(Error::Unavailable)?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into(), protocol: PROTOCOL_VERSION }))
}
