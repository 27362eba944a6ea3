//! Wire types of the Altgate API, shared by the server and the SDK.
//!
//! Everything here is plain data with `serde` derives: no HTTP framework, no
//! database, no I/O. The server serialises these types and the SDK
//! deserialises the very same ones, so the two cannot drift apart.
//!
//! - [`ErrorCode`] is the one table of machine-readable error codes, each with
//!   its HTTP status. Clients match on the code, never on message text.
//! - [`Problem`] is the RFC 9457 problem document every error response carries.
//! - [`asset`] holds the catalog vocabulary: [`AssetId`], [`Category`],
//!   [`Consensus`] and the [`Asset`] record.
//! - [`ApiKey`] is the key format (`ag_live_…` with a CRC32 checksum);
//!   [`KeyInfo`], [`Account`] and [`AuditEvent`] are the key platform's records.

mod access;
mod account;
mod analytics;
pub mod asset;
mod audit;
mod base62;
mod error;
mod interval;
mod key;
mod keys;
mod market;
mod page;
mod problem;
pub mod signing;
pub mod stream;
mod text;
mod time;
mod timestamp;

pub use access::{Plan, Scope, Scopes};
pub use account::{Account, AccountStatus, CreateAccountRequest, Signup, SignupRequest, UpdateAccountRequest};
pub use analytics::{
    BacktestInfo, BenchmarkRisk, Correlations, DrawdownInfo, GradeComponent, GradeInfo, Grades, HoldingInput,
    IndicatorValues, Indicators, MetricValue, PortfolioAnalysis, PortfolioRequest, PortfolioWarningInfo, Risk, Share,
    SignalInfo, Signals, StrategyReport,
};
pub use asset::{
    Asset, AssetId, Category, CategoryInfo, CategoryList, Chain, Consensus, InvalidAssetId, Peg, PegKind, UnknownValue,
};
pub use audit::{AuditAction, AuditEvent};
pub use error::{ErrorCode, ErrorCodeInfo, UnknownErrorCode};
pub use interval::{Interval, UnknownInterval};
pub use key::{AccountId, ApiKey, Environment, KEY_CHECKSUM_DIGITS, KEY_RANDOM_DIGITS, KeyFormatError, KeyId};
pub use keys::{
    CreateKeyRequest, CreatedKey, ExpireKeyRequest, KeyInfo, KeyStatus, KeyUsage, KeyUsageEntry, RevokedKeys,
    RotateKeyRequest, UsagePoint,
};
pub use market::{CandleData, ImportResult, Ohlcv, Prices, RejectedRow, Source, Ticker};
pub use page::Page;
pub use problem::{PROBLEM_CONTENT_TYPE, Problem};
pub use text::{Email, InvalidText, Labels, Name};
pub use time::{Health, ServerTime};
pub use timestamp::{InvalidTimestamp, Timestamp};
