//! The pure market domain of Altgate.
//!
//! This crate does no I/O: no files, no network, no clock. It turns data it
//! is handed into checked domain values, and computes on them. Today that is
//! the asset catalog and its taxonomy ([`catalog`], [`taxonomy`]).

pub mod catalog;
pub mod taxonomy;

pub use catalog::{Catalog, CatalogError};
pub use taxonomy::{CategoryDoc, Taxonomy};
