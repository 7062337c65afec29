//! A perceptron on borrowed parameters and its batch-sharded passes:
//! forward, backward (input and/or parameter gradients, overwritten or
//! accumulated) and forward-mode tangents. The formulas and the
//! determinism contract are in [`crate::mlp`].

use rayon::prelude::*;

use crate::error::NeuralError;
use crate::mlp::architecture::Architecture;
use crate::mlp::shard::Shard;
use crate::mlp::{MlpShape, SHARD_ROWS};

/// A perceptron whose parameters are a borrowed slice, for instance one
/// network's range of a [`crate::ParamLayout`] vector.
#[derive(Debug, Clone, Copy)]
pub struct MlpView<'a> {
    pub(super) arch: &'a Architecture,
    pub(super) params: &'a [f32],
}

/// How a backward pass treats the parameter gradient.
#[derive(Debug)]
pub enum ParamGrad<'g> {
    /// Not computed (no `∂W`, `∂b` products).
    Skip,
    /// Written over the slice.
    Overwrite(&'g mut [f32]),
    /// Added to the slice (several losses, or several calls, summed).
    Accumulate(&'g mut [f32]),
}

/// What a backward pass returns.
#[derive(Debug)]
pub struct Grads<'g> {
    /// `∂L/∂x` (`rows × input`), written when given.
    pub input: Option<&'g mut [f32]>,
    /// `∂L/∂θ`.
    pub params: ParamGrad<'g>,
}

impl<'g> Grads<'g> {
    /// Only `∂L/∂θ`, written over `grad`.
    pub fn params(grad: &'g mut [f32]) -> Grads<'g> {
        Grads {
            input: None,
            params: ParamGrad::Overwrite(grad),
        }
    }

    /// Only `∂L/∂x`, written into `d_input`.
    pub fn input(d_input: &'g mut [f32]) -> Grads<'g> {
        Grads {
            input: Some(d_input),
            params: ParamGrad::Skip,
        }
    }
}

/// What a forward pass keeps for the backward passes, shard by shard, and
/// the gathered outputs and tangents. Reuse one tape across steps to avoid
/// reallocation.
#[derive(Debug, Default)]
pub struct Tape {
    pub(super) rows: usize,
    pub(super) shards: Vec<Shard>,
    output: Vec<f32>,
    tangent_output: Vec<f32>,
}

impl Tape {
    /// The outputs of the last forward pass (`rows × output`).
    pub fn output(&self) -> &[f32] {
        &self.output
    }
}

impl<'a> MlpView<'a> {
    /// The network of `arch` on `params`.
    ///
    /// # Errors
    /// [`NeuralError::ParameterCount`] when `params` does not fit `arch`.
    pub fn new(arch: &'a Architecture, params: &'a [f32]) -> Result<MlpView<'a>, NeuralError> {
        arch.check_len(params.len())?;
        Ok(MlpView { arch, params })
    }

    /// The shape.
    pub fn shape(&self) -> &'a MlpShape {
        self.arch.shape()
    }

    /// The parameters.
    pub fn params(&self) -> &'a [f32] {
        self.params
    }

    /// The outputs (`rows × output`) for the inputs `x` (`rows × input`),
    /// kept in `tape` for the backward passes; `tape` also serves as
    /// scratch space for plain inference.
    pub fn forward<'t>(&self, x: &[f32], rows: usize, tape: &'t mut Tape) -> &'t [f32] {
        let (input, out_dim) = (self.shape().input, self.shape().output);
        assert_eq!(x.len(), rows * input, "forward input size");
        tape.rows = rows;
        tape.output.resize(rows * out_dim, 0.0);
        tape.shards.resize_with(rows.div_ceil(SHARD_ROWS), Shard::default);
        tape.shards
            .par_iter_mut()
            .zip(tape.output.par_chunks_mut(SHARD_ROWS * out_dim))
            .zip(x.par_chunks(SHARD_ROWS * input))
            .for_each(|((shard, out), x)| {
                shard.forward(self, x, x.len() / input);
                out.copy_from_slice(shard.output());
            });
        &tape.output
    }

    /// The gradients asked for in `grads`, given `∂L/∂y` (`rows × output`)
    /// for the outputs of the last [`MlpView::forward`] on `tape`. Products
    /// that no asked gradient needs are skipped.
    pub fn backward(&self, tape: &mut Tape, d_out: &[f32], grads: Grads<'_>) {
        let (input, out_dim) = (self.shape().input, self.shape().output);
        assert_eq!(d_out.len(), tape.rows * out_dim, "backward output gradient size");
        let want_params = !matches!(grads.params, ParamGrad::Skip);
        let shards = tape
            .shards
            .par_iter_mut()
            .zip(d_out.par_chunks(SHARD_ROWS * out_dim));
        match grads.input {
            Some(d_input) => {
                assert_eq!(d_input.len(), tape.rows * input, "input gradient size");
                shards
                    .zip(d_input.par_chunks_mut(SHARD_ROWS * input))
                    .for_each(|((shard, g), dx)| shard.backward(self, g, want_params, Some(dx)));
            }
            None => shards.for_each(|(shard, g)| shard.backward(self, g, want_params, None)),
        }
        self.reduce(&tape.shards, grads.params);
    }

    /// The outputs and their directional derivatives: for each row `r` and
    /// each of its `k` tangents `ẋ` (rows `r·k..(r+1)·k` of `tangents`,
    /// each of width `input`), `J(x_r)·ẋ`, returned as `rows·k × output`.
    /// Both live in `tape`, which a caller reuses across evaluations.
    pub fn forward_tangents<'t>(
        &self,
        x: &[f32],
        rows: usize,
        tangents: &[f32],
        k: usize,
        tape: &'t mut Tape,
    ) -> (&'t [f32], &'t [f32]) {
        let (input, output) = (self.shape().input, self.shape().output);
        assert_eq!(tangents.len(), rows * k * input, "tangent input size");
        self.forward(x, rows, tape);
        self.tangent_pass(tangents, k, tape);
        tape.tangent_output.resize(rows * k * output, 0.0);
        tape.shards
            .par_iter()
            .zip(tape.tangent_output.par_chunks_mut(SHARD_ROWS * k * output))
            .for_each(|(shard, dy)| dy.copy_from_slice(shard.tangent_output()));
        (&tape.output, &tape.tangent_output)
    }

    /// The tangents of every layer for `k` tangents per row, after
    /// [`MlpView::forward`].
    pub(super) fn tangent_pass(&self, tangents: &[f32], k: usize, tape: &mut Tape) {
        let input = self.shape().input;
        tape.shards
            .par_iter_mut()
            .zip(tangents.par_chunks(SHARD_ROWS * k * input))
            .for_each(|(shard, t)| shard.tangents(self, t, k));
    }

    /// Jacobian-vector product: the outputs and `J(x_r)·v_r` for one
    /// direction `v_r` per row (`rows × input`), as `rows × output`.
    pub fn jvp<'t>(&self, x: &[f32], rows: usize, v: &[f32], tape: &'t mut Tape) -> (&'t [f32], &'t [f32]) {
        self.forward_tangents(x, rows, v, 1, tape)
    }

    /// Vector-Jacobian product: `J(x_r)ᵀ·c_r` for one output cotangent
    /// `c_r` per row (`d_out`, `rows × output`) into `d_input`
    /// (`rows × input`), after [`MlpView::forward`] on `tape`.
    pub fn vjp(&self, tape: &mut Tape, d_out: &[f32], d_input: &mut [f32]) {
        self.backward(tape, d_out, Grads::input(d_input));
    }
}

impl MlpView<'_> {
    /// The shards' parameter gradients summed in shard order into `grad`.
    pub(super) fn reduce(&self, shards: &[Shard], grad: ParamGrad<'_>) {
        let grad = match grad {
            ParamGrad::Skip => return,
            ParamGrad::Overwrite(grad) => {
                grad.fill(0.0);
                grad
            }
            ParamGrad::Accumulate(grad) => grad,
        };
        assert_eq!(grad.len(), self.params.len(), "parameter gradient size");
        for shard in shards {
            grad.iter_mut().zip(&shard.grad).for_each(|(g, s)| *g += s);
        }
    }
}
