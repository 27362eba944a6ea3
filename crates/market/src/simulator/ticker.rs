//! Live prices: every asset, second after second.

use altgate_protocol::AssetId;

use super::bridge::Segment;
use super::model::AssetModel;
use super::path::{Walker, World, hour_bars, hour_segment};
use super::{
    HOUR_MS, Interval, MINUTE_MS, SECOND_MS, Simulator, SimulatorError, candle, check_time, index_in, minutes_of,
    seconds_of,
};
use crate::candle::Candle;

/// One asset's price at one second.
#[derive(Debug, Clone, PartialEq)]
pub struct TickPrice {
    /// The asset.
    pub asset: AssetId,
    /// Its price in USD.
    pub price: f64,
}

/// Every asset's price, second after second: the values of
/// [`Simulator::tick`] and [`Simulator::candles`], computed incrementally.
///
/// Per asset it walks the hourly path forward from the anchor and caches
/// the current hour's minutes and the current minute's seconds, so a tick
/// per asset per second costs a lookup, a new minute a few microseconds and
/// a new hour one more increment. Asking for a time before the previous one
/// (or before the anchor) is allowed but recomputes from the anchor.
#[derive(Debug, Clone)]
pub struct Ticker {
    sim: Simulator,
    cursors: Vec<Cursor>,
    prices: Vec<TickPrice>,
}

impl Ticker {
    pub(super) fn new(sim: Simulator) -> Ticker {
        let cursors = sim.assets.iter().map(|model| Cursor::new(&sim.world, model)).collect();
        let prices = sim.assets.iter().map(|model| TickPrice { asset: model.id.clone(), price: f64::NAN }).collect();
        Ticker { sim, cursors, prices }
    }

    /// The simulator it follows.
    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    /// Every asset's price at the second holding `at_ms`, in catalog order.
    pub fn tick(&mut self, at_ms: i64) -> Result<&[TickPrice], SimulatorError> {
        check_time(at_ms)?;
        for ((cursor, model), tick) in self.cursors.iter_mut().zip(&self.sim.assets).zip(&mut self.prices) {
            tick.price = cursor.price(&self.sim.world, model, at_ms)?;
        }
        Ok(&self.prices)
    }

    /// One asset's price at the second holding `at_ms`.
    pub fn price(&mut self, asset: &AssetId, at_ms: i64) -> Result<f64, SimulatorError> {
        check_time(at_ms)?;
        let i = self.index(asset)?;
        self.cursors[i].price(&self.sim.world, &self.sim.assets[i], at_ms)
    }

    /// Every asset's 1m or 1h candle, in catalog order, for the bucket
    /// holding `at_ms`: the candles [`Simulator::candles`] gives. A bucket
    /// still open is complete too: the simulator knows its future.
    pub fn candles(&mut self, interval: Interval, at_ms: i64) -> Result<Vec<Candle>, SimulatorError> {
        check_time(at_ms)?;
        let world = &self.sim.world;
        let mut out = Vec::with_capacity(self.cursors.len());
        for (cursor, model) in self.cursors.iter_mut().zip(&self.sim.assets) {
            let hour = at_ms.div_euclid(HOUR_MS);
            let candle = match interval {
                Interval::H1 => candle(model, interval, hour * HOUR_MS, &cursor.hour(world, model, hour)?)?,
                Interval::M1 => {
                    let minute = at_ms.div_euclid(MINUTE_MS);
                    let segment = cursor.minute(world, model, minute)?;
                    candle(model, interval, minute * MINUTE_MS, &segment)?
                }
                other => return Err(SimulatorError::UnsupportedInterval(other)),
            };
            out.push(candle);
        }
        Ok(out)
    }

    fn index(&self, asset: &AssetId) -> Result<usize, SimulatorError> {
        self.sim.by_id.get(asset).copied().ok_or_else(|| SimulatorError::UnknownAsset(asset.clone()))
    }
}

/// The two entries last stored, by key: enough for a server that asks for
/// the candle just closed while ticking in the next.
#[derive(Debug, Clone)]
struct Recent<T> {
    slots: [Option<(i64, T)>; 2],
}

impl<T> Recent<T> {
    fn new() -> Recent<T> {
        Recent { slots: [None, None] }
    }

    fn get(&self, key: i64) -> Option<&T> {
        self.slots.iter().flatten().find(|(k, _)| *k == key).map(|(_, value)| value)
    }

    fn put(&mut self, key: i64, value: T) {
        self.slots.swap(0, 1);
        self.slots[0] = Some((key, value));
    }
}

/// One asset's walker and caches.
#[derive(Debug, Clone)]
struct Cursor {
    walker: Walker,
    hours: Recent<Segment>,
    minutes: Recent<Vec<Segment>>,
    seconds: Recent<Vec<Segment>>,
}

impl Cursor {
    fn new(world: &World, model: &AssetModel) -> Cursor {
        Cursor {
            walker: Walker::new(world, model),
            hours: Recent::new(),
            minutes: Recent::new(),
            seconds: Recent::new(),
        }
    }

    /// The values of hour `hour`.
    fn hour(&mut self, world: &World, model: &AssetModel, hour: i64) -> Result<Segment, SimulatorError> {
        if let Some(segment) = self.hours.get(hour) {
            return Ok(*segment);
        }
        let bar = if hour >= world.anchor {
            if self.walker.hour() > hour {
                self.walker = Walker::new(world, model);
            }
            while self.walker.hour() < hour {
                self.walker.skip(world, model);
            }
            self.walker.next_bar(world, model)
        } else {
            let bars = hour_bars(world, model, hour, hour + 1);
            *bars.first().ok_or(SimulatorError::OutOfRange { at_ms: hour * HOUR_MS })?
        };
        let segment = hour_segment(world, model, &bar);
        self.hours.put(hour, segment);
        Ok(segment)
    }

    /// The values of minute `minute`.
    fn minute(&mut self, world: &World, model: &AssetModel, minute: i64) -> Result<Segment, SimulatorError> {
        let hour = minute.div_euclid(60);
        if self.minutes.get(hour).is_none() {
            let segment = self.hour(world, model, hour)?;
            self.minutes.put(hour, minutes_of(world, model, &segment, hour));
        }
        self.minutes
            .get(hour)
            .and_then(|minutes| minutes.get(index_in(minute, hour * 60)).copied())
            .ok_or(SimulatorError::OutOfRange { at_ms: minute * MINUTE_MS })
    }

    /// The price at the second holding `at_ms`.
    fn price(&mut self, world: &World, model: &AssetModel, at_ms: i64) -> Result<f64, SimulatorError> {
        let minute = at_ms.div_euclid(MINUTE_MS);
        if self.seconds.get(minute).is_none() {
            let segment = self.minute(world, model, minute)?;
            self.seconds.put(minute, seconds_of(world, model, &segment, minute));
        }
        self.seconds
            .get(minute)
            .and_then(|seconds| seconds.get(index_in(at_ms.div_euclid(SECOND_MS), minute * 60)))
            .map(|s| s.close)
            .ok_or(SimulatorError::OutOfRange { at_ms })
    }
}
