//! Ctrl-C (and SIGTERM) during a write: the generation loop notices the flag
//! between blocks and stops with an error, so the output sink is dropped and
//! its temporary file removed instead of the process dying mid-write.

use pushforward_core::SampleError;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler; a second Ctrl-C is not caught twice, the first one
/// already stops the work within a block.
pub(crate) fn install() {
    // Failing to install (a handler already set) only loses the clean-up.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
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
