//! The catalog tables.

use std::collections::HashMap;

use altgate_protocol::{Asset, AssetId, Category, Chain, Consensus, Peg};
use async_trait::async_trait;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::SqliteStore;
use crate::store::{AssetFilter, CatalogStore, MergeReport, PageRequest, StoreError};

/// The asset columns plus the categories, as a literal so queries can
/// `concat!` onto it.
macro_rules! select_assets {
    () => {
        "SELECT a.id, a.symbol, a.name, a.reference_asset, a.consensus, \
    a.native_chain, a.platform, a.token_standard, a.fork_of, a.peg_target, a.peg_kind, \
    a.launch_year, a.max_supply, a.description, a.edited_at, \
    (SELECT group_concat(c.category, ',') FROM asset_categories c WHERE c.asset_id = a.id) AS categories \
    FROM assets a"
    };
}

const SELECT_ASSETS: &str = select_assets!();

#[derive(sqlx::FromRow)]
struct AssetRow {
    id: String,
    symbol: String,
    name: String,
    reference_asset: bool,
    consensus: String,
    native_chain: Option<String>,
    platform: Option<String>,
    token_standard: Option<String>,
    fork_of: Option<String>,
    peg_target: Option<String>,
    peg_kind: Option<String>,
    launch_year: i64,
    max_supply: Option<i64>,
    description: String,
    edited_at: Option<i64>,
    categories: Option<String>,
}

fn corrupt(id: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("asset {id}: {what}"))
}

impl AssetRow {
    fn into_asset(self) -> Result<Asset, StoreError> {
        let id = &self.id;
        let chain = match (self.native_chain, self.platform, self.token_standard) {
            (Some(name), None, _) => Chain::Native { name },
            (None, Some(platform), Some(standard)) => {
                Chain::Token { platform: AssetId::parse(&platform).map_err(|e| corrupt(id, e))?, standard }
            }
            _ => return Err(corrupt(id, "neither a native chain nor a platform")),
        };
        let peg = match (self.peg_target, self.peg_kind) {
            (Some(target), Some(kind)) => Some(Peg { target, kind: kind.parse().map_err(|e| corrupt(id, e))? }),
            (None, None) => None,
            _ => return Err(corrupt(id, "half a peg")),
        };
        let mut categories = self
            .categories
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<Category>().map_err(|e| corrupt(id, e)))
            .collect::<Result<Vec<_>, _>>()?;
        categories.sort_unstable();
        Ok(Asset {
            id: AssetId::parse(id).map_err(|e| corrupt(id, e))?,
            symbol: self.symbol,
            name: self.name,
            reference_asset: self.reference_asset,
            categories,
            consensus: self.consensus.parse::<Consensus>().map_err(|e| corrupt(id, e))?,
            chain,
            fork_of: self.fork_of.map(|f| AssetId::parse(&f)).transpose().map_err(|e| corrupt(id, e))?,
            peg,
            launch_year: u16::try_from(self.launch_year).map_err(|e| corrupt(id, e))?,
            max_supply: self.max_supply.map(u64::try_from).transpose().map_err(|e| corrupt(id, e))?,
            description: self.description,
        })
    }
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn merge_catalog(&self, assets: &[Asset], now_ms: i64) -> Result<MergeReport, StoreError> {
        // IMMEDIATE takes the write lock up front, so two nodes or two
        // starts merging at once serialise instead of failing on upgrade.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut existing: HashMap<String, (Asset, bool)> = HashMap::new();
        for row in sqlx::query_as::<_, AssetRow>(SELECT_ASSETS).fetch_all(&mut *tx).await? {
            let edited = row.edited_at.is_some();
            let asset = row.into_asset()?;
            existing.insert(asset.id.as_str().to_owned(), (asset, edited));
        }
        let mut report = MergeReport::default();
        for asset in assets {
            match existing.get(asset.id.as_str()) {
                None => {
                    write_asset(&mut tx, asset, now_ms, Write::Insert).await?;
                    report.inserted += 1;
                }
                Some((_, true)) => report.kept_operator_edits += 1,
                Some((stored, false)) if stored == asset => report.unchanged += 1,
                Some((_, false)) => {
                    write_asset(&mut tx, asset, now_ms, Write::Update).await?;
                    report.updated += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn list_assets(&self, filter: &AssetFilter, page: &PageRequest) -> Result<Vec<Asset>, StoreError> {
        let mut query = QueryBuilder::<Sqlite>::new(SELECT_ASSETS);
        query.push(" WHERE 1 = 1");
        for category in &filter.categories {
            query.push(" AND EXISTS (SELECT 1 FROM asset_categories c WHERE c.asset_id = a.id AND c.category = ");
            query.push_bind(category.as_str()).push(")");
        }
        if let Some(consensus) = filter.consensus {
            query.push(" AND a.consensus = ").push_bind(consensus.as_str());
        }
        if let Some(symbol) = &filter.symbol {
            query.push(" AND a.symbol = ").push_bind(symbol.as_str()).push(" COLLATE NOCASE");
        }
        if let Some(text) = &filter.text {
            let needle = text.to_ascii_lowercase();
            query.push(" AND (instr(lower(a.name), ").push_bind(needle.clone());
            query.push(") > 0 OR instr(lower(a.symbol), ").push_bind(needle).push(") > 0)");
        }
        if let Some(after) = &page.after {
            query.push(" AND a.id > ").push_bind(after.as_str());
        }
        query.push(" ORDER BY a.id LIMIT ").push_bind(i64::from(page.limit));
        let rows = query.build_query_as::<AssetRow>().fetch_all(&self.pool).await?;
        rows.into_iter().map(AssetRow::into_asset).collect()
    }

    async fn asset(&self, id: &AssetId) -> Result<Option<Asset>, StoreError> {
        let sql = concat!(select_assets!(), " WHERE a.id = ?");
        let row = sqlx::query_as::<_, AssetRow>(sql).bind(id.as_str()).fetch_optional(&self.pool).await?;
        row.map(AssetRow::into_asset).transpose()
    }

    async fn category_counts(&self) -> Result<Vec<(Category, u64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT category, COUNT(*) FROM asset_categories GROUP BY category")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(category, count)| {
                let category = category.parse().map_err(|e| StoreError::Corrupt(format!("{e}")))?;
                Ok((category, u64::try_from(count).unwrap_or_default()))
            })
            .collect()
    }
}

#[derive(Clone, Copy)]
enum Write {
    Insert,
    Update,
}

async fn write_asset(conn: &mut SqliteConnection, asset: &Asset, now_ms: i64, write: Write) -> Result<(), StoreError> {
    let (native_chain, platform, standard) = match &asset.chain {
        Chain::Native { name } => (Some(name.as_str()), None, None),
        Chain::Token { platform, standard } => (None, Some(platform.as_str()), Some(standard.as_str())),
    };
    let max_supply = asset
        .max_supply
        .map(i64::try_from)
        .transpose()
        .map_err(|_| corrupt(asset.id.as_str(), "max_supply exceeds the store's range"))?;
    let sql = match write {
        Write::Insert => {
            "INSERT INTO assets (symbol, name, reference_asset, consensus, native_chain, platform, \
             token_standard, fork_of, peg_target, peg_kind, launch_year, max_supply, description, \
             updated_at, id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        }
        Write::Update => {
            "UPDATE assets SET symbol = ?, name = ?, reference_asset = ?, consensus = ?, \
             native_chain = ?, platform = ?, token_standard = ?, fork_of = ?, peg_target = ?, \
             peg_kind = ?, launch_year = ?, max_supply = ?, description = ?, updated_at = ? \
             WHERE id = ? AND edited_at IS NULL"
        }
    };
    let query = sqlx::query(sql)
        .bind(&asset.symbol)
        .bind(&asset.name)
        .bind(asset.reference_asset)
        .bind(asset.consensus.as_str())
        .bind(native_chain)
        .bind(platform)
        .bind(standard)
        .bind(asset.fork_of.as_ref().map(AssetId::as_str))
        .bind(asset.peg.as_ref().map(|p| p.target.as_str()))
        .bind(asset.peg.as_ref().map(|p| p.kind.as_str()))
        .bind(i64::from(asset.launch_year))
        .bind(max_supply)
        .bind(&asset.description)
        .bind(now_ms)
        .bind(asset.id.as_str());
    let query = match write {
        Write::Insert => query.bind(now_ms),
        Write::Update => query,
    };
    query.execute(&mut *conn).await?;
    sqlx::query("DELETE FROM asset_categories WHERE asset_id = ?").bind(asset.id.as_str()).execute(&mut *conn).await?;
    for category in &asset.categories {
        sqlx::query("INSERT INTO asset_categories (asset_id, category) VALUES (?, ?)")
            .bind(asset.id.as_str())
            .bind(category.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
