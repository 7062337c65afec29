//! The training loop shared by every model: a [`Trainer`] stepping an
//! [`Objective`] until its steps are done, a plateau or a cancellation.
//!
//! [`trainer`] holds the state and its step (optimiser, schedule,
//! parameter average, loss windows and named terms, early stopping); a
//! model with one set of parameters implements [`Objective`] and calls
//! [`train()`], and one with several players drives a [`Trainer`] per
//! player itself.

pub mod trainer;

use pushforward_core::seed::{Purpose, stream};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
use crate::optim::{OptimizerConfig, Schedule};
pub use trainer::{Adjustment, Control, LossCurve, NamedSeries, TrainSummary, Trainer, ValidationSummary};

/// Steps between progress reports and cancellation checks.
const REPORT_EVERY: usize = 25;

/// A differentiable training objective over a parameter vector.
pub trait Objective {
    /// The parameters being trained.
    fn params_mut(&mut self) -> &mut [f32];

    /// The loss of a fresh minibatch at `step` (0-based), with its gradient
    /// written into `grad` (one entry per parameter).
    fn loss_and_grad(&mut self, step: usize, grad: &mut [f32]) -> f64;

    /// Named terms of the last loss, recorded per window beside it (the
    /// same names at every step); none by default.
    fn terms(&self) -> Vec<(&'static str, f64)> {
        Vec::new()
    }

    /// The loss of the current parameters on rows held out of training
    /// (for [`TrainConfig::validation`]); `None`, the default, for an
    /// objective without held-out rows.
    fn validation_loss(&mut self) -> Option<f64> {
        None
    }
}

/// Early stopping on rows held out of training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// Share of the training rows held out, drawn by the seed's
    /// [`pushforward_core::seed::Purpose::Holdout`] stream (see
    /// [`validation_split`]).
    pub share: f64,
    /// Steps between evaluations of the held-out loss.
    pub every: usize,
}

pub use pushforward_core::{Progress, Silent};

/// Settings of the loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Optimiser steps at most.
    pub steps: usize,
    /// The optimiser and its settings.
    pub optimizer: OptimizerConfig,
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
    /// Early stopping on held-out rows: the loss of held-out rows is
    /// evaluated every `every` steps (on the averaged parameters when the
    /// EMA is on), training stops after `patience` evaluations without a
    /// new lowest one (with `patience` 0 it runs every step), and the
    /// parameters of the lowest are kept; the training loss's plateau rule
    /// is then not applied. None (the default, and files without it):
    /// every row trains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
}

impl Default for TrainConfig {
    /// 10,000 AdamW steps at [`crate::AdamWConfig::DEFAULT`], a constant
    /// rate, windows of 100 steps, no early stopping, EMA 0.999.
    fn default() -> Self {
        TrainConfig {
            steps: 10_000,
            optimizer: OptimizerConfig::default(),
            schedule: Schedule::Constant,
            record_every: 100,
            patience: 0,
            min_improvement: 1e-3,
            ema: 0.999,
            validation: None,
        }
    }
}

/// The minibatch a fit on `rows` rows uses: `batch` itself when it fits,
/// else all `rows`, with the [`Adjustment`] that says so (a default batch
/// of 256 on a table of 124 rows trains on batches of 124).
///
/// # Errors
/// [`NeuralError::BatchSize`] for a batch below `min`, or fewer than `min`
/// rows.
///
/// ```
/// use pushforward_neural::train::batch_for;
/// let (batch, adjusted) = batch_for(256, 1, 124).unwrap();
/// assert_eq!(batch, 124);
/// assert_eq!(adjusted.unwrap().to_string(), "batch 124 instead of 256 (the table has 124 rows)");
/// assert_eq!(batch_for(64, 1, 124).unwrap(), (64, None));
/// assert!(batch_for(0, 1, 124).is_err());
/// ```
pub fn batch_for(batch: usize, min: usize, rows: usize) -> Result<(usize, Option<Adjustment>), NeuralError> {
    if batch < min || rows < min {
        return Err(NeuralError::BatchSize { batch, min, rows });
    }
    if batch <= rows {
        return Ok((batch, None));
    }
    Ok((
        rows,
        Some(Adjustment {
            setting: "batch".into(),
            requested: batch,
            used: rows,
            reason: format!("the table has {rows} rows"),
        }),
    ))
}

/// The rows of a table of `rows` rows split for early stopping: the
/// training rows and the held-out rows, each in ascending order. The
/// held-out rows are the first `round(share · rows)` of a shuffle by the
/// seed's [`Purpose::Holdout`] stream, so the same seed holds out the same
/// rows.
///
/// # Errors
/// [`NeuralError::ValidationShare`] when no row would be held out or fewer
/// than `min_train` would train.
///
/// ```
/// use pushforward_neural::train::validation_split;
/// let (train, held) = validation_split(10, 0.2, 1, 4).unwrap();
/// assert_eq!((train.len(), held.len()), (8, 2));
/// assert_eq!(validation_split(10, 0.2, 1, 4).unwrap().1, held);
/// assert!(validation_split(10, 0.01, 1, 4).is_err());
/// assert!(validation_split(10, 0.5, 1, 6).is_err());
/// ```
pub fn validation_split(
    rows: usize,
    share: f64,
    seed: u64,
    min_train: usize,
) -> Result<(Vec<usize>, Vec<usize>), NeuralError> {
    let held = (share * rows as f64).round() as usize;
    if held == 0 || held > rows || rows - held < min_train.max(1) {
        return Err(NeuralError::ValidationShare {
            share,
            rows,
            held,
            min: min_train.max(1),
        });
    }
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut stream(seed, Purpose::Holdout));
    let (mut held_out, mut train) = (order[..held].to_vec(), order[held..].to_vec());
    held_out.sort_unstable();
    train.sort_unstable();
    Ok((train, held_out))
}

/// Trains `objective` for `config.steps` steps (fewer on a plateau, or
/// when the held-out loss stops falling).
///
/// # Errors
/// The errors of [`Trainer::new`] and [`Trainer::step`];
/// [`NeuralError::NoValidationLoss`] when `config.validation` is set and
/// the objective has no held-out rows.
pub fn train(
    objective: &mut impl Objective,
    config: &TrainConfig,
    progress: &dyn Progress,
) -> Result<TrainSummary, NeuralError> {
    let mut trainer = Trainer::new(config, objective.params_mut(), progress)?;
    let mut grad = vec![0.0f32; objective.params_mut().len()];
    for step in 0.. {
        let loss = objective.loss_and_grad(step, &mut grad);
        let terms = objective.terms();
        let mut control = trainer.step(objective.params_mut(), &grad, loss, &terms)?;
        if trainer.validation_due() {
            trainer.swap_average(objective.params_mut());
            let held_out = objective.validation_loss();
            trainer.swap_average(objective.params_mut());
            let Some(held_out) = held_out else {
                progress.finish();
                return Err(NeuralError::NoValidationLoss);
            };
            control = trainer.validated(objective.params_mut(), held_out);
        }
        if control == Control::Stop {
            break;
        }
    }
    Ok(trainer.finish(objective.params_mut()))
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
            optimizer: OptimizerConfig::Adam {
                lr: 0.05,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
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

    /// With a constant loss every window is stale, whatever its sign (a
    /// flow's negative log-likelihood is often negative): training stops
    /// after the first window plus `patience`. A loss of either sign that
    /// falls by 1 % of its size a window trains on.
    #[test]
    fn a_plateau_stops_training_early() {
        struct Scripted(Vec<f32>, Box<dyn Fn(usize) -> f64>);
        impl Objective for Scripted {
            fn params_mut(&mut self) -> &mut [f32] {
                &mut self.0
            }
            fn loss_and_grad(&mut self, step: usize, grad: &mut [f32]) -> f64 {
                grad.fill(0.0);
                (self.1)(step)
            }
        }
        let config = TrainConfig {
            steps: 10_000,
            record_every: 50,
            patience: 3,
            ..TrainConfig::default()
        };
        let steps = |config: &TrainConfig, loss: Box<dyn Fn(usize) -> f64>| {
            let summary = train(&mut Scripted(vec![0.0], loss), config, &Silent).expect("trains");
            (summary.steps, summary.stopped_early)
        };
        for level in [1.0, -1.0, 0.0] {
            assert_eq!(
                steps(&config, Box::new(move |_| level)),
                (200, true),
                "loss {level}"
            );
        }
        let short = TrainConfig {
            steps: 1000,
            ..config.clone()
        };
        for sign in [1.0, -1.0] {
            let falling = move |step: usize| sign * 0.99f64.powi((step / 50) as i32 * sign as i32);
            assert_eq!(steps(&short, Box::new(falling)), (1000, false), "sign {sign}");
        }
        // Without patience it runs to the end.
        let config = TrainConfig {
            steps: 400,
            patience: 0,
            ..config
        };
        assert_eq!(steps(&config, Box::new(|_| 1.0)), (400, false));
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

    /// Named terms are averaged per window beside the loss, the last
    /// window shorter; a step that renames them is refused.
    #[test]
    fn named_terms_are_recorded_per_window() {
        struct Terms(Vec<f32>, usize);
        impl Objective for Terms {
            fn params_mut(&mut self) -> &mut [f32] {
                &mut self.0
            }
            fn loss_and_grad(&mut self, step: usize, grad: &mut [f32]) -> f64 {
                grad.fill(0.0);
                self.1 = step;
                2.0
            }
            fn terms(&self) -> Vec<(&'static str, f64)> {
                vec![("step", self.1 as f64), ("one", 1.0)]
            }
        }
        let config = TrainConfig {
            steps: 250,
            ..TrainConfig::default()
        };
        let summary = train(&mut Terms(vec![0.0], 0), &config, &Silent).expect("trains");
        let curve = &summary.curve;
        assert_eq!(curve.steps, [100, 200, 250]);
        // Means of 0..=99, 100..=199 and 200..=249.
        assert_eq!(curve.term("step").expect("recorded"), [49.5, 149.5, 224.5]);
        assert_eq!(curve.term("one").expect("recorded"), [1.0; 3]);
        assert_eq!(curve.loss, [2.0; 3]);
        let json = serde_json::to_string(curve).expect("serialises");
        assert_eq!(serde_json::from_str::<LossCurve>(&json).expect("parses"), *curve);

        let mut p = [0.0f32];
        let mut trainer = Trainer::new(&config, &p, &Silent).expect("valid");
        let _ = trainer.step(&mut p, &[0.0], 1.0, &[("a", 1.0)]).expect("steps");
        let err = trainer
            .step(&mut p, &[0.0], 1.0, &[("b", 1.0)])
            .expect_err("renamed");
        assert!(matches!(err, NeuralError::TermsChanged { step: 2, .. }), "{err}");
    }

    /// `θ` descends from 0 to 1 by SGD while the held-out loss `(θ − ½)²`
    /// is lowest half-way: early stopping keeps the evaluated parameters
    /// nearest ½, says at which step, and stops `patience` evaluations
    /// later; with the EMA on, the average is what is evaluated and kept.
    #[test]
    fn held_out_rows_stop_training_and_keep_the_best_parameters() {
        struct Path(Vec<f32>);
        impl Objective for Path {
            fn params_mut(&mut self) -> &mut [f32] {
                &mut self.0
            }
            fn loss_and_grad(&mut self, _: usize, grad: &mut [f32]) -> f64 {
                grad[0] = -1.0;
                f64::from(1.0 - self.0[0])
            }
            fn validation_loss(&mut self) -> Option<f64> {
                Some(f64::from(self.0[0] - 0.5).powi(2))
            }
        }
        for ema in [0.0, 0.9] {
            let config = TrainConfig {
                steps: 1_000,
                optimizer: OptimizerConfig::Sgd { lr: 0.01 },
                patience: 3,
                ema,
                validation: Some(Validation { share: 0.1, every: 5 }),
                ..TrainConfig::default()
            };
            let mut path = Path(vec![0.0]);
            let summary = train(&mut path, &config, &Silent).expect("trains");
            let v = summary.validation.expect("validated");
            let best = v.loss.iter().copied().fold(f64::INFINITY, f64::min);
            let at = v.steps[v.loss.iter().position(|&l| l == best).expect("found")];
            assert_eq!((v.best_step, v.best_loss), (at, best), "EMA {ema}");
            assert!(v.steps.iter().all(|s| s % 5 == 0), "{:?}", v.steps);
            assert!(summary.stopped_early, "EMA {ema}");
            assert_eq!(summary.steps, v.best_step + 3 * 5, "EMA {ema}");
            assert!(
                (f64::from(path.0[0] - 0.5).powi(2) - best).abs() < 1e-12,
                "EMA {ema}: kept {} with held-out loss {best}",
                path.0[0]
            );
            assert!((path.0[0] - 0.5).abs() < 0.05, "EMA {ema}: {}", path.0[0]);
        }
        let config = TrainConfig {
            validation: Some(Validation { share: 0.1, every: 5 }),
            ..TrainConfig::default()
        };
        let err = train(&mut quadratic(), &config, &Silent).expect_err("no held-out rows");
        assert!(matches!(err, NeuralError::NoValidationLoss), "{err}");
    }

    /// Two players, each with its own trainer, alternate: `y` minimises
    /// `(y − 1)²` and `x` chases it through `(x − y)²`; both reach 1.
    #[test]
    fn two_trainers_alternate() {
        let config = TrainConfig {
            steps: 500,
            optimizer: OptimizerConfig::Sgd { lr: 0.1 },
            ema: 0.0,
            ..TrainConfig::default()
        };
        let (mut x, mut y) = ([3.0f32], [-2.0f32]);
        let mut tx = Trainer::new(&config, &x, &Silent).expect("valid");
        let mut ty = Trainer::new(&config, &y, &Silent).expect("valid");
        loop {
            let (gy, ly) = ([2.0 * (y[0] - 1.0)], f64::from((y[0] - 1.0).powi(2)));
            let sy = ty.step(&mut y, &gy, ly, &[]).expect("steps");
            let (gx, lx) = ([2.0 * (x[0] - y[0])], f64::from((x[0] - y[0]).powi(2)));
            let sx = tx.step(&mut x, &gx, lx, &[]).expect("steps");
            if sx == Control::Stop || sy == Control::Stop {
                break;
            }
        }
        let (sx, sy) = (tx.finish(&mut x), ty.finish(&mut y));
        assert_eq!((sx.steps, sy.steps), (500, 500));
        assert!(
            (x[0] - 1.0).abs() < 1e-4 && (y[0] - 1.0).abs() < 1e-4,
            "{x:?} {y:?}"
        );
    }
}
