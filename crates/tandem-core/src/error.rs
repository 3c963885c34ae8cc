//! Errors of the business layer.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One field that could not be parsed, with a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The same error reported against another field name (a form field, a CLI flag).
    pub fn on(mut self, field: &str) -> Self {
        self.field = field.to_owned();
        self
    }
}

/// Every field error of one form or command at once, so a form can mark all bad fields together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Collects the error of `r` (if any) and passes its value on.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

/// A mutation that is well formed but that the business refuses in the current state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: String },
    #[error("{entity} {id} was deleted")]
    Deleted { entity: &'static str, id: String },
    #[error("{entity} {id} already exists")]
    AlreadyExists { entity: &'static str, id: String },
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// Outside what the user may see or change (their role and territories).
    #[error("{0}")]
    Forbidden(String),
    /// A conflict someone already resolved.
    #[error("conflict {id} was already resolved")]
    AlreadyResolved { id: String },
    /// An order over the customer's credit limit (the message carries the figures).
    #[error("{0}")]
    CreditLimit(String),
    /// A date in a period the books are closed for.
    #[error("{0}")]
    PeriodLocked(String),
    /// A stage name its pipeline does not have; the message lists the stages it has.
    #[error("stage {stage:?} is not in pipeline {pipeline:?} (stages: {stages})")]
    UnknownStage { stage: String, pipeline: String, stages: String },
    /// A record whose state does not allow the action (a converted lead edited, a sent quote
    /// approved); the message says the state and what to do instead.
    #[error("{0}")]
    WrongState(String),
    /// A discount above the approval threshold, not approved yet.
    #[error("{0}")]
    ApprovalRequired(String),
    /// Something still used by other records (a stage holding deals).
    #[error("{0}")]
    InUse(String),
    /// No exchange rate to convert an amount into the company currency.
    #[error("no {currency} rate for {date}: enter one first")]
    MissingRate { currency: crate::money::Currency, date: chrono::NaiveDate },
}

impl RuleError {
    /// A stable machine-readable code for the UI and the wire.
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::NotFound { .. } => "not_found",
            RuleError::Deleted { .. } => "deleted",
            RuleError::AlreadyExists { .. } => "already_exists",
            RuleError::Invalid(_) => "validation",
            RuleError::Forbidden(_) => "forbidden",
            RuleError::AlreadyResolved { .. } => "already_resolved",
            RuleError::CreditLimit(_) => "credit_limit",
            RuleError::PeriodLocked(_) => "period_locked",
            RuleError::UnknownStage { .. } => "unknown_stage",
            RuleError::WrongState(_) => "wrong_state",
            RuleError::ApprovalRequired(_) => "approval_required",
            RuleError::InUse(_) => "in_use",
            RuleError::MissingRate { .. } => "missing_rate",
        }
    }
}
