//! NORTA for the scores of a table's copula: a Pearson target over
//! coordinates whose laws are normal (normal scores) or discrete (codes,
//! atoms, missing indicators).
//!
//! Stein's lemma makes every pair with a normal coordinate linear in the
//! latent correlation `r`: with `X = μ + σZ₁`, `Cov(X, h(Z₂)) = σ r
//! E[Z h(Z)]`, so `g(r) = r·E[Z h(Z)]/σ_h` (`E[Z h(Z)] = Σₗ Δₗ φ(bₗ)` over a
//! step map's jumps, exact), and `g(r) = r` for two normal coordinates. No
//! latent map of a normal coordinate is built and no two-dimensional
//! integral is taken; a pair of discrete coordinates is integrated as in
//! [`super::norta`] (Cario & Nelson's rectangles).
//!
//! When targets lie outside their attainable intervals, each pair's own
//! best (the root of its clamped target) is tried before the nearest search
//! (`Shortcut::Clamped`); a positive semidefinite result is an exact
//! minimiser of the search's cost.
//!
//! [`fit_copula`](super::fit_copula) keeps its integrals for a spec: the
//! quadrature's `g(½)/½` differs from the exact slope by rounding, enough
//! to change what a spec draws for a seed.

use super::nearest::NearestOptions;
use super::norta::{
    CopulaFit, CorrelationKind, CorrelationTarget, InfeasiblePolicy, Pair, Shortcut, check_steps,
    check_variances, solve,
};
use super::pair::{PairMap, std_of, stein_slope};
use crate::StatsError;
use crate::latent::LatentMap;
use crate::marginal::{Family, Marginal};
use crate::quadrature::Quadrature;
use pushforward_core::Progress;
use rayon::prelude::*;
use std::sync::Arc;

/// A coordinate's standard deviation, Stein slope `E[Z h(Z)]` and latent
/// map (none for a normal coordinate).
struct Coordinate {
    std: f64,
    slope: f64,
    map: Option<Arc<LatentMap>>,
}

/// Fits the latent correlation of a Gaussian copula whose `marginals` are
/// normal or discrete to the Pearson correlations `target` (`d × d`,
/// row-major), finding the nearest reachable correlation when the target
/// is infeasible or not positive semidefinite (`options`).
///
/// # Errors
/// As [`fit_copula`](super::fit_copula) with [`InfeasiblePolicy::Nearest`]:
/// a cancelled `progress`, a column of infinite variance, too many steps,
/// a non-finite interval.
pub fn fit_score_copula(
    names: &[String],
    marginals: &[Marginal],
    target: &[f64],
    options: &NearestOptions,
    progress: &(dyn Progress + Sync),
) -> Result<CopulaFit, StatsError> {
    let d = marginals.len();
    check_variances(names, marginals, target)?;
    let quad = Quadrature::shared();
    let coords: Vec<Coordinate> = marginals
        .par_iter()
        .map(|m| match m.family() {
            Family::Normal { std, .. } => Coordinate {
                std: *std,
                slope: *std,
                map: None,
            },
            _ => {
                let map = LatentMap::new(m);
                Coordinate {
                    std: std_of(&map, &quad),
                    slope: stein_slope(&map, &quad),
                    map: Some(Arc::new(map)),
                }
            }
        })
        .collect();
    // A fitted table marginal has no pair integrals (see `fit_copula`).
    let exact = |k: usize| matches!(coords[k].map.as_deref(), Some(LatentMap::Exact(_)));
    let wanted: Vec<(usize, usize)> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .filter(|&(i, j)| !exact(i) && !exact(j))
        .collect();
    check_steps(names, |k| coords[k].map.as_deref(), &wanted)?;
    let pairs: Vec<Pair> = wanted
        .par_iter()
        .map(|&(i, j)| {
            if progress.cancelled() {
                return Err(StatsError::Cancelled);
            }
            let (a, b) = (&coords[i], &coords[j]);
            let map = match (&a.map, &b.map) {
                (Some(ma), Some(mb)) => PairMap::numeric(
                    (Arc::clone(ma), a.std),
                    (Arc::clone(mb), b.std),
                    Arc::clone(&quad),
                ),
                _ => {
                    let scale = a.std * b.std;
                    PairMap::Linear(if scale > 0.0 {
                        (a.slope * b.slope / scale).clamp(-1.0, 1.0)
                    } else {
                        0.0
                    })
                }
            };
            Pair::new(i, j, map, names, marginals)
        })
        .collect::<Result<_, _>>()?;
    let target = CorrelationTarget {
        kind: CorrelationKind::Pearson,
        matrix: target.to_vec(),
    };
    solve(
        names,
        &target,
        pairs,
        InfeasiblePolicy::Nearest,
        Shortcut::Clamped,
        options,
        progress,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::copula::fit_copula;
    use pushforward_core::Silent;

    fn marginal(f: Family) -> Marginal {
        Marginal::new(f).unwrap()
    }

    fn names(d: usize) -> Vec<String> {
        (0..d).map(|k| format!("c{k}")).collect()
    }

    fn categorical(weights: &[f64]) -> Family {
        Family::Categorical {
            categories: (0..weights.len()).map(|k| k.to_string()).collect(),
            weights: weights.to_vec(),
        }
    }

    #[test]
    fn a_feasible_target_gives_the_integrated_fits_latent_matrix() {
        let marginals = vec![
            marginal(Family::Normal { mean: 0.0, std: 1.0 }),
            marginal(Family::Normal { mean: 0.0, std: 1.0 }),
            marginal(Family::Bernoulli { p: 0.7 }),
            marginal(categorical(&[0.2, 0.5, 0.3])),
        ];
        let target = vec![
            1.0, 0.4, 0.2, 0.3, //
            0.4, 1.0, -0.1, 0.1, //
            0.2, -0.1, 1.0, 0.25, //
            0.3, 0.1, 0.25, 1.0,
        ];
        let options = NearestOptions::default();
        let fast = fit_score_copula(&names(4), &marginals, &target, &options, &Silent).unwrap();
        let maps: Vec<Arc<LatentMap>> = marginals.iter().map(|m| Arc::new(LatentMap::new(m))).collect();
        let integrated = fit_copula(
            &names(4),
            &marginals,
            &maps,
            &CorrelationTarget {
                kind: CorrelationKind::Pearson,
                matrix: target.clone(),
            },
            InfeasiblePolicy::Nearest,
            &options,
            &Silent,
        )
        .unwrap();
        assert!(fast.nearest.is_none());
        for (k, (a, b)) in fast.latent.iter().zip(&integrated.latent).enumerate() {
            assert!((a - b).abs() < 1e-9, "entry {k}: {a} against {b}");
        }
        for (a, t) in fast.achieved.iter().zip(&target) {
            assert!((a - t).abs() < 1e-9, "{a} against {t}");
        }
    }

    #[test]
    fn an_infeasible_target_with_a_definite_clamp_meets_its_lower_bound() {
        // A Bernoulli(0.1) indicator cannot reach a Pearson correlation of
        // 0.9 with a normal score (its bound is φ(Φ⁻¹(0.9))/√(0.09) ≈ 0.585).
        let marginals = vec![
            marginal(Family::Normal { mean: 0.0, std: 1.0 }),
            marginal(Family::Bernoulli { p: 0.1 }),
            marginal(Family::Normal { mean: 0.0, std: 1.0 }),
        ];
        // Latent (0, 1) at 1 makes coordinates 0 and 1 one normal, so the
        // clamped matrix is semidefinite when (1, 2) asks the same latent
        // 0.1 as (0, 2): a Pearson target of 0.1 times the pair's slope.
        let slope = crate::normal::pdf(crate::normal::quantile(0.9)) / 0.3;
        let t12 = 0.1 * slope;
        let target = vec![1.0, 0.9, 0.1, 0.9, 1.0, t12, 0.1, t12, 1.0];
        let fit = fit_score_copula(
            &names(3),
            &marginals,
            &target,
            &NearestOptions::default(),
            &Silent,
        )
        .unwrap();
        let report = fit.nearest.unwrap();
        let high = fit.bounds[1].high;
        assert!(high < 0.6 && high > 0.55, "bound {high}");
        assert_eq!(fit.latent[1], 1.0, "the clamped root of a pair at its bound");
        assert!((fit.achieved[1] - high).abs() < 1e-12);
        assert!((report.mean_abs_error - report.lower_bound).abs() < 1e-12);
        assert!((fit.achieved[2] - 0.1).abs() < 1e-12);
        assert!((fit.achieved[5] - t12).abs() < 1e-12);
    }
}
