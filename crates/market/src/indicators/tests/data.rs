//! Loading the shared reference data, and comparing series.

use crate::indicators::Series;

/// The text of `relative` under the indicator reference folder (see
/// [`crate::shared_data::read`]).
pub(super) fn read(relative: &str) -> Option<String> {
    let bytes = crate::shared_data::read(&format!("indicators/{relative}"))?;
    Some(String::from_utf8(bytes).expect("reference files are UTF-8"))
}

/// A CSV file with a header row: columns by name, empty cells as `None`.
pub(super) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(super) fn parse(text: &str) -> Table {
        let mut lines = text.lines().filter(|line| !line.trim().is_empty());
        let header = lines.next().expect("header").split(',').map(|h| h.trim().to_owned()).collect();
        let rows = lines.map(|line| line.split(',').map(|c| c.trim().to_owned()).collect()).collect();
        Table { header, rows }
    }

    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The column `name`, empty cells as `None`.
    pub(super) fn optional(&self, name: &str) -> Vec<Option<f64>> {
        let i = self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
        self.rows
            .iter()
            .map(|row| {
                let cell = row.get(i).map_or("", String::as_str);
                if cell.is_empty() { None } else { Some(cell.parse().unwrap_or_else(|_| panic!("{name}: {cell}"))) }
            })
            .collect()
    }

    /// The column `name`, every cell filled.
    pub(super) fn column(&self, name: &str) -> Vec<f64> {
        self.optional(name).into_iter().map(|v| v.unwrap_or_else(|| panic!("empty cell in {name}"))).collect()
    }
}

/// The relative difference of two numbers: 0 when equal.
pub(super) fn relative_error(ours: f64, expected: f64) -> f64 {
    if ours == expected {
        return 0.0;
    }
    (ours - expected).abs() / ours.abs().max(expected.abs())
}

/// Checks that `ours` has `None` exactly where `expected` is empty and is
/// within `tolerance` relative error elsewhere; returns the largest relative
/// error and the number of bit-identical points.
pub(super) fn compare(label: &str, ours: &Series, expected: &[Option<f64>], tolerance: f64) -> (f64, usize) {
    assert_eq!(ours.len(), expected.len(), "{label}: length");
    let mut worst = 0.0f64;
    let mut identical = 0;
    for (i, (ours, expected)) in ours.iter().zip(expected).enumerate() {
        match (ours, expected) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                let error = relative_error(a, *b);
                assert!(error <= tolerance, "{label}[{i}]: {a} vs TA-Lib {b} (relative error {error:e})");
                worst = worst.max(error);
                identical += usize::from(a.to_bits() == b.to_bits());
            }
            (a, b) => panic!("{label}[{i}]: {a:?} where the reference has {b:?}"),
        }
    }
    (worst, identical)
}

/// OHLCV columns of a jesse candle file (`timestamp, open, close, high,
/// low, volume`).
pub(super) struct Candles {
    pub(super) open: Vec<f64>,
    pub(super) high: Vec<f64>,
    pub(super) low: Vec<f64>,
    pub(super) close: Vec<f64>,
    pub(super) volume: Vec<f64>,
}

impl Candles {
    pub(super) fn jesse(table: &Table) -> Candles {
        Candles {
            open: table.column("open"),
            high: table.column("high"),
            low: table.column("low"),
            close: table.column("close"),
            volume: table.column("volume"),
        }
    }
}
