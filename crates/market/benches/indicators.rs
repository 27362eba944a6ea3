//! Indicator speed over one million generated candles.
//!
//! `cargo bench -p altgate-market --bench indicators` runs one criterion
//! benchmark per indicator (`indicators_1m/<spec>`), each a batch call over
//! the whole series, output allocation included.
//!
//! With `ALTGATE_INDICATORS_TABLE=<dir>` set, it instead times each
//! indicator itself (best of `ALTGATE_INDICATORS_RUNS` calls, default 15)
//! and writes to `<dir>`: `input.f64` (open, high, low, close and volume
//! columns, little-endian f64), one `<name>.f64` per output (NaN during the
//! warm-up) and `timings.json` (best seconds per indicator). This is what
//! `bench/indicators_vs_talib.py` reads to time TA-Lib on the same series,
//! compare the outputs and print the ratio table.

#![allow(clippy::print_stdout, reason = "the table mode reports where it wrote its files")]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use altgate_market::indicators::{Series, adx, atr, bbands, ema, macd, obv, roc, rsi, sma, stddev, stoch, trange, wma};
use criterion::{Criterion, Throughput};

const BARS: usize = 1_000_000;

/// Generated candles: a geometric random walk (0.2% per bar), opens at the
/// previous close, highs and lows a little outside, volumes 1 to 1000.
struct Candles {
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

/// SplitMix64: a fixed, dependency-free sequence.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly standard normal (sum of 12 uniforms).
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

fn generate(n: usize) -> Candles {
    let mut rng = SplitMix(20_261_128);
    let mut candles = Candles {
        open: Vec::with_capacity(n),
        high: Vec::with_capacity(n),
        low: Vec::with_capacity(n),
        close: Vec::with_capacity(n),
        volume: Vec::with_capacity(n),
    };
    let mut close = 30_000.0f64;
    for _ in 0..n {
        let open = close;
        close = open * (0.002 * rng.normal()).exp();
        let high = open.max(close) * (1.0 + 0.001 * rng.uniform());
        let low = open.min(close) * (1.0 - 0.001 * rng.uniform());
        candles.open.push(open);
        candles.high.push(high);
        candles.low.push(low);
        candles.close.push(close);
        candles.volume.push(1.0 + 999.0 * rng.uniform());
    }
    candles
}

/// A named batch computation returning its output series.
type Run = fn(&Candles) -> Vec<Series>;

/// The indicators benchmarked, with the names of their outputs.
fn indicators() -> Vec<(&'static str, &'static [&'static str], Run)> {
    vec![
        ("sma(20)", &["sma"], |c| vec![sma(&c.close, 20).expect("sma")]),
        ("ema(20)", &["ema"], |c| vec![ema(&c.close, 20).expect("ema")]),
        ("wma(20)", &["wma"], |c| vec![wma(&c.close, 20).expect("wma")]),
        ("rsi(14)", &["rsi"], |c| vec![rsi(&c.close, 14).expect("rsi")]),
        ("macd(12,26,9)", &["macd", "signal", "hist"], |c| {
            let out = macd(&c.close, 12, 26, 9).expect("macd");
            vec![out.macd, out.signal, out.hist]
        }),
        ("bbands(20,2)", &["upper", "middle", "lower"], |c| {
            let out = bbands(&c.close, 20, 2.0, 2.0).expect("bbands");
            vec![out.upper, out.middle, out.lower]
        }),
        ("stddev(20,1)", &["stddev"], |c| vec![stddev(&c.close, 20, 1.0).expect("stddev")]),
        ("trange", &["trange"], |c| vec![trange(&c.high, &c.low, &c.close).expect("trange")]),
        ("atr(14)", &["atr"], |c| vec![atr(&c.high, &c.low, &c.close, 14).expect("atr")]),
        ("stoch(5,3,3)", &["slowk", "slowd"], |c| {
            let out = stoch(&c.high, &c.low, &c.close, 5, 3, 3).expect("stoch");
            vec![out.slowk, out.slowd]
        }),
        ("obv", &["obv"], |c| vec![obv(&c.close, &c.volume).expect("obv")]),
        ("adx(14)", &["adx", "plus_di", "minus_di"], |c| {
            let out = adx(&c.high, &c.low, &c.close, 14).expect("adx");
            vec![out.adx, out.plus_di, out.minus_di]
        }),
        ("roc(10)", &["roc"], |c| vec![roc(&c.close, 10).expect("roc")]),
    ]
}

fn criterion_benches(c: &mut Criterion, candles: &Candles) {
    let mut group = c.benchmark_group("indicators_1m");
    group.throughput(Throughput::Elements(BARS as u64));
    group.sample_size(20);
    for (name, _, run) in indicators() {
        group.bench_function(name, |b| b.iter(|| run(black_box(candles))));
    }
    group.finish();
}

fn write_f64(path: &Path, columns: &[&[f64]]) {
    let mut bytes = Vec::with_capacity(columns.iter().map(|c| c.len() * 8).sum());
    for column in columns {
        for value in *column {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn table(dir: &Path, candles: &Candles) {
    std::fs::create_dir_all(dir).expect("output folder");
    write_f64(&dir.join("input.f64"), &[&candles.open, &candles.high, &candles.low, &candles.close, &candles.volume]);
    let runs: usize = std::env::var("ALTGATE_INDICATORS_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(15);
    let only = std::env::var("ALTGATE_INDICATORS_ONLY").ok();
    let mut timings = Vec::new();
    for (name, outputs, run) in indicators() {
        if only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        let mut best = f64::INFINITY;
        let mut result = Vec::new();
        for _ in 0..runs.max(1) {
            // The previous output is freed first, as a caller would.
            drop(std::mem::take(&mut result));
            let start = Instant::now();
            result = black_box(run(black_box(candles)));
            best = best.min(start.elapsed().as_secs_f64());
        }
        for (output, series) in outputs.iter().zip(&result) {
            let aligned: Vec<f64> = series.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
            write_f64(&dir.join(format!("{name}.{output}.f64")), &[&aligned]);
        }
        timings.push(format!("  \"{name}\": {best:e}"));
    }
    let json =
        format!("{{\n  \"bars\": {BARS},\n  \"runs\": {runs},\n  \"seconds\": {{\n{}\n  }}\n}}\n", timings.join(",\n"));
    std::fs::write(dir.join("timings.json"), json).expect("timings.json");
    println!("wrote {}", dir.display());
}

fn main() {
    let candles = generate(BARS);
    if let Some(dir) = std::env::var_os("ALTGATE_INDICATORS_TABLE") {
        table(Path::new(&dir), &candles);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &candles);
    c.final_summary();
}
