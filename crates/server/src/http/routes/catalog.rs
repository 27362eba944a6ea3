//! `GET /v1/assets`, `GET /v1/assets/{id}` and `GET /v1/categories`.

use altgate_protocol::{Asset, AssetId, Category, CategoryInfo, CategoryList, Consensus, Page, Problem};
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Auth, Read};
use crate::http::cursor::Cursor;
use crate::http::error::ApiError;
use crate::http::json::APPLICATION_JSON;
use crate::http::openapi::{AuthErrors, CommonErrors};
use crate::http::query::{NoParams, QueryParams, int_in_range};
use crate::state::AppState;
use crate::store::{AssetFilter, PageRequest};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_assets)).routes(routes!(get_asset)).routes(routes!(list_categories))
}

/// The default and largest page sizes of `GET /v1/assets`.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 250;

/// Filters and paging of `GET /v1/assets`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AssetListQuery {
    /// Only assets in this category. Repeat it to require several: an asset
    /// must be in all of them.
    #[param(required = false)]
    category: Vec<Category>,
    /// Only assets with this consensus mechanism.
    consensus: Option<Consensus>,
    /// Only assets with this ticker symbol (case-insensitive, exact).
    symbol: Option<String>,
    /// Only assets whose name or symbol contains this text (case-insensitive).
    q: Option<String>,
    /// Page size, from 1 to 250.
    #[param(minimum = 1, maximum = 250, default = 100)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for AssetListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = QueryParams::parse(parts.uri.query());
        let query = AssetListQuery {
            category: params.all("category", str::parse)?,
            consensus: params.one("consensus", str::parse)?,
            symbol: params.one("symbol", non_blank)?,
            q: params.one("q", non_blank)?,
            limit: params.one("limit", int_in_range(1, MAX_LIMIT))?,
            cursor: params.one("cursor", |s| Ok::<_, String>(s.to_owned()))?,
        };
        params.finish()?;
        Ok(query)
    }
}

fn non_blank(s: &str) -> Result<String, &'static str> {
    let trimmed = s.trim();
    match trimmed.len() {
        0 => Err("must not be empty"),
        1..=100 => Ok(trimmed.to_owned()),
        _ => Err("must be at most 100 characters"),
    }
}

/// Lists the catalog, filtered and paginated.
#[utoipa::path(
    get,
    path = "/v1/assets",
    tag = "catalog",
    security(("api_key" = [])),
    params(AssetListQuery),
    responses(
        (status = 200, description = "One page of assets, ordered by id", body = Page<Asset>),
        (status = 400, description = "A parameter is unknown, repeated or invalid (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn list_assets(
    State(state): State<AppState>,
    _: Auth<Read>,
    query: AssetListQuery,
) -> Result<Json<Page<Asset>>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let after = match &query.cursor {
        Some(token) => {
            Some(Cursor::Assets.decode(token, AssetId::parse).map_err(|e| ApiError::invalid_parameter("cursor", e))?)
        }
        None => None,
    };
    let filter =
        AssetFilter { categories: query.category, consensus: query.consensus, symbol: query.symbol, text: query.q };
    // One extra row tells whether another page follows.
    let mut data = state.platform.store.list_assets(&filter, &PageRequest { after, limit: limit + 1 }).await?;
    let next_cursor = if data.len() > limit as usize {
        data.truncate(limit as usize);
        data.last().map(|last| Cursor::Assets.encode(last.id.as_str()))
    } else {
        None
    };
    Ok(Json(Page { data, next_cursor }))
}

/// Returns one asset.
#[utoipa::path(
    get,
    path = "/v1/assets/{id}",
    tag = "catalog",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The asset id, e.g. `ethereum`")),
    responses(
        (status = 200, description = "The asset", body = Asset),
        (status = 400, description = "The id is not of the id form, or a query parameter was given \
            (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No asset has this id (`asset_not_found`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn get_asset(
    State(state): State<AppState>,
    _: Auth<Read>,
    Path(id): Path<String>,
    _: NoParams,
) -> Result<impl IntoResponse, ApiError> {
    // Looked up as sent: every id in the catalog is of the id form, so only
    // an id that is not found is parsed, to tell a malformed id (400) from
    // an unknown one (404).
    if let Some(asset) = state.platform.catalog.get(&id) {
        // Rendered once when the catalog was loaded.
        return Ok(([(CONTENT_TYPE, APPLICATION_JSON)], asset.json));
    }
    let id = AssetId::parse(&id).map_err(|e| ApiError::invalid_parameter("id", e))?;
    Err(ApiError::asset_not_found(&id))
}

/// Lists the taxonomy of altcoin types with their asset counts.
#[utoipa::path(
    get,
    path = "/v1/categories",
    tag = "catalog",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Every category, in taxonomy order", body = CategoryList),
        (status = 400, description = "A query parameter was given (`invalid_parameter`)",
            body = Problem, content_type = "application/problem+json"),
        AuthErrors,
        CommonErrors,
    )
)]
async fn list_categories(
    State(state): State<AppState>,
    _: Auth<Read>,
    _: NoParams,
) -> Result<Json<CategoryList>, ApiError> {
    let counts = state.platform.store.category_counts().await?;
    let data = state
        .taxonomy
        .iter()
        .map(|doc| CategoryInfo {
            id: doc.id,
            name: doc.name.clone(),
            description: doc.description.clone(),
            asset_count: counts.iter().find(|(c, _)| *c == doc.id).map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(Json(CategoryList { data }))
}
