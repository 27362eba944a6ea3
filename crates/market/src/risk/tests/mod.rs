//! Tests of the risk metrics: hand-checked cases, property tests, and the
//! reference values empyrical produced from real series.

mod props;
mod reference;
mod unit;
