//! JSON request bodies: `application/json` only, and errors that name the
//! offending field.

use axum::extract::{FromRequest, Request};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use altgate_protocol::ErrorCode;

/// The `Content-Type` of JSON responses rendered ahead of time, as a
/// constant (a string would be checked and copied on every response).
pub(crate) const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A JSON body of type `T`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json")
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !json {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
                .detail("send the body as JSON with `Content-Type: application/json`"));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::new(ErrorCode::BadRequest).detail("the request body could not be read"))?;
        parse(&bytes).map(JsonBody)
    }
}

/// Parses JSON, naming the path of a field that fails (`scopes[1]`).
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match path.as_str() {
            "." | "" => invalid(format!("the body is not valid: {inner}")),
            _ => invalid(format!("field `{path}`: {inner}")).param(&path),
        }
    })?;
    deserializer.end().map_err(|e| invalid(format!("the body is not valid: {e}")))?;
    Ok(value)
}

fn invalid(detail: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidBody).detail(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        scopes: Vec<altgate_protocol::Scope>,
    }

    #[test]
    fn errors_name_the_field_path() {
        let err = format!("{:?}", parse::<Body>(br#"{"scopes":["read","root"]}"#).unwrap_err());
        assert!(err.contains("scopes[1]"), "{err}");
        let err = format!("{:?}", parse::<Body>(br#"{"scopes":[]} trailing"#).unwrap_err());
        assert!(err.contains("invalid_body"), "{err}");
        assert!(parse::<Body>(br#"{"scopes":["read"]}"#).is_ok());
    }
}
