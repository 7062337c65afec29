//! Small files (reports) written atomically: to a temporary file next to
//! the target, then renamed onto it, so a failure leaves nothing behind.

use anyhow::{Context, bail};
use std::io::Write;
use std::path::Path;

/// The directory a file is to be written in (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Fails early, before any work, when the target's directory is missing.
pub(crate) fn check_parent(path: &Path) -> anyhow::Result<()> {
    let dir = parent(path);
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
    let context = || format!("cannot write '{}'", path.display());
    let mut file = tempfile::NamedTempFile::new_in(parent(path)).with_context(context)?;
    file.write_all(bytes).with_context(context)?;
    file.persist(path).map_err(|e| e.error).with_context(context)?;
    Ok(())
}
