//! Ctrl-C (and SIGTERM): every long phase (the copula fit and its nearest
//! search, training, sampling block by block) checks the flag through its
//! `Progress` (evaluation as each metric group starts) and stops with an
//! error, so the output sink is dropped and its
//! temporary file removed instead of the process dying mid-write. A second
//! signal exits at once.
//!
//! The error says what became of the output: a file is left as it was
//! (nothing written), while standard output, a FIFO or a device has
//! already passed the rows before the interruption to its reader.

use pushforward_core::SampleError;
use pushforward_io::Output;
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

/// The error of a sampling run writing to `target`: a cancellation says
/// what was written (nothing to a regular file, whose sink was dropped
/// unfinished; the first rows to a stream).
pub(crate) fn explain(e: SampleError, target: &Output) -> anyhow::Error {
    let SampleError::Interrupted { rows } = e else {
        return anyhow::Error::new(e);
    };
    match target {
        Output::File(path) if !is_stream(path) => anyhow::anyhow!(
            "interrupted: no rows were written, '{}' is as it was",
            path.display()
        ),
        Output::File(path) => anyhow::anyhow!(
            "interrupted after {rows} rows: '{}' received only those",
            path.display()
        ),
        Output::Stdout => {
            anyhow::anyhow!("interrupted after {rows} rows: standard output received only those")
        }
    }
}

/// The error of measuring rows after `target` was written in full.
pub(crate) fn explain_after_write(e: SampleError, target: &Output) -> anyhow::Error {
    let SampleError::Interrupted { .. } = e else {
        return anyhow::Error::new(e);
    };
    let written = match target {
        Output::File(path) => format!("'{}'", path.display()),
        Output::Stdout => "standard output".to_string(),
    };
    anyhow::anyhow!("interrupted while measuring the rows: {written} was already written in full")
}

/// Whether `path` is written in place (a FIFO or a device), not through a
/// temporary file.
fn is_stream(path: &std::path::Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}
