//! The monotone flow's integrand, a perceptron `ℝ → ℝ`, evaluated at a
//! chunk of points and differentiated with respect to its parameters, in
//! passes written for that shape (the general passes are in [`crate::mlp`]):
//!
//! ```text
//! z₁ = t w₀ + b₀                 first layer: an outer product (the input is a scalar)
//! z_{l+1} = φ(z_l) W_l + b_l     hidden to hidden: one matrix product over the chunk
//! g = φ(z_L)·w_L + b_L           last layer: a dot product per point
//! backward, from d = ∂L/∂g:      ∂w_L = Σ_p d_p φ(z_L)_p,  ∂b_L = Σ_p d_p,  G = d w_Lᵀ ⊙ φ'(z_L)
//!                                ∂W_l = φ(z_l)ᵀ G,  ∂b_l = 1ᵀ G,  G ← G W_lᵀ ⊙ φ'(z_l)
//!                                ∂w₀ = Σ_p t_p G_p,  ∂b₀ = 1ᵀ G
//! ```
//! The general passes treat both ends as matrix products of one column
//! (each packed by the product kernel) and keep a whole batch's
//! activations; the monotone flow evaluates this network at every
//! quadrature node of every row, so `monotone.rs` runs it on chunks of a
//! few rows whose forward values stay in cache for the backward pass that
//! follows at once. Each thread keeps one chunk's buffers between calls
//! ([`with_workspace`]); every buffer is written before it is read, so a
//! result does not depend on the thread that computed it. The element-wise
//! loops are compiled per instruction set ([`simd_dispatch`]) with explicit
//! fused multiply-adds in a fixed order, so every instruction set gives the
//! same bits.

use std::cell::RefCell;

use pushforward_simd::simd_dispatch;

use crate::gemm::{Op, gemm};
use crate::mlp::{Architecture, LayerSpan};

/// Partial sums per dot product (one AVX-512 register of `f32`).
const LANES: usize = 16;

/// One chunk's forward values and backward adjoints.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Pre-activations of each hidden layer (`points × width`).
    z: Vec<Vec<f32>>,
    /// Activations of each hidden layer.
    a: Vec<Vec<f32>>,
    /// Activation auxiliaries of each hidden layer.
    aux: Vec<Vec<f32>>,
    /// The outputs `g`.
    y: Vec<f32>,
    /// The adjoint `G` of a hidden layer, and of the one below.
    adjoint: Vec<f32>,
    adjoint_next: Vec<f32>,
}

thread_local! {
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::default());
}

/// Runs `f` on this thread's workspace (a fresh one if it is in use).
pub(crate) fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    WORKSPACE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut ws) => f(&mut ws),
        Err(_) => f(&mut Workspace::default()),
    })
}

/// A perceptron of one input and one output on borrowed parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Integrand<'p> {
    arch: &'p Architecture,
    params: &'p [f32],
}

/// `W` and `b` of `layer` in a network's parameters.
fn split<'a>(params: &'a [f32], layer: &LayerSpan) -> (&'a [f32], &'a [f32]) {
    (&params[layer.weights.clone()], &params[layer.bias.clone()])
}

/// `∂W` and `∂b` of `layer` in a network's gradient.
fn split_mut<'a>(grad: &'a mut [f32], layer: &LayerSpan) -> (&'a mut [f32], &'a mut [f32]) {
    grad[layer.weights.start..layer.bias.end].split_at_mut(layer.weights.len())
}

impl<'p> Integrand<'p> {
    /// The network `arch` (one input, one output) on `params`; `None` when
    /// the shape or the parameter count does not fit.
    pub(crate) fn new(arch: &'p Architecture, params: &'p [f32]) -> Option<Integrand<'p>> {
        let shape = arch.shape();
        (shape.input == 1 && shape.output == 1 && arch.check_len(params.len()).is_ok())
            .then_some(Integrand { arch, params })
    }

    /// Number of parameters (the length of a gradient).
    pub(crate) fn len(&self) -> usize {
        self.params.len()
    }

    /// `g(t_p)` for every point of `t`, keeping what [`Integrand::backward`]
    /// needs in `ws`.
    pub(crate) fn forward<'w>(&self, ws: &'w mut Workspace, t: &[f32]) -> &'w [f32] {
        let layers = self.arch.layers();
        let activation = self.arch.shape().activation;
        let hidden = layers.len() - 1;
        let n = t.len();
        ws.y.resize(n, 0.0);
        let (w_last, b_last) = split(self.params, &layers[hidden]);
        if hidden == 0 {
            outer(t, w_last, Some(b_last), &mut ws.y);
            return &ws.y;
        }
        for buffers in [&mut ws.z, &mut ws.a, &mut ws.aux] {
            buffers.resize_with(hidden, Vec::new);
        }
        for (l, layer) in layers[..hidden].iter().enumerate() {
            let (w, b) = split(self.params, layer);
            let len = n * layer.fan_out;
            let z = &mut ws.z[l];
            z.resize(len, 0.0);
            if l == 0 {
                outer(t, w, Some(b), z);
            } else {
                for row in z.chunks_exact_mut(layer.fan_out) {
                    row.copy_from_slice(b);
                }
                gemm(
                    n,
                    layer.fan_in,
                    layer.fan_out,
                    Op::N(&ws.a[l - 1]),
                    Op::N(w),
                    1.0,
                    z,
                );
            }
            ws.a[l].resize(len, 0.0);
            ws.aux[l].resize(len, 0.0);
            activation.forward(&ws.z[l], &mut ws.a[l], &mut ws.aux[l]);
        }
        dots(&ws.a[hidden - 1], w_last, b_last[0], &mut ws.y);
        &ws.y
    }

    /// `∂L/∂θ` written over `grad`, from `d = ∂L/∂g` at the points `t` of
    /// the last [`Integrand::forward`] on `ws`.
    pub(crate) fn backward(&self, ws: &mut Workspace, t: &[f32], d: &[f32], grad: &mut [f32]) {
        let layers = self.arch.layers();
        let activation = self.arch.shape().activation;
        let hidden = layers.len() - 1;
        let (dw, db) = split_mut(grad, &layers[hidden]);
        db[0] = d.iter().sum();
        if hidden == 0 {
            weighted_column_sums(d, t, dw);
            return;
        }
        let (w_last, _) = split(self.params, &layers[hidden]);
        weighted_column_sums(d, &ws.a[hidden - 1], dw);
        ws.adjoint.resize(d.len() * w_last.len(), 0.0);
        outer(d, w_last, None, &mut ws.adjoint);
        for (l, layer) in layers[..hidden].iter().enumerate().rev() {
            activation.backward(&ws.z[l], &ws.a[l], &ws.aux[l], &mut ws.adjoint);
            let (dw, db) = split_mut(grad, layer);
            column_sums(&ws.adjoint, db);
            if l == 0 {
                weighted_column_sums(t, &ws.adjoint, dw);
                break;
            }
            let (w, _) = split(self.params, layer);
            let n = d.len();
            gemm(
                layer.fan_in,
                n,
                layer.fan_out,
                Op::T(&ws.a[l - 1]),
                Op::N(&ws.adjoint),
                0.0,
                dw,
            );
            ws.adjoint_next.resize(n * layer.fan_in, 0.0);
            gemm(
                n,
                layer.fan_out,
                layer.fan_in,
                Op::N(&ws.adjoint),
                Op::T(w),
                0.0,
                &mut ws.adjoint_next,
            );
            std::mem::swap(&mut ws.adjoint, &mut ws.adjoint_next);
        }
    }
}

simd_dispatch! {
    /// `out[p][j] = x_p·w_j + b_j` (`b = 0` when `None`).
    fn outer(x: &[f32], w: &[f32], b: Option<&[f32]>, out: &mut [f32]) -> () => outer_body
}

simd_dispatch! {
    /// `out[j] = Σ_p x_p·m[p][j]`, summed over `p` in order.
    fn weighted_column_sums(x: &[f32], m: &[f32], out: &mut [f32]) -> () => weighted_column_sums_body
}

simd_dispatch! {
    /// `y_p = b + a_p·w` for every row `a_p` of `a`.
    fn dots(a: &[f32], w: &[f32], b: f32, y: &mut [f32]) -> () => dots_body
}

#[inline(always)]
fn outer_body(x: &[f32], w: &[f32], b: Option<&[f32]>, out: &mut [f32]) {
    for (row, &x) in out.chunks_exact_mut(w.len()).zip(x) {
        match b {
            Some(b) => {
                for ((o, &w), &b) in row.iter_mut().zip(w).zip(b) {
                    *o = x.mul_add(w, b);
                }
            }
            None => row.iter_mut().zip(w).for_each(|(o, &w)| *o = x * w),
        }
    }
}

#[inline(always)]
fn weighted_column_sums_body(x: &[f32], m: &[f32], out: &mut [f32]) {
    out.fill(0.0);
    for (row, &x) in m.chunks_exact(out.len()).zip(x) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o = x.mul_add(v, *o);
        }
    }
}

#[inline(always)]
fn dots_body(a: &[f32], w: &[f32], b: f32, y: &mut [f32]) {
    let split = w.len() - w.len() % LANES;
    for (row, y) in a.chunks_exact(w.len()).zip(y) {
        let mut acc = [0.0f32; LANES];
        for (r, w) in row[..split]
            .chunks_exact(LANES)
            .zip(w[..split].chunks_exact(LANES))
        {
            for ((acc, &r), &w) in acc.iter_mut().zip(r).zip(w) {
                *acc = r.mul_add(w, *acc);
            }
        }
        let tail = row[split..]
            .iter()
            .zip(&w[split..])
            .fold(b, |s, (&r, &w)| r.mul_add(w, s));
        *y = acc.iter().fold(tail, |s, &v| s + v);
    }
}

/// `out ← 1ᵀ m`: the sums of the columns of `m` (rows of width `out.len()`).
fn column_sums(m: &[f32], out: &mut [f32]) {
    out.fill(0.0);
    for row in m.chunks_exact(out.len()) {
        out.iter_mut().zip(row).for_each(|(o, v)| *o += v);
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::activation::Activation;
    use crate::mlp::{Grads, MlpShape, MlpView, Tape};

    /// The fused passes give the general perceptron's outputs and parameter
    /// gradient, for no, one and three hidden layers, widths that are not
    /// a multiple of the dot products' lanes, and two activations.
    #[test]
    fn the_fused_passes_match_the_general_perceptron() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let t: Vec<f32> = (0..300).map(|i| (i as f32 * 0.37).sin() * 4.0).collect();
        let d: Vec<f32> = (0..300).map(|i| (i as f32 * 0.91).cos()).collect();
        for (hidden, activation) in [
            (vec![], Activation::Silu),
            (vec![20], Activation::Gelu),
            (vec![16, 37, 8], Activation::Silu),
        ] {
            let shape = MlpShape {
                input: 1,
                hidden,
                output: 1,
                activation,
            };
            let arch = Architecture::new(shape).expect("shape");
            let mut params = vec![0.0; arch.parameter_count()];
            arch.initialise(&mut params, &mut rng).expect("fits");
            let view = MlpView::new(&arch, &params).expect("fits");
            let mut tape = Tape::default();
            let want_y = view.forward(&t, t.len(), &mut tape).to_vec();
            let mut want_grad = vec![0.0; params.len()];
            view.backward(&mut tape, &d, Grads::params(&mut want_grad));

            let net = Integrand::new(&arch, &params).expect("one input and output");
            let mut ws = Workspace::default();
            let y = net.forward(&mut ws, &t).to_vec();
            let mut grad = vec![0.0; params.len()];
            net.backward(&mut ws, &t, &d, &mut grad);
            let scale = want_grad.iter().fold(0.0f32, |m, g| m.max(g.abs()));
            for (a, b) in y.iter().zip(&want_y) {
                assert!((a - b).abs() < 1e-5 * (1.0 + b.abs()), "output {a} vs {b}");
            }
            for (a, b) in grad.iter().zip(&want_grad) {
                assert!((a - b).abs() < 1e-4 * scale, "gradient {a} vs {b}");
            }
        }
    }
}
