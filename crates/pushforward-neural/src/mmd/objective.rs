//! One minibatch of MMD-network training.
//!
//! Each step draws `B` noise rows `z ~ N(0, I_k)` and `B` data rows
//! (uniformly with replacement) from one seeded ChaCha8 stream, generates
//! `x = G_θ(z)`, and takes `L = MMD²_u(x, y)` with `∂L/∂x` from
//! [`MmdLoss`]; the network's backward pass turns `∂L/∂x` into `∂L/∂θ`.

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::mlp::{Grads, Mlp, Tape};
use crate::mmd::kernel::MmdLoss;
use crate::train::Objective;

/// Minibatch MMD for one generator.
pub(crate) struct MmdObjective<'a> {
    pub(crate) generator: Mlp,
    data: &'a [f32],
    batch: usize,
    loss: MmdLoss,
    rng: ChaCha8Rng,
    noise: Vec<f32>,
    real: Vec<f32>,
    d_out: Vec<f32>,
    tape: Tape,
}

impl<'a> MmdObjective<'a> {
    /// `data` holds standardised rows of the generator's output width.
    pub(crate) fn new(generator: Mlp, data: &'a [f32], batch: usize, bandwidths: &[f64], seed: u64) -> Self {
        MmdObjective {
            generator,
            data,
            batch,
            loss: MmdLoss::new(bandwidths),
            rng: stream(seed, Purpose::Batches),
            noise: Vec::new(),
            real: Vec::new(),
            d_out: Vec::new(),
            tape: Tape::default(),
        }
    }
}

impl Objective for MmdObjective<'_> {
    fn params_mut(&mut self) -> &mut [f32] {
        self.generator.params_mut()
    }

    fn loss_and_grad(&mut self, _step: usize, grad: &mut [f32]) -> f64 {
        let (k, d, b) = (
            self.generator.shape().input,
            self.generator.shape().output,
            self.batch,
        );
        let rows = self.data.len() / d;
        self.noise.clear();
        self.noise
            .extend((0..b * k).map(|_| self.rng.sample::<f32, _>(StandardNormal)));
        self.real.clear();
        for _ in 0..b {
            let i = self.rng.random_range(0..rows);
            self.real.extend_from_slice(&self.data[i * d..(i + 1) * d]);
        }
        let x = self.generator.view().forward(&self.noise, b, &mut self.tape);
        self.d_out.resize(b * d, 0.0);
        let loss = self.loss.loss_and_grad(x, &self.real, d, &mut self.d_out);
        self.generator
            .view()
            .backward(&mut self.tape, &self.d_out, Grads::params(grad));
        loss
    }
}
