//! `/v1/keys`: create, list, show, rotate, revoke, retire early, usage.

use altgate_protocol::{
    AccountId, CreateKeyRequest, CreatedKey, ExpireKeyRequest, KeyId, KeyInfo, KeyUsage, Page, Problem,
    RotateKeyRequest,
};
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Auth, Keys};
use crate::http::cursor::Cursor;
use crate::http::error::ApiError;
use crate::http::json::JsonBody;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::{NoParams, QueryParams, int_in_range};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_key, list_keys))
        .routes(routes!(show_key))
        .routes(routes!(rotate_key))
        .routes(routes!(revoke_key))
        .routes(routes!(expire_key))
        .routes(routes!(key_usage))
}

pub(crate) fn key_id(raw: &str) -> Result<KeyId, ApiError> {
    KeyId::parse(raw).map_err(|e| ApiError::invalid_parameter("id", format!("is not a key id: it {e}")))
}

/// Creates a key; the secret is in this response only. A key can grant
/// only scopes it holds itself.
#[utoipa::path(post, path = "/v1/keys", tag = "keys", security(("api_key" = [])),
    request_body = CreateKeyRequest,
    responses(
        (status = 201, description = "The new key, with its secret", body = CreatedKey),
        (status = 400, description = "A field is invalid (`invalid_body`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not visible (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn create_key(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    _: NoParams,
    JsonBody(request): JsonBody<CreateKeyRequest>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let created = state.platform.create_key(&auth.actor(), request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Paging of `GET /v1/keys`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct KeyListQuery {
    /// The account whose keys to list (admin only); the caller's own when omitted.
    account_id: Option<AccountId>,
    /// Page size, from 1 to 250.
    #[param(minimum = 1, maximum = 250, default = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    cursor: Option<KeyId>,
}

impl<S: Send + Sync> FromRequestParts<S> for KeyListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let query = KeyListQuery {
            account_id: params.one("account_id", AccountId::parse)?,
            limit: params.one("limit", int_in_range(1, 250))?,
            cursor: params.one("cursor", |c| Cursor::Keys.decode(c, KeyId::parse))?,
        };
        params.finish()?;
        Ok(query)
    }
}

/// Lists keys: metadata only, never secrets. A non-admin key sees the keys
/// of its own account and environment.
#[utoipa::path(get, path = "/v1/keys", tag = "keys", security(("api_key" = [])),
    params(KeyListQuery),
    responses(
        (status = 200, description = "One page of keys, ordered by id", body = Page<KeyInfo>),
        (status = 400, description = "A parameter is invalid (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not visible (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn list_keys(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    query: KeyListQuery,
) -> Result<Json<Page<KeyInfo>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    let mut data =
        state.platform.list_keys(&auth.actor(), query.account_id.as_ref(), query.cursor.as_ref(), limit + 1).await?;
    let next_cursor = if data.len() > limit as usize {
        data.truncate(limit as usize);
        data.last().map(|k| Cursor::Keys.encode(k.id.as_str()))
    } else {
        None
    };
    Ok(Json(Page { data, next_cursor }))
}

/// Shows one key's metadata.
#[utoipa::path(get, path = "/v1/keys/{id}", tag = "keys", security(("api_key" = [])),
    params(("id" = String, Path, description = "The key id")),
    responses(
        (status = 200, description = "The key", body = KeyInfo),
        (status = 400, description = "Not a key id (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key visible to the caller (`key_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn show_key(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<Json<KeyInfo>, ApiError> {
    Ok(Json(state.platform.show_key(&auth.actor(), &key_id(&id)?).await?))
}

/// Rotates a key with zero downtime: returns a new key with the same
/// configuration and `version + 1`; the old key keeps working until
/// `min(now + grace_seconds, its own expires_at)`.
#[utoipa::path(post, path = "/v1/keys/{id}/rotate", tag = "keys", security(("api_key" = [])),
    params(("id" = String, Path, description = "The key id")),
    request_body = RotateKeyRequest,
    responses(
        (status = 201, description = "The new key, with its secret", body = CreatedKey),
        (status = 400, description = "Invalid id or body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key visible to the caller (`key_not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already rotated (`rotation_conflict`), or revoked or expired (`key_inactive`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn rotate_key(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    Path(id): Path<String>,
    _: NoParams,
    JsonBody(request): JsonBody<RotateKeyRequest>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let created = state.platform.rotate_key(&auth.actor(), &key_id(&id)?, request.grace_seconds).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revokes a key. It is refused from the very next request on.
#[utoipa::path(post, path = "/v1/keys/{id}/revoke", tag = "keys", security(("api_key" = [])),
    params(("id" = String, Path, description = "The key id")),
    responses(
        (status = 200, description = "The revoked key", body = KeyInfo),
        (status = 400, description = "Not a key id (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key visible to the caller (`key_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn revoke_key(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<Json<KeyInfo>, ApiError> {
    Ok(Json(state.platform.revoke_key(&auth.actor(), &key_id(&id)?).await?))
}

/// Retires a key early, for example once its usage shows clients moved to
/// the rotated key.
#[utoipa::path(post, path = "/v1/keys/{id}/expire", tag = "keys", security(("api_key" = [])),
    params(("id" = String, Path, description = "The key id")),
    request_body = ExpireKeyRequest,
    responses(
        (status = 200, description = "The key with its new expiry", body = KeyInfo),
        (status = 400, description = "Invalid id or body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key visible to the caller (`key_not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Revoked or expired already (`key_inactive`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn expire_key(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    Path(id): Path<String>,
    _: NoParams,
    JsonBody(request): JsonBody<ExpireKeyRequest>,
) -> Result<Json<KeyInfo>, ApiError> {
    Ok(Json(state.platform.expire_key(&auth.actor(), &key_id(&id)?, request.at).await?))
}

/// Usage of a key and its rotation family: requests per minute and day,
/// refusals by code, and `last_used_at`, so an operator can see who still
/// uses an old key during a grace window.
#[utoipa::path(get, path = "/v1/keys/{id}/usage", tag = "keys", security(("api_key" = [])),
    params(("id" = String, Path, description = "The key id")),
    responses(
        (status = 200, description = "Usage of the key's rotation family", body = KeyUsage),
        (status = 400, description = "Not a key id (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key visible to the caller (`key_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn key_usage(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<Json<KeyUsage>, ApiError> {
    Ok(Json(state.platform.key_usage(&auth.actor(), &key_id(&id)?).await?))
}
