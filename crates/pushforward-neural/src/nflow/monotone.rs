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
//! The first node, `t_0 = 1`, is `c_i` itself, so `g(c_i)` is that node's
//! value and its two terms add up.
//!
//! **Evaluation.** The rows are cut into chunks of about 256 integrand
//! points (whole rows); each chunk runs the integrand's forward pass, its
//! rows' `T` and, when training, its backward pass at once, while the
//! network's values are still in cache (`monotone/integrand.rs`). Chunks
//! run in parallel; their gradients are summed in chunk order, and the cut
//! depends only on the node count, so one seed gives the same bytes on any
//! number of threads.
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

use rayon::prelude::*;

use super::log_normal;
use crate::activation::Activation;
use crate::error::NeuralError;
use crate::mlp::{Grads, MlpShape, MlpView, ParamLayout, Tape};
use integrand::{Integrand, Workspace, with_workspace};

mod integrand;

/// The floor `ε` of the integrand.
const FLOOR: f64 = 1e-3;
/// Newton–bisection iterations at most (bisection alone would need ~60).
const MAX_ITERATIONS: usize = 200;
/// Bracket doublings at most.
const MAX_DOUBLINGS: usize = 1_100;
/// The step below which a root is accepted.
const ROOT_TOLERANCE: f64 = 1e-9;
/// Integrand points per chunk of rows (whole rows: 7 rows of 33 nodes).
const CHUNK_POINTS: usize = 256;
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

/// `(softplus(g), σ(g))` from one exponential `e = exp(−|g|)`:
/// `softplus = max(g, 0) + ln(1 + e)`, `σ = 1/(1 + e)` for `g ≥ 0` and
/// `e/(1 + e)` below.
fn softplus_sigmoid(g: f64) -> (f64, f64) {
    let e = (-g.abs()).exp();
    let sigmoid = if g >= 0.0 { 1.0 } else { e } / (1.0 + e);
    (g.max(0.0) + e.ln_1p(), sigmoid)
}

/// One chunk's rows, and where their `T` and `f(c)` go.
struct Chunk<'a> {
    x: &'a [f64],
    t: &'a mut [f64],
    slope: &'a mut [f64],
}

/// A chunk's integrand inputs and `σ(g)` at each of them.
#[derive(Default)]
struct Nodes {
    input: Vec<f32>,
    sigma: Vec<f64>,
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

    /// The offset network on its part of `params`; `None` only for
    /// parameters of another shape, which [`super::SplineFlow`] never holds.
    fn offset<'p>(&'p self, params: &'p [f32]) -> Option<(MlpView<'p>, Range<usize>)> {
        let (arch, range) = self.layout.find(OFFSET)?;
        let view = MlpView::new(arch, params.get(range.clone())?).ok()?;
        Some((view, range))
    }

    /// The integrand network on its part of `params` (`None` as above).
    fn integrand<'p>(&'p self, params: &'p [f32]) -> Option<(Integrand<'p>, Range<usize>)> {
        let (arch, range) = self.layout.find(INTEGRAND)?;
        Some((Integrand::new(arch, params.get(range.clone())?)?, range))
    }

    /// `b`: the offset network read at 0, its pass recorded on `tape`.
    fn bias(&self, params: &[f32], tape: &mut Tape) -> Option<f64> {
        let (offset, _) = self.offset(params)?;
        Some(f64::from(offset.forward(&[0.0], 1, tape)[0]))
    }

    /// Rows per chunk: about [`CHUNK_POINTS`] integrand points.
    fn chunk_rows(&self) -> usize {
        (CHUNK_POINTS / self.nodes.len()).max(1)
    }

    /// `T` and `f(c)` of a chunk's rows, leaving the integrand's inputs
    /// (`c(t_k + 1)/2`, row by row) and `σ(g)` at each in `nodes`. The first
    /// node, `t_0 = 1`, is `c` itself, so `f(c)` is its value.
    fn chunk_forward(
        &self,
        net: Integrand<'_>,
        b: f64,
        chunk: &mut Chunk<'_>,
        ws: &mut Workspace,
        nodes: &mut Nodes,
    ) {
        let m = self.nodes.len();
        nodes.input.clear();
        for &x in chunk.x {
            let c = x.clamp(-self.bound, self.bound);
            nodes
                .input
                .extend(self.nodes.iter().map(|t| (c * (t + 1.0) / 2.0) as f32));
        }
        let g = net.forward(ws, &nodes.input);
        nodes.sigma.resize(g.len(), 0.0);
        for (i, &x) in chunk.x.iter().enumerate() {
            let c = x.clamp(-self.bound, self.bound);
            let mut integral = 0.0;
            for k in 0..m {
                let (softplus, sigma) = softplus_sigmoid(f64::from(g[i * m + k]));
                nodes.sigma[i * m + k] = sigma;
                integral += self.weights[k] * (softplus + FLOOR);
                if k == 0 {
                    chunk.slope[i] = softplus + FLOOR;
                }
            }
            chunk.t[i] = b + integral * c / 2.0 + chunk.slope[i] * (x - c);
        }
    }

    /// `(T(x), f(c))` of every point of `x`, in parallel chunks; `None` for
    /// parameters of another shape.
    fn transform(&self, params: &[f32], x: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
        let (net, _) = self.integrand(params)?;
        let b = self.bias(params, &mut Tape::default())?;
        let (mut t, mut slope) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let rows = self.chunk_rows();
        x.par_chunks(rows)
            .zip(t.par_chunks_mut(rows))
            .zip(slope.par_chunks_mut(rows))
            .for_each(|((x, t), slope)| {
                let mut chunk = Chunk { x, t, slope };
                with_workspace(|ws| self.chunk_forward(net, b, &mut chunk, ws, &mut Nodes::default()));
            });
        Some((t, slope))
    }

    /// `(T(x), log T'(x))` of every point (NaN for parameters of another
    /// shape).
    pub(crate) fn forward(&self, params: &[f32], x: &[f64]) -> (Vec<f64>, Vec<f64>) {
        match self.transform(params, x) {
            Some((t, slope)) => (t, slope.iter().map(|s| s.ln()).collect()),
            None => (vec![f64::NAN; x.len()], vec![f64::NAN; x.len()]),
        }
    }

    /// The mean negative log-likelihood of the points `x`, with its gradient
    /// written over `grad` (NaN for parameters of another shape). The
    /// integrand's passes run in parallel chunks of
    /// [`Monotone::chunk_rows`] rows, each backward right after its
    /// forward; the chunks' gradients are summed in chunk order, so the
    /// result does not depend on the number of threads. `tape` records the
    /// offset's pass.
    pub(crate) fn loss_and_grad(&self, params: &[f32], x: &[f64], tape: &mut Tape, grad: &mut [f32]) -> f64 {
        let (Some((net, integrand_range)), Some((offset, offset_range)), Some(b)) = (
            self.integrand(params),
            self.offset(params),
            self.bias(params, tape),
        ) else {
            return f64::NAN;
        };
        let n = x.len();
        let nf = n as f64;
        let rows = self.chunk_rows();
        let count = net.len();
        let (mut t, mut slope) = (vec![0.0; n], vec![0.0; n]);
        let mut partial = vec![0.0f32; n.div_ceil(rows) * count];
        x.par_chunks(rows)
            .zip(t.par_chunks_mut(rows))
            .zip(slope.par_chunks_mut(rows))
            .zip(partial.par_chunks_mut(count))
            .for_each(|(((x, t), slope), partial)| {
                let mut chunk = Chunk { x, t, slope };
                let mut nodes = Nodes::default();
                with_workspace(|ws| {
                    self.chunk_forward(net, b, &mut chunk, ws, &mut nodes);
                    let d_g = self.node_gradients(&chunk, &nodes.sigma, nf);
                    net.backward(ws, &nodes.input, &d_g, partial);
                });
            });
        let integrand_grad = &mut grad[integrand_range];
        integrand_grad.fill(0.0);
        for part in partial.chunks_exact(count) {
            integrand_grad.iter_mut().zip(part).for_each(|(g, p)| *g += p);
        }
        let d_b = (t.iter().sum::<f64>() / nf) as f32;
        offset.backward(tape, &[d_b], Grads::params(&mut grad[offset_range]));
        -t.iter()
            .zip(&slope)
            .map(|(t, s)| log_normal(&[*t]) + s.ln())
            .sum::<f64>()
            / nf
    }

    /// `∂L/∂g` at every node of a chunk after [`Monotone::chunk_forward`]
    /// (the module doc's formulas; the first node is also `c`), for a loss
    /// averaged over `n` points.
    fn node_gradients(&self, chunk: &Chunk<'_>, sigma: &[f64], n: f64) -> Vec<f32> {
        let m = self.nodes.len();
        let mut d_g = vec![0.0f32; sigma.len()];
        for (i, &x) in chunk.x.iter().enumerate() {
            let c = x.clamp(-self.bound, self.bound);
            let dt = chunk.t[i] / n;
            let s = &sigma[i * m..(i + 1) * m];
            let d = &mut d_g[i * m..(i + 1) * m];
            for ((d, w), s) in d.iter_mut().zip(&self.weights).zip(s) {
                *d = (dt * c / 2.0 * w * s) as f32;
            }
            d[0] =
                ((dt * c / 2.0 * self.weights[0] + dt * (x - c)) * s[0] - s[0] / chunk.slope[i] / n) as f32;
        }
        d_g
    }

    /// The points `x` with `T(x) = z`, to a step of 1e-9 (standardised units).
    pub(crate) fn inverse(&self, params: &[f32], z: &[f64]) -> Vec<f64> {
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
            let Some((t, slope)) = self.transform(params, &at) else {
                return vec![f64::NAN; z.len()];
            };
            open = open
                .iter()
                .zip(t.iter().zip(&slope))
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
