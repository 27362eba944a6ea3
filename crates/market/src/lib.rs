//! The pure market domain of Altgate.
//!
//! This crate does no I/O: no files, no network, no clock. It turns data it
//! is handed into checked domain values, and computes on them. That is
//! the asset catalog and its taxonomy ([`catalog`], [`taxonomy`]) and
//! checked candles and their aggregation ([`candle`]), file imports
//! ([`import`]), the demo simulator ([`simulator`]), technical indicators
//! ([`indicators`]), risk metrics ([`risk`]) and portfolio analytics
//! ([`portfolio`]).

pub mod candle;
pub mod catalog;
pub mod grades;
pub mod import;
pub mod indicators;
pub mod portfolio;
pub mod risk;
#[cfg(test)]
mod shared_data;
pub mod signals;
pub mod simulator;
pub mod taxonomy;

pub use candle::{Candle, CandleError, CandleParts, Interval, Resampler, resample};
pub use catalog::{Catalog, CatalogError};
pub use taxonomy::{CategoryDoc, Taxonomy};
