//! The marginal law of one numeric column: a spec family when one fits as
//! well as the data's own distribution, else a smoothed empirical quantile
//! function; values rounded to the column's step (integers, dates) and kept
//! within the observed range.
//!
//! **Candidates.** Normal (mean and standard deviation), lognormal (the
//! same of `ln x`, all values positive) and uniform on `[min, max]`, each
//! truncated to the observed `[min, max]`:
//!
//! ```text
//! F_T(x) = (F(x) − F(min)) / (F(max) − F(min)),   Q_T(u) = F⁻¹(F(min) + u·(F(max) − F(min)))
//! ```
//!
//! **Smoothed empirical quantile.** With distinct values `v₁ < … < v_m`
//! and `P̂(X < v_k) = b_k`, `P̂(X ≤ v_k) = c_k`, `Q` is the piecewise linear
//! function through
//!
//! ```text
//! (0, v₁),  ((b_k + c_k)/2, v_k) for 1 < k < m,  (1, v_m)
//! ```
//! (at most 1,024 nodes: evenly spaced ones are kept; past
//! [`MAX_DISTINCT`] values the `v_k` are buckets of values ([`ValueCounts`]),
//! `(0, smallest)`, `(mid-rank, bucket midpoint)`, `(1, largest)`). `Q(u)` equals an
//! observed value only where `u` is exactly a node, so it draws a real
//! value with probability 0, its range is exactly `[v₁, v_m]`, and the
//! extremes are reached only at `u ∈ {0, 1}`. A column with a step (an
//! integer, a date, a float on a grid) and at most 32 distinct values, each
//! seen 5 times on average, instead takes the step function `Q(u) = v_k`
//! for `b_k < u ≤ c_k`, which keeps each value's frequency exactly: such
//! values are categories in all but name, while a few rows spread over many
//! values (a small class's measurements) are a sample of a smooth law, and
//! keeping them as atoms would copy the rows.
//!
//! **Choice.** A family replaces the empirical function only when its
//! one-sample KS distance to the column is at most the empirical
//! function's plus `0.5/√n`, a third of the 5 % critical value `1.36/√n` of
//! the KS test; among those that pass, the smallest distance wins.
//!
//! **Step.** A drawn value is `s·⌊Q(u)/s + ½⌋` for a column of step `s`,
//! which stays in range since both ends are on the grid. An integer's step
//! is 1, a date's its layout's resolution; a float column recorded on a
//! grid (0.1 mm, 25 g) takes that grid's step ([`grid_step`]), so its
//! drawn values sit on the values it can hold: a smooth law would put the
//! real column's atoms (often several percent of the rows each) between
//! the grid points, a KS distance of half an atom.

use crate::marginal::ParamError;
use crate::normal;
use serde::{Deserialize, Serialize};

mod counts;
mod empirical;
pub use counts::{MAX_DISTINCT, ValueCounts};
pub use empirical::EmpiricalCdf;

/// Quantiles averaged by [`NumericMarginal::moments`] (the midpoint rule).
const MOMENT_POINTS: u32 = 1 << 14;

/// Most nodes of a smoothed quantile function.
pub const MAX_NODES: usize = 1024;
/// Most distinct values of a stepped column kept as exact atoms.
pub const MAX_ATOMS: usize = 32;
/// Rows per distinct value, on average, below which a stepped column is
/// smoothed rather than kept as atoms.
pub const MIN_ATOM_ROWS: usize = 5;
/// The margin, times `1/√n`, by which a family may fit worse than the
/// empirical function and still be chosen.
pub const FAMILY_MARGIN: f64 = 0.5;

/// A marginal law on the real line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Law {
    /// Normal(mean, std), truncated to the range.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// Lognormal(`mu`, `sigma`) of `ln x`, truncated to the range.
    LogNormal {
        /// Mean of `ln x`.
        mu: f64,
        /// Standard deviation of `ln x`.
        sigma: f64,
    },
    /// Uniform on the range.
    Uniform,
    /// The piecewise linear quantile function through `(probs[k], values[k])`.
    Empirical {
        /// Node probabilities, from 0 to 1.
        probs: Vec<f64>,
        /// Node values, increasing.
        values: Vec<f64>,
    },
    /// `Q(u) = values[k]` for `cumulative[k−1] < u ≤ cumulative[k]`.
    Steps {
        /// `P(X ≤ values[k])`.
        cumulative: Vec<f64>,
        /// The values, increasing.
        values: Vec<f64>,
    },
}

/// A numeric column's marginal: its law, range and step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericMarginal {
    /// The law.
    pub law: Law,
    /// Smallest value observed.
    pub low: f64,
    /// Largest value observed.
    pub high: f64,
    /// The rounding step (1 for an integer), if any.
    pub step: Option<f64>,
}

impl NumericMarginal {
    /// The marginal of the present values `values` (finite, at least one)
    /// of a column with rounding step `step`, chosen as the module doc says.
    pub fn fit(values: &[f64], step: Option<f64>) -> NumericMarginal {
        NumericMarginal::fit_counts(&ValueCounts::from_values(values), step)
    }

    /// The marginal of the rows `counts` counts (at least one): the same
    /// as [`NumericMarginal::fit`] of those rows in any order, since the
    /// choice reads only the sorted distinct values and their counts.
    pub fn fit_counts(counts: &ValueCounts, step: Option<f64>) -> NumericMarginal {
        let cdf = EmpiricalCdf::from_counts(counts);
        let (low, high) = (cdf.values[0], cdf.high(cdf.values.len() - 1));
        let base = |law| NumericMarginal { law, low, high, step };
        let n = counts.total();
        if step.is_some() && cdf.distinct() <= MAX_ATOMS && n >= (MIN_ATOM_ROWS * cdf.distinct()) as u64 {
            return base(Law::Steps {
                cumulative: cdf.cumulative.clone(),
                values: cdf.values.clone(),
            });
        }
        let empirical = base(smoothed(&cdf));
        if cdf.distinct() < 3 {
            return empirical;
        }
        let (mean, std) = counts.mean_std(|x| x);
        let mut candidates = vec![base(Law::Normal { mean, std }), base(Law::Uniform)];
        if low > 0.0 {
            let (mu, sigma) = counts.mean_std(f64::ln);
            candidates.push(base(Law::LogNormal { mu, sigma }));
        }
        let bar = cdf.ks(|x| empirical.cdf(x)) + FAMILY_MARGIN / (n as f64).sqrt();
        candidates
            .into_iter()
            .filter(|m| m.law_is_proper())
            .map(|m| (cdf.ks(|x| m.cdf(x)), m))
            .filter(|(ks, _)| *ks <= bar)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(empirical, |(_, m)| m)
    }

    /// Checks a marginal written by hand: the law's parameters, knots in
    /// order from probability 0 to 1, bounds in order and a positive step.
    /// The error names the spec field at fault.
    ///
    /// ```
    /// use pushforward_stats::marginal::fitted::{Law, NumericMarginal};
    /// let m = NumericMarginal {
    ///     law: Law::Empirical { probs: vec![0.0, 0.7, 1.0], values: vec![1.0, 2.0, 4.0] },
    ///     low: 1.0,
    ///     high: 4.0,
    ///     step: Some(0.5),
    /// };
    /// assert!(m.check().is_ok());
    /// let bad = NumericMarginal { step: Some(-1.0), ..m };
    /// assert_eq!(bad.check().unwrap_err().param, "step");
    /// ```
    pub fn check(&self) -> Result<(), ParamError> {
        let fail = |param, value, expected| {
            Err(ParamError {
                param,
                value,
                expected,
            })
        };
        if let Some(s) = self.step
            && !(s > 0.0 && s.is_finite())
        {
            return fail("step", s, "a positive finite number");
        }
        if self.low.is_nan() || self.high.is_nan() || self.high < self.low {
            return fail("high", self.high, "a number at least 'low'");
        }
        let increasing = |xs: &[f64], strict: bool| {
            xs.windows(2)
                .position(|w| if strict { w[1] <= w[0] } else { w[1] < w[0] })
                .map(|k| xs[k + 1])
        };
        match &self.law {
            Law::Normal { mean, std } => {
                if !mean.is_finite() {
                    return fail("mean", *mean, "a finite number");
                }
                if !(*std > 0.0 && std.is_finite()) {
                    return fail("std", *std, "a positive finite number");
                }
            }
            Law::LogNormal { mu, sigma } => {
                if !mu.is_finite() {
                    return fail("mu", *mu, "a finite number");
                }
                if !(*sigma > 0.0 && sigma.is_finite()) {
                    return fail("sigma", *sigma, "a positive finite number");
                }
            }
            Law::Uniform => {
                if !(self.low.is_finite() && self.high.is_finite() && self.high > self.low) {
                    return fail("high", self.high, "a finite number greater than a finite 'low'");
                }
            }
            Law::Empirical { probs, values } => {
                if probs.len() != values.len() || values.len() < 2 {
                    return fail(
                        "probs",
                        probs.len() as f64,
                        "as many probabilities as quantiles, at least 2",
                    );
                }
                if let Some(&v) = values.iter().find(|v| !v.is_finite()) {
                    return fail("quantiles", v, "finite numbers");
                }
                if let Some(v) = increasing(values, false) {
                    return fail("quantiles", v, "quantiles in non-decreasing order");
                }
                if probs[0] != 0.0 || probs[probs.len() - 1] != 1.0 {
                    return fail("probs", probs[0], "probabilities from exactly 0 to exactly 1");
                }
                if let Some(p) = increasing(probs, true) {
                    return fail("probs", p, "probabilities in increasing order");
                }
            }
            Law::Steps { cumulative, values } => {
                if cumulative.len() != values.len() || values.is_empty() {
                    return fail("weights", cumulative.len() as f64, "one weight per value");
                }
                if let Some(&v) = values.iter().find(|v| !v.is_finite()) {
                    return fail("values", v, "finite numbers");
                }
                if let Some(v) = increasing(values, true) {
                    return fail("values", v, "values in increasing order, each once");
                }
                if let Some(c) = increasing(cumulative, false) {
                    return fail("weights", c, "non-negative weights");
                }
                let last = cumulative[cumulative.len() - 1];
                if cumulative[0] < 0.0 || last != 1.0 {
                    return fail("weights", last, "non-negative weights with a positive finite sum");
                }
            }
        }
        Ok(())
    }

    /// Whether every drawn value is a whole number: a whole step of at
    /// least 1 on a whole lower bound (integers, dates in seconds), or,
    /// without a step, atoms that are all whole.
    pub fn is_integer(&self) -> bool {
        match (self.step, &self.law) {
            (Some(s), _) => s >= 1.0 && s.fract() == 0.0 && self.low.fract() == 0.0,
            (None, Law::Steps { values, .. }) => values.iter().all(|v| v.fract() == 0.0),
            (None, _) => false,
        }
    }

    /// Mean and standard deviation of the drawn (rounded) values, by the
    /// midpoint rule over 16,384 quantiles.
    pub fn moments(&self) -> (f64, f64) {
        let n = f64::from(MOMENT_POINTS);
        let draws: Vec<f64> = (0..MOMENT_POINTS)
            .map(|k| self.quantile((f64::from(k) + 0.5) / n))
            .collect();
        mean_std(&draws)
    }

    fn law_is_proper(&self) -> bool {
        match &self.law {
            Law::Normal { std, .. } => std.is_finite() && *std > 0.0,
            Law::LogNormal { sigma, .. } => sigma.is_finite() && *sigma > 0.0,
            Law::Uniform => self.high > self.low && (self.high - self.low).is_finite(),
            _ => true,
        }
    }

    /// `F(x)` of a family before truncation (0 for the other laws).
    fn family_cdf(&self, x: f64) -> f64 {
        match self.law {
            Law::Normal { mean, std } => normal::cdf((x - mean) / std),
            Law::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal::cdf((x.ln() - mu) / sigma)
                }
            }
            Law::Uniform => ((x - self.low) / (self.high - self.low)).clamp(0.0, 1.0),
            Law::Empirical { .. } | Law::Steps { .. } => 0.0,
        }
    }

    /// `Q(p)` of a family before truncation (`low` for the other laws).
    fn family_quantile(&self, p: f64) -> f64 {
        match self.law {
            Law::Normal { mean, std } => mean + std * normal::quantile(p),
            Law::LogNormal { mu, sigma } => (mu + sigma * normal::quantile(p)).exp(),
            Law::Uniform => self.low + p * (self.high - self.low),
            Law::Empirical { .. } | Law::Steps { .. } => self.low,
        }
    }

    /// `(F(low), F(high))` of a family, the ends of its truncation.
    fn family_ends(&self) -> (f64, f64) {
        match self.law {
            Law::Empirical { .. } | Law::Steps { .. } => (0.0, 0.0),
            _ => (self.family_cdf(self.low), self.family_cdf(self.high)),
        }
    }

    /// The quantile function set up for many draws (see [`Quantile`]).
    pub fn quantile_fn(&self) -> Quantile<'_> {
        Quantile {
            marginal: self,
            ends: self.family_ends(),
            step: self
                .step
                .map(|s| (s, 10f64.powi((-s.log10()).ceil().clamp(0.0, 6.0) as i32))),
        }
    }

    /// The continuous CDF of the law before rounding.
    pub fn cdf(&self, x: f64) -> f64 {
        if x < self.low {
            return 0.0;
        }
        if x >= self.high {
            return 1.0;
        }
        match &self.law {
            Law::Empirical { probs, values } => {
                let k = values.partition_point(|&v| v <= x).clamp(1, values.len() - 1);
                let (a, b) = (values[k - 1], values[k]);
                probs[k - 1] + (x - a) / (b - a) * (probs[k] - probs[k - 1])
            }
            Law::Steps { cumulative, values } => {
                let k = values.partition_point(|&v| v <= x);
                if k == 0 { 0.0 } else { cumulative[k - 1] }
            }
            _ => {
                let (fl, fh) = self.family_ends();
                ((self.family_cdf(x) - fl) / (fh - fl)).clamp(0.0, 1.0)
            }
        }
    }

    /// `Q(u)` before rounding, within `[low, high]`.
    pub fn raw_quantile(&self, u: f64) -> f64 {
        self.quantile_fn().raw(u)
    }

    /// A drawn value: `Q(u)` rounded to the step.
    pub fn quantile(&self, u: f64) -> f64 {
        self.quantile_fn().value(u)
    }

    /// `x` on the step's grid (written with the step's decimals, so `0.1 ·
    /// 391` comes out as the number nearest 39.1).
    pub fn round(&self, x: f64) -> f64 {
        self.quantile_fn().round(x)
    }

    /// `inf {u : Q(u) ≥ t}` (by bisection on the monotone `Q`, to 2⁻⁶⁰).
    pub fn u_at_least(&self, t: f64) -> f64 {
        self.bisect(|q| q >= t)
    }

    /// `sup {u : Q(u) ≤ t}`.
    pub fn u_at_most(&self, t: f64) -> f64 {
        self.bisect(|q| q > t)
    }

    /// The smallest `u` in `[0, 1]` with `hit(Q(u))`, `hit` monotone.
    fn bisect(&self, hit: impl Fn(f64) -> bool) -> f64 {
        let q = self.quantile_fn();
        if hit(q.raw(0.0)) {
            return 0.0;
        }
        if !hit(q.raw(1.0)) {
            return 1.0;
        }
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if hit(q.raw(mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }
}

/// A marginal's quantile function set up for many draws: a family's CDF
/// at the ends of its truncation and the step's decimals are computed once,
/// not per value. Its values are [`NumericMarginal::quantile`]'s, bit for
/// bit (that function is this one, set up for one value).
#[derive(Debug, Clone, Copy)]
pub struct Quantile<'a> {
    marginal: &'a NumericMarginal,
    /// `(F(low), F(high))` of a family.
    ends: (f64, f64),
    /// The step and `10^k` for its `k` decimals.
    step: Option<(f64, f64)>,
}

impl Quantile<'_> {
    /// `Q(u)` before rounding, within `[low, high]`.
    pub fn raw(&self, u: f64) -> f64 {
        let m = self.marginal;
        let u = u.clamp(0.0, 1.0);
        let q = match &m.law {
            Law::Empirical { probs, values } => {
                let k = probs.partition_point(|&p| p <= u).clamp(1, probs.len() - 1);
                let (p0, p1) = (probs[k - 1], probs[k]);
                let t = if p1 > p0 { (u - p0) / (p1 - p0) } else { 0.0 };
                let (a, b) = (values[k - 1], values[k]);
                // Nodes more than f64::MAX apart (near ±1e308) overflow
                // `b − a`; the weighted form does not.
                if (b - a).is_finite() {
                    a + t * (b - a)
                } else {
                    (1.0 - t) * a + t * b
                }
            }
            Law::Steps { cumulative, values } => {
                let k = cumulative.partition_point(|&c| c < u).min(values.len() - 1);
                values[k]
            }
            _ => {
                let (fl, fh) = self.ends;
                m.family_quantile(fl + u * (fh - fl))
            }
        };
        q.clamp(m.low, m.high)
    }

    /// A drawn value: `Q(u)` rounded to the step.
    pub fn value(&self, u: f64) -> f64 {
        self.round(self.raw(u))
    }

    /// The law as cut points, when it takes few values: `(cuts, values)`,
    /// increasing `cuts` with `value(u) = values[k]` for `u` at or past
    /// exactly `k` of them (to rounding, at the cuts themselves). A stepped
    /// law's cuts are its cumulative shares; a law with a step taking at
    /// most `max` grid values is cut where rounding moves to the next one,
    /// `F((k + ½)·step)`. `None` for a law with neither.
    ///
    /// ```
    /// use pushforward_stats::marginal::fitted::NumericMarginal;
    /// let m = NumericMarginal::fit(&[1.0, 2.0, 2.0, 3.0, 5.0, 8.0], Some(1.0));
    /// let q = m.quantile_fn();
    /// let (cuts, values) = q.cuts(64).unwrap();
    /// for u in [0.05, 0.3, 0.5, 0.77, 0.99] {
    ///     assert_eq!(values[cuts.partition_point(|&c| c <= u)], q.value(u));
    /// }
    /// ```
    pub fn cuts(&self, max: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let m = self.marginal;
        if let Law::Steps { cumulative, values } = &m.law {
            let n = values.len().min(cumulative.len());
            let atoms = values[..n].iter().map(|&v| self.round(v.clamp(m.low, m.high)));
            return Some((cumulative[..n.saturating_sub(1)].to_vec(), atoms.collect()));
        }
        let (s, decimals) = self.step?;
        let first = (m.low / s + 0.5).floor();
        let last = (m.high / s + 0.5).floor();
        let span = last - first;
        if !span.is_finite() || span >= max as f64 {
            return None;
        }
        let count = (last - first) as usize + 1;
        let values = (0..count)
            .map(|i| {
                let k = first + i as f64;
                (((s * k) * decimals).round() / decimals).clamp(m.low, m.high)
            })
            .collect();
        let cuts = (0..count - 1)
            .map(|i| m.cdf((first + i as f64 + 0.5) * s))
            .collect();
        Some((cuts, values))
    }

    /// `x` on the step's grid.
    pub fn round(&self, x: f64) -> f64 {
        match self.step {
            Some((s, decimals)) => {
                let v = ((s * (x / s + 0.5).floor()) * decimals).round() / decimals;
                v.clamp(self.marginal.low, self.marginal.high)
            }
            None => x,
        }
    }
}

/// The grid the values `values` are recorded on: `g / 10^k` for the fewest
/// decimals `k ≤ 6` that write every value (to 10⁻⁹ relative) and `g` the
/// greatest common divisor of the values' differences in those units;
/// `None` when no such `k` exists or the values are all equal.
///
/// ```
/// use pushforward_stats::marginal::fitted::grid_step;
/// assert_eq!(grid_step(&[3750.0, 3800.0, 4025.0]), Some(25.0));
/// assert_eq!(grid_step(&[39.1, 39.2, 40.3]), Some(0.1));
/// assert_eq!(grid_step(&[0.123_456_789, 1.0]), None);
/// ```
pub fn grid_step(values: &[f64]) -> Option<f64> {
    let scale = (0..=6).map(|k| 10f64.powi(k)).find(|&scale| {
        values.iter().all(|&x| {
            let y = x * scale;
            y.abs() < 9.0e15 && (y - y.round()).abs() <= 1e-9 * y.abs().max(1.0)
        })
    })?;
    let ints: Vec<i64> = values.iter().map(|&x| (x * scale).round() as i64).collect();
    let low = *ints.iter().min()?;
    let g = ints.iter().fold(0i64, |g, &v| gcd(g, v - low));
    (g > 0).then(|| g as f64 / scale)
}

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The smoothed quantile function of the module doc.
fn smoothed(cdf: &EmpiricalCdf) -> Law {
    let m = cdf.distinct();
    if m == 1 {
        return Law::Empirical {
            probs: vec![0.0, 1.0],
            values: vec![cdf.values[0], cdf.high(0)],
        };
    }
    let mut probs = Vec::with_capacity(m);
    let mut values = Vec::with_capacity(m);
    let keep: Vec<usize> = if m <= MAX_NODES {
        (0..m).collect()
    } else {
        let last = (m - 1) as f64;
        let mut idx: Vec<usize> = (0..MAX_NODES)
            .map(|j| (j as f64 * last / (MAX_NODES - 1) as f64).round() as usize)
            .collect();
        idx.dedup();
        idx
    };
    for &k in &keep {
        let (p, v) = if k == 0 {
            (0.0, cdf.values[0])
        } else if k == m - 1 {
            (1.0, cdf.high(k))
        } else {
            (0.5 * (cdf.below[k] + cdf.cumulative[k]), cdf.middle(k))
        };
        probs.push(p);
        values.push(v);
    }
    Law::Empirical { probs, values }
}

/// Mean and (population) standard deviation.
fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_empirical_function_stays_in_range_and_misses_the_extremes() {
        let values: Vec<f64> = (0..200).map(|i| f64::from(i).powi(3) / 1e4).collect();
        let m = NumericMarginal::fit(&values, None);
        assert!(matches!(m.law, Law::Empirical { .. }), "{:?}", m.law);
        for k in 1..1000 {
            let x = m.quantile(f64::from(k) / 1000.0);
            assert!(x > m.low && x < m.high, "{x}");
        }
        // Quantiles invert the CDF.
        for u in [0.1, 0.5, 0.93] {
            assert!((m.cdf(m.raw_quantile(u)) - u).abs() < 1e-12);
            assert!((m.u_at_least(m.raw_quantile(u)) - u).abs() < 1e-12);
        }
    }

    /// Values near ±f64::MAX: their range overflows, so no uniform law is
    /// taken, and the empirical function interpolates without computing
    /// the overflowing difference: every quantile is finite, in range and
    /// non-decreasing, and both signs are drawn.
    #[test]
    fn values_near_the_largest_float_give_finite_quantiles() {
        let values = [-1.7e308, -1e308, 5.0, 1e308, 1.7e308, -1.5e308, 1.2e308];
        for step in [None, Some(1.0)] {
            let m = NumericMarginal::fit(&values, step);
            assert!(matches!(m.law, Law::Empirical { .. }), "{:?}", m.law);
            let q: Vec<f64> = (0..=1000).map(|k| m.quantile(f64::from(k) / 1000.0)).collect();
            assert!(
                q.iter().all(|x| x.is_finite() && (m.low..=m.high).contains(x)),
                "{q:?}"
            );
            assert!(q.windows(2).all(|w| w[0] <= w[1]));
            assert!(q[100] < 0.0 && q[900] > 0.0, "{} {}", q[100], q[900]);
        }
    }

    #[test]
    fn a_normal_column_takes_the_normal_family_and_a_bimodal_one_does_not() {
        // Normal quantiles at the plotting positions: a near-perfect normal sample.
        let normal: Vec<f64> = (0..400)
            .map(|i| 10.0 + 2.0 * normal::quantile((f64::from(i) + 0.5) / 400.0))
            .collect();
        let m = NumericMarginal::fit(&normal, None);
        assert!(matches!(m.law, Law::Normal { .. }), "{:?}", m.law);
        let bimodal: Vec<f64> = normal
            .iter()
            .map(|x| if *x < 10.0 { x - 6.0 } else { x + 6.0 })
            .collect();
        assert!(matches!(
            NumericMarginal::fit(&bimodal, None).law,
            Law::Empirical { .. }
        ));
    }

    /// Each kind of law with few values: decoding by its cut points gives
    /// the quantile function's values at every `u` of a fine grid (away
    /// from the cuts themselves, where rounding may fall either way).
    #[test]
    fn cut_points_decode_as_the_quantile_function() {
        let plotting = |n: u32, f: &dyn Fn(f64) -> f64| -> Vec<f64> {
            (0..n).map(|i| f((f64::from(i) + 0.5) / f64::from(n))).collect()
        };
        let normal = plotting(400, &|p| (100.0 + 7.0 * normal::quantile(p)).round());
        let lognormal = plotting(400, &|p| {
            ((8.0 + 0.1 * normal::quantile(p)).exp() / 25.0).round() * 25.0
        });
        let bimodal: Vec<f64> = normal
            .iter()
            .map(|x| if *x < 100.0 { x - 30.0 } else { x + 30.0 })
            .collect();
        let tenths = plotting(300, &|p| {
            (10.0 * (40.0 + 3.0 * normal::quantile(p))).round() / 10.0
        });
        let steps = [1.0, 1.0, 1.0, 2.0, 5.0, 5.0].repeat(5);
        let cases: [(&[f64], f64); 5] = [
            (&normal, 1.0),
            (&lognormal, 25.0),
            (&bimodal, 1.0),
            (&tenths, 0.1),
            (&steps, 1.0),
        ];
        let mut kinds = Vec::new();
        for (values, step) in cases {
            let m = NumericMarginal::fit(values, Some(step));
            kinds.push(std::mem::discriminant(&m.law));
            let q = m.quantile_fn();
            let (cuts, decoded) = q.cuts(1024).unwrap();
            assert_eq!(cuts.len() + 1, decoded.len());
            for k in 0..100_000 {
                let u = (f64::from(k) + 0.5) / 100_000.0;
                if cuts.iter().any(|c| (c - u).abs() < 1e-12) {
                    continue;
                }
                let at = cuts.partition_point(|&c| c <= u);
                assert_eq!(decoded[at], q.value(u), "{:?} at u = {u}", m.law);
            }
        }
        kinds.dedup();
        assert!(kinds.len() >= 4, "families, empirical and steps: {kinds:?}");
        let wide = NumericMarginal::fit(&tenths, Some(0.001));
        assert!(wide.quantile_fn().cuts(1024).is_none());
        assert!(
            NumericMarginal::fit(&tenths, None)
                .quantile_fn()
                .cuts(1024)
                .is_none()
        );
    }

    #[test]
    fn few_integers_keep_their_frequencies_exactly() {
        let values = [1.0, 1.0, 1.0, 2.0, 5.0, 5.0].repeat(5);
        let m = NumericMarginal::fit(&values, Some(1.0));
        let draws: Vec<f64> = (0..600)
            .map(|k| m.quantile((f64::from(k) + 0.5) / 600.0))
            .collect();
        let count = |v: f64| draws.iter().filter(|&&x| x == v).count();
        assert_eq!((count(1.0), count(2.0), count(5.0)), (300, 100, 200));
        assert!((m.u_at_least(1.5) - 0.5).abs() < 1e-12);
        // Seen fewer than 5 times each: smoothed.
        let few = NumericMarginal::fit(&values[..6], Some(1.0));
        assert!(!matches!(few.law, Law::Steps { .. }), "{:?}", few.law);
    }

    #[test]
    fn past_the_cap_ranks_and_quantiles_stay_within_a_bucket() {
        let n = 100_000;
        let values: Vec<f64> = (0..n)
            .map(|i| {
                let z = normal::quantile((f64::from(i) + 0.5) / f64::from(n));
                if i % 2 == 0 { z - 3.0 } else { z + 3.0 }
            })
            .collect();
        let counts = ValueCounts::from_values(&values);
        assert!(counts.values().len() <= MAX_DISTINCT && !counts.highs().is_empty());
        let largest_share = counts.counts().iter().max().copied().unwrap_or(0) as f64 / f64::from(n);
        assert!(largest_share < 1e-3, "{largest_share}");
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        // Mid-ranks within the largest bucket's share of the exact ones.
        let cdf = EmpiricalCdf::from_counts(&counts);
        let worst = sorted
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let (lo, hi) = cdf.interval(x);
                (0.5 * (lo + hi) - (i as f64 + 0.5) / f64::from(n)).abs()
            })
            .fold(0.0, f64::max);
        assert!(worst <= largest_share, "{worst} vs {largest_share}");
        // The marginal keeps the exact range and the quantiles.
        let m = NumericMarginal::fit_counts(&counts, None);
        assert!(matches!(m.law, Law::Empirical { .. }), "{:?}", m.law);
        assert_eq!((m.low, m.high), (sorted[0], sorted[sorted.len() - 1]));
        for u in [0.001, 0.1, 0.5, 0.77, 0.999] {
            let want = sorted[(u * f64::from(n)) as usize];
            assert!(
                (m.quantile(u) - want).abs() < 0.01,
                "u {u}: {} vs {want}",
                m.quantile(u)
            );
        }
    }

    #[test]
    fn the_cdf_interval_of_ties() {
        let cdf = EmpiricalCdf::new(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(cdf.interval(3.0), (0.5, 1.0));
        assert_eq!(cdf.interval(1.0), (0.0, 0.25));
        assert_eq!(cdf.interval(2.5), (0.5, 0.5));
    }
}
