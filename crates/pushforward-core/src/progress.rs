//! Progress of a long loop (optimiser steps, sampled rows): reports to a
//! bar and a way for the user to stop it. Every method has a silent
//! default, so a caller that does not care passes [`Silent`].

/// Reports progress of a loop; every method has a silent default.
pub trait Progress {
    /// The loop of `steps` steps (or rows) begins.
    fn start(&self, _steps: usize) {}
    /// `step` steps (or rows) are done; `loss` is the mean over the current
    /// window of a training loop, 0 elsewhere.
    fn update(&self, _step: usize, _loss: f64) {}
    /// The loop ended.
    fn finish(&self) {}
    /// Whether the user asked to stop.
    fn cancelled(&self) -> bool {
        false
    }
}

/// A [`Progress`] that reports nothing and never cancels.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
