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
//! Merging two counts is a linear merge of sorted lists, so the merged
//! counts are the counts of the concatenated rows whatever the chunking and
//! the order of the merges: a fit that reads them is the same fit. Memory is
//! one value and one count per distinct value.

use serde::{Deserialize, Serialize};

/// Sorted distinct values and their counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueCounts {
    values: Vec<f64>,
    counts: Vec<u64>,
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
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut out = ValueCounts::default();
        for x in sorted {
            out.push(x, 1);
        }
        out
    }

    /// Appends `count` rows of `x`, which sorts at or after every value held.
    fn push(&mut self, x: f64, count: u64) {
        match (self.values.last(), self.counts.last_mut()) {
            // `==` rather than bits: -0 and 0 are one value, as in a sort.
            (Some(&last), Some(c)) if last == x => *c += count,
            _ => {
                self.values.push(x);
                self.counts.push(count);
            }
        }
    }

    /// Adds the counts of other rows.
    pub fn merge(&mut self, other: &ValueCounts) {
        let (a, b) = (std::mem::take(self), other);
        let (mut i, mut j) = (0, 0);
        while i < a.values.len() || j < b.values.len() {
            let take_a =
                j == b.values.len() || (i < a.values.len() && a.values[i].total_cmp(&b.values[j]).is_le());
            if take_a {
                self.push(a.values[i], a.counts[i]);
                i += 1;
            } else {
                self.push(b.values[j], b.counts[j]);
                j += 1;
            }
        }
    }

    /// The distinct values, increasing.
    pub fn values(&self) -> &[f64] {
        &self.values
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

    /// Mean and (population) standard deviation of `f` of the rows' values,
    /// summed in the order of the values.
    pub(super) fn mean_std(&self, f: impl Fn(f64) -> f64) -> (f64, f64) {
        let n = self.total() as f64;
        let weighted = || {
            self.values
                .iter()
                .zip(&self.counts)
                .map(|(&v, &c)| (f(v), c as f64))
        };
        let mean = weighted().map(|(y, c)| c * y).sum::<f64>() / n;
        let var = weighted().map(|(y, c)| c * (y - mean).powi(2)).sum::<f64>() / n;
        (mean, var.sqrt())
    }
}

#[cfg(test)]
mod tests {
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
}
