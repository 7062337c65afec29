//! The flow-matching regression objective on minibatches.
//!
//! With the seed's convention (`t = 0` data, `t = 1` noise; Lipman et al.
//! 2023, Liu et al. 2023's rectified flow), for a data point `x₀`, its
//! coupled noise `ε ~ N(0, I)` and `t ~ U[0, 1]`:
//!
//! ```text
//! x_t = (1 − t)·x₀ + t·ε,     target u = ε − x₀ = dx_t/dt,
//! L(θ) = mean over the batch and the d coordinates of (v_θ(x_t, t, y) − u)²
//! ∂L/∂v = 2(v − u) / (B·d)
//! ```
//! Labels are replaced by the null class with probability `p` (label
//! dropout), so one network learns both branches that guidance mixes; a
//! coupling pairs rows with noise within each class (see
//! `FlowObjective::partners`).
//! Batches are drawn uniformly with replacement from the training rows by a
//! seeded ChaCha8 stream, so a seed fixes every batch, time and noise.
//!
//! With given pairs (rectified flow, Liu et al. 2023, "Flow Straight and
//! Fast"), each training row `x₀` comes with its own noise row `ε`, drawn
//! once when the pairs were made: a batch takes both rows of each drawn
//! index, no fresh noise is drawn and no coupling is solved; the loss above
//! is unchanged. Optionally half the times are drawn from the `K` times
//! `k/K` (`k = 1…K`) at which a `K`-step Euler solution evaluates the
//! field: on straight paths the points it visits are the paths' points at
//! those times, so the loss there is the error of the `K`-step sampler.

use pushforward_core::seed::{Purpose, stream};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::flow::coupling::Coupling;
use crate::flow::field::Field;
use crate::mlp::{Grads, Tape};
use crate::train::Objective;

/// Standardised training rows and their classes.
pub(crate) struct Batches<'a> {
    /// Row-major `n × d`.
    pub(crate) x: &'a [f32],
    /// One class per row, for a conditional model.
    pub(crate) labels: Option<&'a [u32]>,
    /// The noise partner of each row (`n × d`), for given pairs.
    pub(crate) noise: Option<&'a [f32]>,
    /// For given pairs: draw half the times from the `K` times a `K`-step
    /// Euler solution evaluates the field at.
    pub(crate) euler_times: Option<usize>,
}

/// Minibatch flow matching for one field.
pub(crate) struct FlowObjective<'a> {
    pub(crate) field: Field,
    data: Batches<'a>,
    coupling: Coupling,
    batch: usize,
    label_dropout: f64,
    rng: ChaCha8Rng,
    x0: Vec<f32>,
    noise: Vec<f32>,
    xt: Vec<f32>,
    target: Vec<f32>,
    labels: Vec<u32>,
    inputs: Vec<f32>,
    d_out: Vec<f32>,
    tape: Tape,
}

impl<'a> FlowObjective<'a> {
    pub(crate) fn new(
        field: Field,
        data: Batches<'a>,
        coupling: Coupling,
        batch: usize,
        label_dropout: f64,
        seed: u64,
    ) -> Self {
        FlowObjective {
            field,
            data,
            coupling,
            batch,
            label_dropout,
            rng: stream(seed, Purpose::Batches),
            x0: Vec::new(),
            noise: Vec::new(),
            xt: Vec::new(),
            target: Vec::new(),
            labels: Vec::new(),
            inputs: Vec::new(),
            d_out: Vec::new(),
            tape: Tape::default(),
        }
    }
}

impl FlowObjective<'_> {
    /// Each batch row's noise partner. With classes, rows are coupled
    /// within their class (the null class is one more group), each group
    /// with its own share of the noise: coupling across classes would give
    /// each class's field only the part of the noise space that transport
    /// sends to it, while sampling starts it from all of it.
    fn partners(&mut self) -> Vec<usize> {
        let d = self.field.layout.dim;
        if self.labels.is_empty() || self.coupling == Coupling::Independent {
            return self.coupling.partners(&self.x0, &self.noise, d, &mut self.rng);
        }
        let mut partners = vec![0; self.labels.len()];
        let mut next_noise = 0;
        for class in 0..=self.field.layout.classes as u32 {
            let rows: Vec<usize> = (0..self.labels.len())
                .filter(|&r| self.labels[r] == class)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let x: Vec<f32> = rows
                .iter()
                .flat_map(|&r| self.x0[r * d..(r + 1) * d].iter().copied())
                .collect();
            let noise = &self.noise[next_noise * d..(next_noise + rows.len()) * d];
            for (&r, j) in rows
                .iter()
                .zip(self.coupling.partners(&x, noise, d, &mut self.rng))
            {
                partners[r] = next_noise + j;
            }
            next_noise += rows.len();
        }
        partners
    }
}

impl Objective for FlowObjective<'_> {
    fn params_mut(&mut self) -> &mut [f32] {
        self.field.mlp.params_mut()
    }

    fn loss_and_grad(&mut self, _step: usize, grad: &mut [f32]) -> f64 {
        let (d, b) = (self.field.layout.dim, self.batch);
        let rows = self.data.x.len() / d;
        let classes = self.field.layout.classes as u32;
        self.x0.clear();
        self.labels.clear();
        let mut drawn = Vec::with_capacity(b);
        for _ in 0..b {
            let i = self.rng.random_range(0..rows);
            drawn.push(i);
            self.x0.extend_from_slice(&self.data.x[i * d..(i + 1) * d]);
            if let Some(labels) = self.data.labels {
                let drop = self.rng.random::<f64>() < self.label_dropout;
                self.labels.push(if drop { classes } else { labels[i] });
            }
        }
        self.noise.clear();
        let partners = match self.data.noise {
            Some(given) => {
                for &i in &drawn {
                    self.noise.extend_from_slice(&given[i * d..(i + 1) * d]);
                }
                (0..b).collect()
            }
            None => {
                self.noise
                    .extend((0..b * d).map(|_| self.rng.sample::<f32, _>(StandardNormal)));
                self.partners()
            }
        };
        let times: Vec<f32> = match self.data.euler_times {
            None => (0..b).map(|_| self.rng.random::<f32>()).collect(),
            Some(k) => (0..b)
                .map(|_| {
                    let t = self.rng.random::<f32>();
                    if self.rng.random::<bool>() {
                        ((t * k as f32).floor() + 1.0).min(k as f32) / k as f32
                    } else {
                        t
                    }
                })
                .collect(),
        };
        self.xt.resize(b * d, 0.0);
        self.target.resize(b * d, 0.0);
        let w = self.field.layout.width();
        self.inputs.resize(b * w, 0.0);
        for (r, &j) in partners.iter().enumerate() {
            let t = times[r];
            let eps = &self.noise[j * d..(j + 1) * d];
            let rows = self.x0[r * d..(r + 1) * d]
                .iter()
                .zip(&mut self.xt[r * d..(r + 1) * d])
                .zip(&mut self.target[r * d..(r + 1) * d]);
            for (((&x0, xt), target), &e) in rows.zip(eps) {
                *xt = (1.0 - t) * x0 + t * e;
                *target = e - x0;
            }
            let label = self.labels.get(r).map_or(classes as usize, |&l| l as usize);
            self.field.layout.write(
                &self.xt[r * d..(r + 1) * d],
                t,
                label,
                &mut self.inputs[r * w..(r + 1) * w],
            );
        }
        let v = self.field.mlp.view().forward(&self.inputs, b, &mut self.tape);
        let scale = 2.0 / (b * d) as f32;
        let mut loss = 0.0f64;
        self.d_out.resize(b * d, 0.0);
        for ((g, &v), &u) in self.d_out.iter_mut().zip(v).zip(&self.target) {
            let r = v - u;
            loss += f64::from(r * r);
            *g = scale * r;
        }
        self.field
            .mlp
            .view()
            .backward(&mut self.tape, &self.d_out, Grads::params(grad));
        loss / (b * d) as f64
    }
}
