//! `/v1/signup` and `/v1/accounts`.

use altgate_protocol::{
    Account, AccountId, CreateAccountRequest, Problem, RevokedKeys, Signup, SignupRequest, UpdateAccountRequest,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Admin, AnyKey, Auth, ClientIp, Keys};
use crate::http::error::ApiError;
use crate::http::json::JsonBody;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::NoParams;
use crate::state::AppState;
use crate::store::AccountChange;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(create_account))
        .routes(routes!(show_account, update_account))
        .routes(routes!(suspend_account))
        .routes(routes!(reactivate_account))
        .routes(routes!(revoke_all_keys))
}

fn account_id(raw: &str) -> Result<AccountId, ApiError> {
    AccountId::parse(raw).map_err(|e| ApiError::invalid_parameter("id", format!("is not an account id: it {e}")))
}

/// Free self-service signup: creates a `free` account and its first live
/// `read` key, shown once. Limited per client address.
#[utoipa::path(post, path = "/v1/signup", tag = "accounts",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "The account and its first key, with the secret", body = Signup),
        (status = 400, description = "A field is invalid (`invalid_body`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Signup is disabled on this server (`not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many signups from this address (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
    ))]
async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    _: NoParams,
    JsonBody(request): JsonBody<SignupRequest>,
) -> Result<(StatusCode, Json<Signup>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.platform.signup(ip, request).await?)))
}

/// Creates an account (admin).
#[utoipa::path(post, path = "/v1/accounts", tag = "accounts", security(("api_key" = [])),
    request_body = CreateAccountRequest,
    responses(
        (status = 201, description = "The new account", body = Account),
        (status = 400, description = "A field is invalid (`invalid_body`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn create_account(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    _: NoParams,
    JsonBody(request): JsonBody<CreateAccountRequest>,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.platform.create_account(&auth.actor(), request).await?)))
}

/// Shows an account: any account for an admin, its own for any other key.
#[utoipa::path(get, path = "/v1/accounts/{id}", tag = "accounts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The account id")),
    responses(
        (status = 200, description = "The account, with its effective limits", body = Account),
        (status = 400, description = "Not an account id (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account visible to the caller (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn show_account(
    State(state): State<AppState>,
    auth: Auth<AnyKey>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(state.platform.show_account(&auth.actor(), &account_id(&id)?).await?))
}

/// Changes an account's name, plan or limit overrides (admin). A `null`
/// override returns to the plan's value.
#[utoipa::path(patch, path = "/v1/accounts/{id}", tag = "accounts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The account id")),
    request_body = UpdateAccountRequest,
    responses(
        (status = 200, description = "The account after the change", body = Account),
        (status = 400, description = "Invalid id or body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON (`unsupported_media_type`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn update_account(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path(id): Path<String>,
    _: NoParams,
    JsonBody(request): JsonBody<UpdateAccountRequest>,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(state.platform.update_account(&auth.actor(), &account_id(&id)?, request).await?))
}

/// Suspends an account: every one of its keys is refused with
/// `account_suspended` from the next request on (admin).
#[utoipa::path(post, path = "/v1/accounts/{id}/suspend", tag = "accounts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The account id")),
    responses(
        (status = 200, description = "The suspended account", body = Account),
        (status = 400, description = "Not an account id, or the operator's account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn suspend_account(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<Json<Account>, ApiError> {
    let change = AccountChange::Suspend { at: state.platform.now() };
    Ok(Json(state.platform.change_account(&auth.actor(), &account_id(&id)?, change).await?))
}

/// Lifts a suspension (admin).
#[utoipa::path(post, path = "/v1/accounts/{id}/reactivate", tag = "accounts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The account id")),
    responses(
        (status = 200, description = "The reactivated account", body = Account),
        (status = 400, description = "Not an account id (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn reactivate_account(
    State(state): State<AppState>,
    auth: Auth<Admin>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(state.platform.change_account(&auth.actor(), &account_id(&id)?, AccountChange::Reactivate).await?))
}

/// Emergency: revokes every key of an account at once. An admin may do it
/// for any account, a `keys` key for its own.
#[utoipa::path(post, path = "/v1/accounts/{id}/revoke-all-keys", tag = "accounts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The account id")),
    responses(
        (status = 200, description = "The keys revoked", body = RevokedKeys),
        (status = 400, description = "Not an account id (`invalid_parameter`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account visible to the caller (`account_not_found`)", body = Problem, content_type = "application/problem+json"),
        AuthErrors, CommonErrors,
    ))]
async fn revoke_all_keys(
    State(state): State<AppState>,
    auth: Auth<Keys>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<Json<RevokedKeys>, ApiError> {
    let revoked = state.platform.revoke_all_keys(&auth.actor(), &account_id(&id)?).await?;
    Ok(Json(RevokedKeys { revoked }))
}
