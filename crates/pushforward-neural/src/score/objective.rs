//! One minibatch of multi-level denoising score matching.
//!
//! Each step draws `B` data rows (uniformly with replacement), noise
//! `z ~ N(0, I_d)` per row and a log-level `τ ~ U[0, 1)` per row, all from
//! one seeded ChaCha8 stream, and regresses the network on the noise:
//!
//! ```text
//! σ = σ(τ),   c = 1/√(1 + σ²),   x̃ = x + σz,   F = F_θ([c·x̃, e(τ)])
//! r = c·F − σc²·x̃ + z                       (= σ·s_θ(x̃, σ) + z)
//! L = (1/(B·d)) Σ_rows ‖r‖²                 (= σ²‖s_θ(x̃, σ) + z/σ‖² per row, averaged)
//! ∂L/∂F = 2c·r/(B·d)
//! ```
//! The network's backward pass turns `∂L/∂F` into `∂L/∂θ`.

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{Precondition, ScoreNetwork};
use crate::mlp::{Grads, Tape};
use crate::train::Objective;

/// Minibatch denoising score matching for one network.
pub(crate) struct ScoreObjective<'a> {
    pub(crate) network: ScoreNetwork,
    data: &'a [f32],
    batch: usize,
    rng: ChaCha8Rng,
    noise: Vec<f32>,
    noisy: Vec<f32>,
    scales: Vec<Precondition>,
    inputs: Vec<f32>,
    d_out: Vec<f32>,
    tape: Tape,
}

impl<'a> ScoreObjective<'a> {
    /// `data` holds standardised rows of the network's dimension.
    pub(crate) fn new(network: ScoreNetwork, data: &'a [f32], batch: usize, seed: u64) -> Self {
        ScoreObjective {
            network,
            data,
            batch,
            rng: stream(seed, Purpose::Batches),
            noise: Vec::new(),
            noisy: Vec::new(),
            scales: Vec::new(),
            inputs: Vec::new(),
            d_out: Vec::new(),
            tape: Tape::default(),
        }
    }
}

impl Objective for ScoreObjective<'_> {
    fn params_mut(&mut self) -> &mut [f32] {
        self.network.field.mlp.params_mut()
    }

    fn loss_and_grad(&mut self, _step: usize, grad: &mut [f32]) -> f64 {
        let field = &self.network.field;
        let (d, b, w) = (field.layout.dim, self.batch, field.layout.width());
        let rows = self.data.len() / d;
        self.noisy.clear();
        for _ in 0..b {
            let i = self.rng.random_range(0..rows);
            self.noisy.extend_from_slice(&self.data[i * d..(i + 1) * d]);
        }
        self.noise.clear();
        self.noise
            .extend((0..b * d).map(|_| self.rng.sample::<f32, _>(StandardNormal)));
        self.inputs.resize(b * w, 0.0);
        self.scales.clear();
        for ((x, z), row) in self
            .noisy
            .chunks_exact_mut(d)
            .zip(self.noise.chunks_exact(d))
            .zip(self.inputs.chunks_exact_mut(w))
        {
            let tau: f64 = self.rng.random();
            let sigma = self.network.levels.sigma(tau);
            let p = Precondition::at(sigma);
            x.iter_mut().zip(z).for_each(|(x, z)| *x += sigma as f32 * z);
            let scaled: Vec<f32> = x.iter().map(|x| p.input * x).collect();
            field.layout.write(&scaled, tau as f32, 0, row);
            self.scales.push(p);
        }
        let f = field.mlp.view().forward(&self.inputs, b, &mut self.tape);
        let scale = 2.0 / (b * d) as f32;
        let mut loss = 0.0f64;
        self.d_out.resize(b * d, 0.0);
        let rows = self
            .d_out
            .chunks_exact_mut(d)
            .zip(f.chunks_exact(d))
            .zip(self.noisy.chunks_exact(d).zip(self.noise.chunks_exact(d)))
            .zip(&self.scales);
        for (((g, f), (x, z)), p) in rows {
            for (((g, &f), &x), &z) in g.iter_mut().zip(f).zip(x).zip(z) {
                let r = p.output * f - p.skip * x + z;
                loss += f64::from(r * r);
                *g = scale * p.output * r;
            }
        }
        field
            .mlp
            .view()
            .backward(&mut self.tape, &self.d_out, Grads::params(grad));
        loss / (b * d) as f64
    }
}
