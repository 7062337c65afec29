//! Progress bars and spinners on standard error, shown only on a terminal.

use crate::interrupt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A spinner with a message, hidden when stderr is not a terminal or on `--quiet`.
pub(crate) fn spinner(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A bar for the neural crate's long loops: optimiser steps with the
/// running loss, or sampled rows; Ctrl-C cancels through it.
pub(crate) struct Steps {
    bar: ProgressBar,
    loss: bool,
}

impl Steps {
    /// Training steps, showing the loss.
    pub(crate) fn training(quiet: bool) -> Steps {
        Steps::new(
            quiet,
            "{spinner} {wide_bar} {human_pos}/{human_len} steps ({per_sec}, eta {eta}) loss {msg}",
            true,
        )
    }

    /// Sampled rows.
    pub(crate) fn rows(quiet: bool) -> Steps {
        Steps::new(
            quiet,
            "{spinner} {wide_bar} {human_pos}/{human_len} rows ({per_sec}, eta {eta})",
            false,
        )
    }

    fn new(quiet: bool, template: &str, loss: bool) -> Steps {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if quiet || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Steps { bar, loss }
    }
}

impl pushforward_neural::Progress for Steps {
    fn start(&self, steps: usize) {
        self.bar.set_length(steps as u64);
        self.bar.set_position(0);
    }

    fn update(&self, step: usize, loss: f64) {
        self.bar.set_position(step as u64);
        if self.loss {
            self.bar.set_message(format!("{loss:.4}"));
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn cancelled(&self) -> bool {
        interrupt::requested()
    }
}

/// No display, only Ctrl-C: the cancellation check of phases that draw no
/// bar (the copula fit).
pub(crate) struct Interrupt;

impl pushforward_core::Progress for Interrupt {
    fn cancelled(&self) -> bool {
        interrupt::requested()
    }
}
