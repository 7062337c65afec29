//! One shard's share of every pass: the forward pass, the backward pass
//! with its optional input and parameter gradients, the tangent pass, and
//! the backward pass that carries tangents (the formulas are in
//! [`crate::mlp`]). Each shard keeps its buffers between calls, so a pass
//! allocates only while a batch grows.

use crate::activation::{Activation, Cache};
use crate::gemm::{Op, gemm};
use crate::mlp::MlpView;
use crate::mlp::architecture::LayerSpan;

/// One shard's activations, pre-activations, auxiliaries, tangents and
/// gradients.
#[derive(Debug, Default)]
pub(super) struct Shard {
    pub(super) rows: usize,
    /// `acts[l]` is layer `l`'s input; the last entry is the output.
    acts: Vec<Vec<f32>>,
    /// Pre-activations of the hidden layers.
    zs: Vec<Vec<f32>>,
    /// Activation auxiliaries of the hidden layers.
    aux: Vec<Vec<f32>>,
    /// Tangents `ȧ_l` of the layer inputs; the last entry is `ẏ`.
    dacts: Vec<Vec<f32>>,
    /// Tangents `ż_l` of the hidden pre-activations.
    dzs: Vec<Vec<f32>>,
    /// This shard's parameter gradient.
    pub(super) grad: Vec<f32>,
    /// Backpropagated adjoints (`p` of the values, `q` of the tangents) and
    /// their next values.
    p: Vec<f32>,
    p_next: Vec<f32>,
    q: Vec<f32>,
    q_next: Vec<f32>,
}

fn weights<'p>(layer: &LayerSpan, params: &'p [f32]) -> &'p [f32] {
    &params[layer.weights.clone()]
}

impl Shard {
    pub(super) fn output(&self) -> &[f32] {
        self.acts.last().map_or(&[], Vec::as_slice)
    }

    pub(super) fn tangent_output(&self) -> &[f32] {
        self.dacts.last().map_or(&[], Vec::as_slice)
    }

    pub(super) fn forward(&mut self, net: &MlpView<'_>, x: &[f32], rows: usize) {
        let layers = net.arch.layers();
        let n_layers = layers.len();
        self.rows = rows;
        self.acts.resize_with(n_layers + 1, Vec::new);
        self.zs.resize_with(n_layers - 1, Vec::new);
        self.aux.resize_with(n_layers - 1, Vec::new);
        self.acts[0].clear();
        self.acts[0].extend_from_slice(x);
        for (l, layer) in layers.iter().enumerate() {
            let (before, after) = self.acts.split_at_mut(l + 1);
            let n = rows * layer.fan_out;
            let hidden = l + 1 < n_layers;
            let z = if hidden { &mut self.zs[l] } else { &mut after[0] };
            z.resize(n, 0.0);
            for row in z.chunks_exact_mut(layer.fan_out) {
                row.copy_from_slice(&net.params[layer.bias.clone()]);
            }
            let w = weights(layer, net.params);
            gemm(
                rows,
                layer.fan_in,
                layer.fan_out,
                Op::N(&before[l]),
                Op::N(w),
                1.0,
                z,
            );
            if hidden {
                after[0].resize(n, 0.0);
                self.aux[l].resize(n, 0.0);
                net.activation()
                    .forward(&self.zs[l], &mut after[0], &mut self.aux[l]);
            }
        }
    }

    /// `∂L/∂θ` into `self.grad` when `params`, `∂L/∂x` into `d_input` when
    /// given, from `∂L/∂y`, after [`Shard::forward`].
    pub(super) fn backward(
        &mut self,
        net: &MlpView<'_>,
        d_out: &[f32],
        params: bool,
        mut d_input: Option<&mut [f32]>,
    ) {
        let rows = self.rows;
        let layers = net.arch.layers();
        if params {
            self.grad.resize(net.params.len(), 0.0);
        }
        self.p.clear();
        self.p.extend_from_slice(d_out);
        for (l, layer) in layers.iter().enumerate().rev() {
            if l + 1 < layers.len() {
                let (z, a, aux) = (&self.zs[l], &self.acts[l + 1], &self.aux[l]);
                net.activation().backward(z, a, aux, &mut self.p);
            }
            if params {
                let (dw, db) = layer_grad(&mut self.grad, layer);
                gemm(
                    layer.fan_in,
                    rows,
                    layer.fan_out,
                    Op::T(&self.acts[l]),
                    Op::N(&self.p),
                    0.0,
                    dw,
                );
                column_sums(&self.p, db);
            }
            let w = weights(layer, net.params);
            let target = match (l, d_input.as_deref_mut()) {
                (0, Some(d_input)) => d_input,
                (0, None) => break,
                _ => {
                    self.p_next.resize(rows * layer.fan_in, 0.0);
                    &mut self.p_next
                }
            };
            gemm(
                rows,
                layer.fan_out,
                layer.fan_in,
                Op::N(&self.p),
                Op::T(w),
                0.0,
                target,
            );
            std::mem::swap(&mut self.p, &mut self.p_next);
        }
    }

    /// `ȧ_l` and `ż_l` for `k` tangents per row (`t`, `rows·k × input`),
    /// after [`Shard::forward`].
    pub(super) fn tangents(&mut self, net: &MlpView<'_>, t: &[f32], k: usize) {
        let layers = net.arch.layers();
        self.dacts.resize_with(layers.len() + 1, Vec::new);
        self.dzs.resize_with(layers.len() - 1, Vec::new);
        self.dacts[0].clear();
        self.dacts[0].extend_from_slice(t);
        for (l, layer) in layers.iter().enumerate() {
            let (before, after) = self.dacts.split_at_mut(l + 1);
            let n = self.rows * k * layer.fan_out;
            let hidden = l + 1 < layers.len();
            let dz = if hidden { &mut self.dzs[l] } else { &mut after[0] };
            dz.resize(n, 0.0);
            let w = weights(layer, net.params);
            gemm(
                self.rows * k,
                layer.fan_in,
                layer.fan_out,
                Op::N(&before[l]),
                Op::N(w),
                0.0,
                dz,
            );
            if hidden {
                let da = &mut after[0];
                da.clear();
                da.extend_from_slice(&self.dzs[l]);
                let (z, a, aux) = (&self.zs[l], &self.acts[l + 1], &self.aux[l]);
                let width = layer.fan_out;
                for (r, block) in da.chunks_exact_mut(k * width).enumerate() {
                    let span = r * width..(r + 1) * width;
                    for row in block.chunks_exact_mut(width) {
                        net.activation().backward(
                            &z[span.clone()],
                            &a[span.clone()],
                            &aux[span.clone()],
                            row,
                        );
                    }
                }
            }
        }
    }

    /// Writes `∇θ Σᵣ ẏᵣ + ∇θ Σ d_out ⊙ y` into `self.grad`, where
    /// `ẏ` is the tangent of the scalar output along one tangent per row,
    /// after [`Shard::forward`] and [`Shard::tangents`] with `k = 1`.
    pub(super) fn backward_second(&mut self, net: &MlpView<'_>, d_out: Option<&[f32]>) {
        let rows = self.rows;
        let layers = net.arch.layers();
        self.grad.resize(net.params.len(), 0.0);
        self.q.clear();
        self.q.resize(rows, 1.0);
        self.p.clear();
        match d_out {
            Some(d) => self.p.extend_from_slice(d),
            None => self.p.resize(rows, 0.0),
        }
        for (l, layer) in layers.iter().enumerate().rev() {
            let (dw, db) = layer_grad(&mut self.grad, layer);
            let (fan_in, fan_out) = (layer.fan_in, layer.fan_out);
            gemm(
                fan_in,
                rows,
                fan_out,
                Op::T(&self.acts[l]),
                Op::N(&self.p),
                0.0,
                dw,
            );
            gemm(
                fan_in,
                rows,
                fan_out,
                Op::T(&self.dacts[l]),
                Op::N(&self.q),
                1.0,
                dw,
            );
            column_sums(&self.p, db);
            if l == 0 {
                break;
            }
            let w = weights(layer, net.params);
            self.p_next.resize(rows * fan_in, 0.0);
            self.q_next.resize(rows * fan_in, 0.0);
            gemm(
                rows,
                fan_out,
                fan_in,
                Op::N(&self.p),
                Op::T(w),
                0.0,
                &mut self.p_next,
            );
            gemm(
                rows,
                fan_out,
                fan_in,
                Op::N(&self.q),
                Op::T(w),
                0.0,
                &mut self.q_next,
            );
            std::mem::swap(&mut self.p, &mut self.p_next);
            std::mem::swap(&mut self.q, &mut self.q_next);
            let cache = Cache {
                z: &self.zs[l - 1],
                a: &self.acts[l],
                aux: &self.aux[l - 1],
            };
            net.activation()
                .backward_second(cache, &self.dzs[l - 1], &mut self.p, &mut self.q);
        }
    }
}

/// The `∂W` and `∂b` of `layer` in a network's gradient.
fn layer_grad<'g>(grad: &'g mut [f32], layer: &LayerSpan) -> (&'g mut [f32], &'g mut [f32]) {
    grad[layer.weights.start..layer.bias.end].split_at_mut(layer.weights.len())
}

/// `out ← 1ᵀ g`: the sums of the columns of `g` (rows of width `out.len()`).
fn column_sums(g: &[f32], out: &mut [f32]) {
    out.fill(0.0);
    for row in g.chunks_exact(out.len()) {
        out.iter_mut().zip(row).for_each(|(d, g)| *d += g);
    }
}

impl MlpView<'_> {
    fn activation(&self) -> Activation {
        self.arch.shape().activation
    }
}
