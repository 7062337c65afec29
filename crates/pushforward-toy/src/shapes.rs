//! Planar shapes: two moons and two circles (scikit-learn's constructions),
//! the checkerboard (FFJORD's), and the Sierpinski carpet.
//!
//! ```text
//! moons    outer (cos s, sin s), inner (1 − cos s, ½ − sin s), s on an even grid of [0, π]; + N(0, 0.03²) noise
//! circles  (cos s, sin s) and ½ (cos s, sin s), s on an even grid of [0, 2π); + N(0, 0.05²) noise
//! board    x ~ U(−2, 2), y ~ U(0, 1) − 2B + (⌊x⌋ mod 2), B ~ Bernoulli(½)
//! carpet   cell (i, j) of the 81 × 81 grid is kept unless some base-3 digit
//!          of i and the same digit of j are both 1; a point 10/81 (U + (i, j))
//! ```
//! Moons and circles are shuffled, as scikit-learn does by default.
//! References: scikit-learn `make_moons`, `make_circles`; Grathwohl et al.
//! 2019 (FFJORD) toy data; the carpet as in the Lipschitz-regularised
//! generative particle algorithm's examples.

use crate::Sample;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// `n` evenly spaced points from `a` to `b` (`b` included when `closed`).
fn grid(n: usize, a: f64, b: f64, closed: bool) -> impl Iterator<Item = f64> {
    let steps = if closed {
        n.saturating_sub(1).max(1)
    } else {
        n.max(1)
    };
    (0..n).map(move |k| a + (b - a) * k as f64 / steps as f64)
}

/// Two point sets with their labels, shuffled, with Gaussian noise added.
fn shuffled_pair(
    first: Vec<(f64, f64)>,
    second: Vec<(f64, f64)>,
    noise: f64,
    names: [&str; 2],
    rng: &mut ChaCha8Rng,
) -> Sample {
    let mut rows: Vec<(f64, f64, u32)> = first
        .into_iter()
        .map(|(x, y)| (x, y, 0))
        .chain(second.into_iter().map(|(x, y)| (x, y, 1)))
        .collect();
    rows.shuffle(rng);
    let eps = Normal::new(0.0, noise).unwrap_or_else(|e| unreachable!("noise {noise}: {e}"));
    let mut x = Vec::with_capacity(rows.len());
    let mut y = Vec::with_capacity(rows.len());
    for &(a, b, _) in &rows {
        x.push(a + eps.sample(rng));
        y.push(b + eps.sample(rng));
    }
    Sample {
        coords: vec![x, y],
        labels: Some((
            rows.iter().map(|r| r.2).collect(),
            names.iter().map(|s| s.to_string()).collect(),
        )),
    }
}

/// Two interleaved half circles.
pub(crate) fn moons(n: usize, rng: &mut ChaCha8Rng) -> Sample {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = grid(n_out, 0.0, std::f64::consts::PI, true)
        .map(|s| (s.cos(), s.sin()))
        .collect();
    let inner = grid(n_in, 0.0, std::f64::consts::PI, true)
        .map(|s| (1.0 - s.cos(), 0.5 - s.sin()))
        .collect();
    shuffled_pair(outer, inner, 0.03, ["upper", "lower"], rng)
}

/// Two concentric circles, the inner one half the radius.
pub(crate) fn circles(n: usize, rng: &mut ChaCha8Rng) -> Sample {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let tau = std::f64::consts::TAU;
    let outer = grid(n_out, 0.0, tau, false).map(|s| (s.cos(), s.sin())).collect();
    let inner = grid(n_in, 0.0, tau, false)
        .map(|s| (0.5 * s.cos(), 0.5 * s.sin()))
        .collect();
    shuffled_pair(outer, inner, 0.05, ["outer", "inner"], rng)
}

/// The dark squares of a 4 × 4 checkerboard on [−2, 2]².
pub(crate) fn checkerboard(n: usize, rng: &mut ChaCha8Rng) -> Sample {
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let a: f64 = rng.random::<f64>() * 4.0 - 2.0;
        let b: f64 = rng.random::<f64>() - 2.0 * f64::from(u8::from(rng.random::<bool>()));
        x.push(a);
        y.push(b + a.floor().rem_euclid(2.0));
    }
    Sample {
        coords: vec![x, y],
        labels: None,
    }
}

/// Whether cell `(i, j)` of the 81 × 81 grid survives four levels of
/// centre removal.
pub(crate) fn in_carpet(mut i: usize, mut j: usize) -> bool {
    for _ in 0..4 {
        if i % 3 == 1 && j % 3 == 1 {
            return false;
        }
        i /= 3;
        j /= 3;
    }
    true
}

/// One uniform point per kept cell, the cells in a seeded order and reused
/// in that order when more than 4,096 rows are asked for.
pub(crate) fn sierpinski(n: usize, rng: &mut ChaCha8Rng) -> Sample {
    let mut cells: Vec<(usize, usize)> = (0..81)
        .flat_map(|i| (0..81).map(move |j| (i, j)))
        .filter(|&(i, j)| in_carpet(i, j))
        .collect();
    cells.shuffle(rng);
    let h = 10.0 / 81.0;
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for k in 0..n {
        let (i, j) = cells[k % cells.len()];
        x.push(h * (rng.random::<f64>() + i as f64));
        y.push(h * (rng.random::<f64>() + j as f64));
    }
    Sample {
        coords: vec![x, y],
        labels: None,
    }
}
