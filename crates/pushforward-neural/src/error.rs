//! Errors of fitting, sampling and reading models.

use std::path::PathBuf;

/// What can go wrong in the neural crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NeuralError {
    /// A setting out of range or inconsistent with the data.
    #[error("{0}")]
    BadConfig(String),
    /// Training data that cannot be used, with the reason.
    #[error("{0}")]
    BadData(String),
    /// The loss became NaN or infinite.
    #[error("training diverged at step {step}: the loss is {loss}; try a smaller learning rate")]
    Diverged {
        /// Optimiser step (1-based) whose loss was not finite.
        step: usize,
        /// That loss.
        loss: f64,
    },
    /// Training stopped on request (Ctrl-C) before a model existed.
    #[error("interrupted at step {step}: no model was written")]
    Interrupted {
        /// Steps completed.
        step: usize,
    },
    /// A model file that is not a readable pushforward model.
    #[error("{path}: {reason}")]
    BadModelFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, and what was expected.
        reason: String,
    },
    /// Reading or writing a file failed (the cause is the error's source).
    #[error("file '{}'", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl NeuralError {
    pub(crate) fn bad_file(path: &std::path::Path, reason: impl Into<String>) -> Self {
        NeuralError::BadModelFile {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
