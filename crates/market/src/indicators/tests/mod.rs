//! Tests of the indicators: against TA-Lib's outputs and regression values,
//! StockCharts' worked examples and jesse's expectations (reference data in
//! `shared/data/indicators`), streaming against batch, and the spec parser.

mod data;
mod edge;
mod jesse;
mod regtest;
mod specs;
mod stockcharts;
mod streaming;
mod talib_generated;
