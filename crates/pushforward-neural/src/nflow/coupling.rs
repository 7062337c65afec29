//! A stack of rational-quadratic spline coupling layers (Dinh, Sohl-Dickstein
//! and Bengio 2017, "Density estimation using Real NVP", for the coupling;
//! Durkan et al. 2019, "Neural Spline Flows", for the spline): each layer
//! keeps `h = ⌊d/2⌋` coordinates and moves the others through splines whose
//! parameters a conditioner network reads off the kept ones.
//!
//! ```text
//! layer l even:  keep x[0..h),      transform x[h..d)
//! layer l odd:   keep x[d−h..d),    transform x[0..d−h)      (the halves alternate: a fixed reversal)
//! y_keep = x_keep,   y_j = spline(x_j; raw_j),   raw = MLP_l(clamp(x_keep, −B, B)) ∈ ℝ^{(d−h)(3K−1)}
//! log|det ∂y/∂x| = Σ_j log y_j'(x_j)
//! z = f_L ∘ … ∘ f_1(x),   log p(x) = log N(z; 0, I) + Σ_l log|det ∂f_l/∂x|
//! ```
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
//! and `∂L/∂raw` ([`super::spline`]); the conditioner's backward pass turns
//! `∂L/∂raw` into its parameter gradient and `∂L/∂x_keep`, which is added
//! to the kept coordinates' cotangent (they pass straight through as well).

use std::ops::Range;

use rayon::prelude::*;

use super::spline::Spline;
use crate::activation::Activation;
use crate::error::NeuralError;
use crate::mlp::{Grads, MlpShape, MlpView, ParamGrad, ParamLayout, Tape};

/// Rows per parallel chunk of the spline passes.
const CHUNK_ROWS: usize = 64;

/// The layers' shapes and where each conditioner lives in the parameters.
#[derive(Debug, Clone)]
pub(crate) struct Stack {
    dim: usize,
    spline: Spline,
    layout: ParamLayout,
}

/// What a recorded forward pass keeps for the backward pass.
#[derive(Debug, Default)]
pub(crate) struct Record {
    inputs: Vec<Vec<f64>>,
    tapes: Vec<Tape>,
}

/// The name of layer `l`'s conditioner in the parameters and the file.
fn conditioner_name(l: usize) -> String {
    format!("conditioner.{l}")
}

impl Stack {
    /// `layers` coupling layers over `dim` coordinates, splines of `bins` bins on
    /// `[−bound, bound]`, conditioners of `hidden` widths.
    pub(crate) fn new(
        dim: usize,
        layers: usize,
        spline: Spline,
        hidden: &[usize],
        activation: Activation,
    ) -> Result<Stack, NeuralError> {
        let mut stack = Stack {
            dim,
            spline,
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

    /// The kept and transformed coordinates of layer `l`.
    fn halves(&self, l: usize) -> (Range<usize>, Range<usize>) {
        let (d, h) = (self.dim, self.dim / 2);
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
            .enumerate()
            .filter_map(move |(l, (_, arch, range))| {
                MlpView::new(arch, &params[range.clone()])
                    .ok()
                    .map(|v| (l, v, range))
            })
            .collect::<Vec<_>>()
            .into_iter()
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

    /// `z` for the rows `x` (row-major), with `log|det ∂z/∂x|` per row; with
    /// `record`, what [`Stack::backward`] needs.
    pub(crate) fn forward(
        &self,
        params: &[f32],
        x: &[f64],
        mut record: Option<&mut Record>,
    ) -> (Vec<f64>, Vec<f64>) {
        let (d, r) = (self.dim, self.spline.raw_len());
        let rows = x.len() / d;
        let mut z = x.to_vec();
        let mut log_det = vec![0.0; rows];
        let mut scratch = Tape::default();
        if let Some(rec) = record.as_deref_mut() {
            rec.inputs.clear();
            rec.tapes
                .resize_with(self.layout.entries().count(), Tape::default);
        }
        for (l, view, _) in self.conditioners(params) {
            let input = self.conditioner_input(l, &z);
            let tape = match record.as_deref_mut() {
                Some(rec) => {
                    rec.inputs.push(z.clone());
                    &mut rec.tapes[l]
                }
                None => &mut scratch,
            };
            let raw = view.forward(&input, rows, tape);
            let (_, trans) = self.halves(l);
            let width = trans.len() * r;
            z.par_chunks_mut(d * CHUNK_ROWS)
                .zip(log_det.par_chunks_mut(CHUNK_ROWS))
                .zip(raw.par_chunks(width * CHUNK_ROWS))
                .for_each(|((z, ld), raw)| {
                    for ((row, ld), raw) in z.chunks_exact_mut(d).zip(ld).zip(raw.chunks_exact(width)) {
                        for (j, raw) in trans.clone().zip(raw.chunks_exact(r)) {
                            let (y, slope) = self.spline.forward(row[j], raw);
                            row[j] = y;
                            *ld += slope;
                        }
                    }
                });
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
        for (l, view, range) in self.conditioners(params).rev() {
            let (keep, trans) = self.halves(l);
            let width = trans.len() * r;
            let tape = &mut record.tapes[l];
            let x = &record.inputs[l];
            let mut d_raw = vec![0.0f32; rows * width];
            gz.par_chunks_mut(d * CHUNK_ROWS)
                .zip(d_raw.par_chunks_mut(width * CHUNK_ROWS))
                .zip(tape.output().par_chunks(width * CHUNK_ROWS))
                .zip(x.par_chunks(d * CHUNK_ROWS))
                .for_each(|(((g, d_raw), raw), x)| {
                    let mut local = vec![0.0; r];
                    let rows = g.chunks_exact_mut(d).zip(d_raw.chunks_exact_mut(width));
                    for (((g, d_raw), raw), x) in rows.zip(raw.chunks_exact(width)).zip(x.chunks_exact(d)) {
                        for ((j, raw), d_raw) in trans
                            .clone()
                            .zip(raw.chunks_exact(r))
                            .zip(d_raw.chunks_exact_mut(r))
                        {
                            g[j] = self.spline.backward(x[j], raw, g[j], gl, &mut local);
                            d_raw.iter_mut().zip(&local).for_each(|(o, v)| *o = *v as f32);
                        }
                    }
                });
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

    /// The rows `x` with `forward(x) = z`.
    pub(crate) fn inverse(&self, params: &[f32], z: &[f64]) -> Vec<f64> {
        let (d, r) = (self.dim, self.spline.raw_len());
        let rows = z.len() / d;
        let mut x = z.to_vec();
        let mut tape = Tape::default();
        for (l, view, _) in self.conditioners(params).rev() {
            let input = self.conditioner_input(l, &x);
            let raw = view.forward(&input, rows, &mut tape);
            let (_, trans) = self.halves(l);
            let width = trans.len() * r;
            x.par_chunks_mut(d * CHUNK_ROWS)
                .zip(raw.par_chunks(width * CHUNK_ROWS))
                .for_each(|(x, raw)| {
                    for (row, raw) in x.chunks_exact_mut(d).zip(raw.chunks_exact(width)) {
                        for (j, raw) in trans.clone().zip(raw.chunks_exact(r)) {
                            row[j] = self.spline.inverse(row[j], raw);
                        }
                    }
                });
        }
        x
    }
}
