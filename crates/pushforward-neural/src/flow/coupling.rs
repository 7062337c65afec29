//! Which noise point each data point of a minibatch is paired with.
//!
//! - `independent`: as drawn (conditional flow matching, Lipman et al. 2023).
//! - `ot`: the permutation minimising `Σ‖x_i − ε_σ(i)‖²` over the batch,
//!   exactly (minibatch OT-CFM, Tong et al. 2024; Pooladian et al. 2023),
//!   by the shortest-augmenting-path solver of `pushforward-ot`.
//! - `sinkhorn`: the entropic plan
//!   `π_ij = exp((f_i + g_j − C_ij)/ε) / n²` with `ε = 0.05 · max C`, by the
//!   log-domain Sinkhorn iterations of `pushforward-ot` (Cuturi 2013;
//!   ε-scaling as Schmitzer 2019) to an `L¹` row and column marginal error
//!   below 1e-3 or 500 iterations; each data point then draws its partner
//!   from its row of `π`. `O(n²)` per iteration instead of the
//!   assignment's `O(n³)`, for large batches; as `ε → 0` it approaches
//!   `ot`. `ε` is relative to the largest cost, as torchcfm divides the cost
//!   by its maximum, so it is scale-free.

use pushforward_ot::{SinkhornConfig, entropic_plan};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Relative entropic regularisation of the `sinkhorn` coupling.
pub const SINKHORN_EPSILON: f64 = 0.05;
/// Sinkhorn's largest marginal error accepted.
const SINKHORN_TOLERANCE: f64 = 1e-3;
/// Sinkhorn's iteration cap.
const SINKHORN_ITERATIONS: usize = 500;

/// How minibatch noise is paired with data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coupling {
    /// Pairs as drawn.
    Independent,
    /// Exact optimal assignment on squared Euclidean cost.
    Ot,
    /// Pairs drawn from the entropic optimal plan.
    Sinkhorn,
}

impl Coupling {
    /// Every coupling, in the order of `--help`.
    pub const ALL: [Coupling; 3] = [Coupling::Independent, Coupling::Ot, Coupling::Sinkhorn];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Coupling::Independent => "independent",
            Coupling::Ot => "ot",
            Coupling::Sinkhorn => "sinkhorn",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Coupling::Independent => "noise paired as drawn",
            Coupling::Ot => {
                "exact minibatch optimal transport: straighter paths, good in few steps (the default)"
            }
            Coupling::Sinkhorn => "entropic minibatch transport, O(n^2) per iteration, for large batches",
        }
    }

    /// For each of the `n` data points `x` (rows of width `d`), the index of
    /// its noise partner among the `n` rows of `noise` (`rng` draws the
    /// Sinkhorn pairs).
    pub fn partners(self, x: &[f32], noise: &[f32], d: usize, rng: &mut impl Rng) -> Vec<usize> {
        let n = x.len() / d;
        match self {
            Coupling::Independent => (0..n).collect(),
            Coupling::Ot => pushforward_ot::assignment(&squared_costs(x, noise, d), n),
            Coupling::Sinkhorn => sinkhorn_partners(x, noise, d, rng),
        }
    }
}

/// `C_ij = ‖x_i − ε_j‖²`, row-major `n × n`.
fn squared_costs(x: &[f32], noise: &[f32], d: usize) -> Vec<f64> {
    let mut cost = Vec::with_capacity((x.len() / d) * (noise.len() / d));
    for xi in x.chunks_exact(d) {
        for ej in noise.chunks_exact(d) {
            cost.push(xi.iter().zip(ej).map(|(a, b)| f64::from(a - b).powi(2)).sum());
        }
    }
    cost
}

/// Partners drawn row by row from the Sinkhorn plan between `x` and
/// `noise` (`n` points each); pairs as drawn if the batch is degenerate
/// (all points equal, or non-finite).
fn sinkhorn_partners(x: &[f32], noise: &[f32], d: usize, rng: &mut impl Rng) -> Vec<usize> {
    let n = x.len() / d;
    let (x, noise): (Vec<f64>, Vec<f64>) = (
        x.iter().map(|&v| f64::from(v)).collect(),
        noise.iter().map(|&v| f64::from(v)).collect(),
    );
    let max_cost = x
        .chunks_exact(d)
        .flat_map(|p| noise.chunks_exact(d).map(move |q| sq_dist(p, q)))
        .fold(0.0, f64::max);
    let config = SinkhornConfig {
        epsilon: max_cost * SINKHORN_EPSILON,
        tolerance: SINKHORN_TOLERANCE,
        max_iterations: SINKHORN_ITERATIONS,
        ..SinkhornConfig::default()
    };
    let Ok(plan) = entropic_plan(&x, &noise, d, &config) else {
        return (0..n).collect();
    };
    let mut row = Vec::with_capacity(n);
    x.chunks_exact(d)
        .enumerate()
        .map(|(i, xi)| {
            plan.row(i, xi, &noise, &mut row);
            let total: f64 = row.iter().sum();
            let mut draw = rng.random::<f64>() * total;
            for (j, p) in row.iter().enumerate() {
                draw -= p;
                if draw <= 0.0 {
                    return j;
                }
            }
            n - 1
        })
        .collect()
}

/// Squared Euclidean distance.
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn cost_of(x: &[f32], noise: &[f32], p: &[usize]) -> f64 {
        p.iter()
            .enumerate()
            .map(|(i, &j)| f64::from((x[i] - noise[j]).powi(2)))
            .sum()
    }

    /// In 1-D the optimal assignment pairs the sorted orders.
    #[test]
    fn ot_pairs_sorted_orders_in_one_dimension() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x: Vec<f32> = (0..64).map(|_| rng.random_range(-3.0..3.0)).collect();
        let noise: Vec<f32> = (0..64).map(|_| rng.random_range(-3.0..3.0)).collect();
        let p = Coupling::Ot.partners(&x, &noise, 1, &mut rng);
        let rank = |v: &[f32], i: usize| v.iter().filter(|&&w| w < v[i]).count();
        assert!((0..64).all(|i| rank(&x, i) == rank(&noise, p[i])));
    }

    /// The Sinkhorn pairs cost about what the exact ones do, far below
    /// independent pairs, and are a valid draw (indices in range).
    #[test]
    fn sinkhorn_pairs_are_nearly_optimal() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let x: Vec<f32> = (0..256).map(|_| rng.random_range(-3.0..3.0)).collect();
        let noise: Vec<f32> = (0..256).map(|_| rng.random_range(-3.0..3.0)).collect();
        let ot = cost_of(&x, &noise, &Coupling::Ot.partners(&x, &noise, 1, &mut rng));
        let sk = cost_of(&x, &noise, &Coupling::Sinkhorn.partners(&x, &noise, 1, &mut rng));
        let ind = cost_of(
            &x,
            &noise,
            &Coupling::Independent.partners(&x, &noise, 1, &mut rng),
        );
        assert!(
            ot <= sk && sk < 0.2 * ind,
            "ot {ot}, sinkhorn {sk}, independent {ind}"
        );
    }
}
