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
//!
//! The correlation is trained on the set as it will be sampled (integer
//! columns rounded, categorical columns at their Gumbel-max codes), with
//! straight-through gradients (Bengio, Léonard and Courville 2013): the
//! gradient with respect to a sampled value is applied to the value it was
//! rounded from. The seed matches the correlation before rounding, which a
//! Bernoulli column relaxed to [0, 1] can meet where a true one cannot.

use crate::joint::softsort::SoftSort;
use pushforward_stats::fidelity::mean_std;

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

/// The losses of a set (before weighting).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SetLoss {
    /// Mean absolute Pearson error over all `d²` entries, as sampled.
    pub correlation: f64,
    /// Mean over columns of the quantile and spread terms.
    pub marginal: f64,
    /// The seed's marginal loss: the quantile term alone.
    pub quantile: f64,
    /// The seed's correlation loss: as [`SetLoss::correlation`], before
    /// rounding.
    pub soft_correlation: f64,
}

impl SetLoss {
    /// The term-by-term mean of `losses` (zero for none).
    pub fn mean(losses: &[SetLoss]) -> SetLoss {
        let n = losses.len().max(1) as f64;
        let mean = |f: fn(&SetLoss) -> f64| losses.iter().map(f).sum::<f64>() / n;
        SetLoss {
            correlation: mean(|l| l.correlation),
            marginal: mean(|l| l.marginal),
            quantile: mean(|l| l.quantile),
            soft_correlation: mean(|l| l.soft_correlation),
        }
    }

    /// The terms by name, as recorded in the training curve.
    pub fn terms(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("correlation", self.correlation),
            ("soft_correlation", self.soft_correlation),
            ("marginal", self.marginal),
            ("quantile", self.quantile),
        ]
    }
}

/// Standard deviations below this leave a column out of the correlation
/// gradient (a rounded column can be constant in a set).
const FLAT: f64 = 1e-12;

/// A set's Pearson matrix with the standardised values it came from.
struct Pearson {
    r: Vec<f64>,
    z: Vec<f64>,
    sds: Vec<f64>,
}

impl Pearson {
    /// The Pearson matrix of `set` (`m × d`, row-major); a flat column
    /// correlates 0 with everything.
    fn new(set: &[f64], d: usize) -> Pearson {
        let m = set.len() / d;
        let stats: Vec<(f64, f64)> = (0..d)
            .map(|j| mean_std(&set.iter().skip(j).step_by(d).copied().collect::<Vec<_>>()))
            .collect();
        let z: Vec<f64> = set
            .iter()
            .enumerate()
            .map(|(k, &x)| {
                let (mean, sd) = stats[k % d];
                if sd > FLAT { (x - mean) / sd } else { 0.0 }
            })
            .collect();
        let mut r = vec![0.0; d * d];
        for row in z.chunks_exact(d) {
            for j in 0..d {
                for k in 0..d {
                    r[j * d + k] += row[j] * row[k] / m as f64;
                }
            }
        }
        Pearson {
            r,
            z,
            sds: stats.into_iter().map(|(_, sd)| sd).collect(),
        }
    }

    /// Mean absolute error against `target` over all `d²` entries.
    fn l1(&self, target: &[f64]) -> f64 {
        self.r.iter().zip(target).map(|(a, b)| (a - b).abs()).sum::<f64>() / self.r.len() as f64
    }

    /// Adds `weight · ∂l1/∂X` into `grad`.
    fn add_l1_grad(&self, target: &[f64], weight: f64, grad: &mut [f64]) {
        let d = self.sds.len();
        let m = self.z.len() / d;
        let signs: Vec<f64> = (0..d * d)
            .map(|idx| {
                let (j, k) = (idx / d, idx % d);
                if j == k || self.sds[j] <= FLAT || self.sds[k] <= FLAT {
                    0.0
                } else {
                    (self.r[idx] - target[idx]).signum()
                }
            })
            .collect();
        let c = 2.0 * weight / (d * d) as f64;
        for (row, g) in self.z.chunks_exact(d).zip(grad.chunks_exact_mut(d)) {
            for j in (0..d).filter(|&j| self.sds[j] > FLAT) {
                let acc: f64 = (0..d)
                    .map(|k| signs[j * d + k] * (row[k] - self.r[j * d + k] * row[j]))
                    .sum();
                g[j] += c * acc / (m as f64 * self.sds[j]);
            }
        }
    }
}

/// The losses of a set and `grad ← w_c ∂corr/∂X + w_m ∂marg/∂X`.
///
/// `soft` is the set as trained (`m × d`, row-major) and `sampled` the same
/// set as it would be sampled; the correlation is measured on `sampled` and
/// its gradient passed straight through to `soft`.
pub fn set_loss(
    soft: &[f64],
    sampled: &[f64],
    targets: &[ColumnTarget],
    correlation: &[f64],
    weights: (f64, f64),
    grad: &mut [f64],
) -> SetLoss {
    let d = targets.len();
    let m = soft.len() / d;
    let mf = m as f64;
    grad.fill(0.0);
    let mut loss = SetLoss::default();
    let mut column = vec![0.0; m];
    for (j, target) in targets.iter().enumerate() {
        column
            .iter_mut()
            .enumerate()
            .for_each(|(i, c)| *c = soft[i * d + j]);
        let (mean, sd) = mean_std(&column);
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
    let as_sampled = Pearson::new(sampled, d);
    loss.correlation = as_sampled.l1(correlation);
    as_sampled.add_l1_grad(correlation, weights.0, grad);
    loss.soft_correlation = if sampled == soft {
        loss.correlation
    } else {
        Pearson::new(soft, d).l1(correlation)
    };
    loss
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn weighted(set: &[f64], targets: &[ColumnTarget], corr: &[f64]) -> f64 {
        let mut g = vec![0.0; set.len()];
        let l = set_loss(set, set, targets, corr, (0.7, 1.3), &mut g);
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
        set_loss(&set, &set, &targets, &corr, (0.7, 1.3), &mut grad);
        for i in (0..m * d).step_by(7) {
            let h = 1e-6;
            let (mut up, mut down) = (set.clone(), set.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (weighted(&up, &targets, &corr) - weighted(&down, &targets, &corr)) / (2.0 * h);
            assert!((fd - grad[i]).abs() < 1e-5, "value {i}: {fd} vs {}", grad[i]);
        }
    }

    /// The correlation is measured on the set as sampled and its gradient
    /// passed straight through; the seed's correlation loss stays the one
    /// before rounding. A column that rounds to a constant gets no
    /// correlation gradient.
    #[test]
    fn correlation_is_trained_on_the_sampled_set() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (m, d) = (40, 3);
        let soft: Vec<f64> = (0..m * d).map(|_| rng.random_range(0.0..3.0)).collect();
        let mut sampled: Vec<f64> = soft.iter().map(|x| x.round()).collect();
        let targets: Vec<ColumnTarget> = (0..d)
            .map(|_| ColumnTarget {
                quantiles: (0..m).map(|k| 3.0 * (k as f64 + 0.5) / m as f64).collect(),
                std: 0.9,
                epsilon: 0.01,
            })
            .collect();
        let corr = vec![1.0, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 1.0];
        let (mut through, mut direct) = (vec![0.0; m * d], vec![0.0; m * d]);
        let l = set_loss(&soft, &sampled, &targets, &corr, (1.0, 0.0), &mut through);
        let on_sampled = set_loss(&sampled, &sampled, &targets, &corr, (1.0, 0.0), &mut direct);
        let on_soft = set_loss(&soft, &soft, &targets, &corr, (1.0, 0.0), &mut vec![0.0; m * d]);
        assert_eq!(through, direct);
        assert_eq!(l.correlation, on_sampled.correlation);
        assert_eq!(l.soft_correlation, on_soft.correlation);
        assert!((l.correlation - l.soft_correlation).abs() > 1e-3, "{l:?}");

        // Column 1 rounds to a constant in this set.
        sampled.iter_mut().skip(1).step_by(d).for_each(|v| *v = 2.0);
        let l = set_loss(&soft, &sampled, &targets, &corr, (1.0, 0.0), &mut through);
        assert!(l.correlation.is_finite(), "{l:?}");
        assert!(through.iter().skip(1).step_by(d).all(|&g| g == 0.0));
        assert!(through.iter().step_by(d).any(|&g| g != 0.0));
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
        let l = set_loss(&set, &set, &targets, &[1.0, 0.0, 0.0, 1.0], (1.0, 1.0), &mut g);
        assert!(
            l.correlation < 1e-12 && l.marginal < 1e-12 && l.quantile < 1e-12,
            "{l:?}"
        );
    }
}
