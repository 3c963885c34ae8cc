//! Request extractors whose rejections are JSON [`Error`]s like every other refusal.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::Error;

/// `axum::Json`, but a body that does not parse becomes `400 malformed` with serde's message
/// (path, line and column), a missing content type `415` and an oversized body `413 too_large`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(map_rejection(rejection)),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn map_rejection(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType,
        JsonRejection::JsonDataError(e) => Error::Malformed(inner_message(&e, e.body_text())),
        JsonRejection::JsonSyntaxError(e) => Error::Malformed(inner_message(&e, e.body_text())),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Error::TooLarge { limit: tandem_sync::MAX_BODY_BYTES }
        }
        other => Error::Malformed(other.body_text()),
    }
}

/// serde's own message ("mutations[0].op: unknown variant ... at line 1 column 80") rather than
/// axum's wrapper text.
fn inner_message(e: &dyn std::error::Error, fallback: String) -> String {
    e.source().map_or(fallback, ToString::to_string)
}
