//! One module per group of endpoints, each exposing its own `router()`.

pub(crate) mod accounts;
pub(crate) mod analytics;
pub(crate) mod audit;
pub(crate) mod catalog;
pub(crate) mod import;
pub(crate) mod keys;
pub(crate) mod market;
pub(crate) mod stream;
pub(crate) mod system;
