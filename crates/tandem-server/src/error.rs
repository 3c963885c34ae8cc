//! The one error type of the server's API: every refusal becomes a status and a JSON
//! [`ErrorBody`] whose `code` clients decide by.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tandem_sync::ErrorBody;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The body is not the JSON the endpoint expects (syntax, types, unknown fields or names,
    /// invalid field values). The message is serde's, with line and column.
    #[error("{0}")]
    Malformed(String),
    #[error("expected a request with `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("no such endpoint")]
    NotFound,
    #[error("this endpoint does not accept that method")]
    MethodNotAllowed,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("missing, invalid or expired token: log in again")]
    Unauthorized,
    #[error("the session expired after a long time offline: sign in again (unsent changes are kept)")]
    SessionExpired,
    #[error("this device or user was revoked by an administrator")]
    Revoked,
    #[error("{0}")]
    Forbidden(String),
    #[error("this device is registered to another user")]
    DeviceTaken,
    #[error("the token was issued to device {token_device}, not to device {body_device}")]
    WrongDevice { token_device: String, body_device: String },
    #[error("protocol {got} is no longer served (oldest supported: {oldest}): update the app")]
    UpgradeRequired { got: u32, oldest: u32 },
    #[error("protocol {got} is newer than this server speaks (newest: {newest})")]
    UnsupportedProtocol { got: u32, newest: u32 },
    #[error("{got} mutations in one push, at most {max} are accepted")]
    TooManyMutations { got: usize, max: usize },
    #[error("limit {got} is out of range: expected 1 to {max}")]
    BadLimit { got: u32, max: u32 },
    #[error("expected seq {expected}, got {got}")]
    SeqGap { expected: i64, got: i64 },
    #[error(
        "this device last synced at version {cursor}, before deleted records up to version {horizon} were pruned: \
         it must download a fresh copy (its unsent changes are kept)"
    )]
    SnapshotRequired { cursor: i64, horizon: i64 },
    #[error(
        "this user's territories changed after version {cursor}: the device must download a fresh copy \
         (its unsent changes are kept)"
    )]
    ScopeChanged { cursor: i64 },
    #[error("user {0:?} already exists")]
    UserExists(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Malformed(_) | Error::InvalidInput(_) => StatusCode::BAD_REQUEST,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::TooLarge { .. } | Error::TooManyMutations { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::BadCredentials | Error::Unauthorized | Error::SessionExpired | Error::Revoked => {
                StatusCode::UNAUTHORIZED
            }
            Error::DeviceTaken | Error::WrongDevice { .. } | Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::UpgradeRequired { .. } => StatusCode::UPGRADE_REQUIRED,
            Error::UnsupportedProtocol { .. } | Error::BadLimit { .. } => StatusCode::BAD_REQUEST,
            Error::SeqGap { .. } | Error::UserExists(_) => StatusCode::CONFLICT,
            Error::SnapshotRequired { .. } | Error::ScopeChanged { .. } => StatusCode::GONE,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code clients decide by.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "malformed",
            Error::InvalidInput(_) => "invalid_input",
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::TooLarge { .. } => "too_large",
            Error::NotFound => "not_found",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::BadCredentials => "bad_credentials",
            Error::Unauthorized => "unauthorized",
            Error::SessionExpired => "session_expired",
            Error::Revoked => "revoked",
            Error::Forbidden(_) => "forbidden",
            Error::DeviceTaken => "device_taken",
            Error::WrongDevice { .. } => "wrong_device",
            Error::UpgradeRequired { .. } => "upgrade_required",
            Error::UnsupportedProtocol { .. } => "unsupported_protocol",
            Error::TooManyMutations { .. } => "too_many_mutations",
            Error::BadLimit { .. } => "bad_limit",
            Error::SeqGap { .. } => "seq_gap",
            Error::SnapshotRequired { .. } | Error::ScopeChanged { .. } => "snapshot_required",
            Error::UserExists(_) => "user_exists",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(e.into())
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody { code: self.code().to_owned(), message: self.to_string() }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(Box::new(e))
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(Box::new(e))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match &self {
            // The detail goes to the log only; the client learns that it was not its fault.
            Error::Internal(e) => {
                tracing::error!(error = %e, source = ?std::error::Error::source(&**e), "internal error")
            }
            Error::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            _ => tracing::debug!(code = self.code(), message = %self, "request refused"),
        }
        (self.status(), axum::Json(self.body())).into_response()
    }
}
