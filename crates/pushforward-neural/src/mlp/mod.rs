//! The multilayer perceptron every model here is built from, with its
//! reverse-mode (backward), forward-mode (tangent) and second-order
//! (gradient-penalty) derivatives written out by hand.
//!
//! ```text
//! a₀ = x,   z_l = a_l W_l + b_l,   a_{l+1} = φ(z_l)  (hidden layers),   y = z_L  (linear output)
//! backward, from g = ∂L/∂y:   g ← g ⊙ φ'(z_l) (hidden),  ∂L/∂W_l = a_lᵀ g,  ∂L/∂b_l = 1ᵀ g,  g ← g W_lᵀ
//!                             (the last g W₀ᵀ is ∂L/∂x)
//! tangent, from ȧ₀ = ẋ:      ż_l = ȧ_l W_l,  ȧ_{l+1} = φ'(z_l) ⊙ ż_l,  ẏ = ż_L = J ẋ
//! second order, adjoints p of (z, a) and q of (ż, ȧ), from p = ∂L/∂y, q = ∂L/∂ẏ:
//!     ∂L/∂W_l = a_lᵀ p + ȧ_lᵀ q,   ∂L/∂b_l = 1ᵀ p,   p ← p W_lᵀ,   q ← q W_lᵀ,
//!     then through φ:   p ← p ⊙ φ'(z) + q ⊙ φ''(z) ⊙ ż,   q ← q ⊙ φ'(z)
//! ```
//! The second-order pass is Pearlmutter's (1994) R-operator run backwards:
//! with `ẋ = u` and `q = 1` at a scalar output it gives `∇θ ⟨u, ∇ₓD⟩`,
//! the gradient of a gradient penalty ([`MlpView::penalty_backward`]).
//!
//! Weights are stored input-major (`W_l` is `in × out`, row-major) in one
//! flat parameter vector ([`Architecture`] says where each layer lives;
//! [`ParamLayout`] puts several networks in one vector). The passes run on
//! borrowed parameters ([`MlpView`]); [`Mlp`] owns its parameters and lends
//! them to a view. Initialisation is PyTorch's `nn.Linear` default: every
//! weight and bias uniform on `±1/√fan_in`.
//!
//! **Parallelism and determinism.** A batch is cut into shards of
//! [`SHARD_ROWS`] rows that run on rayon's pool, each with its own buffers;
//! the shards' gradients are then summed in shard order. The cut does not
//! depend on the number of threads, so one seed gives the same bytes on one
//! core or many (on one machine: the product kernels are chosen at run time
//! by CPU features). This is the one synchronisation per pass; a
//! framework's per-operation dispatch is what makes small networks slow.

mod architecture;
mod second_order;
mod shard;
mod view;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::NeuralError;

pub use architecture::{Architecture, LayerSpan, ParamLayout};
pub use view::{Grads, MlpView, ParamGrad, Tape};

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
    pub(crate) fn widths(&self) -> Vec<usize> {
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
}

/// A perceptron that owns its parameters.
#[derive(Debug, Clone)]
pub struct Mlp {
    arch: Architecture,
    params: Vec<f32>,
}

impl Mlp {
    /// A perceptron with PyTorch's default initialisation drawn from `rng`.
    ///
    /// # Errors
    /// [`NeuralError::ZeroWidth`] for a layer of width zero.
    pub fn new(shape: MlpShape, rng: &mut impl Rng) -> Result<Mlp, NeuralError> {
        let arch = Architecture::new(shape)?;
        let mut params = vec![0.0; arch.parameter_count()];
        arch.initialise(&mut params, rng)?;
        Ok(Mlp { arch, params })
    }

    /// A perceptron with the given parameters (as returned by [`Mlp::params`]).
    ///
    /// # Errors
    /// [`NeuralError::ZeroWidth`] for a layer of width zero or
    /// [`NeuralError::ParameterCount`] for a parameter count that does not fit the shape.
    pub fn from_params(shape: MlpShape, params: Vec<f32>) -> Result<Mlp, NeuralError> {
        let arch = Architecture::new(shape)?;
        arch.check_len(params.len())?;
        Ok(Mlp { arch, params })
    }

    /// The shape.
    pub fn shape(&self) -> &MlpShape {
        self.arch.shape()
    }

    /// Where each layer lives in [`Mlp::params`].
    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    /// All weights and biases, layer by layer (`W` input-major, then `b`).
    pub fn params(&self) -> &[f32] {
        &self.params
    }

    /// The parameters, for an optimiser step.
    pub fn params_mut(&mut self) -> &mut [f32] {
        &mut self.params
    }

    /// The network on its own parameters, for every pass.
    pub fn view(&self) -> MlpView<'_> {
        MlpView {
            arch: &self.arch,
            params: &self.params,
        }
    }
}

#[cfg(test)]
mod tests;
