//! New samples by a gradient walk in the dual space: start at a training
//! row or between two rows that are neighbours in dual value, then move
//! along `∇f` toward a dual level between theirs, never leaving the range
//! of `f` over the training rows.
//!
//! ```text
//! per sample (from the sampling stream, in row order): anchor a ~ U{rows},
//!   partner b ~ U{the `neighbours` rows nearest a in f},  u, v ~ U(0, 1)
//! start   x₀ = x_a (Real)  or  x_a + u·(x_b − x_a) (Interpolate; u halved while f(x₀) ∉ [lo, hi], 8 times, then 0)
//! target  t = f(x_a) + v·(f(x_b) − f(x_a))
//! step    y = x + η_i·(t − f(x))·∇f(x)/(‖∇f(x)‖² + 1e-4);  f(y) ∈ [lo, hi] ? x ← y : η_i ← η_i/2
//! ```
//! `[lo, hi]` is the range of `f` over the rows of the space walked in (all
//! rows, or one neighbourhood of the localised variant). Each step is one
//! batched gradient pass over the block, so the result does not depend on
//! the number of threads.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{Embedding, WalkConfig};
use crate::error::NeuralError;

/// Where a walk starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Start {
    /// At a training row.
    Real,
    /// Between a training row and a neighbour in dual value (the default).
    #[default]
    Interpolate,
}

impl Start {
    /// Both, in the order of `--help`.
    pub const ALL: [Start; 2] = [Start::Interpolate, Start::Real];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Start::Real => "real",
            Start::Interpolate => "interpolate",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Start::Real => "at a training row",
            Start::Interpolate => {
                "between a training row and one of its nearest rows in dual value (the default)"
            }
        }
    }
}

/// Added to `‖∇f‖²` in a step's denominator.
const FLAT: f32 = 1e-4;
/// Halvings of `u` that bring an interpolated start into the range.
const START_HALVINGS: usize = 8;

/// The rows a walk may use and the dual function it follows.
#[derive(Debug, Clone)]
pub(crate) struct Space<'a> {
    /// Every training row (standardised, `d` columns).
    pub(crate) rows: &'a [f32],
    /// Columns.
    pub(crate) d: usize,
    /// The rows of this space (indices into `rows`), sorted by `f`.
    pub(crate) members: Vec<usize>,
    /// `f` at each member, in the same order.
    pub(crate) values: Vec<f32>,
    /// The dual function.
    pub(crate) embedding: &'a Embedding,
}

impl<'a> Space<'a> {
    /// The space of the rows `members` of `rows` under `embedding`.
    pub(crate) fn new(rows: &'a [f32], d: usize, members: &[usize], embedding: &'a Embedding) -> Space<'a> {
        let x: Vec<f32> = members
            .iter()
            .flat_map(|&i| rows[i * d..(i + 1) * d].iter().copied())
            .collect();
        let values = embedding.values(&x, members.len());
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(members[a].cmp(&members[b])));
        Space {
            rows,
            d,
            members: order.iter().map(|&k| members[k]).collect(),
            values: order.iter().map(|&k| values[k]).collect(),
            embedding,
        }
    }

    /// `[min f, max f]` over the members.
    pub(crate) fn range(&self) -> (f32, f32) {
        (
            self.values.first().copied().unwrap_or(0.0),
            self.values.last().copied().unwrap_or(0.0),
        )
    }

    /// The positions of the `k` members nearest member `at` in `f`
    /// (fewer when the space is smaller), nearest first.
    fn nearest(&self, at: usize, k: usize) -> Vec<usize> {
        let (mut below, mut above) = (at, at + 1);
        let mut out = Vec::with_capacity(k);
        while out.len() < k && (below > 0 || above < self.values.len()) {
            let down = (below > 0).then(|| self.values[at] - self.values[below - 1]);
            let up = (above < self.values.len()).then(|| self.values[above] - self.values[at]);
            match (down, up) {
                (Some(a), Some(b)) if a <= b => {
                    below -= 1;
                    out.push(below);
                }
                (Some(_), None) => {
                    below -= 1;
                    out.push(below);
                }
                _ => {
                    out.push(above);
                    above += 1;
                }
            }
        }
        out
    }

    /// A member's row.
    fn row(&self, position: usize) -> &[f32] {
        let i = self.members[position];
        &self.rows[i * self.d..(i + 1) * self.d]
    }
}

/// One sample's draws: anchor and partner (positions in the space), `u`, `v`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Draw {
    pub(crate) anchor: usize,
    pub(crate) partner: usize,
    pub(crate) u: f32,
    pub(crate) v: f32,
}

/// The draws of a sample anchored at member `anchor` of `space`.
pub(crate) fn draw(space: &Space<'_>, anchor: usize, neighbours: usize, rng: &mut impl Rng) -> Draw {
    let near = space.nearest(anchor, neighbours);
    let pick = rng.random_range(0..near.len().max(1));
    Draw {
        anchor,
        partner: near.get(pick).copied().unwrap_or(anchor),
        u: rng.random::<f32>(),
        v: rng.random::<f32>(),
    }
}

/// The samples of `draws` in `space` (`draws.len() × d`).
///
/// # Errors
/// Those of [`Embedding::gradient`].
pub(crate) fn walk(space: &Space<'_>, draws: &[Draw], config: &WalkConfig) -> Result<Vec<f32>, NeuralError> {
    let (d, m) = (space.d, draws.len());
    let (lo, hi) = space.range();
    let inside = |f: f32| f >= lo && f <= hi;
    let mut u: Vec<f32> = draws
        .iter()
        .map(|w| {
            if config.start == Start::Interpolate {
                w.u
            } else {
                0.0
            }
        })
        .collect();
    let start = |u: &[f32]| -> Vec<f32> {
        draws
            .iter()
            .zip(u)
            .flat_map(|(w, &u)| {
                let (a, b) = (space.row(w.anchor), space.row(w.partner));
                a.iter().zip(b).map(move |(xa, xb)| xa + u * (xb - xa))
            })
            .collect()
    };
    let mut x = start(&u);
    for halving in 0..=START_HALVINGS {
        let f = space.embedding.values(&x, m);
        let outside: Vec<usize> = (0..m).filter(|&i| !inside(f[i])).collect();
        if outside.is_empty() {
            break;
        }
        for i in outside {
            u[i] = if halving == START_HALVINGS {
                0.0
            } else {
                0.5 * u[i]
            };
        }
        x = start(&u);
    }
    let target: Vec<f32> = draws
        .iter()
        .map(|w| {
            let (fa, fb) = (space.values[w.anchor], space.values[w.partner]);
            fa + w.v * (fb - fa)
        })
        .collect();
    let mut grad = vec![0.0f32; m * d];
    let mut f = space.embedding.gradient(&x, m, &mut grad)?;
    let mut rate = vec![config.rate as f32; m];
    let (mut y, mut grad_y) = (vec![0.0f32; m * d], vec![0.0f32; m * d]);
    for _ in 0..config.steps {
        for i in 0..m {
            let g = &grad[i * d..(i + 1) * d];
            let norm2: f32 = g.iter().map(|v| v * v).sum();
            let scale = rate[i] * (target[i] - f[i]) / (norm2 + FLAT);
            for j in 0..d {
                y[i * d + j] = x[i * d + j] + scale * g[j];
            }
        }
        let fy = space.embedding.gradient(&y, m, &mut grad_y)?;
        for i in 0..m {
            if inside(fy[i]) {
                x[i * d..(i + 1) * d].copy_from_slice(&y[i * d..(i + 1) * d]);
                grad[i * d..(i + 1) * d].copy_from_slice(&grad_y[i * d..(i + 1) * d]);
                f[i] = fy[i];
            } else {
                rate[i] *= 0.5;
            }
        }
    }
    Ok(x)
}
