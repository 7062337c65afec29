//! Soft-mins on truncated kernels: at small ε each point only "sees" the
//! few points whose exponent is within a few dozen units of its maximum, so
//! after one dense pass the iterations run on those lists alone.
//!
//! ```text
//! w_ij = g_j − C_ij (cost units),   W_i = max_j w_ij
//! kept at a dense pass with potential g⁰ and regularisation ε⁰:   A_i = { j : w⁰_ij ≥ W⁰_i − ε⁰ KEEP }
//! later, with g = g⁰ + Δ and ε ≤ ε⁰:   every j ∉ A_i has w_ij ≤ max_{k ∈ A_i} w_ik − (ε⁰ KEEP − osc Δ)
//! lists valid while  osc Δ = max Δ − min Δ ≤ ε⁰ KEEP − ε TAU
//! ```
//! When the lists are valid every term left out is below `e^{−TAU}` times the
//! largest term of its row, so the row sum is exact to `m e^{−TAU}`
//! relative (`2.3e-11` at `m = 10⁵`); otherwise the pass is dense and rebuilds
//! them. This is the truncation of Schmitzer 2019, "Stabilized sparse
//! scaling algorithms for entropy regularized transport problems" (SIAM J.
//! Sci. Comput. 41(3), §3.3), with the safety test above in place of his
//! fixed truncation threshold. Hand-written because it is tied to the
//! kernel layout of `softmin.rs`.

use crate::cloud::{Cloud, W};
use crate::softmin::{Keep, Lists, block_max, softmin, sum_exp_in_place};
use pushforward_simd::simd_dispatch;
use rayon::prelude::*;

/// Terms below `e^{−TAU}` of their row maximum may be left out.
const TAU: f64 = 36.0;
/// Width of the lists, in units of the exponent at the ε they are built
/// at: `KEEP − TAU` is the drift of the potentials they tolerate (wider
/// lists cost more per pass, narrower ones more rebuilds; 72 was the
/// fastest of 56 to 96 on 10,000 points in 10-D).
const KEEP: f64 = 72.0;
/// Lists are abandoned (the pass stays dense) when the rows of a rayon task
/// keep more than this share of the columns on average.
const MAX_SHARE: usize = 8;
/// Rows per rayon task.
const ROWS_PER_TASK: usize = 64;

/// The soft-min from the points of `x` over those of `y`, dense or on
/// truncated lists, whichever is exact enough.
pub(crate) struct SoftMin<'a> {
    x: &'a Cloud,
    y: &'a Cloud,
    /// Lists, the potential and the width (cost units) they were built with.
    lists: Option<(Lists, Vec<f64>, f64)>,
    /// Dense passes before the next attempt to build lists.
    wait: usize,
    /// The next value of `wait` after a failed attempt.
    backoff: usize,
    /// Build lists only at this ε or below.
    build_below: f64,
}

impl<'a> SoftMin<'a> {
    pub(crate) fn new(x: &'a Cloud, y: &'a Cloud, build_below: f64) -> SoftMin<'a> {
        SoftMin {
            x,
            y,
            lists: None,
            wait: 0,
            backoff: 1,
            build_below,
        }
    }

    /// `out_i = −ε log Σ_j b_j exp((g_j − C_ij)/ε)`, `b` the weights of `y`.
    pub(crate) fn apply(&mut self, eps: f64, g: &[f64], out: &mut [f64]) {
        let u = self.y.exponents(g, eps);
        if let Some((lists, reference, width)) = &self.lists
            && oscillation(g, reference) <= width - eps * TAU
        {
            softmin_lists(eps, lists, &u, out);
            return;
        }
        let cap = self.y.len() / MAX_SHARE;
        let build = eps <= self.build_below && self.wait == 0 && u32::try_from(self.y.len()).is_ok();
        self.wait = self.wait.saturating_sub(1);
        let keep = build.then_some(Keep { keep: KEEP, cap });
        self.lists = softmin(eps, self.x, self.y, &u, out, keep).map(|l| (l, g.to_vec(), eps * KEEP));
        if build && self.lists.is_none() {
            // Too dense now: retry after 1, 2, 4, … dense passes.
            self.wait = self.backoff;
            self.backoff *= 2;
        }
    }
}

/// `max (a − b) − min (a − b)`.
fn oscillation(a: &[f64], b: &[f64]) -> f64 {
    let (lo, hi) = a
        .iter()
        .zip(b)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (x, y)| {
            let d = x - y;
            (lo.min(d), hi.max(d))
        });
    hi - lo
}

/// The soft-min of `softmin.rs` restricted to the listed columns of each
/// row (never empty: a row's maximum is always kept).
fn softmin_lists(eps: f64, lists: &Lists, u: &[[f64; W]], out: &mut [f64]) {
    out.par_chunks_mut(ROWS_PER_TASK)
        .enumerate()
        .for_each_init(Vec::new, |buf, (t, out)| {
            lists_rows(eps, lists, u.as_flattened(), t * ROWS_PER_TASK, buf, out);
        });
}

simd_dispatch! {
    /// [`lists_rows_body`], vectorised.
    fn lists_rows(eps: f64, lists: &Lists, u: &[f64], first: usize, buf: &mut Vec<f64>, out: &mut [f64]) -> ()
        => lists_rows_body
}

/// Rows `first..first + out.len()` of [`softmin_lists`].
#[inline(always)]
fn lists_rows_body(eps: f64, lists: &Lists, u: &[f64], first: usize, buf: &mut Vec<f64>, out: &mut [f64]) {
    let s = -1.0 / eps;
    for (r, o) in out.iter_mut().enumerate() {
        let (a, b) = (lists.offsets[first + r], lists.offsets[first + r + 1]);
        buf.clear();
        buf.extend(
            lists.cols[a..b]
                .iter()
                .zip(&lists.costs[a..b])
                .map(|(&j, &c)| c.mul_add(s, u[j as usize])),
        );
        buf.resize(buf.len().next_multiple_of(W), f64::NEG_INFINITY);
        let m = block_max(buf);
        let sum = sum_exp_in_place(buf, m);
        *o = -eps * (m + sum.ln());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::points::standard_normals as draws;

    /// The dense soft-min, as a reference.
    fn dense(eps: f64, x: &Cloud, y: &Cloud, g: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; x.len()];
        softmin(eps, x, y, &y.exponents(g, eps), &mut out, None);
        out
    }

    #[test]
    fn truncated_passes_match_dense_ones_and_rebuild_when_potentials_drift() {
        let (n, m, d, eps) = (300, 260, 6, 0.01);
        let x = Cloud::new(d, &draws(n * d, 1), &[0.0; 6]);
        let y = Cloud::new(d, &draws(m * d, 2), &[0.0; 6]);
        let g: Vec<f64> = draws(m, 3).iter().map(|v| 0.1 * v).collect();
        let mut sm = SoftMin::new(&x, &y, eps);
        let mut out = vec![0.0; n];
        // First pass: dense, and builds the lists.
        sm.apply(eps, &g, &mut out);
        assert_eq!(out, dense(eps, &x, &y, &g));
        let built_with = |sm: &SoftMin<'_>| sm.lists.as_ref().map(|l| l.1.clone());
        assert_eq!(built_with(&sm), Some(g.clone()), "lists were not built");
        // A drift within the slack: truncated, equal to rounding.
        let small: Vec<f64> = g
            .iter()
            .zip(draws(m, 4))
            .map(|(a, b)| a + 0.05 * (KEEP - TAU) * eps * b.tanh())
            .collect();
        sm.apply(eps, &small, &mut out);
        assert_eq!(built_with(&sm), Some(g.clone()), "rebuilt without need");
        for (o, r) in out.iter().zip(dense(eps, &x, &y, &small)) {
            assert!((o - r).abs() < 1e-12 * (1.0 + r.abs()), "{o} vs {r}");
        }
        // A drift beyond it: a dense pass again, which rebuilds.
        let large: Vec<f64> = g
            .iter()
            .zip(draws(m, 5))
            .map(|(a, b)| a + (KEEP - TAU) * eps * b)
            .collect();
        sm.apply(eps, &large, &mut out);
        assert_eq!(out, dense(eps, &x, &y, &large));
        assert_eq!(built_with(&sm), Some(large));
    }
}
