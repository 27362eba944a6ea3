//! Portable elementary functions.
//!
//! `f64::exp`, `f64::ln`, `f64::sin` and `f64::cos` call the platform's math
//! library, whose last bits differ between libraries and versions. The
//! simulator promises the same prices bit for bit on every machine, so it
//! computes these itself from operations IEEE 754 rounds exactly (`+`, `-`,
//! `*`, `/`, `sqrt`, `floor`, `round`) and bit manipulation. Rust does not
//! contract `a * b + c` into a fused multiply-add, so each step rounds the
//! same way everywhere.
//!
//! Accuracy is a few units in the last place over the domains used here,
//! far finer than anything the model can tell apart.

use std::f64::consts::{LN_2, TAU};

/// `ln 2` with its low 32 mantissa bits cleared, so that `k * LN2_HI` is exact
/// for every exponent `k` the functions below meet.
const LN2_HI: f64 = f64::from_bits(LN_2.to_bits() & 0xFFFF_FFFF_0000_0000);
/// The rest of `ln 2`: the part of the `f64` constant below `LN2_HI`, plus
/// the constant's own rounding error (ln 2 − `LN_2` ≈ 2.319e-17).
const LN2_LO: f64 = (LN_2 - LN2_HI) + 2.319_046_813_846_299_6e-17;

/// Arguments of [`exp`] are clamped to this magnitude: `e^700` is finite and
/// `e^-700` is a normal number, so the result is always finite and positive.
const EXP_LIMIT: f64 = 700.0;

/// `1 / k!` for `k` in `0..=13`: the Taylor coefficients of `e^r`.
const EXP_TAYLOR: [f64; 14] = {
    let mut c = [1.0; 14];
    let mut k = 1;
    while k < 14 {
        c[k] = c[k - 1] / k as f64;
        k += 1;
    }
    c
};

/// `1 / (2n + 1)` for `n` in `0..=11`: the coefficients of `artanh(s) / s`
/// in powers of `s²`.
const ATANH_TAYLOR: [f64; 12] = {
    let mut c = [1.0; 12];
    let mut n = 1;
    while n < 12 {
        c[n] = 1.0 / (2 * n + 1) as f64;
        n += 1;
    }
    c
};

/// `(−1)^n / (2n)!` for `n` in `0..=9`: the coefficients of `cos φ` in powers of `φ²`.
const COS_TAYLOR: [f64; 10] = {
    let mut c = [1.0; 10];
    let mut n = 1;
    while n < 10 {
        c[n] = -c[n - 1] / ((2 * n - 1) * (2 * n)) as f64;
        n += 1;
    }
    c
};

/// `(−1)^n / (2n + 1)!` for `n` in `0..=9`: the coefficients of `sin φ / φ`
/// in powers of `φ²`.
const SIN_TAYLOR: [f64; 10] = {
    let mut c = [1.0; 10];
    let mut n = 1;
    while n < 10 {
        c[n] = -c[n - 1] / ((2 * n) * (2 * n + 1)) as f64;
        n += 1;
    }
    c
};

/// `e^x`, for `x` clamped to `[-700, 700]`; NaN gives NaN.
pub(super) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let x = x.clamp(-EXP_LIMIT, EXP_LIMIT);
    // x = k ln 2 + r with |r| <= ln 2 / 2; |k| <= 1010.
    let k = round(x / LN_2);
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor series of e^r to r^13 / 13!: the first omitted term is below
    // 0.35^14 / 14! ≈ 4e-18.
    let mut p = EXP_TAYLOR[13];
    for &c in EXP_TAYLOR[..13].iter().rev() {
        p = p * r + c;
    }
    p * pow2(k)
}

/// `x` rounded to the nearest integer (ties to even), for `|x| < 2^51`:
/// adding and subtracting 1.5 × 2^52 leaves no fraction bits. Exact, and
/// cheaper than `f64::round`, which is a library call on baseline x86-64.
fn round(x: f64) -> f64 {
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    debug_assert!(x.abs() < 2_251_799_813_685_248.0);
    (x + SHIFTER) - SHIFTER
}

/// `2^k` for an integral `k` in `[-1022, 1023]`.
fn pow2(k: f64) -> f64 {
    debug_assert!((-1022.0..=1023.0).contains(&k) && k.fract() == 0.0);
    // The biased exponent `k + 1023` is in [1, 2046]: a normal number.
    let biased = (k + 1023.0) as u64;
    f64::from_bits(biased << 52)
}

/// `ln x`. Zero gives −∞, negative numbers and NaN give NaN, +∞ gives +∞.
pub(super) fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    // Scale subnormals into the normal range first.
    let (x, extra) = if x.is_normal() { (x, 0.0) } else { (x * pow2(54.0), -54.0) };
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i32;
    // The mantissa as a number in [1, 2).
    let mut m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
    let mut e = f64::from(biased - 1023) + extra;
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1.0;
    }
    // ln m = 2 artanh s with s = (m − 1) / (m + 1), |s| <= 0.1716:
    // 2 (s + s³/3 + s⁵/5 + …), to s^23 / 23; the first omitted term is below 1e-19.
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut series = 0.0;
    for &c in ATANH_TAYLOR.iter().rev() {
        series = c + z * series;
    }
    let ln_m = 2.0 * s * series;
    e * LN2_HI + (e * LN2_LO + ln_m)
}

/// `(cos 2πt, sin 2πt)` for `t` in `[0, 1]`: a point on the unit circle, `t`
/// of a turn round it.
pub(super) fn cos_sin_turns(t: f64) -> (f64, f64) {
    debug_assert!((0.0..=1.0).contains(&t));
    // The nearest quarter turn, and the angle from it in [−π/4, π/4].
    let quarter = round(4.0 * t);
    let phi = (t - 0.25 * quarter) * TAU;
    let z = phi * phi;
    // Taylor series to φ^18 / 18! and φ^17 / 17!: below 1e-20 for |φ| <= π/4.
    let mut cos = COS_TAYLOR[9];
    let mut sin = SIN_TAYLOR[9];
    for k in (0..9).rev() {
        cos = cos * z + COS_TAYLOR[k];
        sin = sin * z + SIN_TAYLOR[k];
    }
    let sin = phi * sin;
    // Rotate by the quarter turns: 0..=4, 4 being a full turn.
    match quarter as u8 {
        1 => (-sin, cos),
        2 => (-cos, -sin),
        3 => (sin, -cos),
        _ => (cos, sin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn exp_matches_the_platform_closely() {
        let mut x = -60.0;
        while x <= 60.0 {
            assert!(close(exp(x), x.exp(), 4e-15), "exp({x}) = {} vs {}", exp(x), x.exp());
            x += 0.0137;
        }
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1e9) > 0.0 && exp(1e9).is_finite());
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn ln_matches_the_platform_closely() {
        for &x in &[1e-300, 1e-20, 2.0_f64.powi(-54), 0.3, 0.5, 0.999_999, 1.0, 1.000_001, 2.0, 3.7, 1e6, 1e300, 5e-324]
        {
            assert!(close(ln(x), x.ln(), 4e-15) || (ln(x) - x.ln()).abs() < 4e-16, "ln({x}) = {} vs {}", ln(x), x.ln());
        }
        let mut x = 1e-6;
        while x < 1e6 {
            assert!((ln(x) - x.ln()).abs() <= 4e-15 * x.ln().abs().max(1.0), "ln({x})");
            x *= 1.071;
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn cos_sin_turns_match_the_platform_closely() {
        for i in 0..=1000 {
            let t = f64::from(i) / 1000.0;
            let (c, s) = cos_sin_turns(t);
            assert!((c - (t * TAU).cos()).abs() < 1e-15, "cos at {t}");
            assert!((s - (t * TAU).sin()).abs() < 1e-15, "sin at {t}");
        }
    }

    #[test]
    fn outputs_are_pinned_bit_for_bit() {
        // Every simulated price depends on these bits: they must not change
        // between machines, compilers or releases.
        let got = [
            exp(1.0),
            exp(-0.3),
            exp(12.5),
            ln(2.0),
            ln(0.123),
            ln(98_765.4),
            cos_sin_turns(0.3).0,
            cos_sin_turns(0.3).1,
        ]
        .map(f64::to_bits);
        assert_eq!(
            got,
            [
                4613303445314885482,
                4604847916870499333,
                4688353611944933990,
                4604418534313441775,
                13835273261870141806,
                4622663825468993099,
                13822610412055554382,
                4606741575090066688,
            ],
            "{:?}",
            got.map(f64::from_bits)
        );
    }
}
