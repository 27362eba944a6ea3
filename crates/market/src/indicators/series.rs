//! [`Series`]: an indicator's output, aligned with its input.

use std::iter::{Chain, Map, RepeatN};
use std::ops::Range;
use std::slice;

/// An indicator's output, aligned with its input: one point per input
/// value, `None` during the warm-up (the indicator's lookback) and a number
/// after it. It never holds NaN as a placeholder.
///
/// The warm-up is stored as a count rather than as `len` `Option`s: the
/// defined values are one contiguous `f64` slice ([`Series::values`]), half
/// the memory of a `Vec<Option<f64>>`, which is what lets the batch
/// functions run at the speed of TA-Lib's C code. [`Series::get`],
/// [`Series::iter`] and [`Series::to_vec`] give the aligned view, and
/// serialisation writes the aligned view (`null` during the warm-up).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    warm_up: usize,
    values: Vec<f64>,
}

/// The iterator of [`Series::iter`]: `None` for each warm-up point, then the
/// values.
pub type SeriesIter<'a> = Chain<RepeatN<Option<f64>>, Map<slice::Iter<'a, f64>, fn(&f64) -> Option<f64>>>;

impl Series {
    /// A series of `warm_up` undefined points followed by `values`.
    pub(crate) fn new(warm_up: usize, values: Vec<f64>) -> Series {
        Series { warm_up, values }
    }

    /// A series of `len` undefined points (the input was shorter than the
    /// warm-up).
    pub(crate) fn undefined(len: usize) -> Series {
        Series { warm_up: len, values: Vec::new() }
    }

    /// The number of points, equal to the length of the input.
    pub fn len(&self) -> usize {
        self.warm_up + self.values.len()
    }

    /// Whether the input was empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of leading undefined points: the indicator's lookback, or
    /// the whole length when the input is shorter than that.
    pub fn warm_up(&self) -> usize {
        self.warm_up
    }

    /// The point at input index `index`: `None` during the warm-up or past
    /// the end.
    pub fn get(&self, index: usize) -> Option<f64> {
        index.checked_sub(self.warm_up).and_then(|i| self.values.get(i).copied())
    }

    /// The defined values: the points from index [`Series::warm_up`] on.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The last point, if it is defined.
    pub fn last(&self) -> Option<f64> {
        self.values.last().copied()
    }

    /// The aligned points, `None` during the warm-up.
    pub fn iter(&self) -> SeriesIter<'_> {
        let some: fn(&f64) -> Option<f64> = |v| Some(*v);
        std::iter::repeat_n(None, self.warm_up).chain(self.values.iter().map(some))
    }

    /// The aligned points as a vector.
    pub fn to_vec(&self) -> Vec<Option<f64>> {
        self.iter().collect()
    }

    /// The warm-up length and the defined values.
    pub fn into_parts(self) -> (usize, Vec<f64>) {
        (self.warm_up, self.values)
    }
}

impl<'a> IntoIterator for &'a Series {
    type Item = Option<f64>;
    type IntoIter = SeriesIter<'a>;

    fn into_iter(self) -> SeriesIter<'a> {
        self.iter()
    }
}

impl serde::Serialize for Series {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// The number of points [`fill`] computes per out-of-line call.
pub(crate) const CHUNK: usize = 256;

/// Computes the last `count` points of each of the `K` output vectors
/// (already sized to the series' defined points; the first ones are set by
/// the caller): `chunk` is called on consecutive ranges of at most
/// [`CHUNK`] points (indices relative to the first computed point) with the
/// output slices of that range, and updates the running `state`; returns
/// the final state.
///
/// The state is moved in and out rather than borrowed by the closure, and
/// each chunk runs out of line with no call inside: the state then stays in
/// registers through the loop (a call in the same loop nest, such as
/// growing a vector, would have it spilled to the stack, lengthening the
/// dependency chain of a recursion). The outputs are written in place.
pub(crate) fn fill<S, F, const K: usize>(outputs: &mut [Vec<f64>; K], mut state: S, count: usize, chunk: F) -> S
where
    F: Fn(&mut S, Range<usize>, [&mut [f64]; K]),
{
    let mut start = 0;
    while start < count {
        let end = count.min(start + CHUNK);
        let slices = outputs.each_mut().map(|output| {
            let offset = output.len() - count;
            &mut output[offset + start..offset + end]
        });
        state = run_chunk(state, start..end, &chunk, slices);
        start = end;
    }
    state
}

#[inline(never)]
fn run_chunk<S, F, const K: usize>(mut state: S, range: Range<usize>, chunk: &F, slices: [&mut [f64]; K]) -> S
where
    F: Fn(&mut S, Range<usize>, [&mut [f64]; K]),
{
    chunk(&mut state, range, slices);
    state
}
