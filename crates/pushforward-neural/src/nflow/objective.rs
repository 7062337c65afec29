//! One minibatch of maximum-likelihood training of a spline flow.
//!
//! Each step draws `B` data rows uniformly with replacement from the seed's
//! batch stream, pushes them through the flow recording each layer, and
//! takes the mean negative log-likelihood of the standardised rows:
//! ```text
//! L = (1/B) Σ_i [ ½‖z_i‖² + (d/2) log 2π − log|det ∂f/∂x (x_i)| ]
//! ∂L/∂z_i = z_i/B,   ∂L/∂log|det|_i = −1/B        then the layers' backward passes
//! ```
//! The monotone flow of one column takes the same loss through its own
//! backward pass over the quadrature nodes ([`super::monotone`]). The
//! held-out loss, for early stopping, is the same mean over the rows held
//! out of training, exact (no minibatch).

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::coupling::Record;
use super::{Map, SplineFlow, log_normal};
use crate::mlp::Tape;
use crate::train::Objective;

/// Minibatch negative log-likelihood of one flow.
pub(crate) struct NllObjective<'a> {
    flow: &'a mut SplineFlow,
    data: &'a [f32],
    held_out: Vec<f64>,
    batch: usize,
    rng: ChaCha8Rng,
    record: Record,
    tape: Tape,
    x: Vec<f64>,
}

impl<'a> NllObjective<'a> {
    /// `data` holds standardised training rows of the flow's width,
    /// `held_out` the rows held out of training (none without early
    /// stopping).
    pub(crate) fn new(
        flow: &'a mut SplineFlow,
        data: &'a [f32],
        held_out: Vec<f64>,
        batch: usize,
        seed: u64,
    ) -> Self {
        NllObjective {
            flow,
            data,
            held_out,
            batch,
            rng: stream(seed, Purpose::Batches),
            record: Record::default(),
            tape: Tape::default(),
            x: Vec::new(),
        }
    }
}

impl Objective for NllObjective<'_> {
    fn params_mut(&mut self) -> &mut [f32] {
        &mut self.flow.params
    }

    fn loss_and_grad(&mut self, _step: usize, grad: &mut [f32]) -> f64 {
        let d = self.flow.dim();
        let rows = self.data.len() / d;
        self.x.clear();
        for _ in 0..self.batch {
            let i = self.rng.random_range(0..rows);
            self.x
                .extend(self.data[i * d..(i + 1) * d].iter().map(|&v| f64::from(v)));
        }
        let flow = &*self.flow;
        let stack = match &flow.map {
            Map::Coupling(stack) => stack,
            Map::Monotone(m) => return m.loss_and_grad(&flow.params, &self.x, &mut self.tape, grad),
        };
        let (z, log_det) = stack.forward(&flow.params, &self.x, Some(&mut self.record));
        let b = self.batch as f64;
        let nll = -z
            .chunks_exact(d)
            .zip(&log_det)
            .map(|(z, ld)| log_normal(z) + ld)
            .sum::<f64>()
            / b;
        let gz = z.iter().map(|v| v / b).collect();
        stack.backward(&flow.params, &mut self.record, gz, -1.0 / b, grad);
        nll
    }

    fn validation_loss(&mut self) -> Option<f64> {
        if self.held_out.is_empty() {
            return None;
        }
        let log_prob = self.flow.log_prob(&self.held_out);
        Some(-log_prob.iter().sum::<f64>() / log_prob.len() as f64)
    }
}
