//! Latent maps: the transform `x(z) = F⁻¹(Φ(z))` from a standard normal draw
//! to a column value, tabulated so that sampling costs a few nanoseconds.
//!
//! * **Continuous laws** ([`SmoothMap`]): values and exact slopes
//!   `x'(z) = φ(z) / f(x(z))` on a uniform grid over `[−12.5, 12.5]`, joined by
//!   cubic Hermite interpolation. The grid starts at spacing 1/64 and is halved
//!   until the interpolation error, measured against the exact quantile at
//!   every interval midpoint, is at most `1e-9 · (|x| + σ)`; the measured bound
//!   is kept in [`SmoothMap::max_error`]. Outside the grid (|z| > 12.5, a
//!   probability below 1e-35 per draw) the exact quantile is evaluated.
//! * **Discrete laws** ([`StepMap`]): the thresholds `t_k = Φ⁻¹(F(k))`, taken
//!   as `−Φ⁻¹(S(k))` in the upper half so both tails stay exact; `x(z)` is the
//!   first support point whose threshold is at least `z`. Thresholds cover
//!   the support where both tail probabilities exceed about 1e-25; beyond,
//!   the step is found by a galloping search on the law itself.
//! * **Fitted table marginals** ([`LatentMap::Exact`]): `Q(Φ(z))` rounded
//!   to the column's step, evaluated at each draw (a piecewise linear
//!   quantile with a rounding grid is neither smooth nor a law on the
//!   integers, so neither table fits it).

use crate::marginal::fitted::NumericMarginal;
use crate::marginal::{ContinuousLaw, DiscreteLaw, Law, Marginal, uniform01};
use crate::normal;
use pushforward_core::{Progress, Silent};
use rayon::prelude::*;
use std::sync::Arc;

/// Half-width of the tabulated range of `z`.
pub(crate) const Z_MAX: f64 = 12.5;
/// Tail probability at which step tables stop (either side).
const STEP_TAIL: f64 = 1e-25;
/// `−Φ⁻¹(STEP_TAIL)`.
const STEP_Z: f64 = 10.4;
/// Most steps a table may take. Parameter checks keep a law within about
/// 65,536 values over ±10.4 standard deviations; its tail falls below
/// [`STEP_TAIL`] long before this many.
const MAX_TABLE_STEPS: usize = 1 << 20;

/// A latent map of one column: smooth for continuous laws, steps otherwise.
#[derive(Debug, Clone)]
pub enum LatentMap {
    /// A continuous law.
    Smooth(SmoothMap),
    /// A discrete or categorical law.
    Steps(StepMap),
    /// A fitted table marginal, evaluated exactly.
    Exact(Arc<NumericMarginal>),
}

/// Tabulated `x(z)` of a continuous law with cubic Hermite interpolation.
#[derive(Debug, Clone)]
pub struct SmoothMap {
    z0: f64,
    dz: f64,
    inv_dz: f64,
    x: Vec<f64>,
    slope: Vec<f64>,
    law: Arc<dyn ContinuousLaw>,
    max_error: f64,
}

/// The step function `x(z)` of a discrete law.
#[derive(Debug, Clone)]
pub struct StepMap {
    /// Ascending thresholds; `values[m]` is taken for `t[m−1] < z ≤ t[m]`.
    thresholds: Vec<f64>,
    /// One more value than thresholds.
    values: Vec<f64>,
    /// The first support point (value of step 0).
    first: i64,
    /// Threshold of the step below `first`, when the table starts above the
    /// support's minimum: draws at or below it take the exact search.
    below: Option<f64>,
    /// Set when the table does not cover the whole support: the exact
    /// search beyond it.
    tail: Option<Arc<dyn DiscreteLaw>>,
}

impl LatentMap {
    /// Builds the map of a marginal.
    pub fn new(marginal: &Marginal) -> Self {
        match marginal.law() {
            Law::Continuous(law) => LatentMap::Smooth(SmoothMap::build(Arc::clone(law), &Silent)),
            Law::Discrete(law) => LatentMap::Steps(StepMap::build(Arc::clone(law))),
            Law::Fitted(m) => LatentMap::Exact(Arc::clone(m)),
        }
    }

    /// Builds the map, checking `progress.cancelled()` while tabulating;
    /// `None` when it reported a cancellation.
    pub fn with_progress(marginal: &Marginal, progress: &(dyn Progress + Sync)) -> Option<Self> {
        let map = match marginal.law() {
            Law::Continuous(law) => LatentMap::Smooth(SmoothMap::build(Arc::clone(law), progress)),
            Law::Discrete(law) => LatentMap::Steps(StepMap::build(Arc::clone(law))),
            Law::Fitted(m) => LatentMap::Exact(Arc::clone(m)),
        };
        (!progress.cancelled()).then_some(map)
    }

    /// Whether every tabulated value is a finite number (a law whose
    /// `1e-35` tail quantiles overflow double precision is not).
    pub fn is_finite(&self) -> bool {
        match self {
            LatentMap::Smooth(s) => s.x.iter().all(|x| x.is_finite()),
            LatentMap::Steps(s) => s.thresholds.iter().all(|t| !t.is_nan()),
            LatentMap::Exact(_) => true,
        }
    }

    /// The map of the column's mid-distribution transform
    /// `(F(X) + F(X⁻)) / 2`, whose Pearson correlation is Spearman's rho.
    /// A fitted marginal keeps its own map: it joins no correlated pair
    /// (see [`crate::copula::fit_copula`]).
    pub fn rank_map(&self) -> LatentMap {
        match self {
            LatentMap::Exact(m) => LatentMap::Exact(Arc::clone(m)),
            LatentMap::Smooth(_) => LatentMap::Smooth(SmoothMap::build(uniform01(), &Silent)),
            LatentMap::Steps(s) => {
                // The mid-point of each step's CDF jump: F(X⁻) + P(X)/2.
                let values = s.cells().map(|(lo, _, p)| normal::cdf(lo) + 0.5 * p).collect();
                LatentMap::Steps(StepMap {
                    thresholds: s.thresholds.clone(),
                    values,
                    first: 0,
                    below: None,
                    tail: None,
                })
            }
        }
    }

    /// `x(z)` as a real number.
    #[inline]
    pub fn value(&self, z: f64) -> f64 {
        match self {
            LatentMap::Smooth(s) => s.value(z),
            LatentMap::Steps(s) => s.value(z),
            LatentMap::Exact(m) => m.quantile(normal::cdf(z)),
        }
    }
}

impl SmoothMap {
    /// Tabulates, refining the grid until the error bound holds; stops
    /// early (with a partial table the caller drops) on a cancellation.
    fn build(law: Arc<dyn ContinuousLaw>, progress: &(dyn Progress + Sync)) -> Self {
        let sd = law.variance().sqrt();
        let (lo, hi) = law.support();
        let scale = if sd.is_finite() && sd > 0.0 {
            sd
        } else if lo.is_finite() && hi.is_finite() {
            hi - lo
        } else {
            1.0
        };
        let mut per_unit = 64usize;
        loop {
            let map = Self::tabulate(Arc::clone(&law), per_unit, progress);
            if progress.cancelled() {
                return map;
            }
            let err = map.midpoint_error(scale);
            if err <= 1e-9 || per_unit >= 1024 || !err.is_finite() {
                return SmoothMap {
                    max_error: err,
                    ..map
                };
            }
            per_unit *= 2;
        }
    }

    fn tabulate(law: Arc<dyn ContinuousLaw>, per_unit: usize, progress: &(dyn Progress + Sync)) -> Self {
        let dz = 1.0 / per_unit as f64;
        let half = (Z_MAX * per_unit as f64).round() as usize;
        let n = 2 * half + 1;
        let z_at = |i: usize| (i as f64 - half as f64) * dz;
        let mut x = vec![0.0; n];
        // Walk outwards from z = 0 so each solve starts next to its answer.
        let (lower, upper) = x.split_at_mut(half);
        let run = |idx: &mut dyn Iterator<Item = usize>, out: &mut dyn FnMut(usize, f64)| {
            let mut guess = None;
            for i in idx {
                if i % 64 == 0 && progress.cancelled() {
                    return;
                }
                let v = law.quantile_z_from(z_at(i), guess);
                if v.is_finite() {
                    guess = Some(v);
                }
                out(i, v);
            }
        };
        rayon::join(
            || run(&mut (0..half).rev(), &mut |i, v| lower[i] = v),
            || run(&mut (half..n), &mut |i, v| upper[i - half] = v),
        );
        let slope = (0..n)
            .into_par_iter()
            .map(|i| {
                let z = z_at(i);
                let s = normal::pdf(z) / law.pdf(x[i]);
                if s.is_finite() {
                    s
                } else {
                    // Density zero or infinite at x: one-sided difference.
                    let (a, b) = (i.saturating_sub(1), (i + 1).min(n - 1));
                    (x[b] - x[a]) / (z_at(b) - z_at(a))
                }
            })
            .collect();
        SmoothMap {
            z0: -(half as f64) * dz,
            dz,
            inv_dz: per_unit as f64,
            x,
            slope,
            law,
            max_error: f64::NAN,
        }
    }

    fn midpoint_error(&self, scale: f64) -> f64 {
        (0..self.x.len() - 1)
            .into_par_iter()
            .map(|i| {
                let z = self.z0 + (i as f64 + 0.5) * self.dz;
                let truth = self.law.quantile_z_from(z, Some(self.x[i]));
                let got = self.value(z);
                (got - truth).abs() / (truth.abs() + scale)
            })
            .reduce(|| 0.0, f64::max)
    }

    /// Largest interpolation error found at the interval midpoints, relative
    /// to `|x| + σ`.
    pub fn max_error(&self) -> f64 {
        self.max_error
    }

    #[inline]
    fn locate(&self, z: f64) -> Option<(usize, f64)> {
        let t = (z - self.z0) * self.inv_dz;
        if t >= 0.0 && t < (self.x.len() - 1) as f64 {
            let i = t as usize;
            Some((i, t - i as f64))
        } else {
            None
        }
    }

    /// `x(z)`.
    #[inline]
    pub fn value(&self, z: f64) -> f64 {
        match self.locate(z) {
            Some((i, u)) => {
                let (x0, x1) = (self.x[i], self.x[i + 1]);
                let (m0, m1) = (self.slope[i] * self.dz, self.slope[i + 1] * self.dz);
                let u2 = u * u;
                let u3 = u2 * u;
                (2.0 * u3 - 3.0 * u2 + 1.0) * x0
                    + (u3 - 2.0 * u2 + u) * m0
                    + (-2.0 * u3 + 3.0 * u2) * x1
                    + (u3 - u2) * m1
            }
            None => self.law.quantile_z(z),
        }
    }

    /// `x'(z)`, the derivative of the interpolant (exact slope outside the grid
    /// is not needed: quadrature nodes stay inside).
    #[inline]
    pub fn slope(&self, z: f64) -> f64 {
        match self.locate(z) {
            Some((i, u)) => {
                let (x0, x1) = (self.x[i], self.x[i + 1]);
                let (m0, m1) = (self.slope[i], self.slope[i + 1]);
                let u2 = u * u;
                (6.0 * u2 - 6.0 * u) * (x0 - x1) * self.inv_dz
                    + (3.0 * u2 - 4.0 * u + 1.0) * m0
                    + (3.0 * u2 - 2.0 * u) * m1
            }
            None => 0.0,
        }
    }
}

impl StepMap {
    fn build(law: Arc<dyn DiscreteLaw>) -> Self {
        let (min, max) = law.support();
        // Start where the lower tail reaches STEP_TAIL, so a law far from 0
        // (a Poisson with a large mean) does not walk its empty lower tail.
        let first = step_quantile_z(law.as_ref(), -STEP_Z).max(min);
        let below = (first > min).then(|| threshold(law.as_ref(), first - 1));
        let mut thresholds = Vec::new();
        let mut values = vec![first as f64];
        let mut k = first;
        loop {
            if max.is_some_and(|m| k >= m) || k == i64::MAX {
                break;
            }
            // A NaN tail (parameters the law cannot evaluate) ends the table
            // too; `is_finite` then reports it.
            let tail = law.sf(k);
            if max.is_none() && (tail < STEP_TAIL || tail.is_nan()) {
                break;
            }
            if thresholds.len() >= MAX_TABLE_STEPS {
                // The tail never fell: the law is evaluated wrongly at these
                // parameters. A NaN threshold makes `is_finite` say so.
                thresholds.push(f64::NAN);
                break;
            }
            thresholds.push(threshold(law.as_ref(), k));
            k += 1;
            values.push(k as f64);
        }
        let truncated = max.is_none() || below.is_some();
        StepMap {
            thresholds,
            values,
            first,
            below,
            tail: truncated.then_some(law),
        }
    }

    /// Index of the step taken at `z` (the value is `first + index` for
    /// count and category columns).
    #[inline]
    pub fn step(&self, z: f64) -> i64 {
        let m = self.thresholds.partition_point(|&t| t < z);
        let outside =
            self.below.is_some_and(|b| z <= b) || (m == self.thresholds.len() && self.tail.is_some());
        match &self.tail {
            Some(law) if outside => step_quantile_z(law.as_ref(), z) - self.first,
            _ => m as i64,
        }
    }

    /// The first support point.
    pub fn first(&self) -> i64 {
        self.first
    }

    /// `x(z)` as a real number.
    #[inline]
    pub fn value(&self, z: f64) -> f64 {
        let m = self.step(z);
        match usize::try_from(m).ok().and_then(|i| self.values.get(i)) {
            Some(&v) => v,
            None => (self.first + m) as f64,
        }
    }

    /// Finite thresholds with the jump of the value across each:
    /// `x(z) = values[0] + Σ jump_k · 1{z > t_k}`.
    pub(crate) fn jumps(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.thresholds
            .iter()
            .enumerate()
            // Jumps beyond |z| = 9 move a moment by less than 1e-19 per unit.
            .filter(|(_, t)| t.abs() < 9.0)
            .map(|(k, &t)| (t, self.values[k + 1] - self.values[k]))
    }

    /// Each step's latent interval `(t[m−1], t[m]]` and probability.
    pub(crate) fn cells(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        let n = self.thresholds.len();
        (0..=n).map(move |m| {
            let a = if m == 0 {
                f64::NEG_INFINITY
            } else {
                self.thresholds[m - 1]
            };
            let b = if m == n { f64::INFINITY } else { self.thresholds[m] };
            (a, b, normal_mass(a, b))
        })
    }

    /// Probability of each step and its value.
    pub(crate) fn atoms(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.cells().zip(&self.values).map(|((_, _, p), &v)| (p, v))
    }
}

/// P(a < Z ≤ b), from the tail where it is accurate.
pub(crate) fn normal_mass(a: f64, b: f64) -> f64 {
    if b <= 0.0 {
        (normal::cdf(b) - normal::cdf(a)).max(0.0)
    } else if a >= 0.0 {
        (normal::cdf(-a) - normal::cdf(-b)).max(0.0)
    } else {
        1.0 - normal::cdf(a) - normal::cdf(-b)
    }
}

/// `t_k = Φ⁻¹(F(k))`, from the survival side in the upper half.
fn threshold(law: &dyn DiscreteLaw, k: i64) -> f64 {
    let p = law.cdf(k);
    if p <= 0.5 {
        normal::quantile(p)
    } else {
        -normal::quantile(law.sf(k))
    }
}

/// The smallest support point `k` with `F(k) ≥ Φ(z)`, by galloping and
/// bisection on the thresholds (exact, no table).
pub(crate) fn step_quantile_z(law: &dyn DiscreteLaw, z: f64) -> i64 {
    let (first, last) = law.support();
    let sd = law.variance().sqrt();
    let guess = law.mean() + if sd.is_finite() { sd * z } else { 0.0 };
    let mut k0 = if guess.is_finite() {
        guess.round() as i64
    } else {
        first
    };
    k0 = k0.max(first);
    if let Some(m) = last {
        k0 = k0.min(m);
    }
    let at_least = |k: i64| last.is_some_and(|m| k >= m) || threshold(law, k) >= z;
    // Invariant: !at_least(lo) (or lo = first − 1) and at_least(hi).
    let (mut lo, mut hi);
    let mut step = 1i64;
    if at_least(k0) {
        hi = k0;
        loop {
            let cand = hi - step;
            if cand < first {
                lo = first - 1;
                break;
            }
            if at_least(cand) {
                hi = cand;
                step = step.saturating_mul(2);
            } else {
                lo = cand;
                break;
            }
        }
    } else {
        lo = k0;
        loop {
            let cand = lo.saturating_add(step);
            if cand == lo {
                // Saturated: no representable support point reaches Φ(z).
                return lo;
            }
            if at_least(cand) {
                hi = cand;
                break;
            }
            lo = cand;
            step = step.saturating_mul(2);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if at_least(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}
