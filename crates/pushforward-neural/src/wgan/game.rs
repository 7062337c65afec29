//! One critic step and one generator step of the WGAN game, on borrowed
//! parameters of the two networks.
//!
//! ```text
//! critic step, rows [x_1 … x_B ; G(z_1) … G(z_B)] in one pass:
//!   g_r = ∇ₓD(row_r)                                  (input_gradient)
//!   R1 = mean_{r ≤ B} ‖g_r‖²,  R2 = mean_{r > B} ‖g_r‖²,  L_D = mean D(x) − mean D(G(z)) + λ(R1 + R2)
//!   λ(R1 + R2) = Σ_r w ½‖g_r‖² with w = 2λ/B, so u_r = w g_r
//!   ∂L_D/∂ϑ = ∇ϑ [Σ_r ⟨u_r, ∇ₓD(row_r)⟩ + Σ_r c_r D(row_r)],  c = +1/B (data), −1/B (generated)
//!                                                      (penalty_backward, u held fixed)
//! generator step on fresh noise:
//!   L_G = mean D(G(z)),  ∂L_G/∂G(z_r) = ∇ₓD(G(z_r))/B,  then the generator's backward pass
//! ```
//! Data rows are drawn uniformly with replacement; data indices and noise
//! come from one stream in a fixed order, so a seed fixes every batch.

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::WganConfig;
use crate::error::NeuralError;
use crate::mlp::{Architecture, Grads, MlpView, ParamGrad, ParamLayout, Tape};

/// The generator's name in the parameter layout.
pub(super) const GENERATOR: &str = "generator";
/// The critic's name in the parameter layout.
pub(super) const CRITIC: &str = "critic";

/// The critic's loss of one step and its penalty terms (unweighted).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct CriticLoss {
    /// `L_D`, penalty included.
    pub(super) loss: f64,
    /// `mean ‖∇ₓD‖²` on the data rows.
    pub(super) r1: f64,
    /// `mean ‖∇ₓD‖²` on the generated rows.
    pub(super) r2: f64,
}

/// The batches and buffers of a WGAN fit.
pub(super) struct Game<'a> {
    generator: Architecture,
    critic: Architecture,
    data: &'a [f32],
    dim: usize,
    batch: usize,
    noise_dim: usize,
    penalty: f64,
    rng: ChaCha8Rng,
    noise: Vec<f32>,
    rows: Vec<f32>,
    d_input: Vec<f32>,
    d_out: Vec<f32>,
    g_tape: Tape,
    c_tape: Tape,
}

impl<'a> Game<'a> {
    /// The game of the networks of `layout` on `data` (standardised rows of
    /// the generator's output width), with batches of `batch` rows.
    pub(super) fn new(
        layout: &ParamLayout,
        data: &'a [f32],
        batch: usize,
        config: &WganConfig,
    ) -> Result<Game<'a>, NeuralError> {
        let network = |name: &'static str| {
            layout
                .find(name)
                .map(|(arch, _)| arch.clone())
                .ok_or(NeuralError::NeedsAtLeastOne {
                    what: "the game",
                    unit: name,
                })
        };
        let generator = network(GENERATOR)?;
        let shape = generator.shape();
        let (dim, noise_dim) = (shape.output, shape.input);
        Ok(Game {
            critic: network(CRITIC)?,
            generator,
            data,
            dim,
            batch,
            noise_dim,
            penalty: config.penalty,
            rng: stream(config.seed, Purpose::Batches),
            noise: Vec::new(),
            rows: Vec::new(),
            d_input: Vec::new(),
            d_out: Vec::new(),
            g_tape: Tape::default(),
            c_tape: Tape::default(),
        })
    }

    /// A critic step's loss, with `∂L_D/∂ϑ` written into `grad`, for the
    /// generator's parameters `g` and the critic's `c`.
    ///
    /// # Errors
    /// [`NeuralError::ParameterCount`] when `g` or `c` do not fit their networks.
    pub(super) fn critic_step(
        &mut self,
        g: &[f32],
        c: &[f32],
        grad: &mut [f32],
    ) -> Result<CriticLoss, NeuralError> {
        let (b, d) = (self.batch, self.dim);
        self.draw_noise();
        let rows = self.data.len() / d;
        self.rows.clear();
        for _ in 0..b {
            let i = self.rng.random_range(0..rows);
            self.rows.extend_from_slice(&self.data[i * d..(i + 1) * d]);
        }
        let fake = MlpView::new(&self.generator, g)?.forward(&self.noise, b, &mut self.g_tape);
        self.rows.extend_from_slice(fake);
        let critic = MlpView::new(&self.critic, c)?;
        self.d_input.resize(2 * b * d, 0.0);
        let scores = critic.input_gradient(&self.rows, 2 * b, &mut self.c_tape, &mut self.d_input)?;
        let (real, fake) = (mean(&scores[..b]), mean(&scores[b..]));
        let squared = |g: &[f32]| g.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / b as f64;
        let (r1, r2) = (squared(&self.d_input[..b * d]), squared(&self.d_input[b * d..]));
        let w = (2.0 * self.penalty / b as f64) as f32;
        self.d_input.iter_mut().for_each(|v| *v *= w);
        let step = 1.0 / b as f32;
        self.d_out.clear();
        self.d_out.resize(b, step);
        self.d_out.resize(2 * b, -step);
        critic.penalty_backward(
            &mut self.c_tape,
            &self.d_input,
            Some(&self.d_out),
            ParamGrad::Overwrite(grad),
        )?;
        Ok(CriticLoss {
            loss: real - fake + self.penalty * (r1 + r2),
            r1,
            r2,
        })
    }

    /// A generator step's loss `mean D(G(z))` on fresh noise, with
    /// `∂L_G/∂θ` written into `grad`.
    ///
    /// # Errors
    /// [`NeuralError::ParameterCount`] when `g` or `c` do not fit their networks.
    pub(super) fn generator_step(
        &mut self,
        g: &[f32],
        c: &[f32],
        grad: &mut [f32],
    ) -> Result<f64, NeuralError> {
        let (b, d) = (self.batch, self.dim);
        self.draw_noise();
        let generator = MlpView::new(&self.generator, g)?;
        let fake = generator.forward(&self.noise, b, &mut self.g_tape);
        self.rows.clear();
        self.rows.extend_from_slice(fake);
        self.d_input.resize(b * d, 0.0);
        let critic = MlpView::new(&self.critic, c)?;
        let scores = critic.input_gradient(&self.rows, b, &mut self.c_tape, &mut self.d_input[..b * d])?;
        let loss = mean(scores);
        let step = 1.0 / b as f32;
        self.d_input[..b * d].iter_mut().for_each(|v| *v *= step);
        generator.backward(&mut self.g_tape, &self.d_input[..b * d], Grads::params(grad));
        Ok(loss)
    }

    /// A batch of noise rows.
    fn draw_noise(&mut self) {
        self.noise.clear();
        let n = self.batch * self.noise_dim;
        self.noise
            .extend((0..n).map(|_| self.rng.sample::<f32, _>(StandardNormal)));
    }
}

/// The mean of `values`, in `f64`.
fn mean(values: &[f32]) -> f64 {
    values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64
}
