//! Exact Wasserstein distances `W1` and `W2` between two clouds of equal size
//! with uniform weights, by linear assignment.
//!
//! ```text
//! W1(X, Y) = (1/n) min_σ Σ_i ‖x_i − y_σ(i)‖₂
//! W2(X, Y) = sqrt( (1/n) min_σ Σ_i ‖x_i − y_σ(i)‖₂² )
//! ```
//! `σ` runs over the permutations of `0..n`. With uniform weights `1/n` on
//! both sides the transport polytope is `1/n` times the Birkhoff polytope of
//! doubly stochastic matrices, whose vertices are the permutation matrices
//! (Birkhoff–von Neumann theorem), so a linear cost reaches its minimum at
//! one of them: the assignment is the exact optimal transport, the value POT
//! `ot.emd2(a, b, M)` returns (Peyré and Cuturi 2019, "Computational Optimal
//! Transport", Proposition 2.1).
//!
//! Each value is one assignment problem on an `n × n` cost matrix (`8 n²`
//! bytes: 200 MB at `n = 5,000`), solved by the shortest augmenting path
//! method of Jonker and Volgenant as in SciPy's `linear_sum_assignment`
//! (Crouse 2016, "On implementing 2D rectangular assignment algorithms",
//! IEEE TAES 52(4)), started by column reduction ([`super::assignment`]).
//! The squared costs are built
//! once, in parallel. With more than one thread and both matrices within
//! 512 MiB (`n ≤ 5,792`), the Euclidean costs are their square roots and the
//! two problems are solved at once (`rayon::join`: 1.4 s instead of 2.4 s at
//! `n = 2,000`, 2 cores); otherwise the `W2` problem is solved first and its
//! buffer square-rooted in place for the `W1` problem.

use super::assignment::assignment;
use crate::error::MetricsError;
use crate::points::{Points, same_dim, sq_dist};
use rayon::prelude::*;

/// Both cost matrices are held at once, and both assignments solved in
/// parallel, while they take at most this many bytes (`n ≤ 5,792`).
const JOIN_BYTES: usize = 512 << 20;

/// Exact `W1` and `W2` distances between two clouds of equal size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactOt {
    /// `W1`: the mean Euclidean distance of the optimal matching for that cost.
    pub w1: f64,
    /// `W2`: the root mean squared distance of the optimal matching for the
    /// squared cost.
    pub w2: f64,
}

/// Exact `W1` and `W2` between two clouds of the same size `n ≥ 1`, each
/// point weighing `1/n`.
///
/// Time is that of two dense assignments (between `n²` and `n³`; 0.5–1.3 s
/// each at `n = 2,000` in 2-D, as SciPy's `linear_sum_assignment`), solved
/// in parallel; memory `16 n²` bytes up to `n = 5,792` (400 MB at 5,000),
/// `8 n²` beyond, so subsample large clouds first ([`Points::subsample`]).
///
/// # Errors
/// [`MetricsError::DimensionMismatch`]; [`MetricsError::TooFewPoints`] for
/// an empty cloud; [`MetricsError::BadParameter`] when the sizes differ, or
/// when a squared distance overflows (coordinates beyond about `1e154`).
///
/// ```
/// use pushforward_metrics::{Points, ot::exact_wasserstein};
/// let x = Points::new(1, vec![0.0, 1.0, 2.0]).unwrap();
/// let y = Points::new(1, vec![2.5, 0.5, 1.5]).unwrap();
/// let ot = exact_wasserstein(&x, &y).unwrap();
/// assert!((ot.w1 - 0.5).abs() < 1e-12 && (ot.w2 - 0.5).abs() < 1e-12);
/// ```
pub fn exact_wasserstein(x: &Points, y: &Points) -> Result<ExactOt, MetricsError> {
    same_dim(x, y)?;
    let n = x.len();
    if n == 0 || y.is_empty() {
        return Err(MetricsError::TooFewPoints {
            metric: "exact wasserstein",
            needed: 1,
            got: 0,
        });
    }
    if y.len() != n {
        return Err(MetricsError::BadParameter {
            name: "points in the second cloud",
            value: y.len() as f64,
            expected: "as many points as the first cloud (exact transport needs equal sizes)",
        });
    }
    let mut cost = vec![0.0; n * n];
    cost.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let xi = x.row(i);
        for (j, c) in row.iter_mut().enumerate() {
            *c = sq_dist(xi, y.row(j));
        }
    });
    if let Some(&c) = cost.iter().find(|c| !c.is_finite()) {
        return Err(MetricsError::BadParameter {
            name: "squared distance",
            value: c,
            expected: "a finite value (coordinates below about 1e154 in magnitude)",
        });
    }
    let (w2_sq, w1) = if rayon::current_num_threads() > 1 && 2 * 8 * n * n <= JOIN_BYTES {
        let euclidean: Vec<f64> = cost.par_iter().map(|c| c.sqrt()).collect();
        rayon::join(|| assignment_mean(&cost, n), || assignment_mean(&euclidean, n))
    } else {
        let w2_sq = assignment_mean(&cost, n);
        cost.par_iter_mut().for_each(|c| *c = c.sqrt());
        (w2_sq, assignment_mean(&cost, n))
    };
    Ok(ExactOt {
        w1: w1?,
        w2: w2_sq?.sqrt(),
    })
}

/// `(1/n) min_σ Σ_i cost[i, σ(i)]` for a finite `n × n` row-major cost.
fn assignment_mean(cost: &[f64], n: usize) -> Result<f64, MetricsError> {
    let sigma = assignment(cost, n);
    Ok(sigma
        .iter()
        .enumerate()
        .map(|(i, &j)| cost[i * n + j])
        .sum::<f64>()
        / n as f64)
}
