//! Small files (reports) written atomically through
//! [`pushforward_core::atomic`], and the early check that their directory
//! exists.

use anyhow::{Context, bail};
use pushforward_core::atomic::{parent_dir, write_atomic};
use std::path::Path;

/// Fails early, before any work, when the target's directory is missing.
pub(crate) fn check_parent(path: &Path) -> anyhow::Result<()> {
    let dir = parent_dir(path);
    if !dir.is_dir() {
        bail!(
            "directory '{}' of '{}' does not exist",
            dir.display(),
            path.display()
        );
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic(path, bytes).with_context(|| format!("cannot write '{}'", path.display()))
}
