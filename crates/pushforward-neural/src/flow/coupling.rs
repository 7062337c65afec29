//! Which noise point each data point of a minibatch is paired with.
//!
//! - `independent`: as drawn (conditional flow matching, Lipman et al. 2023).
//! - `ot`: the permutation minimising `Σ‖x_i − ε_σ(i)‖²` over the batch,
//!   exactly (minibatch OT-CFM, Tong et al. 2024; Pooladian et al. 2023),
//!   by the shortest-augmenting-path solver of the evaluation crate.
//! - `sinkhorn`: the entropic plan `π = diag(u) K diag(v)`,
//!   `K_ij = exp(−C_ij / (ε·max C))`, by Sinkhorn's matrix scaling
//!   (Cuturi 2013) to a row and column marginal error below 1e-3 or 500
//!   iterations; each data point then draws its partner from its row of
//!   `π`. `O(n²)` per iteration instead of the assignment's `O(n³)`, for
//!   large batches; as `ε → 0` it approaches `ot`. The cost is divided by
//!   its maximum, as torchcfm does, so `ε` is scale-free.

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
            Coupling::Ot => pushforward_metrics::ot::assignment(&squared_costs(x, noise, d), n),
            Coupling::Sinkhorn => sinkhorn_partners(&squared_costs(x, noise, d), n, rng),
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

/// Partners drawn row by row from the Sinkhorn plan of `cost`.
fn sinkhorn_partners(cost: &[f64], n: usize, rng: &mut impl Rng) -> Vec<usize> {
    let scale = cost.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE) * SINKHORN_EPSILON;
    let k: Vec<f64> = cost.iter().map(|c| (-c / scale).exp()).collect();
    let target = 1.0 / n as f64;
    let (mut u, mut v) = (vec![1.0; n], vec![1.0; n]);
    let mut kv = vec![0.0; n];
    for _ in 0..SINKHORN_ITERATIONS {
        for (i, ui) in u.iter_mut().enumerate() {
            let s: f64 = k[i * n..(i + 1) * n].iter().zip(&v).map(|(k, v)| k * v).sum();
            *ui = target / s.max(f64::MIN_POSITIVE);
        }
        let mut ktu = vec![0.0; n];
        for (i, &ui) in u.iter().enumerate() {
            ktu.iter_mut()
                .zip(&k[i * n..(i + 1) * n])
                .for_each(|(a, k)| *a += k * ui);
        }
        v.iter_mut()
            .zip(&ktu)
            .for_each(|(v, s)| *v = target / s.max(f64::MIN_POSITIVE));
        // Columns are now exact; the rows' error decides convergence.
        for (i, r) in kv.iter_mut().enumerate() {
            *r = u[i]
                * k[i * n..(i + 1) * n]
                    .iter()
                    .zip(&v)
                    .map(|(k, v)| k * v)
                    .sum::<f64>();
        }
        if kv.iter().map(|r| (r - target).abs()).sum::<f64>() < SINKHORN_TOLERANCE {
            break;
        }
    }
    (0..n)
        .map(|i| {
            let row = &k[i * n..(i + 1) * n];
            let total: f64 = row.iter().zip(&v).map(|(k, v)| k * v).sum();
            let mut draw = rng.random::<f64>() * total;
            for (j, (k, v)) in row.iter().zip(&v).enumerate() {
                draw -= k * v;
                if draw <= 0.0 {
                    return j;
                }
            }
            n - 1
        })
        .collect()
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
