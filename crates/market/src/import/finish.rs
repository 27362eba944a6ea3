//! From decoded rows to checked candles: order, interval, duplicates.

use std::collections::HashMap;

use super::time::Iso;
use super::{ImportError, Order, Rejection};
use crate::candle::{Candle, CandleParts, Interval};

/// A decoded row, before it is checked as a candle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Pending {
    /// The row's 1-based physical line.
    pub(super) line: u64,
    pub(super) parts: CandleParts,
}

/// The checked rows of a file.
#[derive(Debug)]
pub(super) struct Finished {
    pub(super) order: Order,
    pub(super) interval: Interval,
    pub(super) candles: Vec<Candle>,
}

/// Sorts `pending` oldest first, settles the interval (`given`, or
/// inferred), and checks each row as a candle; rows that fail, and later
/// rows repeating an open time, go to `rejected`.
pub(super) fn finish(
    mut pending: Vec<Pending>,
    given: Option<Interval>,
    rejected: &mut Vec<Rejection>,
) -> Result<Finished, ImportError> {
    let order = order(&pending);
    sort(&mut pending);
    let interval = match given {
        Some(interval) => interval,
        None => infer(&pending)?,
    };
    // The previous accepted candle's open time and line.
    let mut previous: Option<(i64, u64)> = None;
    let candles = pending
        .into_iter()
        .filter_map(|Pending { line, parts }| {
            let open_time = parts.open_time;
            let reason = if !interval.is_aligned(open_time) {
                format!("time {} is not on the {interval} grid", Iso(open_time))
            } else if let Some((_, first)) = previous.filter(|&(time, _)| time == open_time) {
                format!("duplicate open time {} (first at line {first})", Iso(open_time))
            } else {
                match Candle::new(interval, parts) {
                    Ok(candle) => {
                        previous = Some((open_time, line));
                        return Some(candle);
                    }
                    Err(error) => error.to_string(),
                }
            };
            rejected.push(Rejection { line, reason });
            None
        })
        .collect();
    Ok(Finished { order, interval, candles })
}

/// The file's order: newest first when more consecutive rows go back in
/// time than forward.
fn order(pending: &[Pending]) -> Order {
    let (mut forward, mut back) = (0_u64, 0_u64);
    for pair in pending.windows(2) {
        match pair[0].parts.open_time.cmp(&pair[1].parts.open_time) {
            std::cmp::Ordering::Less => forward += 1,
            std::cmp::Ordering::Greater => back += 1,
            std::cmp::Ordering::Equal => {}
        }
    }
    if back > forward { Order::NewestFirst } else { Order::OldestFirst }
}

/// Sorts by open time, keeping file order among equal times.
fn sort(pending: &mut [Pending]) {
    let time = |row: &Pending| row.parts.open_time;
    if pending.is_sorted_by_key(time) {
        return;
    }
    // Reversing keeps file order among equal times only if there are none.
    if pending.windows(2).all(|pair| time(&pair[0]) > time(&pair[1])) {
        pending.reverse();
    } else {
        pending.sort_by_key(time);
    }
}

/// The interval whose length is the most common spacing between
/// consecutive distinct open times (the shorter one on a tie).
fn infer(sorted: &[Pending]) -> Result<Interval, ImportError> {
    let mut counts: HashMap<i64, u64> = HashMap::new();
    // Runs of one spacing are counted before touching the map.
    let mut run: Option<(i64, u64)> = None;
    let mut previous = None;
    for row in sorted {
        let time = row.parts.open_time;
        if let Some(before) = previous.filter(|&before| before != time) {
            let spacing = time - before;
            match &mut run {
                Some((current, count)) if *current == spacing => *count += 1,
                _ => {
                    if let Some((spacing, count)) = run.replace((spacing, 1)) {
                        *counts.entry(spacing).or_default() += count;
                    }
                }
            }
        }
        previous = Some(time);
    }
    if let Some((spacing, count)) = run {
        *counts.entry(spacing).or_default() += count;
    }
    let spacing = counts
        .into_iter()
        .max_by_key(|&(spacing, count)| (count, std::cmp::Reverse(spacing)))
        .map(|(spacing, _)| spacing)
        .ok_or(ImportError::TooFewTimes)?;
    Interval::ALL
        .into_iter()
        .find(|interval| interval.millis() == spacing)
        .ok_or(ImportError::UnsupportedSpacing { spacing_ms: spacing })
}
