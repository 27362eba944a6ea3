//! `GET /v1/audit`.

use altgate_protocol::{AccountId, AuditAction, AuditEvent, KeyId, Page, Problem, Timestamp};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Auth, Keys};
use crate::http::cursor::Cursor;
use crate::http::error::ApiError;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::{QueryParams, int_in_range};
use crate::state::AppState;
use crate::store::AuditFilter;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// Filters and paging of `GET /v1/audit`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// Events about or by this account (non-admin keys always see their own account's only).
    account_id: Option<AccountId>,
    /// Events about or by this key.
    key_id: Option<KeyId>,
    /// Events of this action.
    action: Option<AuditAction>,
    /// At or after this time (RFC 3339 or Unix ms).
    #[param(value_type = Option<String>)]
    since: Option<Timestamp>,
    /// Before this time (RFC 3339 or Unix ms).
    #[param(value_type = Option<String>)]
    until: Option<Timestamp>,
    /// Page size, from 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    cursor: Option<u64>,
}

impl<S: Send + Sync> FromRequestParts<S> for AuditQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let query = AuditQuery {
            account_id: params.one("account_id", AccountId::parse)?,
            key_id: params.one("key_id", KeyId::parse)?,
            action: params.one("action", str::parse)?,
            since: params.one("since", Timestamp::parse)?,
            until: params.one("until", Timestamp::parse)?,
            limit: params.one("limit", int_in_range(1, 500))?,
            cursor: params.one("cursor", |c| Cursor::Audit.decode(c, str::parse::<u64>))?,
        };
        params.finish()?;
        if let (Some(since), Some(until)) = (query.since, query.until)
            && since > until
        {
            return Err(ApiError::invalid_parameter("since", "must not be after `until`"));
        }
        Ok(query)
    }
}

/// The audit trail, oldest first: every event for an admin key, the own
/// account's events for a `keys` key.
#[utoipa::path(get, path = "/v1/audit", tag = "accounts", security(("api_key" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of events", body = Page<AuditEvent>),
        (status = 400, description = "A parameter is invalid (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not visible (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn list_audit(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    query: AuditQuery,
) -> Result<Json<Page<AuditEvent>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    let filter = AuditFilter {
        account_id: query.account_id,
        key_id: query.key_id,
        action: query.action,
        since: query.since.map(Timestamp::as_millis),
        until: query.until.map(Timestamp::as_millis),
    };
    let mut data = state.platform.audit_events(&auth.actor(), filter, query.cursor.unwrap_or(0), limit + 1).await?;
    let next_cursor = if data.len() > limit as usize {
        data.truncate(limit as usize);
        data.last().map(|e| Cursor::Audit.encode(&e.seq.to_string()))
    } else {
        None
    };
    Ok(Json(Page { data, next_cursor }))
}
