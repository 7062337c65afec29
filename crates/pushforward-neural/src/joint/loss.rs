//! The losses of one set of generated rows against the targets, with their
//! gradients with respect to every value of the set.
//!
//! For a set `X` of `m` rows and `d` columns, column `j` with target
//! quantiles `q` (at levels `(k + ½)/m`), target standard deviation `σⱼ` and
//! soft-sort strength `εⱼ`:
//! ```text
//! marginal_j = (1/m) Σₖ |sort_εⱼ(X·ⱼ)ₖ − qₖ| / σⱼ  +  |sd(X·ⱼ) − σⱼ| / σⱼ
//! marginal   = (1/d) Σⱼ marginal_j
//! correlation = (1/d²) Σⱼₖ |r(X)ⱼₖ − Rⱼₖ|          (Pearson r, all d² entries)
//! ∂r_jk/∂x_ij = (z_ik − r_jk z_ij) / (m sⱼ),  z = (x − mean)/s,  s the population sd
//! ```
//! The first marginal term is the seed's quantile loss; the second sees the
//! tails, which a quantile loss on `m` points and KS do not (a cut lognormal
//! tail passes both yet lowers every Pearson bound).

use pushforward_stats::fidelity::mean_std;

use crate::joint::softsort::SoftSort;

/// One column's targets.
#[derive(Debug, Clone)]
pub struct ColumnTarget {
    /// Target quantiles at levels `(k + ½)/m`, ascending.
    pub quantiles: Vec<f64>,
    /// The marginal's standard deviation.
    pub std: f64,
    /// Soft-sort strength.
    pub epsilon: f64,
}

/// The two losses of a set (before weighting).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SetLoss {
    /// Mean absolute Pearson error over all `d²` entries.
    pub correlation: f64,
    /// Mean over columns of the quantile and spread terms.
    pub marginal: f64,
    /// The seed's marginal loss: the quantile term alone.
    pub quantile: f64,
}

/// The losses of `set` (`m × d`, row-major) and `grad ← w_c ∂corr/∂X + w_m ∂marg/∂X`.
pub fn set_loss(
    set: &[f64],
    targets: &[ColumnTarget],
    correlation: &[f64],
    weights: (f64, f64),
    grad: &mut [f64],
) -> SetLoss {
    let d = targets.len();
    let m = set.len() / d;
    let mf = m as f64;
    grad.fill(0.0);
    let mut means = vec![0.0; d];
    let mut sds = vec![0.0; d];
    let mut loss = SetLoss::default();
    let mut column = vec![0.0; m];
    for (j, target) in targets.iter().enumerate() {
        column
            .iter_mut()
            .enumerate()
            .for_each(|(i, c)| *c = set[i * d + j]);
        let (mean, sd) = mean_std(&column);
        (means[j], sds[j]) = (mean, sd);
        let sorted = SoftSort::new(&column, target.epsilon);
        let mut g = vec![0.0; m];
        let mut quantile = 0.0;
        for ((g, &s), &q) in g.iter_mut().zip(sorted.values()).zip(&target.quantiles) {
            quantile += (s - q).abs();
            *g = (s - q).signum() / (mf * target.std);
        }
        quantile /= mf * target.std;
        let spread = (sd - target.std).abs() / target.std;
        loss.quantile += quantile / d as f64;
        loss.marginal += (quantile + spread) / d as f64;
        let scale = weights.1 / d as f64;
        let spread_slope = (sd - target.std).signum() / target.std / (mf * sd.max(f64::MIN_POSITIVE));
        for (i, gq) in sorted.vjp(&g).into_iter().enumerate() {
            grad[i * d + j] += scale * (gq + spread_slope * (column[i] - mean));
        }
    }
    // Pearson matrix and its L1 error.
    let z: Vec<f64> = (0..m * d)
        .map(|k| (set[k] - means[k % d]) / sds[k % d].max(f64::MIN_POSITIVE))
        .collect();
    let mut r = vec![0.0; d * d];
    for row in z.chunks_exact(d) {
        for j in 0..d {
            for k in 0..d {
                r[j * d + k] += row[j] * row[k] / mf;
            }
        }
    }
    let mut signs = vec![0.0; d * d];
    for (idx, (rv, tv)) in r.iter().zip(correlation).enumerate() {
        loss.correlation += (rv - tv).abs() / (d * d) as f64;
        if idx / d != idx % d {
            signs[idx] = (rv - tv).signum();
        }
    }
    let c = 2.0 * weights.0 / (d * d) as f64;
    for (row, g) in z.chunks_exact(d).zip(grad.chunks_exact_mut(d)) {
        for j in 0..d {
            let mut acc = 0.0;
            for k in 0..d {
                acc += signs[j * d + k] * (row[k] - r[j * d + k] * row[j]);
            }
            g[j] += c * acc / (mf * sds[j].max(f64::MIN_POSITIVE));
        }
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn weighted(set: &[f64], targets: &[ColumnTarget], corr: &[f64]) -> f64 {
        let mut g = vec![0.0; set.len()];
        let l = set_loss(set, targets, corr, (0.7, 1.3), &mut g);
        0.7 * l.correlation + 1.3 * l.marginal
    }

    /// The gradient of the weighted loss against central differences.
    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (m, d) = (30, 3);
        let set: Vec<f64> = (0..m * d).map(|_| rng.random_range(-2.0..2.0)).collect();
        let targets: Vec<ColumnTarget> = (0..d)
            .map(|j| ColumnTarget {
                quantiles: (0..m).map(|k| (k as f64 - 14.5) / (8.0 + j as f64)).collect(),
                std: 1.1 + 0.2 * j as f64,
                epsilon: 0.01,
            })
            .collect();
        let corr = vec![1.0, 0.5, -0.2, 0.5, 1.0, 0.3, -0.2, 0.3, 1.0];
        let mut grad = vec![0.0; m * d];
        set_loss(&set, &targets, &corr, (0.7, 1.3), &mut grad);
        for i in (0..m * d).step_by(7) {
            let h = 1e-6;
            let (mut up, mut down) = (set.clone(), set.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (weighted(&up, &targets, &corr) - weighted(&down, &targets, &corr)) / (2.0 * h);
            assert!((fd - grad[i]).abs() < 1e-5, "value {i}: {fd} vs {}", grad[i]);
        }
    }

    /// A set equal to the target quantiles, with the target correlation
    /// (here: the identity, for two columns in opposite orders), has zero
    /// quantile and correlation loss.
    #[test]
    fn a_perfect_set_has_zero_loss() {
        let m = 4;
        let q = vec![-1.5, -0.5, 0.5, 1.5];
        // Column 2 pairs (−1.5, −0.5, 0.5, 1.5) with (−0.5, 1.5, −1.5, 0.5): Pearson 0.
        let set = vec![-1.5, -0.5, -0.5, 1.5, 0.5, -1.5, 1.5, 0.5];
        let std = (q.iter().map(|x: &f64| x * x).sum::<f64>() / m as f64).sqrt();
        let targets = vec![
            ColumnTarget {
                quantiles: q.clone(),
                std,
                epsilon: 1e-3
            };
            2
        ];
        let mut g = vec![0.0; 8];
        let l = set_loss(&set, &targets, &[1.0, 0.0, 0.0, 1.0], (1.0, 1.0), &mut g);
        assert!(
            l.correlation < 1e-12 && l.marginal < 1e-12 && l.quantile < 1e-12,
            "{l:?}"
        );
    }
}
