//! The asset catalog and its categories.

use altgate_protocol::{Asset, Category, CategoryList, Consensus, Page};

use crate::transport::encode;
use crate::{Client, Error};

/// Which assets [`Client::assets`] lists, and which page: every filter
/// given must hold.
///
/// ```
/// use altgate_client::AssetsQuery;
/// use altgate_client::protocol::{Category, Consensus};
/// let query = AssetsQuery {
///     categories: vec![Category::ProofOfStake, Category::Governance],
///     consensus: Some(Consensus::ProofOfStake),
///     ..AssetsQuery::default()
/// };
/// assert!(query.cursor.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetsQuery {
    /// Only assets in every one of these categories.
    pub categories: Vec<Category>,
    /// Only assets with this consensus mechanism.
    pub consensus: Option<Consensus>,
    /// Only assets with this ticker symbol (case-insensitive, exact).
    pub symbol: Option<String>,
    /// Only assets whose name or symbol contains this text (case-insensitive).
    pub text: Option<String>,
    /// Assets per page, 1 to 250 (100 when `None`).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl AssetsQuery {
    fn to_query(&self) -> String {
        let mut parts: Vec<String> = self.categories.iter().map(|c| format!("category={c}")).collect();
        parts.extend(self.consensus.map(|c| format!("consensus={c}")));
        parts.extend(self.symbol.as_deref().map(|s| format!("symbol={}", encode(s))));
        parts.extend(self.text.as_deref().map(|q| format!("q={}", encode(q))));
        parts.extend(self.limit.map(|l| format!("limit={l}")));
        parts.extend(self.cursor.as_deref().map(|c| format!("cursor={}", encode(c))));
        parts.join("&")
    }
}

impl Client {
    /// `GET /v1/assets/{id}`: one asset of the catalog.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let ethereum = client.asset("ethereum").await?;
    /// println!("{} ({}) is in {:?}", ethereum.name, ethereum.symbol, ethereum.categories);
    /// # Ok(()) }
    /// ```
    pub async fn asset(&self, id: &str) -> Result<Asset, Error> {
        self.get(&format!("/v1/assets/{}", encode(id))).await
    }

    /// `GET /v1/assets`, one page of the catalog, filtered by `query`.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::AssetsQuery;
    /// use altgate_client::protocol::Category;
    /// let mut query = AssetsQuery { categories: vec![Category::Privacy], limit: Some(50), ..AssetsQuery::default() };
    /// loop {
    ///     let page = client.assets(&query).await?;
    ///     for asset in &page.data {
    ///         println!("{}", asset.id);
    ///     }
    ///     let Some(cursor) = page.next_cursor else { break };
    ///     query.cursor = Some(cursor);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn assets(&self, query: &AssetsQuery) -> Result<Page<Asset>, Error> {
        let query = query.to_query();
        let path = if query.is_empty() { "/v1/assets".to_owned() } else { format!("/v1/assets?{query}") };
        self.get(&path).await
    }

    /// `GET /v1/categories`: every category, with its description and
    /// number of assets.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let categories = client.categories().await?;
    /// for category in categories.data {
    ///     println!("{:?}: {} assets", category.id, category.asset_count);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn categories(&self) -> Result<CategoryList, Error> {
        self.get("/v1/categories").await
    }
}
