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

pub mod asset;
mod error;
mod page;
mod problem;
mod time;

pub use asset::{
    Asset, AssetId, Category, CategoryInfo, CategoryList, Chain, Consensus, InvalidAssetId, Peg,
    PegKind, UnknownValue,
};
pub use error::{ErrorCode, ErrorCodeInfo, UnknownErrorCode};
pub use page::Page;
pub use problem::{PROBLEM_CONTENT_TYPE, Problem};
pub use time::{Health, ServerTime};
