//! Ctrl-C (and SIGTERM): every long phase (the copula fit and its nearest
//! search, training, sampling block by block) checks the flag through its
//! `Progress` and stops with an error, so the output sink is dropped and its
//! temporary file removed instead of the process dying mid-write. A second
//! signal exits at once.

use pushforward_core::SampleError;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Exit status after a second interrupt (128 + SIGINT, as shells report).
const FORCED_EXIT: i32 = 130;

/// Installs the handler. The first Ctrl-C (or SIGTERM) sets the flag that
/// every long loop checks, which stops the work and removes the temporary
/// output; a second one exits at once, for a phase that does not answer.
pub(crate) fn install() {
    // Failing to install (a handler already set) only loses the clean-up.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(FORCED_EXIT);
        }
    });
}

/// Whether an interrupt has arrived.
pub(crate) fn requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The error of a sampling run: a cancellation says that no output was
/// written (the sink was dropped unfinished).
pub(crate) fn explain(e: SampleError) -> anyhow::Error {
    match e {
        SampleError::Interrupted { .. } => anyhow::anyhow!("interrupted: no output was written"),
        e => anyhow::Error::new(e),
    }
}
