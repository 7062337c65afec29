//! The distinct values of a column and how often each occurs: everything a
//! fitted marginal ([`super::NumericMarginal::fit_counts`]) and the
//! empirical CDF of normal scores ([`super::EmpiricalCdf::from_counts`])
//! read from the column, so rows may be counted in any number of chunks and
//! the counts merged.
//!
//! ```text
//! values  v₁ < v₂ < … < v_m   (sorted by f64::total_cmp, equal values merged)
//! counts  c₁, c₂, …, c_m      (Σ c_k = n)
//! ```
//!
//! **Bounded.** At most [`MAX_DISTINCT`] entries are kept. Beyond, values
//! are kept in buckets: with `key(x)` the order-preserving 64-bit image of
//! `x` (sign flipped, `-0` as `0`), a bucket of level `s` holds the values
//! whose `key(x) >> s` agree, i.e. of one sign and binade sharing their
//! top `52 − s` mantissa bits, so its width is at most `2^(s−52)` of its
//! values' magnitude; it keeps their exact smallest and largest value and
//! their count. The level is the smallest that leaves at most
//! `MAX_DISTINCT` buckets: below the cap every value is its own entry
//! (level 0, as exact as before), and a column is cut no finer than its
//! distinct values need. Within a bucket the rows are taken as spread
//! evenly between its ends, so a rank read from the counts is off by at
//! most the bucket's share of the rows (about `1/MAX_DISTINCT` for a
//! smooth law; a single repeated value is always exact, its own bucket).
//!
//! **Order-free.** Buckets nest (`(k >> s) >> 1 = k >> (s+1)`) and a
//! subset of the rows never needs a higher level than the whole, so
//! merging two counts at their higher level, then raising the level only
//! as far as the cap demands, gives the counts of the concatenated rows
//! at the level the whole needs: the same entries whatever the chunking
//! and the order of the merges, so an in-memory fit and a fit in passes
//! stay equal bit for bit. Sketches with a rank guarantee (KLL, t-digest,
//! DDSketch's quantiles) keep entries that depend on the order rows and
//! merges come in, which would break that equality; hence this
//! hand-written summary. Merging is a linear merge of sorted lists; memory
//! is at most `MAX_DISTINCT` entries of 24 bytes per column.

use serde::{Deserialize, Serialize};

/// Most entries (distinct values, or buckets) a count keeps.
pub const MAX_DISTINCT: usize = 1 << 15;

/// Sorted distinct values (or buckets of them) and their counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueCounts {
    /// Each entry's value (its smallest, for a bucket).
    values: Vec<f64>,
    /// Each bucket's largest value; empty at level 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    highs: Vec<f64>,
    counts: Vec<u64>,
    /// Low key bits a bucket ignores (0: exact values).
    #[serde(default, skip_serializing_if = "is_zero")]
    level: u32,
}

fn is_zero(level: &u32) -> bool {
    *level == 0
}

/// The order-preserving 64-bit image of `x`, `-0` counted as `0`.
fn key(x: f64) -> u64 {
    let bits = if x == 0.0 { 0 } else { x.to_bits() };
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

/// `x`'s bucket at `level`.
fn bucket(x: f64, level: u32) -> u64 {
    key(x).checked_shr(level).unwrap_or(0)
}

impl ValueCounts {
    /// The counts of `values`.
    ///
    /// ```
    /// use pushforward_stats::marginal::fitted::ValueCounts;
    /// let mut a = ValueCounts::from_values(&[3.0, 1.0, 3.0]);
    /// a.merge(&ValueCounts::from_values(&[2.0, 3.0]));
    /// assert_eq!(a, ValueCounts::from_values(&[3.0, 1.0, 3.0, 2.0, 3.0]));
    /// assert_eq!((a.values(), a.counts()), (&[1.0, 2.0, 3.0][..], &[1, 1, 3][..]));
    /// ```
    pub fn from_values(values: &[f64]) -> ValueCounts {
        ValueCounts::from_values_capped(values, MAX_DISTINCT)
    }

    fn from_values_capped(values: &[f64], cap: usize) -> ValueCounts {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut out = ValueCounts::default();
        for x in sorted {
            out.push(x, x, 1);
        }
        out.bound(cap);
        out
    }

    /// Appends `count` rows from `low` to `high`, `low` sorting at or after
    /// every smallest value held, at this count's level.
    fn push(&mut self, low: f64, high: f64, count: u64) {
        let same = self
            .values
            .last()
            .is_some_and(|&last| bucket(last, self.level) == bucket(low, self.level));
        match self.counts.last_mut() {
            Some(c) if same => {
                *c += count;
                // Buckets come by their smallest values: the largest may
                // be either's.
                if let Some(h) = self.highs.last_mut()
                    && high.total_cmp(h).is_gt()
                {
                    *h = high;
                }
            }
            _ => {
                self.values.push(low);
                self.counts.push(count);
                if self.level > 0 {
                    self.highs.push(high);
                }
            }
        }
    }

    /// Adds the counts of other rows.
    pub fn merge(&mut self, other: &ValueCounts) {
        self.merge_capped(other, MAX_DISTINCT);
    }

    fn merge_capped(&mut self, other: &ValueCounts, cap: usize) {
        let (a, b) = (std::mem::take(self), other);
        self.level = a.level.max(b.level);
        let (mut i, mut j) = (0, 0);
        while i < a.values.len() || j < b.values.len() {
            let take_a =
                j == b.values.len() || (i < a.values.len() && a.values[i].total_cmp(&b.values[j]).is_le());
            if take_a {
                self.push(a.values[i], a.high(i), a.counts[i]);
                i += 1;
            } else {
                self.push(b.values[j], b.high(j), b.counts[j]);
                j += 1;
            }
        }
        self.bound(cap);
    }

    /// Raises the level to the smallest that leaves at most `cap` entries.
    fn bound(&mut self, cap: usize) {
        if self.values.len() <= cap {
            return;
        }
        let entries = |level: u32| {
            1 + self
                .values
                .windows(2)
                .filter(|w| bucket(w[0], level) != bucket(w[1], level))
                .count()
        };
        // Entries fall as the level rises; at 64 there is one.
        let (mut lo, mut hi) = (self.level, 64);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if entries(mid) <= cap.max(1) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let old = std::mem::take(self);
        self.level = hi;
        for k in 0..old.values.len() {
            self.push(old.values[k], old.high(k), old.counts[k]);
        }
    }

    /// The distinct values (each bucket's smallest), increasing.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Each bucket's largest value; empty while every value is its own
    /// entry.
    pub fn highs(&self) -> &[f64] {
        &self.highs
    }

    /// The largest value of entry `k`.
    pub fn high(&self, k: usize) -> f64 {
        self.highs.get(k).copied().unwrap_or(self.values[k])
    }

    /// How often each value occurs.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Rows counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Whether no row was counted.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Entry `k`'s value: the value itself, or a bucket's midpoint.
    fn middle(&self, k: usize) -> f64 {
        match self.highs.get(k) {
            Some(&h) => self.values[k] + 0.5 * (h - self.values[k]),
            None => self.values[k],
        }
    }

    /// Mean and (population) standard deviation of `f` of the rows' values
    /// (a bucket's rows at its midpoint), summed in the order of the values.
    pub(super) fn mean_std(&self, f: impl Fn(f64) -> f64) -> (f64, f64) {
        let n = self.total() as f64;
        let weighted = || (0..self.values.len()).map(|k| (f(self.middle(k)), self.counts[k] as f64));
        let mean = weighted().map(|(y, c)| c * y).sum::<f64>() / n;
        let var = weighted().map(|(y, c)| c * (y - mean).powi(2)).sum::<f64>() / n;
        (mean, var.sqrt())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn merging_chunks_in_any_order_gives_the_counts_of_all_rows() {
        let rows: Vec<f64> = (0..200).map(|i| f64::from((i * 37) % 23) * 0.5 - 3.0).collect();
        let whole = ValueCounts::from_values(&rows);
        for chunk in [1, 7, 64] {
            let mut forward = ValueCounts::default();
            for c in rows.chunks(chunk) {
                forward.merge(&ValueCounts::from_values(c));
            }
            let mut backward = ValueCounts::default();
            for c in rows.chunks(chunk).rev() {
                backward.merge(&ValueCounts::from_values(c));
            }
            assert_eq!(forward, whole, "chunks of {chunk}");
            assert_eq!(backward, whole, "chunks of {chunk}, reversed");
        }
        assert_eq!(whole.total(), 200);
        assert_eq!(whole.values().len(), 23);
        // -0 and 0 are one value, however they arrive.
        let mut zero = ValueCounts::from_values(&[0.0]);
        zero.merge(&ValueCounts::from_values(&[-0.0]));
        assert_eq!(zero.counts(), &[2]);
    }

    /// 5,000 rows of a skewed law with distinct values, and a repeated one.
    fn many() -> Vec<f64> {
        (0..5_000)
            .map(|i| {
                if i % 10 == 0 {
                    2.5
                } else {
                    let u = (f64::from(i) + 0.5) / 5_000.0;
                    (3.0 * u).exp() - 1.0 - f64::from(i % 7) * 1e-3
                }
            })
            .collect()
    }

    #[test]
    fn past_the_cap_buckets_are_the_same_however_the_rows_come() {
        let rows = many();
        let cap = 64;
        let whole = ValueCounts::from_values_capped(&rows, cap);
        assert!(
            whole.level > 0 && whole.values().len() <= cap,
            "{}",
            whole.values().len()
        );
        // No coarser than needed: one level lower would exceed the cap.
        let finer = ValueCounts::from_values_capped(&rows, usize::MAX);
        let at = |level: u32| {
            1 + finer
                .values()
                .windows(2)
                .filter(|w| bucket(w[0], level) != bucket(w[1], level))
                .count()
        };
        assert!(at(whole.level - 1) > cap);
        for chunk in [1, 7, 333] {
            let mut forward = ValueCounts::default();
            for c in rows.chunks(chunk) {
                forward.merge_capped(&ValueCounts::from_values_capped(c, cap), cap);
                assert!(forward.values().len() <= cap);
            }
            let mut backward = ValueCounts::default();
            for c in rows.chunks(chunk).rev() {
                backward.merge_capped(&ValueCounts::from_values_capped(c, cap), cap);
            }
            assert_eq!(forward, whole, "chunks of {chunk}");
            assert_eq!(backward, whole, "chunks of {chunk}, reversed");
        }
        // Exact ends and total; the repeated value's rows all in one bucket.
        let (lo, hi) = rows
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        assert_eq!(whole.values()[0], lo);
        assert_eq!(whole.high(whole.values().len() - 1), hi);
        assert_eq!(whole.total(), 5_000);
        let k = whole.values().partition_point(|&v| v <= 2.5) - 1;
        assert!(whole.counts()[k] >= 500 && whole.high(k) >= 2.5);
        // Each bucket spans at most 2^(level-52) of its magnitude.
        for k in 0..whole.values().len() {
            let (a, b) = (whole.values()[k], whole.high(k));
            assert!(
                b - a <= b.abs().max(a.abs()) * 2f64.powi(whole.level as i32 - 52),
                "{a} {b}"
            );
        }
    }
}
