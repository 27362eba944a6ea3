//! RFC 9457 problem documents.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ErrorCode;

/// The media type of every error response.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An error response body (RFC 9457), extended with a stable `code`.
///
/// `type` is a relative URI, `/problems/{code}`, which the server resolves to
/// a description of the code. Extension members that a newer server adds are
/// kept in [`Problem::extensions`] rather than dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference identifying the problem type: `/problems/{code}`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the problem type; the same for every occurrence.
    pub title: String,
    /// The HTTP status code of this response.
    pub status: u16,
    /// The stable, machine-readable error code. Match on this.
    #[cfg_attr(feature = "openapi", schema(schema_with = code_schema))]
    pub code: String,
    /// What went wrong in this occurrence, for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this problem occurred on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id, also sent in the `x-request-id` response header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `invalid_parameter`: the name of the offending parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// Further members specific to the code.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extensions: Map<String, Value>,
}

#[cfg(feature = "openapi")]
fn code_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    <ErrorCode as utoipa::PartialSchema>::schema()
}

impl Problem {
    /// A problem of the given code, with its standard title and status.
    pub fn new(code: ErrorCode) -> Self {
        Problem {
            type_uri: format!("/problems/{code}"),
            title: code.title().to_owned(),
            status: code.status(),
            code: code.as_str().to_owned(),
            detail: None,
            instance: None,
            request_id: None,
            param: None,
            extensions: Map::new(),
        }
    }

    /// Sets the human-readable detail.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Names the offending parameter.
    #[must_use]
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// The code parsed into this version's table, or `None` if the server
    /// sent a code this version does not know.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.code.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_rfc9457_member_names_and_keeps_unknown_members() {
        let problem =
            Problem::new(ErrorCode::InvalidParameter).with_param("limit").with_detail("must be between 1 and 250");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "/problems/invalid_parameter");
        assert_eq!(json["status"], 400);
        assert_eq!(json["code"], "invalid_parameter");
        assert_eq!(json["param"], "limit");
        assert!(json.get("instance").is_none());

        let mut newer = json;
        newer["server_time"] = 42.into();
        let back: Problem = serde_json::from_value(newer).unwrap();
        assert_eq!(back.extensions["server_time"], 42);
        assert_eq!(back.error_code(), Some(ErrorCode::InvalidParameter));
    }
}
