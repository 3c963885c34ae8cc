//! The one error shape the UI receives: it decides by `code`, shows `message`, and marks `fields`.

use serde::Serialize;
use tandem_replica::ReplicaError;

#[derive(Debug, Serialize)]
pub struct FieldError {
    field: String,
    message: String,
}

#[derive(Debug, Serialize)]
pub struct ApiError {
    code: String,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
}

/// Form fields are camelCase in the UI, snake_case in the core.
fn ui_field(core: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in core.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl From<ReplicaError> for ApiError {
    fn from(e: ReplicaError) -> Self {
        if matches!(
            e,
            ReplicaError::Storage(_) | ReplicaError::Migrate(_) | ReplicaError::Corrupt(_) | ReplicaError::Io(_)
        ) {
            tracing::error!(error = %e, "local storage failed");
        }
        ApiError {
            code: e.code(),
            message: e.to_string(),
            fields: e
                .fields()
                .iter()
                .map(|f| FieldError { field: ui_field(&f.field), message: f.message.clone() })
                .collect(),
        }
    }
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into(), fields: Vec::new() }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    #[test]
    fn core_field_names_become_form_keys() {
        assert_eq!(super::ui_field("vat_id"), "vatId");
        assert_eq!(super::ui_field("name"), "name");
    }
}
