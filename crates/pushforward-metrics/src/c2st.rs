//! Classifier two-sample test: can a classifier tell real rows from
//! synthetic ones on rows it was not trained on?
//!
//! ```text
//! balanced sample: n₀ = min(n, m) rows of each, labels real = 0, synthetic = 1
//! split each class in halves (seeded): train, test
//! logistic regression  p(x) = σ(w₀ + wᵀx),  min (1/n) Σ log-loss + (λ/2)‖w‖²,  λ = 10⁻³, Newton's method
//! k-nearest neighbours p(x) = share of synthetic rows among the k = 9 nearest training rows
//! accuracy = share of test rows with 1[p > ½] = label;  AUC = P(p(synthetic) > p(real)) (ties ½)
//! p-value  = 2 · P(Binomial(n_test, ½) ≥ correct of the better classifier)   (one-sided, Bonferroni)
//! ```
//! An accuracy near ½ (AUC near ½) means the classifiers cannot tell the
//! samples apart (Lopez-Paz & Oquab 2017, "Revisiting classifier two-sample
//! tests", ICLR). The linear classifier sees shifts of location and linear
//! dependence; the neighbour classifier sees any local difference in density.
//! Logistic regression is written here (a Newton solve on `d + 1`
//! parameters with nalgebra's Cholesky) rather than taken from linfa, which
//! pulls an older optimisation stack for the same few lines.

use crate::error::MetricsError;
use crate::knn::{Reference, block_min};
use crate::points::{Points, same_dim};
use nalgebra::{DMatrix, DVector};
use pushforward_core::seed::{Purpose, stream};
use rand::seq::SliceRandom;
use rayon::prelude::*;
use statrs::distribution::{Binomial, DiscreteCDF};

/// Neighbours of the nearest-neighbour classifier.
pub const K: usize = 9;

/// Ridge penalty of the logistic regression.
pub const LAMBDA: f64 = 1e-3;

/// Held-out scores of one classifier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierScore {
    /// Share of test rows classified correctly.
    pub accuracy: f64,
    /// Area under the ROC curve on the test rows.
    pub auc: f64,
}

/// Result of the test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct C2st {
    /// Logistic regression.
    pub logistic: ClassifierScore,
    /// Nearest-neighbour classifier.
    pub knn: ClassifierScore,
    /// Name of the classifier with the higher accuracy (`logistic` or `knn`).
    pub best: &'static str,
    /// Its scores.
    pub score: ClassifierScore,
    /// One-sided binomial p-value of its accuracy, Bonferroni-corrected.
    pub p_value: f64,
    /// Test rows (both classes).
    pub test_rows: usize,
}

/// Runs the test on the first `min(real, synth)` points of each cloud after
/// a seeded shuffle; each cloud needs at least four points.
pub fn c2st(real: &Points, synth: &Points, seed: u64) -> Result<C2st, MetricsError> {
    same_dim(real, synth)?;
    let n0 = real.len().min(synth.len());
    if n0 < 4 {
        return Err(MetricsError::TooFewPoints {
            metric: "c2st",
            needed: 4,
            got: n0,
        });
    }
    let mut rng = stream(seed, Purpose::Subsample(0));
    let mut halves = |p: &Points| {
        let mut idx: Vec<usize> = (0..p.len()).collect();
        idx.shuffle(&mut rng);
        idx.truncate(n0);
        let (train, test) = idx.split_at(n0 / 2);
        (p.select(train), p.select(test))
    };
    let (real_train, real_test) = halves(real);
    let (synth_train, synth_test) = halves(synth);
    let train = real_train.concat(&synth_train);
    let test = real_test.concat(&synth_test);
    let train_labels: Vec<bool> = (0..train.len()).map(|i| i >= real_train.len()).collect();
    let test_labels: Vec<bool> = (0..test.len()).map(|i| i >= real_test.len()).collect();

    let w = fit_logistic(&train, &train_labels);
    let logistic_p: Vec<f64> = (0..test.len())
        .map(|i| sigmoid(linear(&w, test.row(i))))
        .collect();
    let knn_p = knn_scores(&train, &train_labels, &test);
    let logistic = score(&logistic_p, &test_labels);
    let knn = score(&knn_p, &test_labels);
    let (best, s) = if knn.accuracy > logistic.accuracy {
        ("knn", knn)
    } else {
        ("logistic", logistic)
    };
    let n_test = test.len() as u64;
    let correct = (s.accuracy * n_test as f64).round() as u64;
    let tail = match Binomial::new(0.5, n_test) {
        Ok(b) if correct > 0 => b.sf(correct - 1),
        _ => 1.0,
    };
    Ok(C2st {
        logistic,
        knn,
        best,
        score: s,
        p_value: (2.0 * tail).min(1.0),
        test_rows: test.len(),
    })
}

fn sigmoid(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

fn linear(w: &DVector<f64>, x: &[f64]) -> f64 {
    w[0] + x.iter().zip(w.iter().skip(1)).map(|(a, b)| a * b).sum::<f64>()
}

/// Ridge-penalised logistic regression by Newton's method (the objective is
/// strictly convex, so at most 100 steps; stops when a step is below 1e-10).
fn fit_logistic(x: &Points, y: &[bool]) -> DVector<f64> {
    let p = x.dim() + 1;
    let n = x.len() as f64;
    let mut w = DVector::zeros(p);
    for _ in 0..100 {
        // Gradient and Hessian summed over fixed chunks, then in order.
        let parts: Vec<(DVector<f64>, DMatrix<f64>)> = (0..x.len())
            .collect::<Vec<_>>()
            .par_chunks(2048)
            .map(|rows| {
                let mut g = DVector::zeros(p);
                let mut h = DMatrix::zeros(p, p);
                let mut z = DVector::zeros(p);
                for &i in rows {
                    z[0] = 1.0;
                    z.rows_mut(1, p - 1).copy_from_slice(x.row(i));
                    let pr = sigmoid(linear(&w, x.row(i)));
                    g.axpy(pr - f64::from(u8::from(y[i])), &z, 1.0);
                    h.ger(pr * (1.0 - pr), &z, &z, 1.0);
                }
                (g, h)
            })
            .collect();
        let mut g = DVector::zeros(p);
        let mut h = DMatrix::zeros(p, p);
        for (gi, hi) in parts {
            g += gi;
            h += hi;
        }
        g /= n;
        h /= n;
        for k in 1..p {
            g[k] += LAMBDA * w[k];
            h[(k, k)] += LAMBDA;
        }
        // A tiny ridge on the intercept keeps the Hessian definite when
        // every prediction saturates.
        h[(0, 0)] += 1e-12;
        let Some(chol) = h.cholesky() else { break };
        let step = chol.solve(&g);
        w -= &step;
        if step.amax() < 1e-10 {
            break;
        }
    }
    w
}

/// Share of synthetic rows among the [`K`] nearest training rows.
fn knn_scores(train: &Points, labels: &[bool], test: &Points) -> Vec<f64> {
    let k = K.min(train.len());
    Reference::new(train)
        .scan(
            test,
            |_| (vec![f64::INFINITY; k], vec![false; k]),
            |(dist, lab), start, d2| {
                if block_min(d2) >= dist[k - 1] {
                    return;
                }
                for (j, &d) in d2.iter().enumerate() {
                    if d < dist[k - 1] {
                        let mut pos = k - 1;
                        while pos > 0 && dist[pos - 1] > d {
                            dist[pos] = dist[pos - 1];
                            lab[pos] = lab[pos - 1];
                            pos -= 1;
                        }
                        dist[pos] = d;
                        lab[pos] = labels[start + j];
                    }
                }
            },
        )
        .into_iter()
        .map(|(_, lab)| lab.iter().filter(|&&l| l).count() as f64 / k as f64)
        .collect()
}

/// Accuracy (threshold ½) and AUC (Mann–Whitney with mid-ranks).
fn score(p: &[f64], labels: &[bool]) -> ClassifierScore {
    let correct = p.iter().zip(labels).filter(|&(&pi, &l)| (pi > 0.5) == l).count();
    let ranks = crate::dependence::midranks(p);
    let positives = labels.iter().filter(|&&l| l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    let rank_sum: f64 = ranks
        .iter()
        .zip(labels)
        .filter(|(_, l)| **l)
        .map(|(r, _)| r)
        .sum();
    ClassifierScore {
        accuracy: correct as f64 / p.len() as f64,
        auc: (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::points::gaussian;

    #[test]
    fn auc_by_hand() {
        // Positives score 0.9 and 0.4, negatives 0.5 and 0.1: 3 of 4 pairs ordered.
        let s = score(&[0.9, 0.4, 0.5, 0.1], &[true, true, false, false]);
        assert_eq!(s.auc, 0.75);
        assert_eq!(s.accuracy, 0.75);
    }

    #[test]
    fn one_law_is_indistinguishable() {
        // 2,000 test rows: accuracy's standard error is about 0.011.
        let t = c2st(
            &gaussian(2000, 3, 1.0, 0.0, 1),
            &gaussian(2000, 3, 1.0, 0.0, 2),
            5,
        )
        .unwrap();
        assert!((t.score.accuracy - 0.5).abs() < 0.045, "{t:?}");
        assert!((t.score.auc - 0.5).abs() < 0.05, "{t:?}");
        assert!(t.p_value > 0.01, "{t:?}");
    }

    #[test]
    fn a_shift_is_found_by_logistic_and_a_scale_change_by_neighbours() {
        let shifted = c2st(
            &gaussian(1000, 2, 1.0, 0.0, 1),
            &gaussian(1000, 2, 1.0, 3.0, 2),
            5,
        )
        .unwrap();
        assert!(
            shifted.logistic.accuracy > 0.95 && shifted.p_value < 1e-10,
            "{shifted:?}"
        );
        // Same mean, a tenth of the spread: no hyperplane separates them, neighbours do.
        let narrow = c2st(
            &gaussian(1000, 2, 1.0, 0.0, 3),
            &gaussian(1000, 2, 0.1, 0.0, 4),
            5,
        )
        .unwrap();
        assert!(narrow.logistic.accuracy < 0.6, "{narrow:?}");
        assert!(narrow.knn.accuracy > 0.85 && narrow.best == "knn", "{narrow:?}");
    }
}
