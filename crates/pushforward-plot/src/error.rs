//! The error type of every plotting function.

use std::path::PathBuf;

/// Why a plot could not be written.
///
/// Each variant names the PNG file it is about.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// Rendering or PNG encoding failed.
    #[error("cannot draw '{}': {message}", .path.display())]
    Draw {
        /// The target file.
        path: PathBuf,
        /// What the renderer reported.
        message: String,
    },
    /// The temporary file could not be created or moved onto the target.
    #[error("cannot write '{}'", .path.display())]
    Write {
        /// The target file.
        path: PathBuf,
        /// The underlying cause.
        source: std::io::Error,
    },
    /// The directory the target should go into does not exist (it is never created).
    #[error("cannot write '{}': directory '{}' does not exist", .path.display(), .dir.display())]
    MissingDirectory {
        /// The missing directory.
        dir: PathBuf,
        /// The target file.
        path: PathBuf,
    },
    /// The data cannot be plotted: mismatched sizes, or nothing to draw.
    #[error("cannot plot '{}': {reason}", .path.display())]
    BadInput {
        /// The target file.
        path: PathBuf,
        /// What is wrong with the input.
        reason: String,
    },
}

impl PlotError {
    pub(crate) fn bad_input(path: &std::path::Path, reason: impl Into<String>) -> Self {
        Self::BadInput {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
