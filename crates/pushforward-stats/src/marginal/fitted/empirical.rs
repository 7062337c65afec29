//! The empirical CDF of a column at fit time, from its value counts:
//! where each observed value sits, `[P(X < x), P(X ≤ x)]`, and past
//! [`MAX_DISTINCT`](super::MAX_DISTINCT) values where a value sits within its bucket (its rows
//! spread evenly between the bucket's smallest and largest value). The
//! smoothed quantile function and the family choice of [`super`] read it.

use super::ValueCounts;
use serde::{Deserialize, Serialize};

/// The empirical CDF of a column at fit time: where each observed value
/// sits, `[P(X < x), P(X ≤ x)]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmpiricalCdf {
    pub(super) values: Vec<f64>,
    pub(super) below: Vec<f64>,
    pub(super) cumulative: Vec<f64>,
    /// Where the counts keep buckets rather than values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    spread: Option<Spread>,
}

/// The buckets of an [`EmpiricalCdf`] past [`MAX_DISTINCT`](super::MAX_DISTINCT) values: each
/// from `values[k]` to `highs[k]`, its rows spread evenly between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spread {
    highs: Vec<f64>,
    rows: u64,
}

impl EmpiricalCdf {
    /// The CDF of `values` (finite, at least one).
    pub fn new(values: &[f64]) -> EmpiricalCdf {
        EmpiricalCdf::from_counts(&ValueCounts::from_values(values))
    }

    /// The CDF of the rows `counts` counts (at least one).
    pub fn from_counts(counts: &ValueCounts) -> EmpiricalCdf {
        let n = counts.total() as f64;
        let mut cdf = EmpiricalCdf {
            values: counts.values().to_vec(),
            below: Vec::with_capacity(counts.values().len()),
            cumulative: Vec::with_capacity(counts.values().len()),
            spread: (!counts.highs().is_empty()).then(|| Spread {
                highs: counts.highs().to_vec(),
                rows: counts.total(),
            }),
        };
        let mut seen = 0_u64;
        for &c in counts.counts() {
            cdf.below.push(seen as f64 / n);
            seen += c;
            cdf.cumulative.push(seen as f64 / n);
        }
        cdf
    }

    /// `[P(X < x), P(X ≤ x)]`; a value between the observed ones gets the
    /// empty interval at its linearly interpolated CDF.
    ///
    /// Past [`MAX_DISTINCT`](super::MAX_DISTINCT) values, a value `x` in a bucket `[a, b]` of `c`
    /// of the `n` rows, `below` it, sits at rank `r = (c − 1)(x − a)/(b − a)`
    /// among them: `[below + r/n, below + (r + 1)/n]`.
    pub fn interval(&self, x: f64) -> (f64, f64) {
        if let Some(spread) = &self.spread {
            return self.bucket_interval(spread, x);
        }
        let k = self.values.partition_point(|&v| v < x);
        if k < self.values.len() && self.values[k] == x {
            return (self.below[k], self.cumulative[k]);
        }
        if k == 0 {
            return (0.0, 0.0);
        }
        if k == self.values.len() {
            return (1.0, 1.0);
        }
        let (a, b) = (self.values[k - 1], self.values[k]);
        let f = self.cumulative[k - 1] + (x - a) / (b - a) * (self.below[k] - self.cumulative[k - 1]);
        (f, f)
    }

    fn bucket_interval(&self, spread: &Spread, x: f64) -> (f64, f64) {
        let j = self.values.partition_point(|&v| v <= x);
        if j == 0 {
            return (0.0, 0.0);
        }
        let k = j - 1;
        let (a, b) = (self.values[k], spread.highs[k]);
        if x > b {
            // Between two buckets.
            return (self.cumulative[k], self.cumulative[k]);
        }
        let n = spread.rows as f64;
        let c = ((self.cumulative[k] - self.below[k]) * n).round();
        let r = if b > a { (c - 1.0) * (x - a) / (b - a) } else { 0.0 };
        let lo = self.below[k] + r / n;
        (lo, (lo + 1.0 / n).min(self.cumulative[k]))
    }

    /// The largest value of entry `k` (of its bucket, past the cap).
    pub(super) fn high(&self, k: usize) -> f64 {
        self.spread.as_ref().map_or(self.values[k], |s| s.highs[k])
    }

    /// Entry `k`'s value: the value, or its bucket's midpoint.
    pub(super) fn middle(&self, k: usize) -> f64 {
        match &self.spread {
            Some(s) => self.values[k] + 0.5 * (s.highs[k] - self.values[k]),
            None => self.values[k],
        }
    }

    /// Number of distinct values.
    pub fn distinct(&self) -> usize {
        self.values.len()
    }

    /// The one-sample KS distance of the rows to the continuous `cdf`:
    /// over each run of ties `[b_k, c_k]`, the largest of `F(v_k) − b_k`
    /// and `c_k − F(v_k)`, as `ks_sorted_continuous` gives on the sorted
    /// rows themselves. A bucket's rows rise linearly from `b_k` at its smallest value to
    /// `c_k` at its largest, so its distance is read at its two ends.
    pub(super) fn ks(&self, cdf: impl Fn(f64) -> f64) -> f64 {
        (0..self.values.len())
            .map(|k| {
                let (x, y) = (self.values[k], self.high(k));
                let fx = cdf(x);
                let fy = if y == x { fx } else { cdf(y) };
                (fx - self.below[k]).max(self.cumulative[k] - fy)
            })
            .fold(0.0, f64::max)
    }
}
