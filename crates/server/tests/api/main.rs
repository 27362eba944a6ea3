//! The service tested through HTTP: each test starts a real server on port 0
//! with its own temporary data directory.

// Helpers of a test binary are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod helpers;

mod accounts;
mod analytics;
mod audit;
mod catalog;
mod errors;
mod keys;
mod limits;
mod market;
mod openapi;
mod persistence;
mod signing;
mod stream;
mod system;
