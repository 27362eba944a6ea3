use std::collections::{BTreeSet, HashSet};

use altgate_protocol::AssetId;
use proptest::prelude::*;

use super::*;
use crate::candle::{Candle, Interval, resample};
use crate::catalog::Catalog;

const DAY_MS: i64 = 24 * HOUR_MS;
const YEAR_HOURS: i64 = 8760;
/// The anchor of most tests: 2026-06-01T00:00:00Z, a Monday.
const ANCHOR: i64 = 1_780_272_000_000;

fn id(s: &str) -> AssetId {
    AssetId::parse(s).unwrap()
}

fn sim(seed: u64) -> Simulator {
    Simulator::new(&Catalog::builtin(), seed).unwrap().with_anchor(ANCHOR).unwrap()
}

/// Hourly candles of the `hours` hours before the anchor.
fn history(sim: &Simulator, asset: &str, hours: i64) -> Vec<Candle> {
    sim.candles(&id(asset), Interval::H1, ANCHOR - hours * HOUR_MS, ANCHOR).unwrap()
}

fn log_returns(candles: &[Candle]) -> Vec<f64> {
    candles.iter().map(|c| (c.close() / c.open()).ln()).collect()
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64
}

fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let cov = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>() / x.len() as f64;
    cov / (variance(x) * variance(y)).sqrt()
}

fn excess_kurtosis(x: &[f64]) -> f64 {
    let m = mean(x);
    let m4 = x.iter().map(|v| (v - m).powi(4)).sum::<f64>() / x.len() as f64;
    m4 / variance(x).powi(2) - 3.0
}

fn annualised_vol(returns: &[f64]) -> f64 {
    (variance(returns) * YEAR_HOURS as f64).sqrt()
}

// ---------------------------------------------------------------- the table

#[test]
fn every_catalog_asset_has_exactly_one_reference_price() {
    let catalog = Catalog::builtin();
    let table = reference::builtin().unwrap();
    let catalog_ids: BTreeSet<&AssetId> = catalog.assets().iter().map(|a| &a.id).collect();
    let table_ids: BTreeSet<&AssetId> = table.keys().collect();
    let missing: Vec<_> = catalog_ids.difference(&table_ids).collect();
    let extra: Vec<_> = table_ids.difference(&catalog_ids).collect();
    assert!(missing.is_empty(), "no reference price for {missing:?}");
    assert!(extra.is_empty(), "reference prices for assets not in the catalog: {extra:?}");
    let sim = Simulator::new(&catalog, 1).unwrap();
    assert_eq!(sim.assets().len(), catalog.assets().len());
    assert!(sim.assets().zip(catalog.assets()).all(|(s, c)| s == &c.id), "catalog order");
    for asset in catalog.assets() {
        let price = sim.reference_price(&asset.id).unwrap();
        let usd = table[&asset.id].usd;
        assert_eq!(price, usd, "{}", asset.id);
    }
}

#[test]
fn reference_tables_that_break_the_rules_are_refused() {
    let bad = [
        "[asset]\nx = { usd = 0, class = \"large\" }",
        "[asset]\nx = { usd = 1, class = \"large\", daily_volume = -1 }",
        "[asset]\nx = { usd = 1, class = \"wrapped\" }",
        "[asset]\nx = { usd = 1, class = \"wrapped\", tracks = \"y\" }",
        "[asset]\nx = { usd = 1, class = \"wrapped\", tracks = \"y\" }\ny = { usd = 1, class = \"stable\" }",
        "[asset]\nx = { usd = 1, class = \"large\", tracks = \"y\" }\ny = { usd = 1, class = \"large\" }",
        "[asset]\nx = { usd = 1, class = \"giant\" }",
        "[asset]\nx = { usd = 1, class = \"large\", colour = \"red\" }",
    ];
    for text in bad {
        assert!(reference::parse(text).is_err(), "accepted {text}");
    }
    let good = "[asset]\nx = { usd = 1, class = \"wrapped\", tracks = \"y\" }\ny = { usd = 2.5, class = \"meme\" }";
    assert_eq!(reference::parse(good).unwrap().len(), 2);
}

#[test]
fn a_catalog_asset_without_a_reference_price_is_refused() {
    let catalog = Catalog::parse(
        r#"
        [[asset]]
        id = "fakecoin"
        symbol = "FAKE"
        name = "Fake"
        categories = []
        consensus = "proof-of-work"
        native_chain = "Fake"
        launch_year = 2020
        description = "Not in the reference table."
        "#,
    )
    .unwrap();
    assert_eq!(Simulator::new(&catalog, 1).unwrap_err(), SimulatorError::MissingReference(id("fakecoin")));
}

#[test]
fn every_asset_draws_from_its_own_streams() {
    let catalog = Catalog::builtin();
    let mut labels: Vec<String> = catalog.assets().iter().map(|a| format!("asset:{}", a.id)).collect();
    labels.extend(["@market", "@index:XAU", "@index:EUR"].map(str::to_owned));
    let entities: HashSet<rng::Entity> = labels.iter().map(|l| rng::Entity::named(l)).collect();
    assert_eq!(entities.len(), labels.len());
}

// ------------------------------------------------------------- determinism

#[test]
fn the_same_seed_gives_the_same_prices_and_another_seed_others() {
    let (a, b, c) = (sim(7), sim(7), sim(8));
    for asset in ["bitcoin", "tether", "wrapped-bitcoin", "pax-gold"] {
        let from = ANCHOR - 200 * HOUR_MS;
        let run = |s: &Simulator| s.candles(&id(asset), Interval::H1, from, ANCHOR + 50 * HOUR_MS).unwrap();
        assert_eq!(run(&a), run(&b), "{asset}");
        assert_ne!(run(&a), run(&c), "{asset}");
        let tick = |s: &Simulator| s.tick(&id(asset), ANCHOR - 12_345_678).unwrap();
        assert_eq!(tick(&a).to_bits(), tick(&b).to_bits(), "{asset}");
        assert_ne!(tick(&a), tick(&c), "{asset}");
    }
}

#[test]
fn prices_are_pinned_bit_for_bit() {
    // Golden values: the same on every machine. A change here changes every
    // simulated history; bump rng::MODEL_VERSION when that is intended.
    let s = sim(42);
    let btc = s.candles(&id("bitcoin"), Interval::H1, ANCHOR - 1000 * HOUR_MS, ANCHOR - 999 * HOUR_MS).unwrap();
    let usdt = s.candles(&id("tether"), Interval::H1, ANCHOR + 500 * HOUR_MS, ANCHOR + 501 * HOUR_MS).unwrap();
    let tick = s.tick(&id("ethereum"), ANCHOR - 3 * DAY_MS + 1234).unwrap();
    let got = [btc[0].close().to_bits(), btc[0].high().to_bits(), usdt[0].close().to_bits(), tick.to_bits()];
    assert_eq!(
        got,
        [4680708925847262545, 4680723693981767123, 4607177546433245640, 4660045614049816983],
        "{:?}",
        got.map(f64::from_bits)
    );
}

#[test]
fn split_generation_equals_one_shot() {
    let s = sim(3);
    let (from, to) = (ANCHOR - 400 * HOUR_MS, ANCHOR + 300 * HOUR_MS);
    for asset in ["bitcoin", "dogecoin", "tether", "euro-coin", "wrapped-bitcoin"] {
        let one_shot = s.candles(&id(asset), Interval::H1, from, to).unwrap();
        assert_eq!(one_shot.len(), 700);
        for split in [from + HOUR_MS, ANCHOR - 77 * HOUR_MS, ANCHOR, ANCHOR + HOUR_MS, to - 5 * HOUR_MS] {
            let mut two = s.candles(&id(asset), Interval::H1, from, split).unwrap();
            two.extend(s.candles(&id(asset), Interval::H1, split, to).unwrap());
            assert_eq!(two, one_shot, "{asset} split at {split}");
        }
    }
    // Minutes too, across the anchor.
    let (from, to) = (ANCHOR - 90 * MINUTE_MS, ANCHOR + 90 * MINUTE_MS);
    let one_shot = s.candles(&id("solana"), Interval::M1, from, to).unwrap();
    let mut two = s.candles(&id("solana"), Interval::M1, from, ANCHOR + 7 * MINUTE_MS).unwrap();
    two.extend(s.candles(&id("solana"), Interval::M1, ANCHOR + 7 * MINUTE_MS, to).unwrap());
    assert_eq!(two, one_shot);
}

// ------------------------------------------------------------------ candles

#[test]
fn candles_are_aligned_continuous_and_without_gaps() {
    let s = sim(11);
    let from = ANCHOR - 30 * DAY_MS + 1; // unaligned: starts at the next bucket
    let to = ANCHOR + 10 * DAY_MS;
    for interval in Interval::ALL {
        let (from, to) =
            if interval < Interval::H1 { (ANCHOR - 5 * HOUR_MS + 1, ANCHOR + HOUR_MS) } else { (from, to) };
        for asset in ["bitcoin", "usd-coin", "ecash"] {
            let candles = s.candles(&id(asset), interval, from, to).unwrap();
            assert!(!candles.is_empty());
            let first = candles[0].open_time();
            assert!(first >= from && first - interval.millis() < from && interval.is_aligned(first), "{interval}");
            assert!(candles.last().unwrap().open_time() < to);
            assert!(interval.next(candles.last().unwrap().open_time()) >= to, "{interval}: ends early");
            for pair in candles.windows(2) {
                assert_eq!(pair[1].open_time(), interval.next(pair[0].open_time()), "{interval}: gap");
                assert_eq!(pair[1].open(), pair[0].close(), "{interval}: jump");
            }
            for c in &candles {
                // Candle::new checked each; check again, and volumes.
                assert!(Candle::new(interval, c.parts()).is_ok());
                assert!(c.volume() > 0.0 && c.trades().is_some(), "{asset} {c}");
            }
        }
    }
}

#[test]
fn empty_and_invalid_ranges() {
    let s = sim(1);
    let btc = id("bitcoin");
    assert!(s.candles(&btc, Interval::H1, ANCHOR, ANCHOR).unwrap().is_empty());
    assert!(s.candles(&btc, Interval::H1, ANCHOR + 1, ANCHOR + HOUR_MS).unwrap().is_empty());
    assert!(matches!(
        s.candles(&id("nocoin"), Interval::H1, ANCHOR, ANCHOR + HOUR_MS),
        Err(SimulatorError::UnknownAsset(_))
    ));
    assert!(matches!(s.candles(&btc, Interval::H1, 0, ANCHOR), Err(SimulatorError::OutOfRange { .. })));
    assert!(matches!(s.candles(&btc, Interval::H1, ANCHOR, i64::MAX), Err(SimulatorError::OutOfRange { .. })));
    assert!(matches!(s.tick(&btc, MAX_TIME_MS), Err(SimulatorError::OutOfRange { .. })));
    assert!(matches!(
        s.candles(&btc, Interval::M1, ANCHOR, ANCHOR + 365 * DAY_MS),
        Err(SimulatorError::TooManyCandles { .. })
    ));
    // Counted in hours generated, not candles returned.
    assert!(matches!(
        s.candles(&btc, Interval::W1, ANCHOR, ANCHOR + 35 * 365 * DAY_MS),
        Err(SimulatorError::TooManyCandles { count }) if count > MAX_GENERATED
    ));
    assert!(Simulator::new(&Catalog::builtin(), 1).unwrap().with_anchor(MAX_TIME_MS).is_err());
    let unaligned = sim(1).with_anchor(ANCHOR + 1234).unwrap();
    assert_eq!(unaligned.anchor_ms(), ANCHOR);
    assert_eq!(Simulator::new(&Catalog::builtin(), 1).unwrap().anchor_ms(), DEFAULT_ANCHOR_MS);
}

#[test]
fn minutes_aggregate_to_their_hour_exactly() {
    let s = sim(5);
    for asset in ["bitcoin", "ethereum", "tether", "pax-gold", "the-doge-nft", "wrapped-bitcoin"] {
        let (from, to) = (ANCHOR - 3 * HOUR_MS, ANCHOR + 3 * HOUR_MS);
        let hours = s.candles(&id(asset), Interval::H1, from, to).unwrap();
        let minutes = s.candles(&id(asset), Interval::M1, from, to).unwrap();
        assert_eq!(minutes.len(), 360);
        assert_eq!(resample(&minutes, Interval::H1), hours, "{asset}");
        let fives = s.candles(&id(asset), Interval::M5, from, to).unwrap();
        assert_eq!(fives, resample(&minutes, Interval::M5), "{asset}");
    }
    // Days are hours aggregated.
    let days = s.candles(&id("cardano"), Interval::D1, ANCHOR - 3 * DAY_MS, ANCHOR).unwrap();
    let hours = s.candles(&id("cardano"), Interval::H1, ANCHOR - 3 * DAY_MS, ANCHOR).unwrap();
    assert_eq!(days, resample(&hours, Interval::D1));
}

#[test]
fn ticks_lie_within_their_minute_and_close_it() {
    let s = sim(9);
    let mut ticker = s.ticker();
    for asset in ["bitcoin", "usd-coin", "kaspa"] {
        let from = ANCHOR + 2 * HOUR_MS + 17 * MINUTE_MS;
        let minutes = s.candles(&id(asset), Interval::M1, from, from + 3 * MINUTE_MS).unwrap();
        for minute in &minutes {
            for second in 0..60 {
                let at = minute.open_time() + second * SECOND_MS + 999;
                let price = ticker.price(&id(asset), at).unwrap();
                assert!(minute.low() <= price && price <= minute.high(), "{asset} {minute} {price}");
                if second == 59 {
                    assert_eq!(price, minute.close());
                }
            }
            // Stateless and incremental agree.
            let at = minute.open_time() + 30 * SECOND_MS;
            assert_eq!(s.tick(&id(asset), at).unwrap().to_bits(), ticker.price(&id(asset), at).unwrap().to_bits());
        }
    }
    // Before the anchor the ticker falls back to the stateless path.
    let at = ANCHOR - 5 * DAY_MS + 42_000;
    assert_eq!(ticker.price(&id("bitcoin"), at).unwrap(), s.tick(&id("bitcoin"), at).unwrap());
}

#[test]
fn the_ticker_matches_the_candles_for_every_asset() {
    let s = sim(13);
    let mut ticker = s.ticker();
    let at = ANCHOR + 30 * HOUR_MS + 5 * MINUTE_MS;
    let prices: Vec<TickPrice> = ticker.tick(at + 59 * SECOND_MS).unwrap().to_vec();
    let minutes = ticker.candles(Interval::M1, at).unwrap();
    let hours = ticker.candles(Interval::H1, at).unwrap();
    assert!(matches!(ticker.candles(Interval::D1, at), Err(SimulatorError::UnsupportedInterval(Interval::D1))));
    for (i, asset) in s.assets().enumerate() {
        assert_eq!(&prices[i].asset, asset);
        let minute = s.candles(asset, Interval::M1, at, at + MINUTE_MS).unwrap();
        assert_eq!(minute, [minutes[i]], "{asset}");
        assert_eq!(prices[i].price, minute[0].close(), "{asset}");
        let hour = s.candles(asset, Interval::H1, Interval::H1.align(at), Interval::H1.align(at) + HOUR_MS).unwrap();
        assert_eq!(hour, [hours[i]], "{asset}");
    }
    // The hour just closed, asked while ticking in the next, is still at hand.
    let next_hour = Interval::H1.align(at) + HOUR_MS;
    ticker.tick(next_hour + 5 * SECOND_MS).unwrap();
    assert_eq!(ticker.candles(Interval::H1, at).unwrap(), hours);
    assert_eq!(ticker.candles(Interval::M1, next_hour - MINUTE_MS).unwrap().len(), prices.len());
    // Going back in time recomputes and agrees.
    let earlier = ticker.tick(ANCHOR + 10 * SECOND_MS).unwrap()[0].price;
    assert_eq!(earlier, s.tick(&id("bitcoin"), ANCHOR + 10 * SECOND_MS).unwrap());
}

// -------------------------------------------------------------- statistics

#[test]
fn hourly_returns_have_fat_tails() {
    let s = sim(21);
    let mut pooled = Vec::new();
    for asset in ["bitcoin", "ethereum", "solana", "dogecoin", "kaspa", "ravencoin"] {
        let r = log_returns(&history(&s, asset, YEAR_HOURS / 2));
        let (m, sd) = (mean(&r), variance(&r).sqrt());
        pooled.extend(r.iter().map(|v| (v - m) / sd));
    }
    let kurtosis = excess_kurtosis(&pooled);
    assert!(kurtosis > 2.0, "pooled excess kurtosis {kurtosis}");
}

#[test]
fn volatility_clusters() {
    for seed in [1, 2] {
        let r = log_returns(&history(&sim(seed), "bitcoin", YEAR_HOURS));
        let abs: Vec<f64> = r.iter().map(|v| v.abs()).collect();
        let lag1 = correlation(&abs[1..], &abs[..abs.len() - 1]);
        // With 8760 hours the standard error is about 0.011.
        assert!(lag1 > 0.1, "seed {seed}: |r| lag-1 autocorrelation {lag1}");
        // Clustering lasts: still positive a day later.
        let lag24 = correlation(&abs[24..], &abs[..abs.len() - 24]);
        assert!(lag24 > 0.05, "seed {seed}: |r| lag-24 autocorrelation {lag24}");
        // Returns themselves are not autocorrelated.
        let raw = correlation(&r[1..], &r[..r.len() - 1]);
        assert!(raw.abs() < 0.05, "seed {seed}: return autocorrelation {raw}");
    }
}

#[test]
fn alts_move_with_bitcoin() {
    let s = sim(4);
    let btc = log_returns(&history(&s, "bitcoin", YEAR_HOURS / 2));
    let corr = |asset: &str| correlation(&log_returns(&history(&s, asset, YEAR_HOURS / 2)), &btc);
    let eth = corr("ethereum");
    assert!((0.6..0.95).contains(&eth), "ethereum-bitcoin correlation {eth}");
    let small = corr("ravencoin");
    assert!((0.3..0.9).contains(&small), "ravencoin-bitcoin correlation {small}");
    assert!(small < eth);
    // Wrapped bitcoin is bitcoin, give or take its basis.
    assert!(corr("wrapped-bitcoin") > 0.95);
    // Stablecoins do not follow.
    assert!(corr("tether").abs() < 0.1);
}

#[test]
fn volatility_levels_are_realistic() {
    for seed in [1, 2, 3] {
        let s = sim(seed);
        let vol = |asset: &str| annualised_vol(&log_returns(&history(&s, asset, YEAR_HOURS)));
        let btc = vol("bitcoin");
        assert!((0.3..1.2).contains(&btc), "seed {seed}: bitcoin annualised volatility {btc}");
        let eth = vol("ethereum");
        assert!((0.5..1.5).contains(&eth) && eth > btc, "seed {seed}: ethereum {eth} vs bitcoin {btc}");
        let meme = vol("the-doge-nft");
        assert!(meme > eth, "seed {seed}: meme {meme} vs ethereum {eth}");
        let gold = vol("pax-gold");
        assert!((0.05..0.4).contains(&gold), "seed {seed}: gold token volatility {gold}");
    }
}

#[test]
fn volume_rises_with_moves_and_has_a_realistic_size() {
    let s = sim(6);
    let candles = history(&s, "bitcoin", YEAR_HOURS / 2);
    let abs: Vec<f64> = log_returns(&candles).iter().map(|r| r.abs()).collect();
    let volume: Vec<f64> = candles.iter().map(Candle::volume).collect();
    let corr = correlation(&abs, &volume);
    assert!(corr > 0.2, "volume-|return| correlation {corr}");
    let daily_usd = candles.iter().map(|c| c.volume() * c.close()).sum::<f64>() / (candles.len() as f64 / 24.0);
    assert!((1e10..1e11).contains(&daily_usd), "bitcoin daily turnover {daily_usd:e}");
}

// ------------------------------------------------------------- stablecoins

#[test]
fn stablecoins_hold_their_peg() {
    let s = sim(8);
    for asset in ["tether", "usd-coin", "dai", "liquity-usd", "paypal-usd"] {
        let closes: Vec<f64> = history(&s, asset, 3 * YEAR_HOURS).iter().map(Candle::close).collect();
        let near = closes.iter().filter(|c| (*c - 1.0).abs() < 0.01).count();
        let share = near as f64 / closes.len() as f64;
        assert!(share >= 0.99, "{asset}: {share} of hourly closes within 1% of the peg");
        let calm = closes.iter().filter(|c| (*c - 1.0).abs() < 0.002).count() as f64 / closes.len() as f64;
        assert!(calm > 0.95, "{asset}: {calm} within 20 bps");
        assert!(closes.iter().all(|c| (0.85..1.02).contains(c)), "{asset}");
    }
    // A fund share sits at its net asset value.
    for c in history(&s, "blackrock-usd-institutional-digital-liquidity-fund", YEAR_HOURS / 4) {
        assert!((c.low() - 1.0).abs() < 1e-3 && (c.high() - 1.0).abs() < 1e-3, "{c}");
    }
    // Gold tokens follow the same gold price.
    let paxg = history(&s, "pax-gold", YEAR_HOURS / 4);
    let xaut = history(&s, "tether-gold", YEAR_HOURS / 4);
    for (p, x) in paxg.iter().zip(&xaut) {
        assert!((p.close() / x.close() - 1.0).abs() < 0.05, "{p} vs {x}");
    }
}

#[test]
fn depegs_happen_and_recover() {
    let mut episodes = 0;
    for seed in 1..=3 {
        let s = sim(seed);
        for asset in ["tether", "usd-coin", "dai"] {
            let closes: Vec<f64> = history(&s, asset, 3 * YEAR_HOURS).iter().map(Candle::close).collect();
            let mut run = 0;
            for close in closes {
                if close < 0.99 {
                    run += 1;
                    assert!(run < 96, "seed {seed} {asset}: below 0.99 for {run} hours");
                } else {
                    episodes += usize::from(run > 0);
                    run = 0;
                }
            }
        }
    }
    assert!(episodes >= 3, "{episodes} de-peg episodes below 0.99 in 27 stablecoin-years");
}

#[test]
fn depeg_episodes_have_the_configured_rate() {
    let params = model::DepegParams {
        daily_probability: 0.7 / 365.0,
        depth: (0.01, 0.04),
        drop_hours: 3,
        recovery_hours: (4.0, 48.0),
    };
    let entity = rng::Entity::named("asset:tether");
    let count = stablecoin::Depegs::between(1, entity, &params, 0, 100 * YEAR_HOURS).len();
    // Poisson with mean 70: well within 40..100.
    assert!((40..100).contains(&count), "{count} episodes in 100 years");
}

// ---------------------------------------------------------------- anchoring

#[test]
fn history_ends_at_the_reference_price_for_every_asset() {
    let s = sim(2);
    for asset in s.assets() {
        let reference = s.reference_price(asset).unwrap();
        let candles = s.candles(asset, Interval::H1, ANCHOR - 60 * DAY_MS, ANCHOR).unwrap();
        let last = candles.last().unwrap().close();
        assert!((last / reference - 1.0).abs() < 0.1, "{asset}: ends at {last}, reference {reference}");
        for c in &candles {
            let ratio = c.close() / reference;
            assert!((0.1..10.0).contains(&ratio), "{asset}: {c} far from {reference}");
        }
    }
    // Free-moving assets end exactly there.
    let btc = history(&s, "bitcoin", 1);
    assert!((btc[0].close() / 100_000.0 - 1.0).abs() < 1e-12, "{}", btc[0].close());
}

#[test]
fn three_years_stay_within_a_sane_factor() {
    let s = sim(17);
    for asset in ["bitcoin", "ethereum", "ecash", "dogecoin"] {
        let reference = s.reference_price(&id(asset)).unwrap();
        for c in history(&s, asset, 3 * YEAR_HOURS) {
            let ratio = c.close() / reference;
            assert!((0.001..1000.0).contains(&ratio), "{asset}: {c}");
        }
    }
}

// -------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_split_of_any_range_equals_the_whole(
        start in -3000_i64..3000,
        len in 2_i64..200,
        cut in 1_i64..200,
        seed in 0_u64..1000,
    ) {
        let s = sim(seed);
        let asset = id("cosmos");
        let cut = cut.min(len - 1);
        let from = ANCHOR + start * HOUR_MS;
        let whole = s.candles(&asset, Interval::H1, from, from + len * HOUR_MS).unwrap();
        let mut parts = s.candles(&asset, Interval::H1, from, from + cut * HOUR_MS).unwrap();
        parts.extend(s.candles(&asset, Interval::H1, from + cut * HOUR_MS, from + len * HOUR_MS).unwrap());
        prop_assert_eq!(parts, whole);
    }
}
