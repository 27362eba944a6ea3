use std::sync::Arc;

use altgate_market::import::ImportOptions;
use altgate_protocol::{AssetId, ImportResult, Interval};

use crate::clock::ManualClock;
use crate::config::Config;
use crate::platform::Platform;
use crate::store::{Series, SourcedCandle};

const HOUR: i64 = 3_600_000;
const START: i64 = 1_700_000_000_000 / HOUR * HOUR;

fn row(hour: i64, bad: bool) -> String {
    let open = 100.0 + (hour % 17) as f64;
    let high = if bad { open - 5.0 } else { open + 3.0 };
    format!("{},{open},{high},{},{},{}\n", START + hour * HOUR, open - 2.0, open + 1.0, hour as f64 * 0.5)
}

/// A banner, a header, then rows in the order given, with a bad row every
/// 37 hours and a blank line every 50 rows.
fn file(order: &[i64]) -> Vec<u8> {
    let mut text = String::from("Exported by a tool\ntime,open,high,low,close,volume\n");
    for (i, hour) in order.iter().enumerate() {
        text.push_str(&row(*hour, hour % 37 == 5));
        if i % 50 == 49 {
            text.push('\n');
        }
    }
    text.into_bytes()
}

async fn import(file: &[u8], part_bytes: usize, options: &ImportOptions) -> (ImportResult, Vec<SourcedCandle>) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_owned(), ..Config::default() };
    let platform = Platform::open(config, Arc::new(ManualClock::new(START))).await.unwrap();
    let asset = AssetId::parse("bitcoin").unwrap();
    let result =
        platform.import_in_parts(&asset, file.to_vec().into(), options.clone(), |_| {}, part_bytes).await.unwrap();
    let stored = platform.store.candles(&Series::new(asset, Interval::H1), i64::MIN..i64::MAX, u32::MAX).await.unwrap();
    platform.store.close().await;
    (result, stored)
}

#[tokio::test]
async fn a_file_imported_in_parts_equals_the_file_imported_whole() {
    let newest_first: Vec<i64> = (0..400).rev().collect();
    let mut shuffled: Vec<i64> = (0..400).collect();
    // A fixed shuffle, and one hour twice: later parts overlap earlier ones.
    for i in 0..shuffled.len() {
        shuffled.swap(i, (i * 7919 + 13) % 400);
    }
    shuffled.push(shuffled[10]);
    let hourly = ImportOptions { interval: Some(Interval::H1), symbol: None };
    for order in [newest_first, shuffled] {
        let file = file(&order);
        // Told the interval, parts of a shuffled file overlap, and the file
        // is read again whole; not told, its first part cannot tell it.
        for options in [ImportOptions::default(), hourly.clone()] {
            let (whole, stored) = import(&file, usize::MAX, &options).await;
            assert!(whole.rejected > 0 && whole.candles > 300, "{whole:?}");
            for part_bytes in [200, 1000, 5000] {
                let (parts, parts_stored) = import(&file, part_bytes, &options).await;
                assert_eq!(parts, whole, "parts of {part_bytes} bytes");
                assert_eq!(parts_stored, stored, "parts of {part_bytes} bytes");
            }
        }
    }
}
