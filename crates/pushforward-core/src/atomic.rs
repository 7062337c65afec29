//! The one way pushforward writes a file: into a temporary file beside the
//! target, renamed onto it only when complete.
//!
//! A reader of the target sees the old file or the whole new one, never a
//! part; an error, an interruption or a dropped writer leaves the target as
//! it was and removes the temporary file. The temporary file lives in the
//! target's directory so the final rename stays on one file system, and is
//! created with mode `0666` less the process umask — what a plain
//! `File::create` gives — instead of the private `0600` of a named
//! temporary file, so every output of the tool (tables, models, plots,
//! reports) ends with the same permissions. Its name keeps the target's
//! extension, for encoders that choose their format by file name.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// The directory holding `target`: its parent, or `.` for a bare file name
/// (whose parent is empty).
///
/// ```
/// use pushforward_core::atomic::parent_dir;
/// use std::path::Path;
/// assert_eq!(parent_dir(Path::new("out.csv")), Path::new("."));
/// assert_eq!(parent_dir(Path::new("a/b/out.csv")), Path::new("a/b"));
/// ```
pub fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A temporary file next to its target, moved onto the target by
/// [`commit`](AtomicFile::commit) and deleted if dropped before.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file `.NAME.XXXXXX.tmp[.EXT]` in `target`'s
    /// directory.
    ///
    /// # Errors
    /// The operating system's error when the directory is missing or not
    /// writable.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let mut prefix = OsString::from(".");
        if let Some(name) = target.file_name() {
            prefix.push(name);
        }
        prefix.push(".");
        let mut suffix = OsString::from(".tmp");
        if let Some(ext) = target.extension() {
            suffix.push(".");
            suffix.push(ext);
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(&suffix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The mode passed to open(2): the kernel removes the umask's bits.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder.tempfile_in(parent_dir(target))?;
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// The target path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file's path, for writers that open the file by name.
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// Flushes and moves the file onto its target, replacing any file there.
    ///
    /// # Errors
    /// The operating system's error when the flush or the rename fails; the
    /// temporary file is then removed.
    pub fn commit(mut self) -> io::Result<()> {
        self.tmp.flush()?;
        let AtomicFile { tmp, target } = self;
        tmp.persist(&target).map(drop).map_err(|e| e.error)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tmp.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

/// Writes `bytes` to `target` atomically.
///
/// # Errors
/// The operating system's error when the directory is missing or not
/// writable, or the write fails; the target is then left as it was.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(target)?;
    file.write_all(bytes)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_committed_file_replaces_the_target_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.json");
        std::fs::write(&target, b"old").expect("write");
        write_atomic(&target, b"new").expect("atomic write");
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![OsString::from("out.json")]);
    }

    #[test]
    fn a_dropped_file_leaves_the_target_as_it_was() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.csv");
        std::fs::write(&target, b"old").expect("write");
        let mut file = AtomicFile::create(&target).expect("create");
        file.write_all(b"partial").expect("write");
        let temp = file.temp_path().to_path_buf();
        assert_eq!(temp.extension(), target.extension());
        drop(file);
        assert!(!temp.exists());
        assert_eq!(std::fs::read(&target).expect("read"), b"old");
    }

    /// The permissions are those of a plain `File::create` under the same
    /// umask, whatever the umask is.
    #[cfg(unix)]
    #[test]
    fn permissions_are_those_of_a_plain_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let plain = dir.path().join("plain.bin");
        std::fs::File::create(&plain).expect("plain file");
        let atomic = dir.path().join("atomic.bin");
        write_atomic(&atomic, b"x").expect("atomic write");
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&atomic), mode(&plain));
        assert_ne!(mode(&atomic), 0o600, "not the private mode of a temporary file");
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("missing").join("out.csv");
        assert!(write_atomic(&target, b"x").is_err());
        assert!(!target.exists());
    }
}
