//! A stack of rational-quadratic spline coupling layers (Dinh, Sohl-Dickstein
//! and Bengio 2017, "Density estimation using Real NVP", for the coupling;
//! Durkan et al. 2019, "Neural Spline Flows", for the spline): each layer
//! keeps `h` coordinates and moves the others through splines whose
//! parameters a conditioner network reads off the kept ones.
//!
//! ```text
//! layer l even:  keep x[0..h),      transform x[h..d)
//! layer l odd:   keep x[d−h..d),    transform x[0..d−h)      (the halves alternate: a fixed reversal)
//! y_j = spline(x_j; raw_j),   raw = MLP_l(clamp(x_keep, −B, B)) ∈ ℝ^{(d−h)(3K−1)}
//! y_keep = x_keep                          (KeptHalf::Identity, h = ⌊d/2⌋: RealNVP)
//! y_i = spline(x_i; c_{l,i}),  i kept      (KeptHalf::Marginal, h = ⌈d/2⌉: zuko's NSF(passes = 2))
//! log|det ∂y/∂x| = Σ_j log y_j'(x_j)   (+ Σ_i log y_i'(x_i) with KeptHalf::Marginal)
//! z = f_L ∘ … ∘ f_1(x),   log p(x) = log N(z; 0, I) + Σ_l log|det ∂f_l/∂x|
//! ```
//! With [`KeptHalf::Marginal`] the layer is a masked autoregressive
//! transform of two passes (Papamakarios, Pavlakou and Murray 2017, "Masked
//! Autoregressive Flow"), as zuko builds it: the kept coordinates depend on
//! nothing, so their spline parameters `c_{l,i}` are learned constants
//! (in zuko, the bias of the masked network's outputs whose weights are all
//! masked). Here they are the bias of a one-layer network `marginal.l` of
//! the constant input 0, so its weights receive no gradient and stay at
//! zero; the conditioner reads the kept coordinates before their spline,
//! so the Jacobian stays triangular.
//!
//! The conditioner reads the kept coordinates clamped to the spline's
//! interval: an outlier far outside it gets the splines of the interval's
//! edge instead of parameters extrapolated by the network (which, for an
//! input of 10³, are extreme enough to flatten a spline to a slope that
//! no inverse can resolve). The clamp changes no log-determinant (each
//! layer's Jacobian is triangular) and passes no gradient outside `[−B, B]`.
//!
//! For `d = 1` nothing is kept: the conditioner reads the constant 1, so each
//! layer is one unconditional spline whose knots the network's biases carry
//! (the same code path as the coupling layers).
//!
//! **Backward.** From `∂L/∂y` of a layer's output the spline gives `∂L/∂x_j`
//! and `∂L/∂raw` ([`super::spline`]) from the knots the recorded forward
//! pass built (once per row and coordinate); the conditioner's backward
//! pass turns `∂L/∂raw` into its parameter gradient and `∂L/∂x_keep`, which
//! is added to the kept coordinates' cotangent (they pass straight through,
//! or through their own splines, whose `∂L/∂c` is summed over the rows in a
//! fixed order of row blocks, so the gradient does not depend on the number
//! of threads).

use std::ops::Range;

use rayon::prelude::*;

use super::KeptHalf;
use super::spline::Spline;
use crate::activation::Activation;
use crate::error::NeuralError;
use crate::mlp::{Grads, MlpShape, MlpView, ParamGrad, ParamLayout, Tape};

/// Rows per parallel chunk of the spline passes. Each row's splines are
/// independent of the other rows', so the chunking changes no result.
const CHUNK_ROWS: usize = 16;
/// Rows per partial sum of the kept splines' constant gradient: the sum's
/// rounding follows this fixed blocking, never the number of threads.
const SUM_ROWS: usize = 64;

/// The layers' shapes and where each network lives in the parameters: the
/// conditioners `conditioner.0 … conditioner.{L−1}`, then (with
/// [`KeptHalf::Marginal`]) the kept coordinates' constants `marginal.0 …`.
#[derive(Debug, Clone)]
pub(crate) struct Stack {
    dim: usize,
    layers: usize,
    spline: Spline,
    kept: KeptHalf,
    layout: ParamLayout,
}

/// What a recorded forward pass keeps for the backward pass.
#[derive(Debug, Default)]
pub(crate) struct Record {
    inputs: Vec<Vec<f64>>,
    tapes: Vec<Tape>,
    /// Each layer's knots of the transformed coordinates, per row.
    knots: Vec<Vec<f64>>,
}

/// The name of layer `l`'s conditioner in the parameters and the file.
fn conditioner_name(l: usize) -> String {
    format!("conditioner.{l}")
}

/// The name of layer `l`'s kept-coordinate constants.
fn marginal_name(l: usize) -> String {
    format!("marginal.{l}")
}

/// The splines of one layer on the coordinates `coords` of rows `d` wide:
/// `r` raw parameters per coordinate from `raw`, one set per row (a
/// conditioner's output) or one set `shared` by every row (the constants).
struct Splines<'a> {
    spline: &'a Spline,
    d: usize,
    coords: Range<usize>,
    raw: &'a [f32],
    shared: bool,
}

impl Splines<'_> {
    /// Knot numbers of one row's splines.
    fn row_width(&self) -> usize {
        self.coords.len() * self.spline.knot_len()
    }

    /// The knots of the splines whose raw parameters are `raw`, one after
    /// the other, written into `out`.
    fn build(&self, raw: &[f32], out: &mut [f64]) {
        let (r, kl) = (self.spline.raw_len(), self.spline.knot_len());
        for (raw, out) in raw.chunks_exact(r).zip(out.chunks_exact_mut(kl)) {
            self.spline.build_knots(raw, out);
        }
    }

    /// The knots every row shares, built once.
    fn shared_knots(&self) -> Option<Vec<f64>> {
        self.shared.then(|| {
            let mut out = vec![0.0; self.row_width()];
            self.build(self.raw, &mut out);
            out
        })
    }

    /// Runs `each(row, e, knots)` over the rows of `x` in parallel chunks,
    /// `e` the row's number in `extra` (its log-determinant), with the knots
    /// of the row's splines: the shared ones, or built from the row's raw
    /// parameters into `keep` (every row's, for the backward pass) or into
    /// a chunk's scratch.
    fn each_row(
        &self,
        x: &mut [f64],
        extra: &mut [f64],
        keep: Option<&mut Vec<f64>>,
        each: impl Fn(&mut [f64], &mut f64, &[f64]) + Sync,
    ) {
        let (d, width, rows) = (self.d, self.row_width(), extra.len());
        let shared = self.shared_knots();
        let chunk = |c: usize, x: &mut [f64], extra: &mut [f64], built: &mut [f64]| {
            let raw_width = self.coords.len() * self.spline.raw_len();
            for (i, (row, e)) in x.chunks_exact_mut(d).zip(extra.iter_mut()).enumerate() {
                let knots = match &shared {
                    Some(knots) => knots.as_slice(),
                    None => {
                        let at = (c * CHUNK_ROWS + i) * raw_width;
                        let out = &mut built[i * width..(i + 1) * width];
                        self.build(&self.raw[at..at + raw_width], out);
                        out
                    }
                };
                each(row, e, knots);
            }
        };
        let chunks = x
            .par_chunks_mut(d * CHUNK_ROWS)
            .zip(extra.par_chunks_mut(CHUNK_ROWS));
        match keep {
            Some(kept) if shared.is_none() => {
                kept.resize(rows * width, 0.0);
                chunks
                    .zip(kept.par_chunks_mut(width * CHUNK_ROWS))
                    .enumerate()
                    .for_each(|(c, ((x, e), built))| chunk(c, x, e, built));
            }
            _ => {
                let scratch = if shared.is_some() { 0 } else { width * CHUNK_ROWS };
                chunks
                    .enumerate()
                    .for_each_init(|| vec![0.0; scratch], |built, (c, (x, e))| chunk(c, x, e, built));
            }
        }
    }

    /// `y = spline(x)` in place, `log_det += log y'`; with `keep`, the
    /// knots of every row.
    fn forward(&self, z: &mut [f64], log_det: &mut [f64], keep: Option<&mut Vec<f64>>) {
        let kl = self.spline.knot_len();
        self.each_row(z, log_det, keep, |row, ld, knots| {
            for (j, knots) in self.coords.clone().zip(knots.chunks_exact(kl)) {
                let (y, slope) = self.spline.forward(row[j], &self.spline.knots(knots));
                row[j] = y;
                *ld += slope;
            }
        });
    }

    /// `x = spline⁻¹(y)` in place.
    fn inverse(&self, x: &mut [f64]) {
        let kl = self.spline.knot_len();
        let mut unused = vec![0.0; x.len() / self.d];
        self.each_row(x, &mut unused, None, |row, _, knots| {
            for (j, knots) in self.coords.clone().zip(knots.chunks_exact(kl)) {
                row[j] = self.spline.inverse(row[j], &self.spline.knots(knots));
            }
        });
    }
}

impl Stack {
    /// `layers` coupling layers over `dim` coordinates, splines of `bins` bins on
    /// `[−bound, bound]`, conditioners of `hidden` widths.
    pub(crate) fn new(
        dim: usize,
        layers: usize,
        spline: Spline,
        kept: KeptHalf,
        hidden: &[usize],
        activation: Activation,
    ) -> Result<Stack, NeuralError> {
        let mut stack = Stack {
            dim,
            layers,
            spline,
            kept,
            layout: ParamLayout::default(),
        };
        for l in 0..layers {
            let (keep, trans) = stack.halves(l);
            let shape = MlpShape {
                input: keep.len().max(1),
                hidden: hidden.to_vec(),
                output: trans.len() * spline.raw_len(),
                activation,
            };
            stack.layout.push(&conditioner_name(l), shape)?;
        }
        if stack.has_marginals() {
            for l in 0..layers {
                let shape = MlpShape {
                    input: 1,
                    hidden: Vec::new(),
                    output: stack.halves(l).0.len() * spline.raw_len(),
                    activation,
                };
                stack.layout.push(&marginal_name(l), shape)?;
            }
        }
        Ok(stack)
    }

    /// The parameter layout (one conditioner per layer, in order).
    pub(crate) fn layout(&self) -> &ParamLayout {
        &self.layout
    }

    /// Coordinates.
    pub(crate) fn dim(&self) -> usize {
        self.dim
    }

    /// Rescales `params`, drawn by PyTorch's default (every layer uniform on
    /// `±1/√fan_in`), to zuko's start for a masked network: its first layer
    /// reads all `d` coordinates (the masked ones too), so a conditioner's
    /// first layer is uniform on `±1/√d` rather than `±1/√h`; the constants
    /// are the bias of its output layer, uniform on `±1/√n` for the last
    /// hidden width `n` rather than `±1` (the fan-in of `marginal.l`).
    pub(crate) fn initialise_as_masked(&self, params: &mut [f32]) {
        let width = self
            .layout
            .entries()
            .next()
            .and_then(|(_, arch, _)| arch.layers().last())
            .map_or(1, |last| last.fan_in);
        for (i, (_, arch, range)) in self.layout.entries().enumerate() {
            let Some(first) = arch.layers().first() else {
                continue;
            };
            let scale = if i < self.layers {
                (first.fan_in as f32 / self.dim as f32).sqrt()
            } else {
                1.0 / (width as f32).sqrt()
            };
            params[range.start + first.weights.start..range.start + first.bias.end]
                .iter_mut()
                .for_each(|p| *p *= scale);
        }
    }

    /// Whether the kept coordinates have splines of their own.
    pub(crate) fn has_marginals(&self) -> bool {
        self.kept == KeptHalf::Marginal && self.dim > 1
    }

    /// The kept and transformed coordinates of layer `l`.
    fn halves(&self, l: usize) -> (Range<usize>, Range<usize>) {
        let d = self.dim;
        let h = if self.has_marginals() {
            d.div_ceil(2)
        } else {
            d / 2
        };
        if l.is_multiple_of(2) {
            (0..h, h..d)
        } else {
            (d - h..d, 0..d - h)
        }
    }

    /// The conditioners in layer order with their parameter ranges.
    fn conditioners<'p>(
        &'p self,
        params: &'p [f32],
    ) -> impl DoubleEndedIterator<Item = (usize, MlpView<'p>, Range<usize>)> {
        self.layout
            .entries()
            .take(self.layers)
            .enumerate()
            .filter_map(move |(l, (_, arch, range))| {
                MlpView::new(arch, &params[range.clone()])
                    .ok()
                    .map(|v| (l, v, range))
            })
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// Layer `l`'s kept-coordinate constants (the output of `marginal.l`
    /// at the input 0: its bias) written into `tape`, with the network and
    /// its parameter range; `None` without [`KeptHalf::Marginal`].
    fn marginal<'p, 't>(
        &'p self,
        l: usize,
        params: &'p [f32],
        tape: &'t mut Tape,
    ) -> Option<(MlpView<'p>, Range<usize>, &'t [f32])> {
        let (arch, range) = self.layout.find(&marginal_name(l))?;
        let view = MlpView::new(arch, &params[range.clone()]).ok()?;
        let raw = view.forward(&[0.0], 1, tape);
        Some((view, range, raw))
    }

    /// The conditioner's input: the kept coordinates, or the constant 1.
    fn conditioner_input(&self, l: usize, x: &[f64]) -> Vec<f32> {
        let (keep, _) = self.halves(l);
        if keep.is_empty() {
            return vec![1.0; x.len() / self.dim];
        }
        let b = self.spline.bound();
        x.chunks_exact(self.dim)
            .flat_map(|row| row[keep.clone()].iter().map(move |&v| v.clamp(-b, b) as f32))
            .collect()
    }

    /// The splines of layer `l`: the transformed coordinates', one set of
    /// `raw` per row (the conditioner's output), or with `kept` the kept
    /// coordinates', one set shared by every row (the constants).
    fn splines<'a>(&'a self, l: usize, raw: &'a [f32], kept: bool) -> Splines<'a> {
        let (keep, trans) = self.halves(l);
        Splines {
            spline: &self.spline,
            d: self.dim,
            coords: if kept { keep } else { trans },
            raw,
            shared: kept,
        }
    }

    /// `z` for the rows `x` (row-major), with `log|det ∂z/∂x|` per row; with
    /// `record`, what [`Stack::backward`] needs.
    pub(crate) fn forward(
        &self,
        params: &[f32],
        x: &[f64],
        mut record: Option<&mut Record>,
    ) -> (Vec<f64>, Vec<f64>) {
        let rows = x.len() / self.dim;
        let mut z = x.to_vec();
        let mut log_det = vec![0.0; rows];
        let mut scratch = Tape::default();
        let mut constants = Tape::default();
        if let Some(rec) = record.as_deref_mut() {
            rec.inputs.clear();
            rec.tapes.resize_with(self.layers, Tape::default);
            rec.knots.resize_with(self.layers, Vec::new);
        }
        for (l, view, _) in self.conditioners(params) {
            let input = self.conditioner_input(l, &z);
            let (tape, keep) = match record.as_deref_mut() {
                Some(rec) => {
                    rec.inputs.push(z.clone());
                    (&mut rec.tapes[l], Some(&mut rec.knots[l]))
                }
                None => (&mut scratch, None),
            };
            let raw = view.forward(&input, rows, tape);
            self.splines(l, raw, false).forward(&mut z, &mut log_det, keep);
            if let Some((_, _, raw)) = self.marginal(l, params, &mut constants) {
                self.splines(l, raw, true).forward(&mut z, &mut log_det, None);
            }
        }
        (z, log_det)
    }

    /// The parameter gradient (written over `grad`) of a loss with
    /// `∂L/∂z = gz` and `∂L/∂(log|det|) = gl` for every row, after
    /// [`Stack::forward`] recorded into `record`.
    pub(crate) fn backward(
        &self,
        params: &[f32],
        record: &mut Record,
        mut gz: Vec<f64>,
        gl: f64,
        grad: &mut [f32],
    ) {
        let (d, r) = (self.dim, self.spline.raw_len());
        let rows = gz.len() / d;
        let mut constants = Tape::default();
        for (l, view, range) in self.conditioners(params).rev() {
            let (keep, trans) = self.halves(l);
            let width = trans.len() * r;
            let tape = &mut record.tapes[l];
            let x = &record.inputs[l];
            let (kl, kw) = (self.spline.knot_len(), trans.len() * self.spline.knot_len());
            let mut d_raw = vec![0.0f32; rows * width];
            gz.par_chunks_mut(d * CHUNK_ROWS)
                .zip(d_raw.par_chunks_mut(width * CHUNK_ROWS))
                .zip(tape.output().par_chunks(width * CHUNK_ROWS))
                .zip(x.par_chunks(d * CHUNK_ROWS))
                .zip(record.knots[l].par_chunks(kw * CHUNK_ROWS))
                .for_each(|((((g, d_raw), raw), x), knots)| {
                    let mut local = vec![0.0; r];
                    let rows = g.chunks_exact_mut(d).zip(d_raw.chunks_exact_mut(width));
                    let inputs = raw.chunks_exact(width).zip(x.chunks_exact(d));
                    for ((g, d_raw), ((raw, x), knots)) in rows.zip(inputs.zip(knots.chunks_exact(kw))) {
                        let coords = raw.chunks_exact(r).zip(knots.chunks_exact(kl));
                        for ((j, (raw, knots)), d_raw) in
                            trans.clone().zip(coords).zip(d_raw.chunks_exact_mut(r))
                        {
                            let knots = self.spline.knots(knots);
                            g[j] = self.spline.backward(x[j], raw, &knots, g[j], gl, &mut local);
                            d_raw.iter_mut().zip(&local).for_each(|(o, v)| *o = *v as f32);
                        }
                    }
                });
            if let Some((marginal, marginal_range, raw)) = self.marginal(l, params, &mut constants) {
                let d_constants = self.kept_backward(l, raw, x, &mut gz, gl);
                marginal.backward(
                    &mut constants,
                    &d_constants,
                    Grads {
                        input: None,
                        params: ParamGrad::Overwrite(&mut grad[marginal_range]),
                    },
                );
            }
            let params_grad = ParamGrad::Overwrite(&mut grad[range]);
            if keep.is_empty() {
                view.backward(
                    tape,
                    &d_raw,
                    Grads {
                        input: None,
                        params: params_grad,
                    },
                );
                continue;
            }
            let mut d_keep = vec![0.0f32; rows * keep.len()];
            view.backward(
                tape,
                &d_raw,
                Grads {
                    input: Some(&mut d_keep),
                    params: params_grad,
                },
            );
            let b = self.spline.bound();
            for ((g, dk), x) in gz
                .chunks_exact_mut(d)
                .zip(d_keep.chunks_exact(keep.len()))
                .zip(x.chunks_exact(d))
            {
                for ((g, dk), x) in g[keep.clone()].iter_mut().zip(dk).zip(&x[keep.clone()]) {
                    if x.abs() <= b {
                        *g += f64::from(*dk);
                    }
                }
            }
        }
    }

    /// The backward pass of layer `l`'s kept-coordinate splines (constants
    /// `raw`, inputs `x`): turns `gz` on the kept coordinates from `∂L/∂y`
    /// into `∂L/∂x` and returns `∂L/∂raw` summed over the rows, in blocks of
    /// [`SUM_ROWS`] rows in row order.
    fn kept_backward(&self, l: usize, raw: &[f32], x: &[f64], gz: &mut [f64], gl: f64) -> Vec<f32> {
        let (d, r, kl) = (self.dim, self.spline.raw_len(), self.spline.knot_len());
        let keep = self.halves(l).0;
        let mut built = vec![0.0; keep.len() * kl];
        for (raw, out) in raw.chunks_exact(r).zip(built.chunks_exact_mut(kl)) {
            self.spline.build_knots(raw, out);
        }
        let mut per_row = vec![0.0; x.len() / d * raw.len()];
        gz.par_chunks_mut(d * CHUNK_ROWS)
            .zip(x.par_chunks(d * CHUNK_ROWS))
            .zip(per_row.par_chunks_mut(raw.len() * CHUNK_ROWS))
            .for_each(|((g, x), per_row)| {
                let rows = g.chunks_exact_mut(d).zip(x.chunks_exact(d));
                for ((g, x), out) in rows.zip(per_row.chunks_exact_mut(raw.len())) {
                    let coords = keep.clone().zip(raw.chunks_exact(r)).zip(built.chunks_exact(kl));
                    for (((j, raw), knots), out) in coords.zip(out.chunks_exact_mut(r)) {
                        let knots = self.spline.knots(knots);
                        g[j] = self.spline.backward(x[j], raw, &knots, g[j], gl, out);
                    }
                }
            });
        let mut total = vec![0.0; raw.len()];
        for block in per_row.chunks(raw.len() * SUM_ROWS) {
            let mut sum = vec![0.0; raw.len()];
            for row in block.chunks_exact(raw.len()) {
                sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            }
            total.iter_mut().zip(&sum).for_each(|(t, v)| *t += v);
        }
        total.into_iter().map(|v| v as f32).collect()
    }

    /// The rows `x` with `forward(x) = z`.
    pub(crate) fn inverse(&self, params: &[f32], z: &[f64]) -> Vec<f64> {
        let rows = z.len() / self.dim;
        let mut x = z.to_vec();
        let mut tape = Tape::default();
        let mut constants = Tape::default();
        for (l, view, _) in self.conditioners(params).rev() {
            if let Some((_, _, raw)) = self.marginal(l, params, &mut constants) {
                self.splines(l, raw, true).inverse(&mut x);
            }
            let input = self.conditioner_input(l, &x);
            let raw = view.forward(&input, rows, &mut tape);
            self.splines(l, raw, false).inverse(&mut x);
        }
        x
    }
}
