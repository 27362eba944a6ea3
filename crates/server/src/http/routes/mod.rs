//! One module per group of endpoints, each exposing its own `router()`.

pub(crate) mod catalog;
pub(crate) mod system;
