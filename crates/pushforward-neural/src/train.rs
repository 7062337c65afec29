//! The training loop shared by every model: AdamW steps on an
//! [`Objective`], a learning-rate schedule, a loss curve, early stopping on
//! a plateau, progress reports and cancellation.
//!
//! Early stopping compares means of the loss over windows of
//! [`TrainConfig::record_every`] steps: training stops once `patience`
//! windows in a row fail to beat the best window mean by a relative
//! `min_improvement`. Stochastic losses fluctuate within a window, so the
//! window mean, not the last step, is what is compared.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
use crate::optim::{AdamW, AdamWConfig, Schedule};

/// Steps between progress reports and cancellation checks.
const REPORT_EVERY: usize = 25;

/// A differentiable training objective over a parameter vector.
pub trait Objective {
    /// The parameters being trained.
    fn params_mut(&mut self) -> &mut [f32];

    /// The loss of a fresh minibatch at `step` (0-based), with its gradient
    /// written into `grad` (one entry per parameter).
    fn loss_and_grad(&mut self, step: usize, grad: &mut [f32]) -> f64;
}

pub use pushforward_core::{Progress, Silent};

/// Settings of the loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Optimiser steps at most.
    pub steps: usize,
    /// AdamW's settings.
    pub optimizer: AdamWConfig,
    /// Learning-rate schedule.
    pub schedule: Schedule,
    /// Steps per loss-curve point and per early-stopping window.
    pub record_every: usize,
    /// Windows without improvement before stopping; 0 never stops early.
    pub patience: usize,
    /// Relative improvement of the window mean that counts as progress.
    pub min_improvement: f64,
    /// Decay of an exponential moving average of the parameters, which
    /// replaces them at the end (Polyak averaging); 0 keeps the last iterate.
    pub ema: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            steps: 10_000,
            optimizer: AdamWConfig::default(),
            schedule: Schedule::Constant,
            record_every: 100,
            patience: 0,
            min_improvement: 1e-3,
            ema: 0.999,
        }
    }
}

/// Mean training loss per window of steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LossCurve {
    /// Step at the end of each window.
    pub steps: Vec<usize>,
    /// Mean loss over that window.
    pub loss: Vec<f64>,
}

/// What a training run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    /// Steps taken.
    pub steps: usize,
    /// Wall-clock seconds of the loop (not written to model files, which
    /// depend only on the data and the settings).
    #[serde(skip_serializing, default)]
    pub seconds: f64,
    /// Mean loss over the last window.
    pub final_loss: f64,
    /// Lowest window mean.
    pub best_loss: f64,
    /// Whether the plateau rule ended training before `steps`.
    pub stopped_early: bool,
    /// The loss curve.
    pub curve: LossCurve,
}

/// Trains `objective` for `config.steps` steps (fewer on a plateau).
///
/// # Errors
/// [`NeuralError::Diverged`] on a non-finite loss;
/// [`NeuralError::Interrupted`] when `progress` reports a cancellation;
/// [`NeuralError::BadConfig`] for zero steps or `record_every`.
pub fn train(
    objective: &mut impl Objective,
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<TrainSummary, NeuralError> {
    if config.steps == 0 || config.record_every == 0 {
        return Err(NeuralError::BadConfig(
            "training needs at least one step and a window of at least one".into(),
        ));
    }
    let started = Instant::now();
    let n = objective.params_mut().len();
    if !(0.0..1.0).contains(&config.ema) {
        return Err(NeuralError::BadConfig(format!(
            "the EMA decay must be in [0, 1), got {}",
            config.ema
        )));
    }
    let mut optimizer = AdamW::new(config.optimizer, n);
    let mut average = objective.params_mut().to_vec();
    let mut grad = vec![0.0f32; n];
    let mut curve = LossCurve::default();
    let (mut window_sum, mut window_len) = (0.0, 0usize);
    let (mut best, mut stale) = (f64::INFINITY, 0usize);
    let mut stopped_early = false;
    let mut steps = 0;
    progress.start(config.steps);
    for step in 0..config.steps {
        let loss = objective.loss_and_grad(step, &mut grad);
        if !loss.is_finite() {
            progress.finish();
            return Err(NeuralError::Diverged { step: step + 1, loss });
        }
        optimizer.step(
            objective.params_mut(),
            &grad,
            config.schedule.factor(step, config.steps),
        );
        // Bias-corrected as in Adam: early averages weigh the start less.
        let decay = config.ema.min((1.0 + step as f64) / (10.0 + step as f64)) as f32;
        let params = objective.params_mut();
        average
            .iter_mut()
            .zip(params.iter())
            .for_each(|(a, p)| *a = decay * *a + (1.0 - decay) * p);
        steps = step + 1;
        window_sum += loss;
        window_len += 1;
        if steps % REPORT_EVERY == 0 {
            progress.update(steps, window_sum / window_len as f64);
            if progress.cancelled() {
                progress.finish();
                return Err(NeuralError::Interrupted { step: steps });
            }
        }
        if window_len == config.record_every || steps == config.steps {
            let mean = window_sum / window_len as f64;
            curve.steps.push(steps);
            curve.loss.push(mean);
            (window_sum, window_len) = (0.0, 0);
            if mean < best * (1.0 - config.min_improvement) {
                (best, stale) = (mean, 0);
            } else {
                best = best.min(mean);
                stale += 1;
            }
            if config.patience > 0 && stale >= config.patience {
                stopped_early = steps < config.steps;
                break;
            }
        }
    }
    progress.finish();
    if config.ema > 0.0 {
        objective.params_mut().copy_from_slice(&average);
    }
    Ok(TrainSummary {
        steps,
        seconds: started.elapsed().as_secs_f64(),
        final_loss: curve.loss.last().copied().unwrap_or(f64::NAN),
        best_loss: best,
        stopped_early,
        curve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `L(θ) = ½‖θ − c‖²` with a noisy or exact gradient.
    struct Quadratic {
        theta: Vec<f32>,
        target: Vec<f32>,
    }

    impl Objective for Quadratic {
        fn params_mut(&mut self) -> &mut [f32] {
            &mut self.theta
        }

        fn loss_and_grad(&mut self, _step: usize, grad: &mut [f32]) -> f64 {
            let mut loss = 0.0;
            for ((g, &t), &c) in grad.iter_mut().zip(&self.theta).zip(&self.target) {
                *g = t - c;
                loss += 0.5 * f64::from(*g) * f64::from(*g);
            }
            loss
        }
    }

    fn quadratic() -> Quadratic {
        Quadratic {
            theta: vec![0.0; 3],
            target: vec![1.0, -2.0, 0.5],
        }
    }

    #[test]
    fn adamw_minimises_a_quadratic_and_records_the_curve() {
        let mut q = quadratic();
        let config = TrainConfig {
            steps: 2000,
            optimizer: AdamWConfig {
                lr: 0.05,
                weight_decay: 0.0,
                ..AdamWConfig::default()
            },
            ..TrainConfig::default()
        };
        let summary = train(&mut q, &config, &Silent).expect("trains");
        assert!(summary.final_loss < 1e-6, "{}", summary.final_loss);
        assert_eq!(summary.curve.steps.len(), 20);
        assert_eq!(summary.steps, 2000);
        assert!(!summary.stopped_early);
        assert!(q.theta.iter().zip(&q.target).all(|(a, b)| (a - b).abs() < 1e-3));
    }

    /// With a constant loss every window is stale: training stops after
    /// the first window plus `patience`.
    #[test]
    fn a_plateau_stops_training_early() {
        struct Flat(Vec<f32>);
        impl Objective for Flat {
            fn params_mut(&mut self) -> &mut [f32] {
                &mut self.0
            }
            fn loss_and_grad(&mut self, _: usize, grad: &mut [f32]) -> f64 {
                grad.fill(0.0);
                1.0
            }
        }
        let config = TrainConfig {
            steps: 10_000,
            record_every: 50,
            patience: 3,
            ..TrainConfig::default()
        };
        let summary = train(&mut Flat(vec![0.0]), &config, &Silent).expect("trains");
        assert!(summary.stopped_early);
        assert_eq!(summary.steps, 200);
        // Without patience it runs to the end.
        let config = TrainConfig {
            steps: 400,
            patience: 0,
            ..config
        };
        assert_eq!(
            train(&mut Flat(vec![0.0]), &config, &Silent)
                .expect("trains")
                .steps,
            400
        );
    }

    #[test]
    fn a_non_finite_loss_is_an_error_and_cancellation_stops() {
        struct Nan(Vec<f32>);
        impl Objective for Nan {
            fn params_mut(&mut self) -> &mut [f32] {
                &mut self.0
            }
            fn loss_and_grad(&mut self, step: usize, _: &mut [f32]) -> f64 {
                if step == 4 { f64::NAN } else { 1.0 }
            }
        }
        let err = train(&mut Nan(vec![0.0]), &TrainConfig::default(), &Silent).expect_err("diverges");
        assert!(matches!(err, NeuralError::Diverged { step: 5, .. }), "{err}");
        struct Stop;
        impl Progress for Stop {
            fn cancelled(&self) -> bool {
                true
            }
        }
        let err = train(&mut quadratic(), &TrainConfig::default(), &Stop).expect_err("cancelled");
        assert!(
            matches!(err, NeuralError::Interrupted { step: REPORT_EVERY }),
            "{err}"
        );
    }
}
