//! Hash maps keyed by identifiers the service issued itself (key and
//! account ids) or took from its operator (the catalog's asset ids), looked
//! up on every authenticated request.
//!
//! `std`'s default hasher, SipHash-1-3, resists flooding with chosen keys,
//! which these maps do not need: an entry is inserted only for a key, an
//! account or a catalog asset that exists, so no client chooses what goes in
//! (a lookup with an unknown id costs one probe and inserts nothing). foldhash, hashbrown's
//! default and still seeded per process, hashes a 20-byte id several times
//! faster, and an authenticated request hashes such ids five times.
//! Client-chosen values (nonces) keep keyed SipHash: see [`crate::replay`].

/// The hasher of [`IdMap`], seeded once per process.
pub(crate) type IdHasher = foldhash::fast::RandomState;

/// A map keyed by service-issued ids.
pub(crate) type IdMap<K, V> = std::collections::HashMap<K, V, IdHasher>;
