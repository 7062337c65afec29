//! Fitting the latent correlation of a Gaussian copula to a target.
//!
//! For every pair the latent correlation `r` with `g(r) = target` is found by
//! Newton steps on the monotone map `g`, safeguarded by bisection on
//! `[−1, 1]`, to `|g(r) − target| ≤ 1e-10`. Spearman and Kendall targets of
//! continuous pairs use the closed forms `g(r) = (6/π) asin(r/2)` and
//! `g(r) = (2/π) asin r`; a Spearman target with a discrete column is the
//! Pearson correlation of the mid-distribution transforms (see
//! [`crate::latent::LatentMap::rank_map`]), matched the same way, and a
//! Kendall target with one is Kendall's tau-b (see `kendall`), by the same
//! root finder with a finite-difference slope. A Pearson target of a pair
//! with a normal column is linear in `r`: with `X = μ + σZ₁`,
//! `Cov(X, h(Z₂)) = σ r E[Z₂ h(Z₂)]` (Stein's lemma), so `g(r) = r·g(½)/½`
//! from one integral, not one per Newton step.

use super::feasibility::{InfeasiblePair, PairBound};
use super::kendall::KendallPair;
use super::nearest::{self, NearestOptions, NearestReport};
use super::pair::{PairMap, std_of};
use crate::StatsError;
use crate::latent::LatentMap;
use crate::marginal::{Family, Marginal};
use crate::quadrature::Quadrature;
use nalgebra::DMatrix;
use pushforward_core::Progress;
use rayon::prelude::*;
use std::sync::Arc;

/// Which correlation a target names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CorrelationKind {
    /// Pearson's product-moment correlation.
    #[default]
    Pearson,
    /// Spearman's rank correlation.
    Spearman,
    /// Kendall's tau.
    Kendall,
}

impl std::fmt::Display for CorrelationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CorrelationKind::Pearson => "pearson",
            CorrelationKind::Spearman => "spearman",
            CorrelationKind::Kendall => "kendall",
        })
    }
}

/// A full target matrix over all columns (unit diagonal, symmetric).
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationTarget {
    /// Which correlation the entries are.
    pub kind: CorrelationKind,
    /// `d × d`, row-major.
    pub matrix: Vec<f64>,
}

/// What to do when the target cannot be met exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InfeasiblePolicy {
    /// Fail with the list of infeasible pairs, or the non-positive-definite
    /// latent matrix.
    #[default]
    Error,
    /// Find the reachable output correlation nearest to the target.
    Nearest,
}

/// A fitted copula: latent maps, latent correlation and its factor.
#[derive(Debug, Clone)]
pub struct CopulaFit {
    /// Latent correlation `R`, `d × d` row-major.
    pub latent: Vec<f64>,
    /// A factor `F` with `F Fᵀ = R`, `d × d` row-major (lower triangular
    /// when `R` is positive definite).
    pub factor: Vec<f64>,
    /// Attainable interval of every pair, `d × d` row-major.
    pub bounds: Vec<PairBound>,
    /// Output correlation reached for every pair, `d × d` row-major.
    pub achieved: Vec<f64>,
    /// Present when the target was not met exactly.
    pub nearest: Option<NearestReport>,
}

/// Most distinct values (steps) of a discrete column in a correlated pair:
/// the pair integrals sum over every step.
const MAX_PAIR_STEPS: usize = 2048;

/// A pair of columns with its map.
pub(crate) struct Pair {
    pub(crate) i: usize,
    pub(crate) j: usize,
    pub(crate) map: PairMap,
    pub(crate) bound: PairBound,
}

/// Fits the latent correlation of the columns' Gaussian copula to `target`.
///
/// `maps` are the columns' latent maps, in the same order as `marginals`.
/// Each pair's work and every step of the nearest search check
/// `progress.cancelled()` ([`StatsError::Cancelled`]); a pair whose
/// attainable interval is not finite is [`StatsError::NonFinite`].
pub fn fit_copula(
    names: &[String],
    marginals: &[Marginal],
    maps: &[Arc<LatentMap>],
    target: &CorrelationTarget,
    policy: InfeasiblePolicy,
    options: &NearestOptions,
    progress: &(dyn Progress + Sync),
) -> Result<CopulaFit, StatsError> {
    let d = marginals.len();
    let quad = Quadrature::shared();
    let t = |i: usize, j: usize| target.matrix[i * d + j];
    let maps: Vec<Arc<LatentMap>> = match target.kind {
        CorrelationKind::Spearman => maps.par_iter().map(|m| Arc::new(m.rank_map())).collect(),
        _ => maps.to_vec(),
    };
    if target.kind == CorrelationKind::Pearson {
        check_variances(names, marginals, &target.matrix)?;
    }
    let stds: Vec<f64> = maps.par_iter().map(|m| std_of(m, &quad)).collect();
    // Exact mode only needs the pairs with a non-zero target. A fitted
    // table marginal has no pair integrals: the spec correlates it only
    // through a latent matrix, so here it stays independent (target 0).
    let exact = |k: usize| matches!(*maps[k], LatentMap::Exact(_));
    let wanted: Vec<(usize, usize)> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .filter(|&(i, j)| policy == InfeasiblePolicy::Nearest || t(i, j) != 0.0)
        .filter(|&(i, j)| !exact(i) && !exact(j))
        .collect();
    check_steps(names, |k| Some(&*maps[k]), &wanted)?;
    let pairs: Vec<Pair> = wanted
        .par_iter()
        .map(|&(i, j)| -> Result<Pair, StatsError> {
            if progress.cancelled() {
                return Err(StatsError::Cancelled);
            }
            let both_continuous = marginals[i].is_continuous() && marginals[j].is_continuous();
            let map = match (target.kind, both_continuous) {
                (CorrelationKind::Spearman, true) => PairMap::SpearmanContinuous,
                (CorrelationKind::Kendall, true) => PairMap::KendallContinuous,
                (CorrelationKind::Kendall, false) => {
                    PairMap::Kendall(Box::new(KendallPair::new(&maps[i], &maps[j], Arc::clone(&quad))))
                }
                (kind, _) => {
                    let map = PairMap::numeric(
                        (Arc::clone(&maps[i]), stds[i]),
                        (Arc::clone(&maps[j]), stds[j]),
                        Arc::clone(&quad),
                    );
                    let normal = |m: &Marginal| matches!(m.family(), Family::Normal { .. });
                    if kind == CorrelationKind::Pearson && (normal(&marginals[i]) || normal(&marginals[j])) {
                        PairMap::Linear(map.corr(0.5) / 0.5)
                    } else {
                        map
                    }
                }
            };
            Pair::new(i, j, map, names, marginals)
        })
        .collect::<Result<_, _>>()?;
    solve(names, target, pairs, policy, Shortcut::None, options, progress)
}

impl Pair {
    /// Columns `i < j` with their map and its attainable interval.
    ///
    /// # Errors
    /// [`StatsError::NonFinite`] when the interval is not finite.
    pub(crate) fn new(
        i: usize,
        j: usize,
        map: PairMap,
        names: &[String],
        marginals: &[Marginal],
    ) -> Result<Pair, StatsError> {
        let (low, high) = map.bounds();
        if !(low.is_finite() && high.is_finite()) {
            return Err(StatsError::NonFinite {
                column: format!("{}' with '{}", names[i], names[j]),
                family: format!("{} with {}", marginals[i].family(), marginals[j].family()),
                what: "the attainable correlation interval of the pair",
            });
        }
        Ok(Pair {
            i,
            j,
            map,
            bound: PairBound { low, high },
        })
    }
}

/// Refuses a column of infinite variance with a non-zero Pearson target
/// (`target` is `d × d`, row-major).
pub(crate) fn check_variances(
    names: &[String],
    marginals: &[Marginal],
    target: &[f64],
) -> Result<(), StatsError> {
    let d = marginals.len();
    for (i, m) in marginals.iter().enumerate() {
        let needed = (0..d).any(|j| j != i && target[i * d + j] != 0.0);
        if needed && !m.std().is_finite() {
            return Err(StatsError::InfiniteVariance {
                column: names[i].clone(),
                family: m.family().to_string(),
            });
        }
    }
    Ok(())
}

/// Refuses a step map of more than [`MAX_PAIR_STEPS`] jumps in one of the
/// `pairs` (`map(k)` is column `k`'s map, `None` for one without).
pub(crate) fn check_steps<'a>(
    names: &[String],
    map: impl Fn(usize) -> Option<&'a LatentMap>,
    pairs: &[(usize, usize)],
) -> Result<(), StatsError> {
    for &(i, j) in pairs {
        for k in [i, j] {
            if let Some(LatentMap::Steps(s)) = map(k) {
                let steps = s.jumps().count();
                if steps > MAX_PAIR_STEPS {
                    return Err(StatsError::TooManyValues {
                        column: names[k].clone(),
                        values: steps,
                        max: MAX_PAIR_STEPS,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Whether an infeasible target may skip the nearest search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shortcut {
    /// Always search (the spec path: a spec's output for a seed stays as
    /// it was).
    None,
    /// First try every pair's own best, the latent root of its target
    /// clamped into its attainable interval: each term of the search's
    /// separable cost is then at its minimum, so when that matrix is
    /// positive semidefinite it is an exact minimiser and the search is
    /// skipped.
    Clamped,
}

/// The latent correlation of `pairs` (every pair whose target is not
/// trivially met, with its map and attainable interval): each pair's root
/// when the targets are feasible and the matrix positive semidefinite, else
/// per `policy` the error or the nearest search (see [`Shortcut`]).
pub(crate) fn solve(
    names: &[String],
    target: &CorrelationTarget,
    pairs: Vec<Pair>,
    policy: InfeasiblePolicy,
    shortcut: Shortcut,
    options: &NearestOptions,
    progress: &(dyn Progress + Sync),
) -> Result<CopulaFit, StatsError> {
    let d = names.len();
    let t = |i: usize, j: usize| target.matrix[i * d + j];
    let mut bounds = vec![PairBound { low: 1.0, high: 1.0 }; d * d];
    for i in 0..d {
        for j in 0..d {
            if i != j {
                bounds[i * d + j] = PairBound { low: 0.0, high: 0.0 };
            }
        }
    }
    for p in &pairs {
        bounds[p.i * d + p.j] = p.bound;
        bounds[p.j * d + p.i] = p.bound;
    }
    const SLACK: f64 = 1e-9;
    let infeasible: Vec<InfeasiblePair> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .filter(|&(i, j)| bounds[i * d + j].distance(t(i, j)) > SLACK)
        .map(|(i, j)| InfeasiblePair {
            a: names[i].clone(),
            b: names[j].clone(),
            target: t(i, j),
            bound: bounds[i * d + j],
        })
        .collect();
    if !infeasible.is_empty() && policy == InfeasiblePolicy::Error {
        return Err(StatsError::Infeasible {
            kind: target.kind,
            pairs: infeasible,
        });
    }

    // Each pair's clamped root when the shortcut computed them: the
    // search's start repairs the same matrix.
    let mut clamped_roots = None;
    if infeasible.is_empty() || shortcut == Shortcut::Clamped {
        let mut latent = identity(d);
        let goal = |p: &Pair| match shortcut {
            Shortcut::None => t(p.i, p.j),
            Shortcut::Clamped => t(p.i, p.j).max(p.bound.low).min(p.bound.high),
        };
        let roots: Vec<f64> = pairs.par_iter().map(|p| solve_pair(&p.map, goal(p))).collect();
        if progress.cancelled() {
            return Err(StatsError::Cancelled);
        }
        for (p, &r) in pairs.iter().zip(&roots) {
            latent[p.i * d + p.j] = r;
            latent[p.j * d + p.i] = r;
        }
        let m = DMatrix::from_row_slice(d, d, &latent);
        if shortcut == Shortcut::Clamped {
            clamped_roots = Some(roots);
        }
        if let Some(factor) = psd_factor(&m) {
            let achieved = achieved_matrix(d, &pairs, &latent);
            let nearest = (!infeasible.is_empty())
                .then(|| NearestReport::new(names, &target.matrix, &achieved, &bounds, options.penalty));
            return Ok(CopulaFit {
                latent,
                factor,
                bounds,
                achieved,
                nearest,
            });
        }
        if policy == InfeasiblePolicy::Error {
            return Err(not_positive_definite(names, m));
        }
    }
    let fit = nearest::fit(d, &pairs, t, clamped_roots.as_deref(), options, progress)?;
    let achieved = achieved_matrix(d, &pairs, &fit.latent);
    let report = NearestReport::new(names, &target.matrix, &achieved, &bounds, options.penalty);
    Ok(CopulaFit {
        latent: fit.latent,
        factor: fit.factor,
        bounds,
        achieved,
        nearest: Some(report),
    })
}

/// The copula of a latent correlation given as it is (a spec's `kind =
/// "latent"`): no NORTA solve, the matrix is the latent `R` over the
/// coordinates `names`. Its `achieved` is `R` itself and every pair's
/// bounds are `[−1, 1]`.
///
/// # Errors
/// [`StatsError::NotPositiveDefinite`] when `R` is not positive
/// semidefinite, naming the pairs that pull its smallest eigenvalue down.
pub fn latent_copula(names: &[String], latent: &[f64]) -> Result<CopulaFit, StatsError> {
    let d = names.len();
    let m = DMatrix::from_row_slice(d, d, latent);
    let factor = psd_factor(&m).ok_or_else(|| not_positive_definite(names, m))?;
    Ok(CopulaFit {
        latent: latent.to_vec(),
        factor,
        bounds: vec![PairBound { low: -1.0, high: 1.0 }; d * d],
        achieved: latent.to_vec(),
        nearest: None,
    })
}

/// Eigenvalues above this (relative to 1) count as zero, not negative: a
/// target at a bound of its interval gives latent ±1 and a singular matrix.
const PSD_TOL: f64 = 1e-10;

/// A factor `F` (`F Fᵀ = R`, row-major): the Cholesky factor when `R` is
/// positive definite, else `Q √Λ` when it is positive semidefinite (a target
/// on the edge of its attainable interval), else `None`.
pub(crate) fn psd_factor(m: &DMatrix<f64>) -> Option<Vec<f64>> {
    let d = m.nrows();
    if let Some(chol) = m.clone().cholesky() {
        let l = chol.l();
        return Some(
            (0..d)
                .flat_map(|i| (0..d).map(move |j| (i, j)))
                .map(|(i, j)| l[(i, j)])
                .collect(),
        );
    }
    let eig = m.clone().symmetric_eigen();
    if eig.eigenvalues.min() < -PSD_TOL {
        return None;
    }
    let root = eig.eigenvalues.map(|x| x.max(0.0).sqrt());
    let q = &eig.eigenvectors;
    Some(
        (0..d)
            .flat_map(|i| (0..d).map(move |k| (i, k)))
            .map(|(i, k)| q[(i, k)] * root[k])
            .collect(),
    )
}

pub(crate) fn identity(d: usize) -> Vec<f64> {
    (0..d * d)
        .map(|k| if k % (d + 1) == 0 { 1.0 } else { 0.0 })
        .collect()
}

/// Output correlations at latent `r` for every pair (exact quadrature).
fn achieved_matrix(d: usize, pairs: &[Pair], latent: &[f64]) -> Vec<f64> {
    let mut out = identity(d);
    let vals: Vec<f64> = pairs
        .par_iter()
        .map(|p| p.map.corr(latent[p.i * d + p.j]))
        .collect();
    for (p, v) in pairs.iter().zip(vals) {
        out[p.i * d + p.j] = v;
        out[p.j * d + p.i] = v;
    }
    out
}

/// Latent `r` with `g(r) = target`, for a target inside the bounds.
pub(crate) fn solve_pair(map: &PairMap, target: f64) -> f64 {
    if target == 0.0 || map.is_degenerate() {
        return 0.0;
    }
    let (low, high) = map.bounds();
    if target <= low {
        return -1.0;
    }
    if target >= high {
        return 1.0;
    }
    let (mut lo, mut hi) = (-1.0f64, 1.0f64);
    let mut r = target.clamp(-0.999, 0.999);
    for _ in 0..100 {
        let e = map.corr(r) - target;
        if e.abs() <= 1e-10 {
            return r;
        }
        if e < 0.0 {
            lo = r;
        } else {
            hi = r;
        }
        let step = e / map.slope(r);
        let next = r - step;
        r = if next.is_finite() && next > lo && next < hi {
            next
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo < 1e-14 {
            break;
        }
    }
    r
}

/// The error for a feasible target whose latent matrix is not positive
/// definite: the smallest eigenvalue and the pairs that pull it down most
/// (the most negative terms `2 vᵢ vⱼ Rᵢⱼ` of `λ_min = vᵀ R v`).
pub(crate) fn not_positive_definite(names: &[String], m: DMatrix<f64>) -> StatsError {
    let d = m.nrows();
    let eig = m.clone().symmetric_eigen();
    let (k, &lambda) = eig
        .eigenvalues
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap_or((0, &0.0));
    let v = eig.eigenvectors.column(k);
    let mut terms: Vec<(f64, usize, usize)> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .map(|(i, j)| (2.0 * v[i] * v[j] * m[(i, j)], i, j))
        .collect();
    terms.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pairs = terms
        .iter()
        .take(3)
        .map(|&(c, i, j)| (names[i].clone(), names[j].clone(), m[(i, j)], c))
        .collect();
    StatsError::NotPositiveDefinite {
        min_eigenvalue: lambda,
        pairs,
    }
}
