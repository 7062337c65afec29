//! Rectified flow ("reflow"): a fitted flow (the teacher) draws fixed
//! pairs of noise and sample by integrating its ODE, and a new flow is
//! fitted to those pairs with the same straight-line regression, so its
//! paths straighten and one or two Euler steps carry noise where the
//! teacher's whole ODE does.
//!
//! ```text
//! ε_i ~ N(0, I),   x_i = T(ε_i)   (the teacher's ODE dx/dt = v_T(x, t) from t = 1 to t = 0)
//! x_t = (1 − t)·x_i + t·ε_i,   t ~ U[0, 1]
//! L(θ) = E ‖v_θ(x_t, t) − (ε_i − x_i)‖²
//! ```
//! The pairs are a deterministic coupling of noise and data, so the
//! straight lines between them cross far less than those of independent
//! or minibatch-OT pairs; the field fitted to them transports along nearly
//! straight paths (the reference shows that a reflow never increases a
//! convex transport cost and that repeated reflows straighten the paths).
//! The fit reuses the flow-matching objective with given pairs
//! ([`crate::FlowMatching::fit_pairs`]) and starts from the teacher's
//! weights by default (the field to learn is close to the teacher's). A
//! conditional teacher keeps the class of each pair.
//!
//! With [`ReflowConfig::euler_times`], half the training times are the `K`
//! times at which `K` Euler steps evaluate the field. Measured on two moons
//! (BENCHMARKS.md): once the paths are straight, what is left of the 2-step
//! error is the fit's, and this focus lowered the 2-step W1 above the
//! teacher's 50-step one from 18.8 % to 11.4 % at the default budget;
//! more pairs or a second reflow changed nothing.
//!
//! Reference: Liu, Gong and Liu 2023, "Flow Straight and Fast: Learning to
//! Generate and Transfer Data with Rectified Flow" (ICLR).

use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
use crate::flow::solver::Solver;
use crate::train::TrainConfig;

/// Settings of a reflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReflowConfig {
    /// Noise and sample pairs drawn from the teacher.
    pub pairs: usize,
    /// The solver that integrates the teacher's ODE for the pairs.
    pub solver: Solver,
    /// Its steps.
    pub solver_steps: usize,
    /// Start from the teacher's weights (else from a fresh initialisation
    /// of the same shape).
    pub from_teacher: bool,
    /// Euler steps the reflowed model samples with by default.
    pub sample_steps: usize,
    /// Draw half the training times from the `sample_steps` times at which
    /// its Euler steps evaluate the field (on straight paths, the points
    /// they visit).
    pub euler_times: bool,
    /// The optimisation on the pairs.
    pub train: TrainConfig,
    /// Seed of the pairs' noise and classes (the teacher's sampling and
    /// class streams, so `pushforward sample TEACHER --seed S` with the same
    /// solver draws the same samples) and of the training batches.
    pub seed: u64,
}

impl Default for ReflowConfig {
    /// 20,000 pairs by 20 midpoint steps of the teacher, 4,000 AdamW
    /// steps (the flow-matching defaults otherwise) from the teacher's
    /// weights, 2 Euler steps to sample.
    fn default() -> Self {
        ReflowConfig {
            pairs: 20_000,
            solver: Solver::Midpoint,
            solver_steps: 20,
            from_teacher: true,
            sample_steps: 2,
            euler_times: false,
            train: TrainConfig {
                steps: 4_000,
                ..TrainConfig::default()
            },
            seed: 0,
        }
    }
}

impl ReflowConfig {
    /// Refuses zero pairs, solver steps or sampling steps.
    ///
    /// # Errors
    /// [`NeuralError::NeedsAtLeastOne`] naming the setting.
    pub fn check(&self) -> Result<(), NeuralError> {
        for (value, what, unit) in [
            (self.pairs, "a reflow", "pair"),
            (self.solver_steps, "drawing the pairs", "solver step"),
            (self.sample_steps, "sampling", "Euler step"),
        ] {
            if value == 0 {
                return Err(NeuralError::NeedsAtLeastOne { what, unit });
            }
        }
        Ok(())
    }
}

/// How a reflowed model was made, as its model file records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reflow {
    /// The teacher model, as named to the reflow (its file name).
    pub teacher: String,
    /// 1 for a reflow of a flow-matching fit, one more than the teacher's
    /// for a reflow of a reflowed model.
    pub generation: u32,
    /// Pairs drawn.
    pub pairs: usize,
    /// The solver that drew them.
    pub solver: Solver,
    /// Its steps.
    pub solver_steps: usize,
    /// Whether training started from the teacher's weights.
    pub from_teacher: bool,
    /// Euler steps of the default sampling.
    pub sample_steps: usize,
    /// Whether half the training times were those Euler steps' times.
    pub euler_times: bool,
}

impl Reflow {
    /// The record of a reflow of `teacher` (generation `generation`) under
    /// `config`.
    pub fn new(teacher: &str, generation: u32, config: &ReflowConfig) -> Reflow {
        Reflow {
            teacher: teacher.to_owned(),
            generation,
            pairs: config.pairs,
            solver: config.solver,
            solver_steps: config.solver_steps,
            from_teacher: config.from_teacher,
            sample_steps: config.sample_steps,
            euler_times: config.euler_times,
        }
    }
}

/// Pairs drawn from a teacher, over standardised data.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs {
    /// The noise rows `ε_i`, row-major `n × d`.
    pub noise: Vec<f32>,
    /// The teacher's samples `x_i = T(ε_i)`, row-major `n × d`.
    pub samples: Vec<f32>,
    /// The class of each pair, for a conditional teacher.
    pub labels: Option<Vec<u32>>,
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use crate::flow::field::{Guide, Scratch};
    use crate::flow::{FlowConfig, FlowData, FlowMatching};
    use crate::train::{Silent, TrainConfig};

    /// Pairs whose noise is the data shifted by `c` give the straight field
    /// `ε − x₀ = c` at every point and time on their paths: the fitted
    /// velocity is within 0.05 of `c` there, and an untrained network is not.
    #[test]
    fn pairs_shifted_by_a_constant_give_that_constant_field() {
        let c = [1.5f32, -0.5];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x: Vec<f32> = (0..2000 * 2).map(|_| rng.random_range(-1.0..1.0)).collect();
        let noise: Vec<f32> = x.iter().enumerate().map(|(i, v)| v + c[i % 2]).collect();
        let data = FlowData {
            x: &x,
            dim: 2,
            labels: None,
        };
        let config = |steps| FlowConfig {
            hidden: vec![32, 32],
            train: TrainConfig {
                steps,
                ..TrainConfig::default()
            },
            ..FlowConfig::default()
        };
        let worst_error = |flow: &FlowMatching| {
            let mut worst = 0.0f32;
            for t in [0.05f32, 0.3, 0.5, 0.7, 0.95] {
                // Points on the paths at time t: x₀ + t·c with x₀ in [−0.8, 0.8]².
                let grid: Vec<f32> = (0..25)
                    .flat_map(|k| {
                        let (i, j) = ((k / 5) as f32, (k % 5) as f32);
                        [-0.8 + 0.4 * i + t * c[0], -0.8 + 0.4 * j + t * c[1]]
                    })
                    .collect();
                let mut v = vec![0.0; grid.len()];
                let guide = Guide {
                    labels: None,
                    weight: 1.0,
                };
                flow.field
                    .velocity(&grid, t, guide, &mut Scratch::default(), &mut v);
                for (k, vk) in v.iter().enumerate() {
                    worst = worst.max((vk - c[k % 2]).abs());
                }
            }
            worst
        };
        let (fitted, _) =
            FlowMatching::fit_pairs(&data, &noise, &config(1500), None, None, &Silent).expect("fits");
        let (untrained, _) = FlowMatching::fit_pairs(
            &data,
            &noise,
            &FlowConfig {
                train: TrainConfig {
                    steps: 1,
                    ema: 0.0,
                    ..TrainConfig::default()
                },
                ..config(1)
            },
            None,
            None,
            &Silent,
        )
        .expect("fits");
        let (after, before) = (worst_error(&fitted), worst_error(&untrained));
        assert!(after < 0.05, "fitted: largest error {after}");
        assert!(before > 0.05, "untrained: largest error {before}");
    }

    #[test]
    fn a_start_of_another_shape_and_unpaired_noise_are_refused() {
        let x = vec![0.5f32; 64 * 2];
        let data = FlowData {
            x: &x,
            dim: 2,
            labels: None,
        };
        let config = FlowConfig {
            hidden: vec![8],
            batch: 16,
            train: TrainConfig {
                steps: 2,
                ..TrainConfig::default()
            },
            ..FlowConfig::default()
        };
        let (small, _) = FlowMatching::fit_pairs(&data, &x, &config, None, None, &Silent).expect("fits");
        let wider = FlowConfig {
            hidden: vec![16],
            ..config.clone()
        };
        let err =
            FlowMatching::fit_pairs(&data, &x, &wider, Some(&small), None, &Silent).expect_err("refused");
        assert!(matches!(err, crate::NeuralError::NetworkMismatch { .. }), "{err}");
        let short =
            FlowMatching::fit_pairs(&data, &x[..10], &config, None, None, &Silent).expect_err("refused");
        assert!(
            matches!(short, crate::NeuralError::PairCount { noise: 10, data: 128 }),
            "{short}"
        );
        assert!(
            super::ReflowConfig {
                pairs: 0,
                ..super::ReflowConfig::default()
            }
            .check()
            .is_err()
        );
    }
}
