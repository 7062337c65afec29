//! The discriminator `φ` of a divergence: a perceptron with one output,
//! optionally made `L`-Lipschitz by weight normalisation
//! ([`super::spectral`]), and its gradient-ascent step on the variational
//! objective `H` of a [`Family`] ([`super::family`]).
//!
//! ```text
//! batch [y_1 … y_M ; x_1 … x_N] in one pass:   ∂(−H)/∂φ(y_i) = −1/M,   ∂(−H)/∂φ(x_j) = w_j
//! ∂(−H)/∂θ̃ by the backward pass, then ∂(−H)/∂θ through the normalisation
//! ```
//! A trainer minimises `−H`. Every step runs one power iteration on the
//! current weights first (Miyato et al. 2018); values that rely on the
//! bound (the estimate, particle velocities) converge the iteration first.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::divergence::family::{Family, Objective};
use crate::divergence::spectral::{LipschitzNorm, Normalisation};
use crate::error::NeuralError;
use crate::mlp::{Architecture, Grads, Mlp, MlpShape, MlpView, Tape};
use crate::optim::OptimizerConfig;

/// The discriminator's settings, shared by the estimator and the particle
/// transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticConfig {
    /// The divergence.
    pub family: Family,
    /// The Lipschitz constant `L` of `φ` (`None`: unconstrained).
    pub lipschitz: Option<f64>,
    /// How each layer's norm is measured under a Lipschitz constraint.
    pub normalisation: Normalisation,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Hidden activation (1-Lipschitz under a constraint: ReLU, LeakyReLU, ELU).
    pub activation: Activation,
    /// The optimiser of the ascent steps.
    pub optimizer: OptimizerConfig,
}

impl Default for CriticConfig {
    /// KL, `L = 1`, spectral normalisation, 3×32 ReLU, Adam at `1e-3`
    /// (the published configurations of the particle algorithm).
    fn default() -> Self {
        CriticConfig {
            family: Family::Kl,
            lipschitz: Some(1.0),
            normalisation: Normalisation::Spectral,
            hidden: vec![32, 32, 32],
            activation: Activation::Relu,
            optimizer: OptimizerConfig::Adam {
                lr: 1e-3,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
            },
        }
    }
}

impl CriticConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`NeuralError::OutOfRange`] for `L` or `α` out of range,
    /// [`NeuralError::Lipschitz`] for W1 without a constraint or an
    /// activation that is not 1-Lipschitz under one,
    /// [`NeuralError::BadOptimizer`] for bad optimiser settings.
    pub fn check(&self) -> Result<(), NeuralError> {
        self.family.check()?;
        self.optimizer
            .check()
            .map_err(|reason| NeuralError::BadOptimizer { reason })?;
        match self.lipschitz {
            Some(l) if !(l > 0.0 && l.is_finite()) => Err(NeuralError::OutOfRange {
                setting: "--lipschitz",
                range: "(0, ∞)",
                value: l,
            }),
            Some(_) if matches!(self.activation, Activation::Silu | Activation::Gelu) => {
                Err(NeuralError::Lipschitz {
                    reason: format!(
                        "the {} activation is not 1-Lipschitz, so normalised weights do not bound the network; \
                         use relu, leaky-relu or elu",
                        self.activation.name()
                    ),
                })
            }
            None if self.family == Family::W1 => Err(NeuralError::Lipschitz {
                reason: "W1 is a supremum over Lipschitz functions: give --lipschitz L".to_owned(),
            }),
            _ => Ok(()),
        }
    }
}

/// A discriminator on `d`-dimensional points and its state.
#[derive(Debug)]
pub struct Critic {
    family: Family,
    arch: Architecture,
    raw: Vec<f32>,
    /// The network on the effective parameters.
    net: Mlp,
    norm: Option<LipschitzNorm>,
    tape: Tape,
    batch: Vec<f32>,
    grad_effective: Vec<f32>,
}

impl Critic {
    /// A discriminator of `config` on `d` coordinates, initialised from
    /// `rng` (weights, then the power-iteration vectors, converged).
    ///
    /// # Errors
    /// Those of [`CriticConfig::check`], and [`NeuralError::ZeroWidth`].
    pub fn new(d: usize, config: &CriticConfig, rng: &mut impl Rng) -> Result<Critic, NeuralError> {
        config.check()?;
        let arch = Architecture::new(MlpShape {
            input: d,
            hidden: config.hidden.clone(),
            output: 1,
            activation: config.activation,
        })?;
        let mut raw = vec![0.0; arch.parameter_count()];
        arch.initialise(&mut raw, rng)?;
        let norm = config.lipschitz.map(|l| {
            let mut norm = LipschitzNorm::new(&arch, l, config.normalisation, rng);
            norm.converge(&arch, &raw);
            norm
        });
        let mut critic = Critic {
            family: config.family,
            net: Mlp::from_params(arch.shape().clone(), raw.clone())?,
            arch,
            raw,
            norm,
            tape: Tape::default(),
            batch: Vec::new(),
            grad_effective: Vec::new(),
        };
        critic.refresh();
        Ok(critic)
    }

    /// The divergence family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The trained (raw) parameters.
    pub fn params(&self) -> &[f32] {
        &self.raw
    }

    /// The trained parameters, for an optimiser step.
    pub fn params_mut(&mut self) -> &mut [f32] {
        &mut self.raw
    }

    /// The normalisation state, if the network is constrained.
    pub fn norm(&self) -> Option<&LipschitzNorm> {
        self.norm.as_ref()
    }

    /// The network on its effective (normalised) parameters, as of the
    /// last step or [`Critic::settle`].
    pub fn view(&self) -> MlpView<'_> {
        self.net.view()
    }

    /// `H` on `p` (`m × d`) against `q` (`n × d`) and `∂(−H)/∂θ` into
    /// `grad`, after one power iteration on the current weights.
    pub fn ascent_grad(&mut self, p: &[f32], m: usize, q: &[f32], n: usize, grad: &mut [f32]) -> Objective {
        if let Some(norm) = &mut self.norm {
            norm.iterate(&self.arch, &self.raw);
        }
        self.refresh();
        let objective = self.pass(p, m, q, n);
        let mut d_out = vec![-1.0 / m as f32; m];
        d_out.extend(objective.weights.iter().map(|&w| w as f32));
        self.grad_effective.resize(self.raw.len(), 0.0);
        let view = self.net.view();
        view.backward(&mut self.tape, &d_out, Grads::params(&mut self.grad_effective));
        match &self.norm {
            Some(norm) => norm.backward(&self.arch, &self.raw, &self.grad_effective, grad),
            None => grad.copy_from_slice(&self.grad_effective),
        }
        objective
    }

    /// Converges the power iteration and refreshes the effective weights:
    /// afterwards the network is `L`-Lipschitz to within `1e-6`.
    pub fn settle(&mut self) {
        if let Some(norm) = &mut self.norm {
            norm.converge(&self.arch, &self.raw);
        }
        self.refresh();
    }

    /// `H` on `p` against `q` for the settled network.
    pub fn evaluate(&mut self, p: &[f32], m: usize, q: &[f32], n: usize) -> Objective {
        self.settle();
        self.pass(p, m, q, n)
    }

    /// `∇ₓφ` at the rows of `x` (`rows × d`) into `out`, for the settled
    /// network.
    ///
    /// # Errors
    /// None in practice (the network has one output), kept from
    /// [`MlpView::input_gradient`].
    pub fn input_gradient(&mut self, x: &[f32], rows: usize, out: &mut [f32]) -> Result<(), NeuralError> {
        self.settle();
        let view = self.net.view();
        view.input_gradient(x, rows, &mut self.tape, out)?;
        Ok(())
    }

    /// The effective parameters from the current estimates.
    fn refresh(&mut self) {
        match &self.norm {
            Some(norm) => norm.apply(&self.arch, &self.raw, self.net.params_mut()),
            None => self.net.params_mut().copy_from_slice(&self.raw),
        }
    }

    /// One forward pass over `[p; q]` and the objective of its outputs.
    fn pass(&mut self, p: &[f32], m: usize, q: &[f32], n: usize) -> Objective {
        self.batch.clear();
        self.batch.extend_from_slice(p);
        self.batch.extend_from_slice(q);
        let view = self.net.view();
        let out = view.forward(&self.batch, m + n, &mut self.tape);
        self.family.objective(&out[..m], &out[m..])
    }
}
