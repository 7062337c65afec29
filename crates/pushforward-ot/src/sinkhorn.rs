//! Debiased Sinkhorn divergence between two point clouds, in the log domain
//! with ε-scaling.
//!
//! ```text
//! C_ij = ‖x_i − y_j‖²,   a_i = 1/n,   b_j = 1/m   (uniform weights on the rows)
//! OT_ε(α, β) = min_π ⟨π, C⟩ + ε KL(π ‖ α⊗β) = ⟨a, f⟩ + ⟨b, g⟩ at the optimum
//! f_i = −ε log Σ_j b_j exp((g_j − C_ij)/ε) =: T_b(g)_i,   g_j = −ε log Σ_i a_i exp((f_i − C_ij)/ε) =: T_a(f)_j
//! S_ε(α, β) = OT_ε(α, β) − ½ OT_ε(α, α) − ½ OT_ε(β, β)        (≥ 0, = 0 iff α = β)
//! W2²(α, β) ≤ OT_ε(α, β) ≤ W2²(α, β) + ε log min(n, m)
//! ```
//! Feydy, Séjourné, Vialard, Amari, Trouvé and Peyré 2019, "Interpolating
//! between Optimal Transport and MMD using Sinkhorn Divergences" (AISTATS):
//! the definition of `S_ε` and Theorem 1 (positivity); the dual and the
//! soft-min updates are Peyré and Cuturi 2019, "Computational Optimal
//! Transport", §4.4 (log-domain computations). The bounds: `KL(π ‖ α⊗β) ≤
//! log min(n, m)` for every coupling, and the optimal permutation is one.
//!
//! # The iteration
//! - `OT_ε(α, β)`: ε-scaling as in geomloss's `sinkhorn_loop` (Feydy's
//!   thesis, 2020, "Geometric data analysis, beyond convolutions"): `ε_0 = D²`, `D` the diagonal of the bounding box
//!   of both clouds (every cost is at most `D²`), then `ε_{k+1} = scaling ·
//!   ε_k` while above `ε`, one alternating update `f ← T_b(g)`, `g ← T_a(f)`
//!   per value. Clouds of at least `COARSE_FROM` = 4,096 points anneal on seeded
//!   subsamples of a quarter of their points (the multiscale idea of geomloss
//!   with random subsamples for clusters), and the potentials are extended to
//!   all points by one soft-min each ("extrapolation"). Then iterations at
//!   `ε`, over-relaxed after `RELAX_FROM` = 20 of them: `f ← (1 − ω) f + ω
//!   T_b(g)`, likewise `g`, with `ω = 2 / (1 + sqrt(1 − r))` and `r ≤ 0.99`
//!   the marginal violation's decay per iteration over the 5 before: the
//!   rule of Lehmann, von Renesse, Sambale and Uschmajew 2022, "A note on
//!   overrelaxation in the Sinkhorn algorithm" (Optim. Lett. 16), as OTT-JAX's
//!   `Momentum` applies it; back to `ω = 1` if the violation grows tenfold.
//!   Measured: 170 instead of 327 iterations on 10,000 points in 10-D, and
//!   4–5 times fewer on clustered or duplicated points.
//! - `OT_ε(α, α)`: the averaged symmetric update `f ← ½ (f + T_a(f))` of
//!   geomloss, directly at `ε`: from `f = 0` it converges in two or three
//!   iterations (`C_ii = 0` makes the plan nearly diagonal), and annealing
//!   it was measured to change nothing but the time.
//!
//! Stopping rule, at the target `ε`: the `L¹` marginal violations
//! `Σ_i |Σ_j π_ij − a_i| = Σ_i a_i |1 − exp((f_i − T_b(g)_i)/ε)|` of the plan
//! `π_ij = a_i b_j exp((f_i + g_j − C_ij)/ε)` before each update, for rows and
//! (after the `f` update) for columns, both below
//! [`SinkhornConfig::tolerance`]. The value is the dual `⟨a, f⟩ + ⟨b, T_a(f)⟩`
//! of the last pair (`⟨a, f⟩ + ⟨a, T_a(f)⟩` for `OT_ε(α, α)`): one marginal is
//! exact, so it is a lower bound of `OT_ε`, and the error was measured at
//! `1e-5` relative for the default tolerance.
//!
//! [`entropic_plan`] returns these potentials, one per point (equal points
//! share their atom's), from which any row of the plan is computed on
//! demand: flow matching's Sinkhorn coupling draws partners from it.
//!
//! Repeated points are merged into atoms weighing their share of the rows
//! (the same measure, fewer points: one-hot and discrete columns repeat
//! rows). Two clouds of one measure (the same points, in any order and
//! multiplicity) give `S_ε = 0` exactly: their cross problem is the
//! symmetric one and is solved as such.
//!
//! Cost: each update is a soft-min over `n × m` pairs, `O(n m d)` time and
//! `O((n + m) d)` memory, computed in blocks (`softmin.rs`), and at the
//! target `ε` on truncated kernels when they are sparse (`truncated.rs`).
//! Deterministic: rayon splits rows only, and every sum has a fixed order.

use crate::cloud::Cloud;
use crate::error::OtError;
use crate::points::{sizes, sq_dist};
use crate::truncated::SoftMin;
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Clouds with at least this many points anneal on subsamples.
const COARSE_FROM: usize = 4096;
/// Iterations at the target `ε` before over-relaxation.
const RELAX_FROM: usize = 20;
/// Subsample size divisor for the annealing.
const COARSEN: usize = 4;
/// Seed of the annealing subsamples.
const COARSE_SEED: u64 = 0x5EED_0A77;

/// Settings of the Sinkhorn iterations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SinkhornConfig {
    /// Entropic regularisation `ε`, in the units of the squared distances
    /// (default 0.05). geomloss's cost is half the squared distance: the same
    /// plan there has `blur = sqrt(ε/2) ≈ 0.16` and half the value.
    pub epsilon: f64,
    /// ε-annealing factor in `(0, 1)`: `ε_{k+1} = scaling · ε_k` from the
    /// squared diameter down to `epsilon` (default 0.5, as geomloss).
    pub scaling: f64,
    /// Largest `L¹` marginal violation accepted at the target `ε`, for rows
    /// and for columns (default `1e-3`: a thousandth of the mass misplaced).
    pub tolerance: f64,
    /// Most iterations per transport problem at the target `ε`, after the
    /// annealing (default 1,000).
    pub max_iterations: usize,
}

impl Default for SinkhornConfig {
    fn default() -> Self {
        SinkhornConfig {
            epsilon: 0.05,
            scaling: 0.5,
            tolerance: 1e-3,
            max_iterations: 1000,
        }
    }
}

/// A Sinkhorn value and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SinkhornResult {
    /// The divergence `S_ε` (or `OT_ε` for [`entropic_ot`]).
    pub value: f64,
    /// Iterations summed over the transport problems solved (three for the
    /// divergence, one when the clouds are identical or for `OT_ε`): one per
    /// annealing step plus those at the target `ε`; each updates both
    /// potentials (one for the symmetric problems).
    pub iterations: usize,
    /// Whether every problem met the tolerance before the iteration cap.
    pub converged: bool,
}

/// The debiased Sinkhorn divergence `S_ε(α, β)` between the uniform
/// measures on two non-empty clouds (row-major, `d` coordinates per point;
/// sizes may differ).
///
/// # Errors
/// [`OtError::Shape`] or [`OtError::BadParameter`] for a bad shape;
/// [`OtError::TooFewPoints`] for an empty cloud; [`OtError::BadParameter`]
/// for a configuration out of range or coordinates so large that squared
/// distances overflow.
///
/// ```
/// use pushforward_ot::{SinkhornConfig, sinkhorn_divergence};
/// let x = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0];
/// let y = [0.5, 0.0, 1.5, 0.0, 0.5, 1.0];
/// let s = sinkhorn_divergence(&x, &y, 2, &SinkhornConfig::default()).unwrap();
/// // A translation by t costs exactly ‖t‖² for any ε.
/// assert!(s.converged && (s.value - 0.25).abs() < 1e-3);
/// ```
pub fn sinkhorn_divergence(
    x: &[f64],
    y: &[f64],
    d: usize,
    config: &SinkhornConfig,
) -> Result<SinkhornResult, OtError> {
    let p = Problem::new(x, y, d, config)?;
    let xx = p.symmetric(&p.x).0;
    if p.x.same_measure(&p.y) {
        return Ok(SinkhornResult { value: 0.0, ..xx });
    }
    let yy = p.symmetric(&p.y).0;
    let xy = p.cross().0;
    Ok(SinkhornResult {
        value: xy.value - 0.5 * (xx.value + yy.value),
        iterations: xy.iterations + xx.iterations + yy.iterations,
        converged: xy.converged && xx.converged && yy.converged,
    })
}

/// The entropic transport cost `OT_ε(α, β)` itself (not debiased), within
/// `[W2², W2² + ε log min(n, m)]` of the exact squared `W2`.
///
/// # Errors
/// As [`sinkhorn_divergence`].
pub fn entropic_ot(
    x: &[f64],
    y: &[f64],
    d: usize,
    config: &SinkhornConfig,
) -> Result<SinkhornResult, OtError> {
    let p = Problem::new(x, y, d, config)?;
    Ok(if p.x.same_measure(&p.y) {
        p.symmetric(&p.x).0
    } else {
        p.cross().0
    })
}

/// The entropic optimal plan between the uniform measures on two clouds,
/// through its dual potentials:
/// `π_ij = exp((f_i + g_j − C_ij)/ε) / (n m)`, `C_ij = ‖x_i − y_j‖²`.
#[derive(Debug, Clone, PartialEq)]
pub struct EntropicPlan {
    /// How the potentials were reached; `value` is `OT_ε`.
    pub result: SinkhornResult,
    /// The regularisation `ε`.
    pub epsilon: f64,
    /// `f_i`, one per point of the first cloud (equal points share one).
    pub f: Vec<f64>,
    /// `g_j`, one per point of the second cloud; the columns of the plan
    /// have the exact marginals `1/m` (the last update was of `g`).
    pub g: Vec<f64>,
}

impl EntropicPlan {
    /// Row `i` of the plan into `out`, given the point `x_i` of the first
    /// cloud and the second cloud `y` (the clouds the plan was solved on;
    /// `d = x_i.len()` coordinates per point): it sums to about `1/n`.
    pub fn row(&self, i: usize, x_i: &[f64], y: &[f64], out: &mut Vec<f64>) {
        let d = x_i.len().max(1);
        let nm = self.f.len() as f64 * self.g.len() as f64;
        out.clear();
        out.extend(
            y.chunks_exact(d)
                .zip(&self.g)
                .map(|(yj, gj)| ((self.f[i] + gj - sq_dist(x_i, yj)) / self.epsilon).exp() / nm),
        );
    }
}

/// The entropic plan of `OT_ε(α, β)` ([`EntropicPlan`]), by the iterations
/// of [`entropic_ot`].
///
/// # Errors
/// As [`sinkhorn_divergence`].
///
/// ```
/// use pushforward_ot::{SinkhornConfig, entropic_plan};
/// let (x, y) = ([0.0, 1.0], [0.1, 1.1]);
/// let config = SinkhornConfig { epsilon: 0.01, ..SinkhornConfig::default() };
/// let plan = entropic_plan(&x, &y, 1, &config).unwrap();
/// let mut row = Vec::new();
/// plan.row(0, &x[..1], &y, &mut row);
/// // Nearly all of the first point's mass goes to its neighbour 0.1.
/// assert!(row[0] > 0.49 && row[1] < 1e-6);
/// ```
pub fn entropic_plan(
    x: &[f64],
    y: &[f64],
    d: usize,
    config: &SinkhornConfig,
) -> Result<EntropicPlan, OtError> {
    let p = Problem::new(x, y, d, config)?;
    let (result, f, g) = if p.x.same_measure(&p.y) {
        let (result, f) = p.symmetric(&p.x);
        (result, f.clone(), f)
    } else {
        p.cross()
    };
    Ok(EntropicPlan {
        result,
        epsilon: config.epsilon,
        f: p.x.to_rows(&f),
        g: p.y.to_rows(&g),
    })
}

/// Both clouds centred on their joint mean (translation changes no cost,
/// and small coordinates keep `‖x‖² + ‖y‖² − 2 x·y` accurate), the annealing
/// subsamples and the ε schedule.
struct Problem {
    x: Cloud,
    y: Cloud,
    /// Subsamples of both clouds for the annealing, when they are large.
    coarse: Option<(Cloud, Cloud)>,
    /// ε values of the annealing, all above the target, decreasing.
    annealing: Vec<f64>,
    config: SinkhornConfig,
}

impl Problem {
    fn new(x: &[f64], y: &[f64], d: usize, config: &SinkhornConfig) -> Result<Problem, OtError> {
        check_config(config)?;
        let (n, m) = sizes(x, y, d)?;
        let few = n.min(m);
        if few == 0 {
            return Err(OtError::TooFewPoints {
                what: "sinkhorn",
                needed: 1,
                got: 0,
            });
        }
        let mut lo = vec![f64::INFINITY; d];
        let mut hi = vec![f64::NEG_INFINITY; d];
        for p in x.chunks_exact(d).chain(y.chunks_exact(d)) {
            for k in 0..d {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let diameter_sq: f64 = lo.iter().zip(&hi).map(|(l, h)| (h - l) * (h - l)).sum();
        if !diameter_sq.is_finite() {
            return Err(OtError::BadParameter {
                name: "squared diameter",
                value: diameter_sq,
                expected: "a finite value (coordinates below about 1e154 in magnitude)",
            });
        }
        // The mean, as the box middle plus the mean offset from it (no overflow).
        let middle: Vec<f64> = lo.iter().zip(&hi).map(|(l, h)| 0.5 * l + 0.5 * h).collect();
        let mut offset = vec![0.0; d];
        for p in x.chunks_exact(d).chain(y.chunks_exact(d)) {
            for ((o, v), m) in offset.iter_mut().zip(p).zip(&middle) {
                *o += v - m;
            }
        }
        let total = (n + m) as f64;
        let centre: Vec<f64> = middle.iter().zip(&offset).map(|(m, o)| m + o / total).collect();
        let mut annealing = Vec::new();
        let mut e = diameter_sq;
        while e > config.epsilon {
            annealing.push(e);
            e *= config.scaling;
        }
        let coarse = (few >= COARSE_FROM).then(|| {
            let cx = subsample(x, d, n / COARSEN, COARSE_SEED);
            let cy = subsample(y, d, m / COARSEN, COARSE_SEED + 1);
            (Cloud::new(d, &cx, &centre), Cloud::new(d, &cy, &centre))
        });
        Ok(Problem {
            x: Cloud::new(d, x, &centre),
            y: Cloud::new(d, y, &centre),
            coarse,
            annealing,
            config: *config,
        })
    }

    /// `OT_ε(α, β)`: annealing, then over-relaxed alternating updates; with
    /// the last potentials `f` and `g = T_a(f)` of the atoms.
    fn cross(&self) -> (SinkhornResult, Vec<f64>, Vec<f64>) {
        let (x, y, eps) = (&self.x, &self.y, self.config.epsilon);
        let (mut f, mut g) = (vec![0.0; x.len()], vec![0.0; y.len()]);
        match (&self.coarse, self.annealing.last()) {
            (Some((cx, cy)), Some(&last)) => {
                let (fc, gc) = anneal(cx, cy, &self.annealing);
                SoftMin::new(x, cy, 0.0).apply(last, &gc, &mut f);
                SoftMin::new(y, cx, 0.0).apply(last, &fc, &mut g);
            }
            _ => (f, g) = anneal(x, y, &self.annealing),
        }
        let (mut to_x, mut to_y) = (SoftMin::new(x, y, eps), SoftMin::new(y, x, eps));
        let (mut t, mut s) = (vec![0.0; x.len()], vec![0.0; y.len()]);
        let (mut omega, mut errors, mut value) = (1.0, Vec::new(), 0.0);
        let mut best = f64::INFINITY;
        while errors.len() < self.config.max_iterations {
            to_x.apply(eps, &g, &mut t);
            let err_rows = marginal_violation(x.weights(), &f, &t, eps);
            relax(&mut f, &t, omega);
            to_y.apply(eps, &f, &mut s);
            let err_cols = marginal_violation(y.weights(), &g, &s, eps);
            value = dot(x.weights(), &f) + dot(y.weights(), &s);
            relax(&mut g, &s, omega);
            let err = err_rows.max(err_cols);
            errors.push(err);
            if err < self.config.tolerance {
                break;
            }
            if errors.len() == RELAX_FROM {
                let r = (err / errors[RELAX_FROM - 6]).powf(0.2).min(0.99);
                omega = 2.0 / (1.0 + (1.0 - r).sqrt());
            }
            best = best.min(err);
            if errors.len() > RELAX_FROM && err > 10.0 * best {
                omega = 1.0;
            }
        }
        let result = SinkhornResult {
            value,
            iterations: self.annealing.len() + errors.len(),
            converged: errors.last().is_some_and(|&e| e < self.config.tolerance),
        };
        (result, f, s)
    }

    /// `OT_ε(α, α)` by averaged symmetric updates at the target `ε`; with
    /// the potential of the atoms.
    fn symmetric(&self, x: &Cloud) -> (SinkhornResult, Vec<f64>) {
        let eps = self.config.epsilon;
        let mut to_x = SoftMin::new(x, x, eps);
        let (mut f, mut t) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let (mut iterations, mut converged, mut value) = (0, false, 0.0);
        while iterations < self.config.max_iterations && !converged {
            to_x.apply(eps, &f, &mut t);
            // The first step replaces the arbitrary start f = 0.
            let w = x.weights();
            converged = iterations > 0 && marginal_violation(w, &f, &t, eps) < self.config.tolerance;
            value = dot(w, &f) + dot(w, &t);
            relax(&mut f, &t, if iterations == 0 { 1.0 } else { 0.5 });
            iterations += 1;
        }
        let result = SinkhornResult {
            value,
            iterations,
            converged,
        };
        (result, f)
    }
}

/// `max` rows of the `d`-column row-major `data` drawn without replacement
/// from `seed`, in their original order (all of them if there are fewer).
fn subsample(data: &[f64], d: usize, max: usize, seed: u64) -> Vec<f64> {
    let rows = data.len() / d;
    if rows <= max {
        return data.to_vec();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut idx = sample(&mut rng, rows, max).into_vec();
    idx.sort_unstable();
    idx.iter()
        .flat_map(|&i| &data[i * d..(i + 1) * d])
        .copied()
        .collect()
}

/// Alternating updates from zero potentials, one per ε of `schedule`.
fn anneal(x: &Cloud, y: &Cloud, schedule: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (mut f, mut g) = (vec![0.0; x.len()], vec![0.0; y.len()]);
    let (mut to_x, mut to_y) = (SoftMin::new(x, y, 0.0), SoftMin::new(y, x, 0.0));
    for &e in schedule {
        to_x.apply(e, &g, &mut f);
        to_y.apply(e, &f, &mut g);
    }
    (f, g)
}

/// `f ← (1 − ω) f + ω t`.
fn relax(f: &mut [f64], t: &[f64], omega: f64) {
    for (a, &b) in f.iter_mut().zip(t) {
        *a = (1.0 - omega).mul_add(*a, omega * b);
    }
}

/// `Σ_i a_i |1 − exp((f_i − f'_i)/ε)|`: the `L¹` violation of the row
/// marginal of the plan built on `f`, when `f'` is its exact update.
fn marginal_violation(a: &[f64], f: &[f64], next: &[f64], eps: f64) -> f64 {
    a.iter()
        .zip(f.iter().zip(next))
        .map(|(w, (p, q))| w * (1.0 - ((p - q) / eps).exp()).abs())
        .sum()
}

/// `⟨a, f⟩`, in order.
fn dot(a: &[f64], f: &[f64]) -> f64 {
    a.iter().zip(f).map(|(w, v)| w * v).sum()
}

fn check_config(c: &SinkhornConfig) -> Result<(), OtError> {
    let bad = |name, value, expected| {
        Err(OtError::BadParameter {
            name,
            value,
            expected,
        })
    };
    if !(c.epsilon > 0.0 && c.epsilon.is_finite()) {
        return bad("epsilon", c.epsilon, "a positive finite number");
    }
    if !(c.scaling > 0.0 && c.scaling < 1.0) {
        return bad("scaling", c.scaling, "a number in (0, 1)");
    }
    if c.tolerance.is_nan() || c.tolerance <= 0.0 {
        return bad("tolerance", c.tolerance, "a positive number");
    }
    if c.max_iterations == 0 {
        return bad("max_iterations", 0.0, "at least 1");
    }
    Ok(())
}
