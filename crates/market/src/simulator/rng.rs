//! Counter-based random draws.
//!
//! Every draw is a pure function of `(seed, entity, purpose, index, n)`:
//! a ChaCha8 stream cipher keyed by the seed, the entity (an asset, the
//! market factor or a peg index), the purpose (hourly shocks, a volatility
//! layer, minutes, seconds, de-peg events) and a model version, read at a
//! position fixed by the index (an hour, minute, day or grid point). Any
//! step can be drawn without drawing the steps before it, and reading
//! consecutive steps in order costs no more than a plain generator.
//!
//! ChaCha's output is specified bit for bit, so the draws are the same on
//! every machine; the transforms to normal and Student-t variates use the
//! portable functions of [`super::math`].

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use super::math;

/// Mixed into every key: changing it changes every simulated price, so it is
/// bumped whenever the model changes what it draws.
const MODEL_VERSION: u64 = 1;

/// 2^-53: the spacing of the uniform grid.
const UNIT: f64 = 1.0 / 9_007_199_254_740_992.0;

/// What a stream of draws is for. Each purpose of each entity is an
/// independent stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// The per-hour shocks: [`HourDraws`], one block per hour.
    Hour = 1,
    /// The grid of one layer of stochastic volatility (three layers).
    VolLayer0 = 2,
    VolLayer1 = 3,
    VolLayer2 = 4,
    /// The minutes inside an hour: one stream per hour.
    Minutes = 5,
    /// The seconds inside a minute: one stream per minute.
    Seconds = 6,
    /// De-peg events: one block per day.
    Depeg = 7,
}

impl Purpose {
    /// The purpose of stochastic-volatility layer `layer` (0, 1 or 2).
    pub(super) fn vol_layer(layer: usize) -> Purpose {
        match layer {
            0 => Purpose::VolLayer0,
            1 => Purpose::VolLayer1,
            _ => Purpose::VolLayer2,
        }
    }
}

/// A stable 64-bit name of something that draws: FNV-1a of a label. Asset
/// labels are `asset:<id>`, so adding or reordering catalog assets never
/// changes another asset's prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Entity(u64);

impl Entity {
    /// The entity named `label`.
    pub(super) fn named(label: &str) -> Entity {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in label.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Entity(hash)
    }

    /// A number in `[0, 1)` fixed by the entity alone, not the seed: used to
    /// vary model parameters between assets of one class.
    pub(super) fn fraction(self, salt: u64) -> f64 {
        let mixed = splitmix(self.0 ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (mixed >> 11) as f64 * UNIT
    }
}

/// SplitMix64's finaliser: a bijective bit mixer.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A reader of one stream: `(seed, entity, purpose)` chosen at creation, the
/// ChaCha stream number and position set per index.
#[derive(Debug, Clone)]
pub(super) struct Draws {
    rng: ChaCha8Rng,
}

impl Draws {
    /// The stream of `purpose` for `entity` under `seed`.
    pub(super) fn new(seed: u64, entity: Entity, purpose: Purpose) -> Draws {
        let mut key = [0_u8; 32];
        for (chunk, word) in key.chunks_exact_mut(8).zip([seed, entity.0, purpose as u64, MODEL_VERSION]) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        Draws { rng: ChaCha8Rng::from_seed(key) }
    }

    /// Positions the reader at block `index` of stream 0, a block being
    /// one ChaCha block: 16 words, so 8 `u64`s. Reading on from there reads
    /// the blocks of `index + 1`, `index + 2`… in turn; a reader already in
    /// place is not moved, so that sequential reading stays cheap.
    pub(super) fn seek_block(&mut self, index: i64) {
        let position = u128::from(index.cast_unsigned()) * 16;
        if self.rng.get_word_pos() != position {
            self.rng.set_word_pos(position);
        }
    }

    /// Positions the reader at the start of stream `index`, for draws of
    /// unbounded length per index (the minutes of an hour, the seconds of a
    /// minute).
    pub(super) fn seek_stream(&mut self, index: i64) {
        self.rng.set_stream(index.cast_unsigned());
        self.rng.set_word_pos(0);
    }

    /// A uniform number in the open interval `(0, 1)`.
    pub(super) fn uniform(&mut self) -> f64 {
        ((self.rng.next_u64() >> 11) as f64 + 0.5) * UNIT
    }

    /// Two independent standard normal numbers, from two uniforms
    /// (Box–Muller).
    pub(super) fn normal_pair(&mut self) -> (f64, f64) {
        let radius = (-2.0 * math::ln(self.uniform())).sqrt();
        let (cos, sin) = math::cos_sin_turns(self.uniform());
        (radius * cos, radius * sin)
    }

    /// A standard exponential number: `−ln U`.
    pub(super) fn exponential(&mut self) -> f64 {
        -math::ln(self.uniform())
    }
}

/// The degrees of freedom of the Student-t shocks: 3, 4 or 5 (above 2 for a
/// finite variance; the hour's block has room for a chi-square of at most
/// 5). ν = 5: fat tails with a finite kurtosis, as hourly crypto returns
/// show once volatility clustering is accounted for.
pub(super) const TAIL_DOF: u32 = 5;
const _: () = assert!(TAIL_DOF >= 3 && TAIL_DOF <= 5);

/// The shocks of one entity for one hour: exactly one ChaCha block
/// (8 `u64`s) read in a fixed order, whether or not each is used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HourDraws {
    /// The primary standard normal shock (a return, or a mean-reversion
    /// innovation).
    pub(super) shock: f64,
    /// A second standard normal: the volume noise.
    pub(super) volume: f64,
    /// The variance mixer of a unit-variance Student-t: `shock ×
    /// mix.sqrt()` is Student-t with [`TAIL_DOF`] degrees of freedom scaled
    /// to unit variance, and `mix`, with mean 1, is the hour's variance
    /// multiplier.
    pub(super) mix: f64,
    /// A standard normal: the trade-count noise.
    pub(super) trades: f64,
    /// Standard exponentials for the hour's high and low excursions.
    pub(super) high: f64,
    /// See `high`.
    pub(super) low: f64,
}

impl HourDraws {
    /// The draws of hour `hour` from an [`Purpose::Hour`] stream.
    pub(super) fn read(draws: &mut Draws, hour: i64) -> HourDraws {
        draws.seek_block(hour);
        // Words 0–1 and 2–3: four normals.
        let (shock, volume) = draws.normal_pair();
        let (odd, trades) = draws.normal_pair();
        // Words 4–5: chi-square with TAIL_DOF degrees of freedom, as
        // −2 ln of a product of ⌊TAIL_DOF / 2⌋ uniforms, plus a squared
        // normal when TAIL_DOF is odd. Unused words are read all the same,
        // so that every hour takes exactly one block.
        let mut product = 1.0;
        for i in 0..2 {
            let u = draws.uniform();
            if i < TAIL_DOF / 2 {
                product *= u;
            }
        }
        let odd_part = if TAIL_DOF % 2 == 1 { odd * odd } else { 0.0 };
        let chi_square = -2.0 * math::ln(product) + odd_part;
        let mix = f64::from(TAIL_DOF - 2) / chi_square;
        // Words 6–7.
        let high = draws.exponential();
        let low = draws.exponential();
        HourDraws { shock, volume, mix, trades, high, low }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_counter_based() {
        let entity = Entity::named("asset:bitcoin");
        let mut sequential = Draws::new(7, entity, Purpose::Hour);
        let forward: Vec<HourDraws> = (100..140).map(|h| HourDraws::read(&mut sequential, h)).collect();
        let mut random = Draws::new(7, entity, Purpose::Hour);
        for h in (100..140).rev() {
            assert_eq!(HourDraws::read(&mut random, h), forward[usize::try_from(h - 100).unwrap()]);
        }
        let mut other_seed = Draws::new(8, entity, Purpose::Hour);
        assert_ne!(HourDraws::read(&mut other_seed, 100), forward[0]);
        let mut other_entity = Draws::new(7, Entity::named("asset:ethereum"), Purpose::Hour);
        assert_ne!(HourDraws::read(&mut other_entity, 100), forward[0]);
        // Negative indices are distinct positions, not errors.
        assert_ne!(HourDraws::read(&mut random, -100), forward[0]);
    }

    #[test]
    fn student_t_shocks_have_unit_variance_and_fat_tails() {
        let mut draws = Draws::new(1, Entity::named("test"), Purpose::Hour);
        let n = 200_000;
        let (mut m2, mut m4, mut normal2) = (0.0, 0.0, 0.0);
        for h in 0..n {
            let d = HourDraws::read(&mut draws, h);
            let t = d.shock * d.mix.sqrt();
            m2 += t * t;
            m4 += t * t * t * t;
            normal2 += d.volume * d.volume;
        }
        let n = f64::from(u32::try_from(n).unwrap());
        let (var, kurtosis) = (m2 / n, m4 / n / (m2 / n).powi(2));
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        // Student-t with 5 degrees of freedom: kurtosis 9.
        assert!(kurtosis > 6.0 && kurtosis < 14.0, "kurtosis {kurtosis}");
        assert!((normal2 / n - 1.0).abs() < 0.02, "normal variance {}", normal2 / n);
    }
}
