//! The OpenAPI 3.1 document (utoipa's default version), generated from the
//! handlers' annotations.

use altgate_protocol::Problem;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

/// The document's fixed parts; paths and schemas are collected from the
/// routes by `utoipa-axum`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Altgate",
        description = "Self-hosted crypto market intelligence: the altcoin catalog and taxonomy, \
            prices and history, analytics and signals, behind a hardened API-key platform. \
            Every error is an RFC 9457 problem document with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "catalog", description = "Assets and the taxonomy of altcoin types"),
        (name = "market", description = "Prices, OHLCV history, imports and the live stream"),
        (name = "analytics", description = "Indicators, signals, grades, risk, correlations and portfolios"),
        (name = "keys", description = "API keys: create, rotate with zero downtime, revoke, usage"),
        (name = "accounts", description = "Accounts, plans, free signup and the audit trail"),
        (name = "system", description = "Health, time, metrics and this document"),
    ),
    modifiers(&SecuritySchemes),
)]
pub(crate) struct ApiDoc;

/// The two ways to present a key.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "An Altgate key (`ag_live_…` or `ag_test_…`). `Authorization: Bearer <key>` works too.",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("Altgate key").build(),
            ),
        );
    }
}

/// Refusals of a key, on every operation that needs one.
#[derive(Debug, IntoResponses)]
#[allow(dead_code)]
pub(crate) enum AuthErrors {
    /// No key, a malformed one, or one that is unknown, expired or revoked
    /// (`missing_credentials`, `invalid_key_format`, `unknown_key`,
    /// `key_expired`, `key_revoked`).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The key lacks the scope, the client address is not allowed, or the
    /// account is suspended (`insufficient_scope`, `ip_not_allowed`,
    /// `account_suspended`).
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// A rate limit or the monthly quota is reached (`rate_limited`,
    /// `quota_exhausted`); see `Retry-After` and `RateLimit`.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
}

/// Error responses any operation can give, whatever its parameters.
#[derive(Debug, IntoResponses)]
#[allow(dead_code)]
pub(crate) enum CommonErrors {
    /// The operation exists, but not for this method (`method_not_allowed`).
    #[response(status = 405, content_type = "application/problem+json")]
    MethodNotAllowed(Problem),
    /// The request body is over the configured limit (`payload_too_large`).
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// An internal failure; the body says nothing more (`internal`).
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
}
