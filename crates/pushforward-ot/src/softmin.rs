//! The soft-minimum at the heart of log-domain Sinkhorn, on squared
//! Euclidean costs computed on the fly, blocked and vectorised.
//!
//! ```text
//! out_i = −ε log Σ_j exp(u_j − C_ij / ε),   u_j = g_j / ε + log b_j
//!       = −ε (M_i + log Σ_j exp(v_ij − M_i)),   v_ij = u_j − C_ij / ε,   M_i = max_j v_ij
//! C_ij  = ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j,   so   v_ij = (u_j − ‖y_j‖²/ε) + (2/ε) x_i·y_j − ‖x_i‖²/ε
//! ```
//! The `n × m` matrix is never stored. Shapes: rows go in tiles of `R = 4`
//! points, columns in panels of `W = 8`, both stored coordinate by
//! coordinate, so one fused multiply-add per coordinate updates 32 dot
//! products held in registers; the last term of `v_ij` is a constant of the
//! row, added at the end (the expansion geomloss uses too). Columns are
//! consumed in blocks of `BLOCK = 256`: the block maximum first, then the sum
//! of exponentials (`fastexp.rs`), merged into a running `(max, sum)` pair
//! (the one-pass "online" log-sum-exp of Milakov and Gimelshein 2018,
//! "Online normalizer calculation for softmax", arXiv:1805.02867).
//!
//! Precision: the clouds are centred on their joint mean, and the exponent
//! carries a rounding error of a few `1e-16 · (‖x_i‖² + ‖y_j‖²) / ε`.
//!
//! Each row is reduced by one thread in a fixed order (eight lane sums
//! within a block, combined in a fixed tree; blocks left to right), and
//! rayon only splits the rows, so the result does not depend on the number
//! of threads. On x86-64 the kernels are also compiled for AVX-512 and for
//! AVX2 + FMA and chosen at run time; the operations are the same
//! (`mul_add` everywhere, exactly rounded), so are the results, bit for
//! bit (tested below).
//!
//! A dense pass can also collect, for each row, the columns whose exponent
//! is within a given width of the row maximum, with their costs: the lists
//! of `truncated.rs`.
//!
//! Why hand-written: this is the "online" reduction of KeOps (geomloss's
//! backend) for the CPU; no Rust crate provides it.

use crate::cloud::{Cloud, R, W};
use crate::fastexp::exp_neg;
use pushforward_simd::simd_dispatch;
use rayon::prelude::*;

/// Columns per log-sum-exp block.
const BLOCK: usize = 256;
/// Rows per rayon task.
const ROWS_PER_TASK: usize = 16 * R;

/// What a dense soft-min also collects: for each row the columns within
/// `keep` (in units of the exponent) of the row maximum, `cap` of them per
/// row on average over each rayon task (a fixed set of rows) at most.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keep {
    pub(crate) keep: f64,
    pub(crate) cap: usize,
}

/// For each row, the columns kept and their costs (compressed rows).
#[derive(Debug, Clone, Default)]
pub(crate) struct Lists {
    pub(crate) offsets: Vec<usize>,
    pub(crate) cols: Vec<u32>,
    pub(crate) costs: Vec<f64>,
}

/// Columns kept for one row while it is reduced; `None` once over the cap.
type Kept = Option<Vec<(u32, f64)>>;

/// `out_i = −ε log Σ_j exp(u_j − ‖x_i − y_j‖²/ε)` for every point `x_i`;
/// `u` holds one value per column of `y`, padding columns included (set
/// them to `−∞`). With `keep`, also the lists of the columns within
/// `keep.keep` of each row maximum, or `None` if some task's rows keep more
/// than `keep.cap` on average.
pub(crate) fn softmin(
    eps: f64,
    x: &Cloud,
    y: &Cloud,
    u: &[[f64; W]],
    out: &mut [f64],
    keep: Option<Keep>,
) -> Option<Lists> {
    let s = -1.0 / eps;
    let uhat: Vec<[f64; W]> = u
        .iter()
        .zip(&y.panel_norms)
        .map(|(u, n)| std::array::from_fn(|l| n[l].mul_add(s, u[l])))
        .collect();
    let cols = Columns {
        d: y.d,
        panels: &y.panels,
        norms: &y.panel_norms,
        u,
        uhat: &uhat,
        s,
    };
    let tiles_per_task = ROWS_PER_TASK / R;
    let tasks: Vec<Vec<Kept>> = out
        .par_chunks_mut(ROWS_PER_TASK)
        .enumerate()
        .map(|(t, out)| {
            let tiles = &x.tiles[t * tiles_per_task * x.d..];
            let norms = &x.tile_norms[t * tiles_per_task..];
            let kept = match keep {
                None => lse_rows_plain(&cols, tiles, norms, out),
                Some(k) => lse_rows_collect(&cols, tiles, norms, k, out),
            };
            for o in out.iter_mut() {
                *o *= -eps;
            }
            kept
        })
        .collect();
    keep?;
    let mut lists = Lists {
        offsets: vec![0],
        ..Lists::default()
    };
    for row in tasks.into_iter().flatten() {
        for (j, c) in row? {
            lists.cols.push(j);
            lists.costs.push(c);
        }
        lists.offsets.push(lists.cols.len());
    }
    Some(lists)
}

/// The column side of a soft-min pass.
struct Columns<'a> {
    d: usize,
    panels: &'a [[f64; W]],
    /// `‖y_j‖²`.
    norms: &'a [[f64; W]],
    /// `u_j`.
    u: &'a [[f64; W]],
    /// `û_j = u_j + s ‖y_j‖²`.
    uhat: &'a [[f64; W]],
    /// `s = −1/ε`.
    s: f64,
}

simd_dispatch! {
    /// [`lse_rows`] without collecting.
    fn lse_rows_plain(cols: &Columns<'_>, tiles: &[[f64; R]], norms: &[[f64; R]], out: &mut [f64]) -> Vec<Kept>
        => lse_rows_plain_body
}

simd_dispatch! {
    /// [`lse_rows`] collecting the kept columns.
    fn lse_rows_collect(cols: &Columns<'_>, tiles: &[[f64; R]], norms: &[[f64; R]], keep: Keep, out: &mut [f64])
        -> Vec<Kept> => lse_rows_collect_body
}

#[inline(always)]
fn lse_rows_plain_body(
    cols: &Columns<'_>,
    tiles: &[[f64; R]],
    norms: &[[f64; R]],
    out: &mut [f64],
) -> Vec<Kept> {
    lse_rows::<false>(cols, tiles, norms, None, out)
}

#[inline(always)]
fn lse_rows_collect_body(
    cols: &Columns<'_>,
    tiles: &[[f64; R]],
    norms: &[[f64; R]],
    keep: Keep,
    out: &mut [f64],
) -> Vec<Kept> {
    lse_rows::<true>(cols, tiles, norms, Some(keep), out)
}

/// `out_i = log Σ_j exp(u_j + s ‖x_i − y_j‖²)` for the rows of `out`, tile
/// by tile, and with `COLLECT` the kept columns of each row.
#[inline(always)]
fn lse_rows<const COLLECT: bool>(
    cols: &Columns<'_>,
    tiles: &[[f64; R]],
    norms: &[[f64; R]],
    keep: Option<Keep>,
    out: &mut [f64],
) -> Vec<Kept> {
    let mut kept = Vec::new();
    let (mut keep, mut total) = (keep, 0);
    let budget = keep.map_or(0, |k| k.cap * out.len());
    for ((out, tile), norms) in out.chunks_mut(R).zip(tiles.chunks_exact(cols.d)).zip(norms) {
        let mut tile_kept: [Kept; R] = std::array::from_fn(|_| keep.map(|_| Vec::new()));
        let lse = lse_tile::<COLLECT>(cols, tile, norms, keep, &mut tile_kept);
        out.copy_from_slice(&lse[..out.len()]);
        if COLLECT {
            total += tile_kept.iter().flatten().map(Vec::len).sum::<usize>();
            if total > budget {
                // Over budget: this task keeps nothing, and stops collecting.
                keep = None;
            }
            kept.extend(tile_kept.into_iter().take(out.len()));
        }
    }
    if COLLECT && keep.is_none() {
        kept.iter_mut().for_each(|k| *k = None);
    }
    kept
}

/// Log-sum-exp of `u_j + s C_ij` over all columns, for the `R` rows of a
/// tile; with `COLLECT`, the columns within `keep` of each row maximum.
///
/// With `C_ij = ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j` the exponent is
/// `û_j − 2 s x_i·y_j` plus `s ‖x_i‖²`, a constant of the row added at the
/// end: one fused multiply-add per coordinate and pair.
#[inline(always)]
fn lse_tile<const COLLECT: bool>(
    cols: &Columns<'_>,
    tile: &[[f64; R]],
    norms: &[f64; R],
    keep: Option<Keep>,
    kept: &mut [Kept; R],
) -> [f64; R] {
    let (d, s) = (cols.d, cols.s);
    let mut run_max = [f64::NEG_INFINITY; R];
    let mut run_sum = [0.0f64; R];
    let mut v = [[0.0; BLOCK]; R];
    let blocks = cols.panels.chunks(BLOCK / W * d).zip(cols.uhat.chunks(BLOCK / W));
    for (b, (block_panels, block_uhat)) in blocks.enumerate() {
        let len = block_uhat.len() * W;
        for (pi, (panel, uw)) in block_panels.chunks_exact(d).zip(block_uhat).enumerate() {
            let mut dot = [[0.0; W]; R];
            for (yk, xk) in panel.iter().zip(tile) {
                for r in 0..R {
                    for l in 0..W {
                        dot[r][l] = xk[r].mul_add(yk[l], dot[r][l]);
                    }
                }
            }
            for r in 0..R {
                for l in 0..W {
                    v[r][pi * W + l] = dot[r][l].mul_add(-2.0 * s, uw[l]);
                }
            }
        }
        for r in 0..R {
            let vr = &mut v[r][..len];
            let m = run_max[r].max(block_max(vr));
            if let (true, Some(k), Some(list)) = (COLLECT, keep, &mut kept[r]) {
                // A superset: the final maximum can only be larger.
                collect_block(cols, vr, m - k.keep, b * BLOCK, norms[r], list);
            }
            let sum = sum_exp_in_place(vr, m);
            run_sum[r] = run_sum[r].mul_add(exp_neg(run_max[r] - m), sum);
            run_max[r] = m;
        }
    }
    if let (true, Some(k)) = (COLLECT, keep) {
        let u = cols.u.as_flattened();
        for r in 0..R {
            let floor = run_max[r] + s * norms[r] - k.keep;
            if let Some(list) = &mut kept[r] {
                list.retain(|&(j, c)| c.mul_add(s, u[j as usize]) >= floor);
            }
        }
    }
    let mut lse = [0.0; R];
    for r in 0..R {
        lse[r] = s.mul_add(norms[r], run_max[r] + run_sum[r].ln());
    }
    lse
}

simd_dispatch! {
    /// Appends to `list` the columns `first + l` whose exponent `v[l]` is at
    /// least `floor`, with their costs (a separate function, so that the
    /// main loop's code does not depend on it).
    fn collect_block(cols: &Columns<'_>, v: &[f64], floor: f64, first: usize, x_norm: f64, list: &mut Vec<(u32, f64)>)
        -> () => collect_block_body
}

#[inline(always)]
fn collect_block_body(
    cols: &Columns<'_>,
    v: &[f64],
    floor: f64,
    first: usize,
    x_norm: f64,
    list: &mut Vec<(u32, f64)>,
) {
    let (uhat, norms) = (cols.uhat.as_flattened(), cols.norms.as_flattened());
    let half = -0.5 / cols.s;
    for (p, vp) in v.as_chunks::<W>().0.iter().enumerate() {
        if !vp.iter().fold(false, |any, &x| any | (x >= floor)) {
            continue;
        }
        for (l, &vl) in vp.iter().enumerate() {
            if vl >= floor {
                // C_ij from the exponent v = û_j − 2 s x_i·y_j.
                let j = first + p * W + l;
                let dot = (vl - uhat[j]) * half;
                let c = (x_norm + norms[j] - 2.0 * dot).max(0.0);
                list.push((j as u32, c));
            }
        }
    }
}

/// Maximum of a slice whose length is a multiple of `W` (`−∞` if empty).
#[inline(always)]
pub(crate) fn block_max(v: &[f64]) -> f64 {
    let mut m = [f64::NEG_INFINITY; W];
    for c in v.as_chunks::<W>().0 {
        for l in 0..W {
            m[l] = if c[l] > m[l] { c[l] } else { m[l] };
        }
    }
    m.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b))
}

/// `Σ exp(v_j − m)` in a fixed order (`W` lane sums, then a pairwise tree),
/// overwriting `v` with the terms: a plain map, which vectorises at full
/// width, then the sum.
#[inline(always)]
pub(crate) fn sum_exp_in_place(v: &mut [f64], m: f64) -> f64 {
    for e in v.iter_mut() {
        *e = exp_neg(*e - m);
    }
    let mut s = [0.0; W];
    for c in v.as_chunks::<W>().0 {
        for l in 0..W {
            s[l] += c[l];
        }
    }
    ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::points::standard_normals as draws;
    use pushforward_simd::SIMD_LIMIT;
    use std::sync::atomic::Ordering;

    /// `u` in panels, padded with `−∞`.
    fn panels(u: &[f64]) -> Vec<[f64; W]> {
        let mut p = vec![[f64::NEG_INFINITY; W]; u.len().div_ceil(W)];
        for (j, &v) in u.iter().enumerate() {
            p[j / W][j % W] = v;
        }
        p
    }

    /// The exponents `u_j − ‖x_i − y_j‖²/ε` of row `i`, directly.
    fn exponents(eps: f64, x: &[f64], y: &[f64], d: usize, u: &[f64], i: usize) -> Vec<f64> {
        let xi = &x[i * d..(i + 1) * d];
        let cost = |j: usize| {
            xi.iter()
                .zip(&y[j * d..(j + 1) * d])
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        };
        u.iter().enumerate().map(|(j, uj)| uj - cost(j) / eps).collect()
    }

    /// Sizes that fill no tile, panel, block or task exactly.
    #[test]
    fn softmin_matches_a_direct_sum_on_every_instruction_set() {
        let (n, m, d) = (131, 1_037, 3);
        let centre = [0.3, -0.1, 0.2];
        let (x, y) = (
            Cloud::new(d, &draws(n * d, 1), &centre),
            Cloud::new(d, &draws(m * d, 2), &centre),
        );
        // The atoms, in the cloud's order.
        let (xs, ys) = (&x.atoms, &y.atoms);
        for eps in [0.05, 2.0] {
            let u: Vec<f64> = draws(m, 3).iter().map(|g| g / eps - (m as f64).ln()).collect();
            let mut outs = Vec::new();
            for limit in [0, 1, 2] {
                SIMD_LIMIT.store(limit, Ordering::Relaxed);
                let mut out = vec![0.0; n];
                softmin(eps, &x, &y, &panels(&u), &mut out, None);
                outs.push(out);
            }
            SIMD_LIMIT.store(2, Ordering::Relaxed);
            for other in &outs[1..] {
                let same = outs[0].iter().zip(other).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "instruction sets disagree at eps {eps}");
            }
            for (i, &o) in outs[0].iter().enumerate() {
                let v = exponents(eps, xs, ys, d, &u, i);
                let max = v.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let direct = -eps * (max + v.iter().map(|vj| (vj - max).exp()).sum::<f64>().ln());
                // Costs through ‖x‖² + ‖y‖² − 2x·y: a few ulps of ‖x‖²/ε.
                assert!(
                    (o - direct).abs() < 1e-12 * (1.0 + direct.abs()),
                    "row {i}: {o} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn softmin_lists_hold_the_columns_near_each_row_maximum() {
        let (n, m, d) = (70, 600, 4);
        let (x, y) = (
            Cloud::new(d, &draws(n * d, 4), &[0.0; 4]),
            Cloud::new(d, &draws(m * d, 5), &[0.0; 4]),
        );
        let (xs, ys) = (&x.atoms, &y.atoms);
        let (eps, keep) = (0.05, 30.0);
        let u: Vec<f64> = draws(m, 6).iter().map(|g| 0.1 * g / eps).collect();
        let mut plain = vec![0.0; n];
        softmin(eps, &x, &y, &panels(&u), &mut plain, None);
        let mut out = vec![0.0; n];
        let lists = softmin(eps, &x, &y, &panels(&u), &mut out, Some(Keep { keep, cap: m })).unwrap();
        assert_eq!(plain, out, "collecting changes the soft-min");
        for i in 0..n {
            let v = exponents(eps, xs, ys, d, &u, i);
            let max = v.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let (a, b) = (lists.offsets[i], lists.offsets[i + 1]);
            let listed: Vec<usize> = lists.cols[a..b].iter().map(|&j| j as usize).collect();
            for (j, &vj) in v.iter().enumerate() {
                // Exponents are exact to about 1e-10 here; leave that margin.
                if vj > max - keep + 1e-9 {
                    assert!(listed.contains(&j), "row {i} misses column {j}");
                } else if vj < max - keep - 1e-9 {
                    assert!(!listed.contains(&j), "row {i} keeps column {j}");
                }
            }
            for (&j, &c) in listed.iter().zip(&lists.costs[a..b]) {
                let direct = (u[j] - v[j]) * eps;
                assert!((c - direct).abs() < 1e-9, "row {i} column {j}: {c} vs {direct}");
            }
        }
        // Over the cap: no lists.
        assert!(softmin(eps, &x, &y, &panels(&u), &mut out, Some(Keep { keep, cap: 1 })).is_none());
    }
}
