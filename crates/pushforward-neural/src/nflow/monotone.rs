//! The one-dimensional monotone flow of Wehenkel and Louppe 2019,
//! "Unconstrained Monotonic Neural Networks" (UMNN): the integral of a
//! positive network, as in the survey's 1-D flow.
//!
//! ```text
//! f_θ(t) = softplus(g_θ(t)) + ε                   (g: a perceptron ℝ → ℝ, ε = 1e-3)
//! c = clamp(x, −B, B)
//! T(x) = b + ∫₀ᶜ f_θ(t) dt + f_θ(c)·(x − c)       (the integral by Clenshaw–Curtis on N+1 nodes)
//!      ≈ b + (c/2) Σ_k w_k f_θ(c(t_k + 1)/2) + f_θ(c)·(x − c)
//! log p(x) = log N(T(x); 0, 1) + log f_θ(c)
//! ```
//! with the nodes `t_k = cos(kπ/N)` and the positive weights `w_k` of
//! Clenshaw–Curtis quadrature (Trefethen 2008, "Is Gauss quadrature better
//! than Clenshaw–Curtis?", eq. 2.2 written out below). Outside `[−B, B]`
//! the map continues with the slope it has at the edge, so a value far
//! outside the data has a finite density and an exact inverse.
//!
//! **Gradient.** With `L = −(1/n) Σ_i log p(x_i)`, `∂L/∂T_i = T_i/n` and
//! `∂L/∂log f(c_i) = −1/n`; through `f = softplus(g) + ε`,
//! ```text
//! ∂L/∂g(node_ik) = (T_i/n)·(c_i/2)·w_k·σ(g(node_ik))
//! ∂L/∂g(c_i)     = (T_i/n)·(x_i − c_i)·σ(g(c_i)) − (1/n)·σ(g(c_i))/f(c_i)
//! ∂L/∂b          = Σ_i T_i/n
//! ```
//! and one backward pass of `g` over all nodes and points gives `∂L/∂θ`.
//!
//! **Inverse.** `T` is increasing with slope at least ε, so each `z` has one
//! root: a bracket grown by doubling, then Newton steps that fall back to
//! bisection whenever they leave the bracket, all rows in lockstep (one
//! batched network pass per iteration), until the Newton step is below
//! 1e-9·(1 + |x|).
//!
//! The quadrature is written out here (a dozen lines) rather than taken
//! from a crate: it needs the nodes and weights themselves, for the
//! backward pass, not an integrator of a closure.

use std::ops::Range;

use super::log_normal;
use crate::activation::Activation;
use crate::error::NeuralError;
use crate::mlp::{Grads, MlpShape, MlpView, ParamLayout, Tape};

/// The floor `ε` of the integrand.
const FLOOR: f64 = 1e-3;
/// Newton–bisection iterations at most (bisection alone would need ~60).
const MAX_ITERATIONS: usize = 200;
/// Bracket doublings at most.
const MAX_DOUBLINGS: usize = 1_100;
/// The step below which a root is accepted.
const ROOT_TOLERANCE: f64 = 1e-9;
/// Name of the integrand network in the parameters and the file.
pub(crate) const INTEGRAND: &str = "integrand";
/// Name of the offset (a linear map read at 0: its bias is `b`).
pub(crate) const OFFSET: &str = "offset";

/// A monotone flow's shape: its networks, nodes and bound.
#[derive(Debug, Clone)]
pub(crate) struct Monotone {
    layout: ParamLayout,
    nodes: Vec<f64>,
    weights: Vec<f64>,
    bound: f64,
}

/// Clenshaw–Curtis nodes `cos(kπ/N)` and weights on `[−1, 1]` for even `n`:
/// `w_k = (c_k/N)(1 − Σ_{j=1}^{N/2} b_j cos(2jkπ/N)/(4j² − 1))`, with
/// `c_0 = c_N = 1`, else 2, and `b_{N/2} = 1`, else 2.
pub(crate) fn clenshaw_curtis(n: usize) -> (Vec<f64>, Vec<f64>) {
    let nf = n as f64;
    let pi = std::f64::consts::PI;
    (0..=n)
        .map(|k| {
            let theta = k as f64 * pi / nf;
            let sum: f64 = (1..=n / 2)
                .map(|j| {
                    let b = if 2 * j == n { 1.0 } else { 2.0 };
                    b * (2.0 * j as f64 * theta).cos() / (4.0 * (j * j) as f64 - 1.0)
                })
                .sum();
            let c = if k == 0 || k == n { 1.0 } else { 2.0 };
            (theta.cos(), c / nf * (1.0 - sum))
        })
        .unzip()
}

fn softplus(g: f64) -> f64 {
    g.max(0.0) + (-g.abs()).exp().ln_1p()
}

fn sigmoid(g: f64) -> f64 {
    1.0 / (1.0 + (-g).exp())
}

/// What one evaluation of `T` at a batch of points gives.
struct Evaluation {
    t: Vec<f64>,
    /// `f(c_i)`.
    slope: Vec<f64>,
    /// `g` at every node of every row, then at every `c_i`.
    g: Vec<f64>,
    /// The clamped points.
    c: Vec<f64>,
}

impl Monotone {
    /// An integrand network of `hidden` widths, `nodes` intervals (even,
    /// ≥ 2) and the linear tails beyond `±bound`.
    pub(crate) fn new(
        hidden: &[usize],
        activation: Activation,
        nodes: usize,
        bound: f64,
    ) -> Result<Monotone, NeuralError> {
        if nodes < 2 || !nodes.is_multiple_of(2) {
            return Err(NeuralError::OutOfRange {
                setting: "--nodes",
                range: "{2, 4, 6, …}",
                value: nodes as f64,
            });
        }
        let mut layout = ParamLayout::default();
        layout.push(
            INTEGRAND,
            MlpShape {
                input: 1,
                hidden: hidden.to_vec(),
                output: 1,
                activation,
            },
        )?;
        layout.push(
            OFFSET,
            MlpShape {
                input: 1,
                hidden: Vec::new(),
                output: 1,
                activation,
            },
        )?;
        let (nodes, weights) = clenshaw_curtis(nodes);
        Ok(Monotone {
            layout,
            nodes,
            weights,
            bound,
        })
    }

    /// The parameter layout: the integrand, then the offset.
    pub(crate) fn layout(&self) -> &ParamLayout {
        &self.layout
    }

    /// The network `name` on its part of `params`; `None` only for
    /// parameters of another shape, which [`super::SplineFlow`] never holds.
    fn view<'p>(&'p self, name: &str, params: &'p [f32]) -> Option<(MlpView<'p>, Range<usize>)> {
        let (arch, range) = self.layout.find(name)?;
        let view = MlpView::new(arch, params.get(range.clone())?).ok()?;
        Some((view, range))
    }

    /// `T(x)`, `f(c)` and what the backward pass needs, for every point of `x`.
    fn evaluate(&self, params: &[f32], x: &[f64], tape: &mut Tape) -> Option<Evaluation> {
        let m = self.nodes.len();
        let c: Vec<f64> = x.iter().map(|v| v.clamp(-self.bound, self.bound)).collect();
        let mut input = Vec::with_capacity(x.len() * (m + 1));
        for &ci in &c {
            input.extend(self.nodes.iter().map(|t| (ci * (t + 1.0) / 2.0) as f32));
        }
        input.extend(c.iter().map(|&ci| ci as f32));
        let (integrand, _) = self.view(INTEGRAND, params)?;
        let g: Vec<f64> = integrand
            .forward(&input, input.len(), tape)
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let (offset, _) = self.view(OFFSET, params)?;
        let b = f64::from(offset.forward(&[0.0], 1, &mut Tape::default())[0]);
        let n = x.len();
        let (t, slope) = (0..n)
            .map(|i| {
                let integral: f64 = g[i * m..(i + 1) * m]
                    .iter()
                    .zip(&self.weights)
                    .map(|(&gk, w)| w * (softplus(gk) + FLOOR))
                    .sum::<f64>()
                    * c[i]
                    / 2.0;
                let slope = softplus(g[n * m + i]) + FLOOR;
                (b + integral + slope * (x[i] - c[i]), slope)
            })
            .unzip();
        Some(Evaluation { t, slope, g, c })
    }

    /// `(T(x), log T'(x))` of every point (NaN for parameters of another
    /// shape).
    pub(crate) fn forward(&self, params: &[f32], x: &[f64]) -> (Vec<f64>, Vec<f64>) {
        match self.evaluate(params, x, &mut Tape::default()) {
            Some(e) => (e.t, e.slope.iter().map(|s| s.ln()).collect()),
            None => (vec![f64::NAN; x.len()], vec![f64::NAN; x.len()]),
        }
    }

    /// The mean negative log-likelihood of the points `x`, with its gradient
    /// written over `grad` (NaN for parameters of another shape).
    pub(crate) fn loss_and_grad(&self, params: &[f32], x: &[f64], tape: &mut Tape, grad: &mut [f32]) -> f64 {
        let (Some(e), Some((integrand, integrand_range)), Some((offset, offset_range))) = (
            self.evaluate(params, x, tape),
            self.view(INTEGRAND, params),
            self.view(OFFSET, params),
        ) else {
            return f64::NAN;
        };
        let (n, m) = (x.len(), self.nodes.len());
        let nf = n as f64;
        let nll =
            -e.t.iter()
                .zip(&e.slope)
                .map(|(t, s)| log_normal(&[*t]) + s.ln())
                .sum::<f64>()
                / nf;
        let mut d_g = vec![0.0f32; e.g.len()];
        for i in 0..n {
            let dt = e.t[i] / nf;
            for k in 0..m {
                let gk = e.g[i * m + k];
                d_g[i * m + k] = (dt * e.c[i] / 2.0 * self.weights[k] * sigmoid(gk)) as f32;
            }
            let gc = e.g[n * m + i];
            d_g[n * m + i] = (dt * (x[i] - e.c[i]) * sigmoid(gc) - sigmoid(gc) / e.slope[i] / nf) as f32;
        }
        integrand.backward(tape, &d_g, Grads::params(&mut grad[integrand_range]));
        let mut offset_tape = Tape::default();
        offset.forward(&[0.0], 1, &mut offset_tape);
        let d_b = (e.t.iter().sum::<f64>() / nf) as f32;
        offset.backward(&mut offset_tape, &[d_b], Grads::params(&mut grad[offset_range]));
        nll
    }

    /// The points `x` with `T(x) = z`, to a step of 1e-9 (standardised units).
    pub(crate) fn inverse(&self, params: &[f32], z: &[f64]) -> Vec<f64> {
        let mut tape = Tape::default();
        let mut lo = vec![-1.0; z.len()];
        let mut hi = vec![1.0; z.len()];
        for _ in 0..MAX_DOUBLINGS {
            let (t_lo, _) = self.forward(params, &lo);
            let (t_hi, _) = self.forward(params, &hi);
            let mut grown = false;
            for i in 0..z.len() {
                if t_lo[i] > z[i] {
                    lo[i] *= 2.0;
                    grown = true;
                }
                if t_hi[i] < z[i] {
                    hi[i] *= 2.0;
                    grown = true;
                }
            }
            if !grown {
                break;
            }
        }
        let mut x: Vec<f64> = lo.iter().zip(&hi).map(|(a, b)| (a + b) / 2.0).collect();
        let mut open: Vec<usize> = (0..z.len()).collect();
        for _ in 0..MAX_ITERATIONS {
            if open.is_empty() {
                break;
            }
            let at: Vec<f64> = open.iter().map(|&i| x[i]).collect();
            let Some(e) = self.evaluate(params, &at, &mut tape) else {
                return vec![f64::NAN; z.len()];
            };
            open = open
                .iter()
                .zip(e.t.iter().zip(&e.slope))
                .filter_map(|(&i, (&t, &slope))| {
                    let r = t - z[i];
                    let newton = x[i] - r / slope;
                    if (newton - x[i]).abs() <= ROOT_TOLERANCE * (1.0 + x[i].abs()) {
                        x[i] = newton;
                        return None;
                    }
                    if r < 0.0 {
                        lo[i] = x[i];
                    } else {
                        hi[i] = x[i];
                    }
                    x[i] = if newton > lo[i] && newton < hi[i] {
                        newton
                    } else {
                        (lo[i] + hi[i]) / 2.0
                    };
                    Some(i)
                })
                .collect();
        }
        x
    }
}
