//! Market data and analytics.

use altgate_protocol::{
    Correlations, Grades, ImportResult, Indicators, Interval, Ohlcv, PortfolioAnalysis, PortfolioRequest, Prices, Risk,
    Signals, Timestamp,
};
use reqwest::Method;

use crate::transport::{Payload, decode_json, encode};
use crate::{Client, Error};

/// What [`Client::ohlcv`] asks for: an interval, and optionally a range, a
/// page size and the cursor of the previous page.
///
/// ```
/// use altgate_client::OhlcvQuery;
/// use altgate_client::protocol::{Interval, Timestamp};
/// let mut query = OhlcvQuery::new(Interval::D1);
/// query.start = Some(Timestamp::from_millis(1_735_689_600_000));
/// query.limit = Some(365);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OhlcvQuery {
    /// The candle interval.
    pub interval: Interval,
    /// The first candle: the one holding this instant.
    pub start: Option<Timestamp>,
    /// The last candle opens at or before this instant.
    pub end: Option<Timestamp>,
    /// Candles per page, 1 to 1000.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl OhlcvQuery {
    /// Every candle of `interval`, a page at a time.
    ///
    /// ```
    /// let query = altgate_client::OhlcvQuery::new(altgate_client::protocol::Interval::H1);
    /// assert!(query.start.is_none() && query.cursor.is_none());
    /// ```
    pub fn new(interval: Interval) -> OhlcvQuery {
        OhlcvQuery { interval, start: None, end: None, limit: None, cursor: None }
    }

    fn to_query(&self) -> String {
        let mut parts = vec![format!("interval={}", self.interval)];
        parts.extend(self.start.map(|t| format!("start={}", t.as_millis())));
        parts.extend(self.end.map(|t| format!("end={}", t.as_millis())));
        parts.extend(self.limit.map(|l| format!("limit={l}")));
        parts.extend(self.cursor.as_deref().map(|c| format!("cursor={}", encode(c))));
        parts.join("&")
    }
}

/// How [`Client::import`] reads a file: the interval (inferred from the
/// rows' spacing when `None`) and, in a multi-asset file, the asset's
/// symbol (`ETH` for the `ETH:open`… columns).
///
/// ```
/// use altgate_client::ImportOptions;
/// use altgate_client::protocol::Interval;
/// let options = ImportOptions { interval: Some(Interval::H1), symbol: Some("ETH".to_owned()) };
/// assert_eq!(ImportOptions::default().interval, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The candle interval; inferred when `None`.
    pub interval: Option<Interval>,
    /// The asset's symbol in a multi-asset file.
    pub symbol: Option<String>,
}

impl Client {
    /// `GET /v1/prices`: the tickers of `ids` (every asset with data when empty).
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let prices = client.prices(&["bitcoin", "ethereum"]).await?;
    /// for ticker in prices.data {
    ///     println!("{} {} ({:?} % in 24 h)", ticker.asset_id, ticker.price, ticker.change_24h_pct);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn prices(&self, ids: &[&str]) -> Result<Prices, Error> {
        if ids.is_empty() {
            return self.get("/v1/prices").await;
        }
        let ids: Vec<String> = ids.iter().map(|id| encode(id)).collect();
        self.get(&format!("/v1/prices?ids={}", ids.join(","))).await
    }

    /// `GET /v1/assets/{id}/ohlcv`: one page of candles.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::OhlcvQuery;
    /// use altgate_client::protocol::Interval;
    /// let mut query = OhlcvQuery::new(Interval::H1);
    /// loop {
    ///     let page = client.ohlcv("bitcoin", &query).await?;
    ///     println!("{} candles", page.data.len());
    ///     match page.next_cursor {
    ///         Some(cursor) => query.cursor = Some(cursor),
    ///         None => break,
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ohlcv(&self, id: &str, query: &OhlcvQuery) -> Result<Ohlcv, Error> {
        self.get(&format!("/v1/assets/{}/ohlcv?{}", encode(id), query.to_query())).await
    }

    /// `GET /v1/assets/{id}/indicators` for `specs` such as
    /// `rsi(14),macd(12,26,9)` at `interval`, over the last 1000 candles.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::Interval;
    /// let answer = client.indicators("ethereum", Interval::D1, "rsi(14),ema(50)").await?;
    /// println!("{:?}", answer.series[0].values.last());
    /// # Ok(()) }
    /// ```
    pub async fn indicators(&self, id: &str, interval: Interval, specs: &str) -> Result<Indicators, Error> {
        self.get(&format!("/v1/assets/{}/indicators?interval={interval}&indicators={}", encode(id), encode(specs)))
            .await
    }

    /// `GET /v1/assets/{id}/signals` at `interval`.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::Interval;
    /// let signals = client.signals("bitcoin", Interval::D1).await?;
    /// println!("{}: {:?}", signals.strategies[0].signal.direction, signals.strategies[0].signal.reasons);
    /// # Ok(()) }
    /// ```
    pub async fn signals(&self, id: &str, interval: Interval) -> Result<Signals, Error> {
        self.get(&format!("/v1/assets/{}/signals?interval={interval}", encode(id))).await
    }

    /// `GET /v1/assets/{id}/grades`.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let grades = client.grades("bitcoin").await?;
    /// println!("{:?}", grades.investor.map(|g| g.score));
    /// # Ok(()) }
    /// ```
    pub async fn grades(&self, id: &str) -> Result<Grades, Error> {
        self.get(&format!("/v1/assets/{}/grades", encode(id))).await
    }

    /// `GET /v1/assets/{id}/risk` over `window` returns of `interval`
    /// candles against `benchmark` (`None` for none).
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::Interval;
    /// let risk = client.risk("ethereum", Interval::D1, 365, Some("bitcoin")).await?;
    /// println!("volatility {:?}", risk.annual_volatility.value);
    /// # Ok(()) }
    /// ```
    pub async fn risk(
        &self,
        id: &str,
        interval: Interval,
        window: u32,
        benchmark: Option<&str>,
    ) -> Result<Risk, Error> {
        let benchmark = benchmark.map_or_else(|| "none".to_owned(), encode);
        let query = format!("interval={interval}&window={window}&benchmark={benchmark}");
        self.get(&format!("/v1/assets/{}/risk?{query}", encode(id))).await
    }

    /// `GET /v1/correlations` of `ids` over `window` daily returns.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// let matrix = client.correlations(&["bitcoin", "ethereum"], 90).await?;
    /// println!("{:?}", matrix.matrix[0][1]);
    /// # Ok(()) }
    /// ```
    pub async fn correlations(&self, ids: &[&str], window: u32) -> Result<Correlations, Error> {
        let ids: Vec<String> = ids.iter().map(|id| encode(id)).collect();
        self.get(&format!("/v1/correlations?ids={}&window={window}", ids.join(","))).await
    }

    /// `POST /v1/portfolio/analyze`.
    ///
    /// ```no_run
    /// # async fn run(client: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::protocol::{AssetId, HoldingInput, PortfolioRequest};
    /// let holding = |id: &str, usd: f64| HoldingInput {
    ///     asset_id: AssetId::parse(id).unwrap(),
    ///     quantity: None,
    ///     value_usd: Some(usd),
    /// };
    /// let request = PortfolioRequest { holdings: vec![holding("bitcoin", 6e4), holding("ethereum", 3e4)], window: None };
    /// let analysis = client.analyze_portfolio(&request).await?;
    /// println!("HHI {}", analysis.hhi);
    /// # Ok(()) }
    /// ```
    pub async fn analyze_portfolio(&self, request: &PortfolioRequest) -> Result<PortfolioAnalysis, Error> {
        self.post("/v1/portfolio/analyze", Some(request)).await
    }

    /// `POST /v1/import` (`admin`, signed): stores the candles of an OHLCV
    /// file (sent as `text/csv`, up to the server's `market.max_import_bytes`)
    /// for the catalog asset `id`. The formats are those of `altgate
    /// import`; importing the same file again changes nothing. Rows that are
    /// not valid candles are counted and listed in the answer, never stored.
    ///
    /// ```no_run
    /// # async fn run(admin: altgate_client::Client) -> Result<(), altgate_client::Error> {
    /// use altgate_client::ImportOptions;
    /// let file = std::fs::read("BTCUSDT-1h-2025-01.csv").expect("the file");
    /// let result = admin.import("bitcoin", &ImportOptions::default(), &file).await?;
    /// println!("{} candles at {}, {} rows rejected", result.candles, result.interval, result.rejected);
    /// # Ok(()) }
    /// ```
    pub async fn import(&self, id: &str, options: &ImportOptions, file: &[u8]) -> Result<ImportResult, Error> {
        let mut path = format!("/v1/import?asset={}", encode(id));
        if let Some(interval) = options.interval {
            path.push_str(&format!("&interval={interval}"));
        }
        if let Some(symbol) = &options.symbol {
            path.push_str(&format!("&symbol={}", encode(symbol)));
        }
        let payload = Payload { bytes: file, content_type: "text/csv" };
        decode_json(self.call(Method::POST, &path, Some(payload)).await?).await
    }
}
