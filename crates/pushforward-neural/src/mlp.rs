//! The multilayer perceptron every model here is built from, with its
//! reverse-mode (backward) and forward-mode (tangent) derivatives written
//! out by hand.
//!
//! ```text
//! a₀ = x,   z_l = a_l W_l + b_l,   a_{l+1} = φ(z_l)  (hidden layers),   y = z_L  (linear output)
//! backward, from g = ∂L/∂y:   g ← g ⊙ φ'(z_l) (hidden),  ∂L/∂W_l = a_lᵀ g,  ∂L/∂b_l = 1ᵀ g,  g ← g W_lᵀ
//! tangent, from ȧ₀ = ẋ:      ż_l = ȧ_l W_l,  ȧ_{l+1} = φ'(z_l) ⊙ ż_l
//! ```
//! Weights are stored input-major (`W_l` is `in × out`, row-major) in one
//! flat parameter vector, so the optimiser and the model file see a single
//! slice. Initialisation is PyTorch's `nn.Linear` default: every weight and
//! bias uniform on `±1/√fan_in`.
//!
//! **Parallelism and determinism.** A batch is cut into shards of
//! [`SHARD_ROWS`] rows that run on rayon's pool, each with its own buffers;
//! the shards' gradients are then summed in shard order. The cut does not
//! depend on the number of threads, so one seed gives the same bytes on one
//! core or many (on one machine: the product kernels are chosen at run time
//! by CPU features). This is the one synchronisation per pass; a
//! framework's per-operation dispatch is what makes small networks slow.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::NeuralError;
use crate::gemm::{Op, gemm};

/// Rows per shard of a batch: two shards for the usual batch of 256.
pub const SHARD_ROWS: usize = 128;

/// Widths and activation of a perceptron.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpShape {
    /// Input features.
    pub input: usize,
    /// Hidden layer widths, first to last (may be empty: a linear map).
    pub hidden: Vec<usize>,
    /// Outputs.
    pub output: usize,
    /// Non-linearity after every hidden layer.
    pub activation: Activation,
}

impl MlpShape {
    /// `[input, hidden…, output]`.
    fn widths(&self) -> Vec<usize> {
        let mut w = Vec::with_capacity(self.hidden.len() + 2);
        w.push(self.input);
        w.extend(&self.hidden);
        w.push(self.output);
        w
    }

    /// Number of weights and biases.
    ///
    /// ```
    /// use pushforward_neural::{Activation, MlpShape};
    /// let s = MlpShape { input: 3, hidden: vec![128, 128, 128], output: 2, activation: Activation::Silu };
    /// assert_eq!(s.parameter_count(), 3 * 128 + 128 + 2 * (128 * 128 + 128) + 128 * 2 + 2);
    /// ```
    pub fn parameter_count(&self) -> usize {
        self.widths().windows(2).map(|w| w[0] * w[1] + w[1]).sum()
    }

    fn check(&self) -> Result<(), NeuralError> {
        if self.widths().contains(&0) {
            return Err(NeuralError::BadConfig(format!(
                "every layer needs at least one unit, got widths {:?}",
                self.widths()
            )));
        }
        Ok(())
    }
}

/// Where one layer's weights and bias live in the parameter vector.
#[derive(Debug, Clone, Copy)]
struct Layer {
    fan_in: usize,
    fan_out: usize,
    /// Offset of `W` (`fan_in × fan_out`); the bias follows it.
    offset: usize,
}

impl Layer {
    fn w<'a>(&self, p: &'a [f32]) -> &'a [f32] {
        &p[self.offset..self.offset + self.fan_in * self.fan_out]
    }

    fn b<'a>(&self, p: &'a [f32]) -> &'a [f32] {
        let start = self.offset + self.fan_in * self.fan_out;
        &p[start..start + self.fan_out]
    }
}

/// A perceptron: its shape and its parameters.
#[derive(Debug, Clone)]
pub struct Mlp {
    shape: MlpShape,
    layers: Vec<Layer>,
    params: Vec<f32>,
}

impl Mlp {
    /// A perceptron with PyTorch's default initialisation drawn from `rng`.
    ///
    /// # Errors
    /// [`NeuralError::BadConfig`] for a layer of width zero.
    pub fn new(shape: MlpShape, rng: &mut impl Rng) -> Result<Mlp, NeuralError> {
        let count = shape.parameter_count();
        let mut mlp = Mlp::from_params(shape, vec![0.0; count])?;
        for layer in &mlp.layers {
            let bound = 1.0 / (layer.fan_in as f32).sqrt();
            let end = layer.offset + layer.fan_in * layer.fan_out + layer.fan_out;
            for p in &mut mlp.params[layer.offset..end] {
                *p = rng.random_range(-bound..bound);
            }
        }
        Ok(mlp)
    }

    /// A perceptron with the given parameters (as returned by [`Mlp::params`]).
    ///
    /// # Errors
    /// [`NeuralError::BadConfig`] for a layer of width zero or a parameter
    /// count that does not fit the shape.
    pub fn from_params(shape: MlpShape, params: Vec<f32>) -> Result<Mlp, NeuralError> {
        shape.check()?;
        if params.len() != shape.parameter_count() {
            return Err(NeuralError::BadConfig(format!(
                "{} parameters for a perceptron of widths {:?}, which has {}",
                params.len(),
                shape.widths(),
                shape.parameter_count()
            )));
        }
        let mut offset = 0;
        let layers = shape
            .widths()
            .windows(2)
            .map(|w| {
                let layer = Layer {
                    fan_in: w[0],
                    fan_out: w[1],
                    offset,
                };
                offset += w[0] * w[1] + w[1];
                layer
            })
            .collect();
        Ok(Mlp {
            shape,
            layers,
            params,
        })
    }

    /// The shape.
    pub fn shape(&self) -> &MlpShape {
        &self.shape
    }

    /// All weights and biases, layer by layer (`W` input-major, then `b`).
    pub fn params(&self) -> &[f32] {
        &self.params
    }

    /// The parameters, for an optimiser step.
    pub fn params_mut(&mut self) -> &mut [f32] {
        &mut self.params
    }

    /// The outputs (`rows × output`) for the inputs `x` (`rows × input`),
    /// kept in `tape` for [`Mlp::backward`]; `tape` also serves as scratch
    /// space for plain inference.
    pub fn forward<'t>(&self, x: &[f32], rows: usize, tape: &'t mut Tape) -> &'t [f32] {
        assert_eq!(x.len(), rows * self.shape.input, "forward input size");
        let out_dim = self.shape.output;
        tape.rows = rows;
        tape.output.resize(rows * out_dim, 0.0);
        let shards = rows.div_ceil(SHARD_ROWS);
        tape.shards.resize_with(shards, Shard::default);
        let input = self.shape.input;
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

    /// `∂L/∂θ` written into `grad` (one entry per parameter), given
    /// `∂L/∂y` (`rows × output`) for the outputs of the last
    /// [`Mlp::forward`] on `tape`.
    pub fn backward(&self, tape: &mut Tape, d_out: &[f32], grad: &mut [f32]) {
        let out_dim = self.shape.output;
        assert_eq!(d_out.len(), tape.rows * out_dim, "backward output gradient size");
        assert_eq!(grad.len(), self.params.len(), "backward gradient size");
        tape.shards
            .par_iter_mut()
            .zip(d_out.par_chunks(SHARD_ROWS * out_dim))
            .for_each(|(shard, g)| shard.backward(self, g));
        grad.copy_from_slice(&tape.shards[0].grad);
        for shard in &tape.shards[1..] {
            grad.iter_mut().zip(&shard.grad).for_each(|(g, s)| *g += s);
        }
    }

    /// The outputs and their directional derivatives: for each row `r` and
    /// each of its `k` tangents `ẋ` (rows `r·k..(r+1)·k` of `tangents`,
    /// each of width `input`), `J(x_r)·ẋ`, returned as `rows·k × output`.
    pub fn forward_tangents(
        &self,
        x: &[f32],
        rows: usize,
        tangents: &[f32],
        k: usize,
    ) -> (Vec<f32>, Vec<f32>) {
        let (input, output) = (self.shape.input, self.shape.output);
        assert_eq!(tangents.len(), rows * k * input, "tangent input size");
        let mut tape = Tape::default();
        let y = self.forward(x, rows, &mut tape).to_vec();
        let mut dy = vec![0.0f32; rows * k * output];
        tape.shards
            .par_iter()
            .zip(tangents.par_chunks(SHARD_ROWS * k * input))
            .zip(dy.par_chunks_mut(SHARD_ROWS * k * output))
            .for_each(|((shard, t), dy)| dy.copy_from_slice(&shard.tangents(self, t, k)));
        (y, dy)
    }
}

/// What a forward pass keeps for the backward pass, shard by shard, and the
/// gathered outputs. Reuse one tape across steps to avoid reallocation.
#[derive(Debug, Default)]
pub struct Tape {
    rows: usize,
    shards: Vec<Shard>,
    output: Vec<f32>,
}

/// One shard's activations, pre-activations, auxiliaries and gradient.
#[derive(Debug, Default)]
struct Shard {
    rows: usize,
    /// `acts[l]` is layer `l`'s input; the last entry is the output.
    acts: Vec<Vec<f32>>,
    /// Pre-activations of the hidden layers.
    zs: Vec<Vec<f32>>,
    /// Activation auxiliaries of the hidden layers.
    aux: Vec<Vec<f32>>,
    /// This shard's parameter gradient.
    grad: Vec<f32>,
    /// Backpropagated gradient and its next value.
    g: Vec<f32>,
    g_next: Vec<f32>,
}

impl Shard {
    fn output(&self) -> &[f32] {
        self.acts.last().map_or(&[], Vec::as_slice)
    }

    fn forward(&mut self, mlp: &Mlp, x: &[f32], rows: usize) {
        let n_layers = mlp.layers.len();
        self.rows = rows;
        self.acts.resize_with(n_layers + 1, Vec::new);
        self.zs.resize_with(n_layers - 1, Vec::new);
        self.aux.resize_with(n_layers - 1, Vec::new);
        self.acts[0].clear();
        self.acts[0].extend_from_slice(x);
        for (l, layer) in mlp.layers.iter().enumerate() {
            let (before, after) = self.acts.split_at_mut(l + 1);
            let a_in = &before[l];
            let n = rows * layer.fan_out;
            let hidden = l + 1 < n_layers;
            let z = if hidden { &mut self.zs[l] } else { &mut after[0] };
            z.resize(n, 0.0);
            for row in z.chunks_exact_mut(layer.fan_out) {
                row.copy_from_slice(layer.b(&mlp.params));
            }
            gemm(
                rows,
                layer.fan_in,
                layer.fan_out,
                Op::N(a_in),
                Op::N(layer.w(&mlp.params)),
                1.0,
                z,
            );
            if hidden {
                after[0].resize(n, 0.0);
                self.aux[l].resize(n, 0.0);
                mlp.shape
                    .activation
                    .forward(&self.zs[l], &mut after[0], &mut self.aux[l]);
            }
        }
    }

    fn backward(&mut self, mlp: &Mlp, d_out: &[f32]) {
        let rows = self.rows;
        self.grad.resize(mlp.params.len(), 0.0);
        self.g.clear();
        self.g.extend_from_slice(d_out);
        for (l, layer) in mlp.layers.iter().enumerate().rev() {
            if l + 1 < mlp.layers.len() {
                let act = &self.acts[l + 1];
                mlp.shape
                    .activation
                    .backward(&self.zs[l], act, &self.aux[l], &mut self.g);
            }
            let (w_len, b_len) = (layer.fan_in * layer.fan_out, layer.fan_out);
            let (dw, rest) = self.grad[layer.offset..].split_at_mut(w_len);
            gemm(
                layer.fan_in,
                rows,
                layer.fan_out,
                Op::T(&self.acts[l]),
                Op::N(&self.g),
                0.0,
                dw,
            );
            let db = &mut rest[..b_len];
            db.fill(0.0);
            for row in self.g.chunks_exact(layer.fan_out) {
                db.iter_mut().zip(row).for_each(|(d, g)| *d += g);
            }
            if l > 0 {
                self.g_next.resize(rows * layer.fan_in, 0.0);
                let w = layer.w(&mlp.params);
                gemm(
                    rows,
                    layer.fan_out,
                    layer.fan_in,
                    Op::N(&self.g),
                    Op::T(w),
                    0.0,
                    &mut self.g_next,
                );
                std::mem::swap(&mut self.g, &mut self.g_next);
            }
        }
    }

    /// `J·ẋ` for `k` tangents per row, after [`Shard::forward`].
    fn tangents(&self, mlp: &Mlp, t: &[f32], k: usize) -> Vec<f32> {
        let mut dot = t.to_vec();
        for (l, layer) in mlp.layers.iter().enumerate() {
            let mut next = vec![0.0f32; self.rows * k * layer.fan_out];
            gemm(
                self.rows * k,
                layer.fan_in,
                layer.fan_out,
                Op::N(&dot),
                Op::N(layer.w(&mlp.params)),
                0.0,
                &mut next,
            );
            if l + 1 < mlp.layers.len() {
                let (z, a, aux) = (&self.zs[l], &self.acts[l + 1], &self.aux[l]);
                for (r, block) in next.chunks_exact_mut(k * layer.fan_out).enumerate() {
                    let span = r * layer.fan_out..(r + 1) * layer.fan_out;
                    let d: Vec<f32> = span
                        .clone()
                        .map(|i| mlp.shape.activation.derivative(z[i], a[i], aux[i]))
                        .collect();
                    for row in block.chunks_exact_mut(layer.fan_out) {
                        row.iter_mut().zip(&d).for_each(|(v, d)| *v *= d);
                    }
                }
            }
            dot = next;
        }
        dot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn net(activation: Activation, seed: u64) -> Mlp {
        let shape = MlpShape {
            input: 3,
            hidden: vec![7, 5],
            output: 2,
            activation,
        };
        Mlp::new(shape, &mut ChaCha8Rng::seed_from_u64(seed)).expect("valid shape")
    }

    fn inputs(rows: usize, width: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..rows * width).map(|_| rng.random_range(-2.0..2.0)).collect()
    }

    /// `L = Σ c ⊙ y` for fixed weights `c`, so `∂L/∂y = c`.
    fn loss(mlp: &Mlp, x: &[f32], rows: usize, c: &[f32]) -> f64 {
        let mut tape = Tape::default();
        let y = mlp.forward(x, rows, &mut tape);
        y.iter().zip(c).map(|(&y, &c)| y as f64 * c as f64).sum()
    }

    /// Reverse-mode gradients against central differences, over three
    /// shards (rows not a multiple of the shard size), for the smooth
    /// activations (a difference across a ReLU kink is not a derivative;
    /// the hand case below covers ReLU).
    #[test]
    fn backward_matches_finite_differences() {
        let rows = 2 * SHARD_ROWS + 9;
        for act in [Activation::Silu, Activation::Gelu, Activation::Elu] {
            let mut mlp = net(act, 3);
            let x = inputs(rows, 3, 4);
            let c = inputs(rows, 2, 5);
            let mut tape = Tape::default();
            mlp.forward(&x, rows, &mut tape);
            let mut grad = vec![0.0; mlp.params.len()];
            mlp.backward(&mut tape, &c, &mut grad);
            for i in (0..grad.len()).step_by(5) {
                let h = 1e-2f32;
                let keep = mlp.params[i];
                mlp.params[i] = keep + h;
                let up = loss(&mlp, &x, rows, &c);
                mlp.params[i] = keep - h;
                let down = loss(&mlp, &x, rows, &c);
                mlp.params[i] = keep;
                let fd = (up - down) / (2.0 * h as f64);
                let tol = 2e-2 * (1.0 + fd.abs());
                assert!(
                    (grad[i] as f64 - fd).abs() < tol,
                    "{act:?} parameter {i}: {} vs {fd}",
                    grad[i]
                );
            }
        }
    }

    /// Forward-mode tangents against central differences of the outputs.
    #[test]
    fn tangents_match_finite_differences() {
        let mlp = net(Activation::Silu, 6);
        let rows = 5;
        let x = inputs(rows, 3, 7);
        let basis: Vec<f32> = (0..rows).flat_map(|_| [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]).collect();
        let (_, jv) = mlp.forward_tangents(&x, rows, &basis, 2);
        let h = 1e-2f32;
        for r in 0..rows {
            for j in 0..2 {
                let (mut up, mut down) = (x.clone(), x.clone());
                up[r * 3 + j] += h;
                down[r * 3 + j] -= h;
                let mut tape = Tape::default();
                let yu = mlp.forward(&up, rows, &mut tape).to_vec();
                let yd = mlp.forward(&down, rows, &mut tape).to_vec();
                for o in 0..2 {
                    let fd = (yu[r * 2 + o] - yd[r * 2 + o]) / (2.0 * h);
                    let got = jv[(r * 2 + j) * 2 + o];
                    assert!((got - fd).abs() < 1e-3, "row {r} dir {j} out {o}: {got} vs {fd}");
                }
            }
        }
    }

    /// One hidden ReLU unit worked by hand.
    #[test]
    fn a_tiny_network_by_hand() {
        let shape = MlpShape {
            input: 2,
            hidden: vec![1],
            output: 1,
            activation: Activation::Relu,
        };
        // W0 = [1, −2]ᵀ, b0 = 0.5, W1 = [3], b1 = −1.
        let mlp = Mlp::from_params(shape, vec![1.0, -2.0, 0.5, 3.0, -1.0]).expect("sizes fit");
        let mut tape = Tape::default();
        // Row 1: z = 1 − 0 + 0.5 = 1.5 → y = 3.5; row 2: z = 0 − 2 + 0.5 < 0 → y = −1.
        assert_eq!(mlp.forward(&[1.0, 0.0, 0.0, 1.0], 2, &mut tape), &[3.5, -1.0]);
        let mut grad = vec![0.0; 5];
        mlp.backward(&mut tape, &[1.0, 1.0], &mut grad);
        // Only row 1 passes the ReLU: ∂W0 = 3·x₁ = [3, 0], ∂b0 = 3, ∂W1 = 1.5, ∂b1 = 2.
        assert_eq!(grad, vec![3.0, 0.0, 3.0, 1.5, 2.0]);
    }

    #[test]
    fn a_parameter_count_that_does_not_fit_is_refused() {
        let shape = MlpShape {
            input: 2,
            hidden: vec![3],
            output: 1,
            activation: Activation::Relu,
        };
        assert!(Mlp::from_params(shape.clone(), vec![0.0; 4]).is_err());
        assert!(
            Mlp::from_params(
                MlpShape {
                    hidden: vec![0],
                    ..shape
                },
                vec![]
            )
            .is_err()
        );
    }
}
