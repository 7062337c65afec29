//! The training state and its step: the optimiser, the schedule, the
//! parameter average, the loss windows with any named loss terms, early
//! stopping, progress and cancellation.
//!
//! The loss is averaged over windows of [`TrainConfig::record_every`]
//! steps; each window mean is a point of the [`LossCurve`], beside the
//! window means of the named terms a step reports. Training stops once
//! `patience` windows in a row fail to beat the best window mean `b` by a
//! relative `min_improvement` `m` (a window mean below `b − m·|b|`, for
//! losses of either sign): stochastic losses fluctuate within a window,
//! so the window mean, not the last step, is what is compared. The
//! parameter average is an exponential moving average (Polyak and Juditsky
//! 1992) with Adam's warm-up, decay `min(ema, (1 + t)/(10 + t))`.
//!
//! **Early stopping on held-out rows** ([`TrainConfig::validation`]). Every
//! `every` steps (and after the last) the caller evaluates the objective's
//! loss on rows held out of training and hands it to
//! [`Trainer::validated`]; the trainer keeps a copy of the parameters with
//! the lowest held-out loss (Prechelt 1998, "Early Stopping — But When?"),
//! stops after `patience` evaluations without a new lowest one, and
//! [`Trainer::finish`] writes the kept copy back. With the EMA on, the
//! average is what is evaluated and kept ([`Trainer::swap_average`]). The
//! training loss's plateau rule is then off: `patience` counts evaluations.
//!
//! A [`Trainer`] does not own the parameters or compute gradients, so a
//! game of two players holds one per player and alternates their steps.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
use crate::optim::Optimizer;
use crate::train::{Progress, REPORT_EVERY, TrainConfig};

/// One named loss term's mean per window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedSeries {
    /// The term's name.
    pub name: String,
    /// Its mean over each window of [`LossCurve::steps`].
    pub values: Vec<f64>,
}

/// Mean training loss per window of steps, and the named terms beside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossCurve {
    /// Step at the end of each window.
    pub steps: Vec<usize>,
    /// Mean loss over that window.
    pub loss: Vec<f64>,
    /// Named terms of the loss, each with one mean per window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<NamedSeries>,
}

impl LossCurve {
    /// The window means of the term called `name`.
    pub fn term(&self, name: &str) -> Option<&[f64]> {
        self.terms
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.values.as_slice())
    }
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
    /// Settings the fit lowered to suit its data (none when every setting
    /// was used as given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjusted: Vec<Adjustment>,
    /// The held-out loss, with early stopping on held-out rows (absent
    /// without).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<ValidationSummary>,
}

/// The held-out loss of a fit with early stopping on held-out rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationSummary {
    /// Rows held out of training.
    pub rows: usize,
    /// Steps after which the held-out loss was evaluated.
    pub steps: Vec<usize>,
    /// The held-out loss at each of them (the objective's loss, per row).
    pub loss: Vec<f64>,
    /// The step whose parameters were kept: the lowest held-out loss.
    pub best_step: usize,
    /// The lowest held-out loss.
    pub best_loss: f64,
}

/// A setting a fit lowered to suit its data, such as a batch larger than
/// the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// The setting, by its field name in the method's settings (`batch`).
    pub setting: String,
    /// The value asked for.
    pub requested: usize,
    /// The value used.
    pub used: usize,
    /// Why, e.g. `the table has 124 rows`.
    pub reason: String,
}

impl std::fmt::Display for Adjustment {
    /// `batch 124 instead of 256 (the table has 124 rows)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} instead of {} ({})",
            self.setting, self.used, self.requested, self.reason
        )
    }
}

/// Whether training goes on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Control {
    /// Take another step.
    Continue,
    /// The last step was taken (all steps done, or a plateau).
    Stop,
}

/// The training state of one set of parameters.
pub struct Trainer<'a> {
    config: TrainConfig,
    optimizer: Box<dyn Optimizer>,
    average: Vec<f32>,
    progress: &'a dyn Progress,
    started: Instant,
    steps: usize,
    window: (f64, usize),
    term_sums: Vec<f64>,
    curve: LossCurve,
    best: f64,
    stale: usize,
    stopped_early: bool,
    ended: bool,
    held_out: Option<HeldOut>,
}

/// The early-stopping state: the held-out losses so far and the kept
/// parameters.
struct HeldOut {
    every: usize,
    steps: Vec<usize>,
    loss: Vec<f64>,
    best: Option<(usize, f64, Vec<f32>)>,
    stale: usize,
}

impl<'a> Trainer<'a> {
    /// A trainer for `params` (their starting values seed the average);
    /// tells `progress` that training starts.
    ///
    /// # Errors
    /// [`NeuralError::ZeroTrainingSteps`] for zero steps or `record_every`,
    /// [`NeuralError::OutOfRange`] for an EMA decay outside `[0, 1)` or a
    /// validation share outside `(0, 1)` or interval of 0, or
    /// [`NeuralError::BadOptimizer`] for unusable optimiser settings.
    pub fn new(
        config: &TrainConfig,
        params: &[f32],
        progress: &'a dyn Progress,
    ) -> Result<Trainer<'a>, NeuralError> {
        if config.steps == 0 || config.record_every == 0 {
            return Err(NeuralError::ZeroTrainingSteps);
        }
        if !(0.0..1.0).contains(&config.ema) {
            return Err(NeuralError::OutOfRange {
                setting: "the EMA decay",
                range: "[0, 1)",
                value: config.ema,
            });
        }
        config
            .optimizer
            .check()
            .map_err(|reason| NeuralError::BadOptimizer { reason })?;
        if let Some(v) = config.validation {
            if !(v.share > 0.0 && v.share < 1.0) {
                return Err(NeuralError::OutOfRange {
                    setting: "the validation share",
                    range: "(0, 1)",
                    value: v.share,
                });
            }
            if v.every == 0 {
                return Err(NeuralError::OutOfRange {
                    setting: "the steps between held-out evaluations",
                    range: "at least 1",
                    value: 0.0,
                });
            }
        }
        progress.start(config.steps);
        Ok(Trainer {
            config: config.clone(),
            optimizer: config.optimizer.build(params.len()),
            average: params.to_vec(),
            progress,
            started: Instant::now(),
            steps: 0,
            window: (0.0, 0),
            term_sums: Vec::new(),
            curve: LossCurve::default(),
            best: f64::INFINITY,
            stale: 0,
            stopped_early: false,
            ended: false,
            held_out: config.validation.map(|v| HeldOut {
                every: v.every,
                steps: Vec::new(),
                loss: Vec::new(),
                best: None,
                stale: 0,
            }),
        })
    }

    /// Whether the held-out loss is due after the step just taken: every
    /// `every` steps and after the last, with early stopping on.
    pub fn validation_due(&self) -> bool {
        self.held_out.as_ref().is_some_and(|h| {
            self.steps > 0
                && h.steps.last() != Some(&self.steps)
                && (self.steps.is_multiple_of(h.every) || self.ended)
        })
    }

    /// Swaps `params` with the parameter average when the EMA is on (so a
    /// held-out loss is taken of the parameters the fit would keep); a
    /// second call swaps them back.
    pub fn swap_average(&mut self, params: &mut [f32]) {
        if self.config.ema > 0.0 && params.len() == self.average.len() {
            params.swap_with_slice(&mut self.average);
        }
    }

    /// Records the held-out loss `loss` of the parameters after the last
    /// step (the average with the EMA on, else `params`), keeps them when
    /// it is the lowest so far, and says whether training goes on. A
    /// non-finite loss counts as no improvement.
    pub fn validated(&mut self, params: &[f32], loss: f64) -> Control {
        let (steps, total, patience) = (self.steps, self.config.steps, self.config.patience);
        let evaluated = if self.config.ema > 0.0 {
            &self.average
        } else {
            params
        };
        if let Some(h) = self.held_out.as_mut() {
            h.steps.push(steps);
            h.loss.push(loss);
            if loss.is_finite() && h.best.as_ref().is_none_or(|b| loss < b.1) {
                h.best = Some((steps, loss, evaluated.to_vec()));
                h.stale = 0;
            } else {
                h.stale += 1;
            }
            if patience > 0 && h.stale >= patience && !self.ended {
                self.stopped_early = steps < total;
                self.ended = true;
            }
        }
        if self.ended {
            Control::Stop
        } else {
            Control::Continue
        }
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps
    }

    /// The loss curve so far.
    pub fn curve(&self) -> &LossCurve {
        &self.curve
    }

    /// One optimiser step on `params` by `grad`, recording `loss` and its
    /// named `terms` (the same names in the same order at every step).
    ///
    /// # Errors
    /// [`NeuralError::Diverged`] on a non-finite loss;
    /// [`NeuralError::Interrupted`] when the progress reports a
    /// cancellation; [`NeuralError::StepMismatch`] for a step after training
    /// ended or a gradient of the wrong length; [`NeuralError::TermsChanged`]
    /// for terms that changed names.
    pub fn step(
        &mut self,
        params: &mut [f32],
        grad: &[f32],
        loss: f64,
        terms: &[(&str, f64)],
    ) -> Result<Control, NeuralError> {
        if self.ended || params.len() != self.average.len() || grad.len() != params.len() {
            return Err(NeuralError::StepMismatch {
                params: params.len(),
                grads: grad.len(),
                steps: self.steps,
                expected: self.average.len(),
                ended: self.ended,
            });
        }
        if !loss.is_finite() {
            self.progress.finish();
            return Err(NeuralError::Diverged {
                step: self.steps + 1,
                loss,
            });
        }
        self.record_terms(terms)?;
        let total = self.config.steps;
        self.optimizer
            .step(params, grad, self.config.schedule.factor(self.steps, total));
        // Bias-corrected as in Adam: early averages weigh the start less.
        let t = self.steps as f64;
        let decay = self.config.ema.min((1.0 + t) / (10.0 + t)) as f32;
        self.average
            .iter_mut()
            .zip(params.iter())
            .for_each(|(a, p)| *a = decay * *a + (1.0 - decay) * p);
        self.steps += 1;
        self.window.0 += loss;
        self.window.1 += 1;
        if self.steps.is_multiple_of(REPORT_EVERY) {
            self.progress
                .update(self.steps, self.window.0 / self.window.1 as f64);
            if self.progress.cancelled() {
                self.progress.finish();
                self.ended = true;
                return Err(NeuralError::Interrupted { step: self.steps });
            }
        }
        if self.window.1 == self.config.record_every || self.steps == total {
            self.close_window();
        }
        if self.steps == total {
            self.ended = true;
        }
        Ok(if self.ended {
            Control::Stop
        } else {
            Control::Continue
        })
    }

    /// Adds `terms` to the window's sums; the first step names the series.
    fn record_terms(&mut self, terms: &[(&str, f64)]) -> Result<(), NeuralError> {
        if self.steps == 0 {
            self.curve.terms = terms
                .iter()
                .map(|(name, _)| NamedSeries {
                    name: (*name).to_string(),
                    values: Vec::new(),
                })
                .collect();
            self.term_sums = vec![0.0; terms.len()];
        }
        let same = terms.len() == self.curve.terms.len()
            && terms
                .iter()
                .zip(&self.curve.terms)
                .all(|((name, _), series)| *name == series.name);
        if !same {
            return Err(NeuralError::TermsChanged {
                step: self.steps + 1,
                got: terms.iter().map(|t| t.0.to_string()).collect(),
                earlier: self.curve.terms.iter().map(|t| t.name.clone()).collect(),
            });
        }
        self.term_sums
            .iter_mut()
            .zip(terms)
            .for_each(|(sum, (_, value))| *sum += value);
        Ok(())
    }

    /// Records the window's means and applies the plateau rule.
    fn close_window(&mut self) {
        let n = self.window.1 as f64;
        let mean = self.window.0 / n;
        self.curve.steps.push(self.steps);
        self.curve.loss.push(mean);
        for (series, sum) in self.curve.terms.iter_mut().zip(&mut self.term_sums) {
            series.values.push(*sum / n);
            *sum = 0.0;
        }
        self.window = (0.0, 0);
        // Relative to the best's size, so that a negative loss (a flow's
        // negative log-likelihood) must fall further below it too.
        let bar = if self.best.is_finite() {
            self.best - self.config.min_improvement * self.best.abs()
        } else {
            self.best
        };
        if mean < bar {
            (self.best, self.stale) = (mean, 0);
        } else {
            self.best = self.best.min(mean);
            self.stale += 1;
        }
        if self.config.patience > 0 && self.stale >= self.config.patience && self.held_out.is_none() {
            self.stopped_early = self.steps < self.config.steps;
            self.ended = true;
        }
    }

    /// Ends training: writes the parameter average into `params` (when the
    /// EMA is on), tells the progress and returns the summary.
    pub fn finish(mut self, params: &mut [f32]) -> TrainSummary {
        if self.window.1 > 0 {
            self.close_window();
        }
        self.progress.finish();
        if self.config.ema > 0.0 && params.len() == self.average.len() {
            params.copy_from_slice(&self.average);
        }
        let validation = self.held_out.map(|h| {
            let (best_step, best_loss) = match h.best {
                Some((step, loss, kept)) => {
                    if kept.len() == params.len() {
                        params.copy_from_slice(&kept);
                    }
                    (step, loss)
                }
                None => (self.steps, f64::NAN),
            };
            ValidationSummary {
                rows: 0,
                steps: h.steps,
                loss: h.loss,
                best_step,
                best_loss,
            }
        });
        TrainSummary {
            steps: self.steps,
            seconds: self.started.elapsed().as_secs_f64(),
            final_loss: self.curve.loss.last().copied().unwrap_or(f64::NAN),
            best_loss: self.best,
            stopped_early: self.stopped_early,
            curve: self.curve,
            adjusted: Vec::new(),
            validation,
        }
    }
}
