//! HTTP routes: thin handlers that parse, call a service and map its error.

pub mod audit;
pub mod events;
pub mod health;
pub mod login;
pub mod pull;
pub mod push;
pub mod updates;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tandem_sync::{paths, MAX_BODY_BYTES, OLDEST_SUPPORTED_PROTOCOL, PROTOCOL_VERSION};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::Error;
use crate::AppState;

/// The whole API. Every refusal, including unknown routes, wrong methods and oversized bodies,
/// is a JSON `ErrorBody`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(paths::HEALTH, get(health::health))
        .route(paths::LOGIN, post(login::login))
        .route(paths::PUSH, post(push::push))
        .route(paths::PULL, post(pull::pull))
        .route(paths::AUDIT, post(audit::audit))
        .route(paths::EVENTS, get(events::events))
        .route("/updates/{target}/{arch}/{current}", get(updates::check))
        .route("/updates/artifacts/{version}/{platform}", get(updates::artifact))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

async fn not_found() -> Error {
    Error::NotFound
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}

/// Serves the current protocol and the one before; tells older clients to update.
pub fn check_protocol(protocol: u32) -> Result<(), Error> {
    if protocol < OLDEST_SUPPORTED_PROTOCOL {
        return Err(Error::UpgradeRequired { got: protocol, oldest: OLDEST_SUPPORTED_PROTOCOL });
    }
    if protocol > PROTOCOL_VERSION {
        return Err(Error::UnsupportedProtocol { got: protocol, newest: PROTOCOL_VERSION });
    }
    Ok(())
}
