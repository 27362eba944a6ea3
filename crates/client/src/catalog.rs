//! The asset catalog and its categories.

use altgate_protocol::{Asset, CategoryList, Page};

use crate::transport::encode;
use crate::{Client, Error};

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

    /// `GET /v1/assets`, one page; `query` is a raw query string such as
    /// `category=privacy&limit=50` (filters: `category`, repeatable,
    /// `consensus`, `symbol`, `q`; paging: `limit`, `cursor`).
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let mut query = "category=privacy&limit=50".to_owned();
    /// loop {
    ///     let page = client.assets(&query).await?;
    ///     for asset in &page.data {
    ///         println!("{}", asset.id);
    ///     }
    ///     let Some(cursor) = page.next_cursor else { break };
    ///     query = format!("category=privacy&limit=50&cursor={cursor}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn assets(&self, query: &str) -> Result<Page<Asset>, Error> {
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
