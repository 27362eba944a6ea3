//! The OpenAPI 3.1 document (utoipa's default version), generated from the
//! handlers' annotations.

use altgate_protocol::Problem;
use utoipa::{IntoResponses, OpenApi};

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
        (name = "system", description = "Health, time, metrics and this document"),
    ),
)]
pub(crate) struct ApiDoc;

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
