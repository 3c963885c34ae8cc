//! Errors of the replica, each with a stable `code` for the UI and the CLI.

use tandem_core::{FieldError, RuleError, ValidationErrors};

#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error("{0}")]
    Rule(#[from] RuleError),
    #[error("not signed in: sign in to a Tandem server first (`tandem login URL --user NAME`)")]
    NotSignedIn,
    #[error("cannot reach the server at {url}: {reason}")]
    Offline { url: String, reason: String },
    #[error("the server refused the request ({code}): {message}")]
    Server { status: u16, code: String, message: String },
    #[error("your session expired after a long time offline: sign in again (your unsent changes are kept)")]
    SessionExpired,
    #[error("an administrator revoked this device or user: its copy of the company's data was erased")]
    Revoked,
    #[error("this version of Tandem is too old for the server ({0}): please update the app")]
    UpdateRequired(String),
    #[error("the OS keyring failed: {0}")]
    Keyring(String),
    #[error(
        "this device still has {pending} unsent change(s) for {user} at {url}; sign in as {user} there to send them first"
    )]
    UnsentChanges { pending: i64, user: String, url: String },
    #[error("{0}")]
    BadInput(String),
    #[error("local database: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("local database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "this update could not convert your local data (step {migration} failed: {cause}). Your data was put back \
         exactly as it was before the update, unsent changes included (a copy is at {backup}). Reinstall the \
         previous version, or contact your administrator"
    )]
    MigrationFailed { migration: String, cause: String, backup: String },
    #[error(
        "this local data was written by a newer version of Tandem (schema step {found}; this version knows up to \
         {known}): install the newer version"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// A file that does not import: every bad line and column, nothing imported.
    #[error("nothing was imported:\n{0}")]
    Import(tandem_core::crm::csv::ImportErrors),
    #[error("local data is damaged: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ReplicaError {
    pub fn code(&self) -> String {
        match self {
            ReplicaError::Validation(_) => "validation".into(),
            ReplicaError::Rule(e) => e.code().into(),
            ReplicaError::NotSignedIn => "not_signed_in".into(),
            ReplicaError::Offline { .. } => "offline".into(),
            ReplicaError::Server { code, .. } => code.clone(),
            ReplicaError::SessionExpired => "session_expired".into(),
            ReplicaError::Revoked => "revoked".into(),
            ReplicaError::UpdateRequired(_) => "upgrade_required".into(),
            ReplicaError::Keyring(_) => "keyring".into(),
            ReplicaError::UnsentChanges { .. } => "unsent_changes".into(),
            ReplicaError::BadInput(_) => "bad_input".into(),
            ReplicaError::Storage(_) | ReplicaError::Migrate(_) => "storage".into(),
            ReplicaError::MigrationFailed { .. } => "migration_failed".into(),
            ReplicaError::SchemaTooNew { .. } => "schema_too_new".into(),
            ReplicaError::Import(_) => "import".into(),
            ReplicaError::Corrupt(_) => "corrupt".into(),
            ReplicaError::Io(_) => "io".into(),
        }
    }

    /// The field errors of a validation failure (empty otherwise).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            ReplicaError::Validation(v) => &v.0,
            ReplicaError::Rule(RuleError::Invalid(v)) => &v.0,
            _ => &[],
        }
    }
}

impl ReplicaError {
    /// Server refusals the device acts on get their own variants (and messages).
    pub(crate) fn classify(self) -> Self {
        match self {
            ReplicaError::Server { code, .. } if code == "session_expired" => ReplicaError::SessionExpired,
            ReplicaError::Server { code, .. } if code == "revoked" => ReplicaError::Revoked,
            ReplicaError::Server { code, message, .. } if code == "upgrade_required" => {
                ReplicaError::UpdateRequired(message)
            }
            other => other,
        }
    }
}

impl From<ValidationErrors> for ReplicaError {
    fn from(v: ValidationErrors) -> Self {
        ReplicaError::Validation(v)
    }
}

pub type Result<T, E = ReplicaError> = std::result::Result<T, E>;

impl From<FieldError> for ReplicaError {
    fn from(e: FieldError) -> Self {
        ReplicaError::Validation(e.into())
    }
}
