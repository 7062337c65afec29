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
//! Each value is one exact problem on an `n × n` cost matrix (`8 n²`
//! bytes: 200 MB at `n = 5,000`). In one or two dimensions it is solved by
//! the network simplex ([`crate::emd`], `9 n²` bytes more), elsewhere by the
//! shortest augmenting path method of Jonker and Volgenant as in SciPy's
//! `linear_sum_assignment` (Crouse 2016, "On implementing 2D rectangular
//! assignment algorithms", IEEE TAES 52(4)), started by column reduction
//! ([`crate::assignment`]). Measured on 2,000 vs 2,000 standard normal
//! points, one `W2²`, on a loaded 2-core machine: in 2-D the simplex takes
//! 1.4 s and the assignment 5.2 s (low dimensions make many near ties, and
//! the augmenting paths long); in 12-D the simplex 1.7 s and the
//! assignment 0.74 s. Both are exact: their values agree to rounding.
//!
//! The squared costs are built once, in parallel. With more than one
//! thread and both problems within 512 MiB (`n ≤ 5,792` for the
//! assignment, `n ≤ 3,970` for the simplex), the Euclidean costs are
//! their square roots and the two problems are solved at once
//! (`rayon::join`: 1.4 s instead of 2.4 s for two assignments at
//! `n = 2,000`, 2 cores); otherwise the `W2` problem is solved first and
//! its buffer square-rooted in place for the `W1` problem.

use crate::assignment::assignment;
use crate::error::OtError;
use crate::points::{sizes, sq_dist};
use crate::simplex::emd;
use rayon::prelude::*;

/// Both problems are held at once, and solved in parallel, while they take
/// at most this many bytes.
const JOIN_BYTES: usize = 512 << 20;
/// The network simplex solves the problems in at most this many
/// dimensions, the assignment in more.
const SIMPLEX_UP_TO_DIM: usize = 2;

/// Exact `W1` and `W2` distances between two clouds of equal size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactOt {
    /// `W1`: the mean Euclidean distance of the optimal matching for that cost.
    pub w1: f64,
    /// `W2`: the root mean squared distance of the optimal matching for the
    /// squared cost.
    pub w2: f64,
}

/// Exact `W1` and `W2` between two clouds of the same size `n ≥ 1`
/// (row-major, `d` coordinates per point), each point weighing `1/n`.
///
/// Time is that of two exact problems (network simplex up to 2-D, about
/// 0.5–1.4 s each at `n = 2,000`; dense assignments beyond, between `n²`
/// and `n³`), solved in parallel; memory up to `34 n²` bytes (136 MB at
/// 2,000), so subsample large clouds first.
///
/// # Errors
/// [`OtError::Shape`] or [`OtError::BadParameter`] for a bad shape;
/// [`OtError::TooFewPoints`] for an empty cloud; [`OtError::BadParameter`]
/// when the sizes differ, or when a squared distance is not finite
/// (coordinates beyond about `1e154`).
///
/// ```
/// use pushforward_ot::exact_wasserstein;
/// let ot = exact_wasserstein(&[0.0, 1.0, 2.0], &[2.5, 0.5, 1.5], 1).unwrap();
/// assert!((ot.w1 - 0.5).abs() < 1e-12 && (ot.w2 - 0.5).abs() < 1e-12);
/// ```
pub fn exact_wasserstein(x: &[f64], y: &[f64], d: usize) -> Result<ExactOt, OtError> {
    let (cost, n) = squared_costs(x, y, d)?;
    let per_problem = if d <= SIMPLEX_UP_TO_DIM { 17 } else { 8 };
    let (w2_sq, w1) = if rayon::current_num_threads() > 1 && 2 * per_problem * n * n <= JOIN_BYTES {
        let euclidean: Vec<f64> = cost.par_iter().map(|c| c.sqrt()).collect();
        rayon::join(|| uniform_mean(&cost, n, d), || uniform_mean(&euclidean, n, d))
    } else {
        let w2_sq = uniform_mean(&cost, n, d);
        let mut cost = cost;
        cost.par_iter_mut().for_each(|c| *c = c.sqrt());
        (w2_sq, uniform_mean(&cost, n, d))
    };
    Ok(ExactOt {
        w1: w1?,
        w2: w2_sq?.sqrt(),
    })
}

/// Exact `W2²` alone between two clouds of the same size `n ≥ 1`, each
/// point weighing `1/n`: POT's `ot.emd2(a, b, ot.dist(x, y))` with uniform
/// `a` and `b`.
///
/// # Errors
/// As [`exact_wasserstein`].
///
/// ```
/// use pushforward_ot::exact_w2_squared;
/// let w2sq = exact_w2_squared(&[0.0, 0.0, 1.0, 0.0], &[1.0, 1.0, 0.0, 1.0], 2).unwrap();
/// assert!((w2sq - 1.0).abs() < 1e-12);
/// ```
pub fn exact_w2_squared(x: &[f64], y: &[f64], d: usize) -> Result<f64, OtError> {
    let (cost, n) = squared_costs(x, y, d)?;
    uniform_mean(&cost, n, d)
}

/// The `n × n` squared distances between two clouds of `n ≥ 1` points each.
fn squared_costs(x: &[f64], y: &[f64], d: usize) -> Result<(Vec<f64>, usize), OtError> {
    let (n, m) = sizes(x, y, d)?;
    if n == 0 || m == 0 {
        return Err(OtError::TooFewPoints {
            what: "exact wasserstein",
            needed: 1,
            got: 0,
        });
    }
    if m != n {
        return Err(OtError::BadParameter {
            name: "points in the second cloud",
            value: m as f64,
            expected: "as many points as the first cloud (exact transport needs equal sizes)",
        });
    }
    let mut cost = vec![0.0; n * n];
    cost.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let xi = &x[i * d..(i + 1) * d];
        for (c, yj) in row.iter_mut().zip(y.chunks_exact(d)) {
            *c = sq_dist(xi, yj);
        }
    });
    if let Some(&c) = cost.iter().find(|c| !c.is_finite()) {
        return Err(OtError::BadParameter {
            name: "squared distance",
            value: c,
            expected: "a finite value (coordinates below about 1e154 in magnitude)",
        });
    }
    Ok((cost, n))
}

/// `(1/n) min_σ Σ_i cost[i, σ(i)]` for a finite `n × n` row-major cost
/// between points in `d` dimensions, by the faster solver there.
fn uniform_mean(cost: &[f64], n: usize, d: usize) -> Result<f64, OtError> {
    if d <= SIMPLEX_UP_TO_DIM {
        let w = vec![1.0 / n as f64; n];
        return Ok(emd(&w, &w, cost)?.cost);
    }
    let sigma = assignment(cost, n);
    Ok(sigma
        .iter()
        .enumerate()
        .map(|(i, &j)| cost[i * n + j])
        .sum::<f64>()
        / n as f64)
}
