//! Sums of `f64` that are exact until read, so rows summed in any chunks,
//! merged in any order, give the same bits.
//!
//! Each finite `x = m · 2^e` (`m` a 53-bit signed integer) is added as
//! `m · 2^(e mod 32)` to the `i128` bin of `⌊e / 32⌋`: no rounding, and
//! a bin holds 2⁴³ additions of 84-bit terms before it could overflow.
//! Merging adds bins. [`ExactSum::value`] rounds the bins' total to an
//! `f64`, highest bin first: a function of the bins alone, which are the
//! same however the rows were cut. Hand-written because the exact
//! summation crates (`xsum`, after Neal 2015, "Fast exact summation using
//! small and large superaccumulators") neither merge accumulators nor
//! serialise them, and this needs only integer bins.

use serde::{Deserialize, Serialize};

/// Exponent bits per bin.
const BIN_BITS: i32 = 32;

/// An exact, mergeable sum of finite `f64`s.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExactSum {
    /// The bin of `bins[0]`.
    low: i32,
    /// `bins[k]` counts units of `2^(32·(low + k))`.
    bins: Vec<i128>,
}

impl ExactSum {
    /// Adds `x` (finite).
    pub fn add(&mut self, x: f64) {
        if x == 0.0 || !x.is_finite() {
            return;
        }
        let bits = x.to_bits();
        let raw_exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = i128::from(bits & ((1_u64 << 52) - 1));
        let (m, e) = if raw_exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1_i128 << 52), raw_exp - 1075)
        };
        let m = if x < 0.0 { -m } else { m };
        let bin = e.div_euclid(BIN_BITS);
        *self.bin(bin) += m << e.rem_euclid(BIN_BITS);
    }

    /// The bin `bin`, made if absent.
    fn bin(&mut self, bin: i32) -> &mut i128 {
        if self.bins.is_empty() {
            self.low = bin;
        }
        if bin < self.low {
            let extra = (self.low - bin) as usize;
            self.bins.splice(0..0, std::iter::repeat_n(0, extra));
            self.low = bin;
        }
        let k = (bin - self.low) as usize;
        if k >= self.bins.len() {
            self.bins.resize(k + 1, 0);
        }
        &mut self.bins[k]
    }

    /// Adds the sum of other values.
    pub fn merge(&mut self, other: &ExactSum) {
        for (k, &b) in other.bins.iter().enumerate() {
            if b != 0 {
                *self.bin(other.low + k as i32) += b;
            }
        }
    }

    /// The sum, rounded to an `f64`.
    pub fn value(&self) -> f64 {
        self.bins
            .iter()
            .enumerate()
            .rev()
            .map(|(k, &b)| scaled(b as f64, BIN_BITS * (self.low + k as i32)))
            .sum()
    }
}

/// `x · 2^p`, in two steps so that no power overflows on the way.
fn scaled(x: f64, p: i32) -> f64 {
    let half = p / 2;
    x * 2f64.powi(half) * 2f64.powi(p - half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_sums_have_the_same_bits_and_are_exact() {
        let values: Vec<f64> = (0..500)
            .map(|i| {
                let x = f64::from(i);
                (x * 0.37).sin() * 10f64.powi(i % 9 - 4)
            })
            .collect();
        let mut whole = ExactSum::default();
        values.iter().for_each(|&x| whole.add(x));
        for chunk in [1, 3, 64] {
            let mut merged = ExactSum::default();
            for part in values.chunks(chunk).rev() {
                let mut s = ExactSum::default();
                part.iter().for_each(|&x| s.add(x));
                merged.merge(&s);
            }
            assert_eq!(
                merged.value().to_bits(),
                whole.value().to_bits(),
                "chunks of {chunk}"
            );
        }
        // Exact where rounding the running sum is not: 1e16 + 1 - 1e16.
        let mut s = ExactSum::default();
        for x in [1e16, 1.0, -1e16, 0.5, -2.5e-300] {
            s.add(x);
        }
        assert_eq!(s.value(), 1.5);
        let naive: f64 = [1e16, 1.0, -1e16, 0.5].iter().sum();
        assert_ne!(naive, 1.5);
    }
}
