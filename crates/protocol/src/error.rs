//! The one error-code table.
//!
//! Every error the API returns carries one of these codes in its problem
//! document. A code, once published, keeps its meaning and its status forever;
//! new failures get new codes.

use std::fmt;
use std::str::FromStr;

macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = ($code:literal, $status:literal, $title:literal),
    )+) => {
        /// A stable, machine-readable error code with its HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code as it appears on the wire, e.g. `asset_not_found`.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The HTTP status every response with this code carries.
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// A short, human-readable summary that never changes between
            /// occurrences (the problem `title`).
            pub const fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title,)+ }
            }

            /// What the code means and what a client should do about it.
            pub fn description(self) -> String {
                let lines: &[&str] = match self { $(ErrorCode::$variant => &[$($doc),+],)+ };
                lines.iter().map(|line| line.trim()).collect::<Vec<_>>().join(" ")
            }
        }

        impl FromStr for ErrorCode {
            type Err = UnknownErrorCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok(ErrorCode::$variant),)+
                    _ => Err(UnknownErrorCode(s.to_owned())),
                }
            }
        }
    };
}

error_codes! {
    /// The request was malformed in a way no more specific code describes,
    /// for example a path segment that is not valid UTF-8.
    BadRequest = ("bad_request", 400, "Bad request"),
    /// A query or path parameter is missing, unknown or has a bad value. The
    /// problem's `param` names it and `detail` says what was wrong.
    InvalidParameter = ("invalid_parameter", 400, "Invalid parameter"),
    /// A signature header is present but malformed; `param` names it.
    MalformedSignatureHeader = ("malformed_signature_header", 400, "Malformed signature header"),
    /// `X-AG-Nonce` is not 16 to 64 characters of `A-Z a-z 0-9 _ -`.
    NonceInvalid = ("nonce_invalid", 400, "Invalid nonce"),
    /// The JSON body does not parse, or a field has a bad value. The
    /// problem's `param` names the field (a path such as `scopes[1]`).
    InvalidBody = ("invalid_body", 400, "Invalid request body"),
    /// No credentials were sent. Send the key as `X-API-Key: <key>` or
    /// `Authorization: Bearer <key>`.
    MissingCredentials = ("missing_credentials", 401, "Missing credentials"),
    /// The credentials are not an Altgate key: wrong prefix, length or
    /// characters, or a failed checksum (a mistyped or truncated key). No
    /// lookup was made.
    InvalidKeyFormat = ("invalid_key_format", 401, "Invalid key format"),
    /// The key is well-formed but unknown to this server.
    UnknownKey = ("unknown_key", 401, "Unknown key"),
    /// The key's `expires_at` has passed (for example after a rotation's
    /// grace window). Switch to the newer key.
    KeyExpired = ("key_expired", 401, "Key expired"),
    /// The key was revoked and never works again.
    KeyRevoked = ("key_revoked", 401, "Key revoked"),
    /// The signature does not match the request. Check the canonical string
    /// against `docs/signing.md`.
    SignatureInvalid = ("signature_invalid", 401, "Invalid signature"),
    /// This key or operation requires a signed request; a bearer key was sent.
    SignatureRequired = ("signature_required", 401, "Signature required"),
    /// `X-AG-Timestamp` is farther from the server's clock than the window.
    /// The problem's `server_time_ms` is the server's clock: correct yours
    /// and sign again.
    TimestampOutOfWindow = ("timestamp_out_of_window", 401, "Timestamp out of window"),
    /// This nonce was already used by an accepted request of this key.
    /// Sign every request, retries included, with a fresh nonce.
    NonceReplayed = ("nonce_replayed", 401, "Nonce replayed"),
    /// The key requires `X-AG-Sequence` to be greater than the last
    /// accepted one.
    SequenceNotIncreasing = ("sequence_not_increasing", 401, "Sequence not increasing"),
    /// The key lacks the scope this operation needs, or asked to grant a
    /// scope it does not hold itself.
    InsufficientScope = ("insufficient_scope", 403, "Insufficient scope"),
    /// The key's IP allowlist does not include the client's address.
    IpNotAllowed = ("ip_not_allowed", 403, "IP address not allowed"),
    /// The key's account is suspended; all of its keys are refused.
    AccountSuspended = ("account_suspended", 403, "Account suspended"),
    /// No asset has this id. Ids are slugs such as `ethereum`; see
    /// `GET /v1/assets` for the catalog.
    AssetNotFound = ("asset_not_found", 404, "Asset not found"),
    /// The asset exists but has no market data yet: no candles and no live
    /// price. Feeds and imports add it.
    NoMarketData = ("no_market_data", 404, "No market data"),
    /// No key with this id is visible to the caller (keys of other accounts
    /// are reported as not found, so their existence does not leak).
    KeyNotFound = ("key_not_found", 404, "Key not found"),
    /// No account with this id is visible to the caller.
    AccountNotFound = ("account_not_found", 404, "Account not found"),
    /// No route matches the request path.
    NotFound = ("not_found", 404, "Not found"),
    /// The route exists but not for this method; the `Allow` header lists the
    /// methods it accepts.
    MethodNotAllowed = ("method_not_allowed", 405, "Method not allowed"),
    /// Another rotation of the same key happened first; its successor is
    /// the key's `rotated_to`.
    RotationConflict = ("rotation_conflict", 409, "Rotation conflict"),
    /// The key is revoked or expired, so it cannot be rotated or retired.
    KeyInactive = ("key_inactive", 409, "Key inactive"),
    /// The request body is larger than the server accepts. Nothing of it was
    /// processed.
    PayloadTooLarge = ("payload_too_large", 413, "Payload too large"),
    /// The body is not `application/json`.
    UnsupportedMediaType = ("unsupported_media_type", 415, "Unsupported media type"),
    /// The uploaded file cannot be imported as a whole: its format is not
    /// recognised, it has no open/high/low/close columns, or it holds several
    /// assets and the symbol to import was not given. Problems with single
    /// rows are reported in the import result instead.
    ImportUnreadable = ("import_unreadable", 422, "Import unreadable"),
    /// The asset's history is too short for what was asked (a window, an
    /// indicator's warm-up); the detail says how much there is.
    InsufficientHistory = ("insufficient_history", 422, "Insufficient history"),
    /// Too many requests for the key, the account or the client address.
    /// Wait for `Retry-After` seconds; the `RateLimit` header tells the budget.
    RateLimited = ("rate_limited", 429, "Rate limited"),
    /// The account's monthly quota for this environment is used up. It
    /// renews at the start of the next UTC month (`Retry-After`).
    QuotaExhausted = ("quota_exhausted", 429, "Quota exhausted"),
    /// Something failed inside the server. Nothing about it is exposed; the
    /// `request_id` lets an operator find it in the logs.
    Internal = ("internal", 500, "Internal server error"),
    /// A dependency of the server, such as its store, is not reachable right
    /// now. Retrying later may succeed.
    ServiceUnavailable = ("service_unavailable", 503, "Service unavailable"),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code string that is not in this version's table (the server may be newer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code `{0}`")]
pub struct UnknownErrorCode(pub String);

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A stable, machine-readable error code."))
            .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = HashSet::new();
        for &code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s} is not snake_case");
            assert_eq!(s.parse::<ErrorCode>(), Ok(code));
            assert!((400..600).contains(&code.status()), "{s} has a non-error status");
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn the_error_documentation_lists_every_code_with_its_status() {
        let doc = include_str!("../../../docs/errors.md");
        for &code in ErrorCode::ALL {
            let row = format!("| `{}` | {} |", code.as_str(), code.status());
            assert!(doc.contains(&row), "docs/errors.md lacks the row for {code}");
        }
    }

    #[test]
    fn unknown_codes_are_reported_not_guessed() {
        assert_eq!("no_such_code".parse::<ErrorCode>(), Err(UnknownErrorCode("no_such_code".to_owned())));
    }
}

/// One row of the error table, as served at `/problems/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorCodeInfo {
    /// The code.
    pub code: String,
    /// The HTTP status of responses with this code.
    pub status: u16,
    /// The problem title.
    pub title: String,
    /// What it means and what to do about it.
    pub description: String,
}

impl From<ErrorCode> for ErrorCodeInfo {
    fn from(code: ErrorCode) -> Self {
        ErrorCodeInfo {
            code: code.as_str().to_owned(),
            status: code.status(),
            title: code.title().to_owned(),
            description: code.description(),
        }
    }
}
