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
//!
//! Two kinds of target are not replaced by a rename:
//!
//! - **A symbolic link** is written through: the links are followed to the
//!   file they name ([`resolve`]; a dangling link's target is created), the
//!   temporary file goes beside that file and is renamed onto it, and the
//!   link stays a link.
//! - **A file that exists and is not a regular file** (a FIFO, a character
//!   device such as `/dev/null` or a terminal behind `/dev/stdout`) is
//!   opened and written directly: renaming over it would replace the device
//!   by a plain file. What was written before a failure has then already
//!   gone to its reader; only regular files get the all-or-nothing
//!   guarantee.
//!
//! ```text
//! target            write                          commit
//! regular / absent  .NAME.XXXXXX.tmp.EXT beside it  rename(tmp, target)
//! symlink → T       .NAME.XXXXXX.tmp.EXT beside T   rename(tmp, T)
//! FIFO, device      the target itself               flush
//! directory         refused
//! ```

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Symbolic links followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

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

/// The file a write to `path` lands on: symbolic links of the last
/// component followed (a dangling link gives the path it names, which a
/// write creates), and the directory made canonical (absolute, without
/// links, `.` or `..`).
///
/// # Errors
/// The operating system's error when a link cannot be read, the directory
/// does not exist, or links loop (more than 40).
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let target = dir.path().join("data.csv");
/// #[cfg(unix)]
/// std::os::unix::fs::symlink("data.csv", dir.path().join("link.csv"))?;
/// #[cfg(unix)]
/// assert_eq!(
///     pushforward_core::atomic::resolve(&dir.path().join("link.csv"))?,
///     std::fs::canonicalize(dir.path())?.join("data.csv")
/// );
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        let is_link = std::fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            let dir = std::fs::canonicalize(parent_dir(&current))?;
            return Ok(match current.file_name() {
                Some(name) => dir.join(name),
                None => std::fs::canonicalize(&current)?,
            });
        }
        let link = std::fs::read_link(&current)?;
        current = if link.is_absolute() {
            link
        } else {
            parent_dir(&current).join(link)
        };
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links from '{}'",
        path.display()
    )))
}

/// Where an [`AtomicFile`]'s bytes go.
#[derive(Debug)]
enum Dest {
    /// A temporary file, renamed onto `dest` (the resolved target) by
    /// `commit`.
    Temp { tmp: NamedTempFile, dest: PathBuf },
    /// A special file, written in place.
    Direct(File),
}

/// A temporary file next to its target, moved onto the target by
/// [`commit`](AtomicFile::commit) and deleted if dropped before; or, for a
/// target that is a FIFO or a device, the target itself (see the module
/// doc).
#[derive(Debug)]
pub struct AtomicFile {
    dest: Dest,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file `.NAME.XXXXXX.tmp[.EXT]` beside the file
    /// `target` resolves to, or opens `target` for writing when it is a
    /// special file (opening a FIFO waits for its reader).
    ///
    /// # Errors
    /// The operating system's error when the directory is missing or not
    /// writable, or `target` is a directory.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dest = match std::fs::metadata(target) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(io::ErrorKind::IsADirectory, "it is a directory"));
            }
            Ok(m) if !m.is_file() => Dest::Direct(std::fs::OpenOptions::new().write(true).open(target)?),
            _ => {
                let dest = resolve(target)?;
                Dest::Temp {
                    tmp: temporary_beside(&dest)?,
                    dest,
                }
            }
        };
        Ok(AtomicFile {
            dest,
            target: target.to_path_buf(),
        })
    }

    /// The target path, as given.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The path to write, for writers that open the file by name: the
    /// temporary file, or the target itself when it is written directly.
    pub fn write_path(&self) -> &Path {
        match &self.dest {
            Dest::Temp { tmp, .. } => tmp.path(),
            Dest::Direct(_) => &self.target,
        }
    }

    /// Flushes and moves the file onto its target, replacing any file there
    /// (a special target is only flushed).
    ///
    /// # Errors
    /// The operating system's error when the flush or the rename fails; the
    /// temporary file is then removed.
    pub fn commit(mut self) -> io::Result<()> {
        self.flush()?;
        match self.dest {
            Dest::Temp { tmp, dest } => tmp.persist(&dest).map(drop).map_err(|e| e.error),
            Dest::Direct(_) => Ok(()),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.dest {
            Dest::Temp { tmp, .. } => tmp,
            Dest::Direct(file) => file,
        }
    }
}

/// The temporary file `.NAME.XXXXXX.tmp[.EXT]` in `dest`'s directory, with
/// the permissions of a plain new file.
fn temporary_beside(dest: &Path) -> io::Result<NamedTempFile> {
    let mut prefix = OsString::from(".");
    if let Some(name) = dest.file_name() {
        prefix.push(name);
    }
    prefix.push(".");
    let mut suffix = OsString::from(".tmp");
    if let Some(ext) = dest.extension() {
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
    builder.tempfile_in(parent_dir(dest))
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
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
        let temp = file.write_path().to_path_buf();
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

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<OsString> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        names
    }

    /// A link in one directory to a file in another: the file gets the new
    /// bytes, the link stays a link, and neither directory keeps a
    /// temporary file.
    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_to_its_target() {
        let links = tempfile::tempdir().expect("temp dir");
        let files = tempfile::tempdir().expect("temp dir");
        let target = files.path().join("data.csv");
        std::fs::write(&target, b"old").expect("write");
        let link = links.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        write_atomic(&link, b"new").expect("atomic write");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_link(&link).expect("read link"), target);
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        assert_eq!(names(links.path()), vec![OsString::from("link.csv")]);
        assert_eq!(names(files.path()), vec![OsString::from("data.csv")]);
    }

    /// A relative link to a relative link to a file that does not exist
    /// yet: the write creates the file the chain ends at.
    #[cfg(unix)]
    #[test]
    fn a_chain_of_relative_links_ending_nowhere_creates_its_target() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::os::unix::fs::symlink("sub/second.csv", dir.path().join("first.csv")).expect("symlink");
        std::os::unix::fs::symlink("../end.csv", dir.path().join("sub/second.csv")).expect("symlink");
        let resolved = resolve(&dir.path().join("first.csv")).expect("resolve");
        let end = std::fs::canonicalize(dir.path())
            .expect("canonical")
            .join("end.csv");
        assert_eq!(resolved, end);
        write_atomic(&dir.path().join("first.csv"), b"rows").expect("atomic write");
        assert_eq!(std::fs::read(&end).expect("read"), b"rows");
        assert!(
            std::fs::symlink_metadata(dir.path().join("first.csv"))
                .expect("link")
                .file_type()
                .is_symlink()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink("b.csv", dir.path().join("a.csv")).expect("symlink");
        std::os::unix::fs::symlink("a.csv", dir.path().join("b.csv")).expect("symlink");
        assert!(write_atomic(&dir.path().join("a.csv"), b"x").is_err());
        assert_eq!(
            names(dir.path()),
            vec![OsString::from("a.csv"), OsString::from("b.csv")]
        );
    }

    /// A FIFO is written in place: its reader gets the bytes and it is
    /// still a FIFO afterwards, with no temporary file beside it.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_directly() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("rows.csv");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo failed");
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).expect("read the fifo"))
        };
        let mut file = AtomicFile::create(&fifo).expect("open the fifo");
        assert_eq!(file.write_path(), fifo.as_path());
        file.write_all(b"a,b\n1,2\n").expect("write");
        file.commit().expect("commit");
        assert_eq!(reader.join().expect("reader"), b"a,b\n1,2\n");
        assert!(
            std::fs::symlink_metadata(&fifo)
                .expect("fifo")
                .file_type()
                .is_fifo()
        );
        assert_eq!(names(dir.path()), vec![OsString::from("rows.csv")]);
    }

    /// `/dev/null` takes the bytes and stays a character device.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_character_device_is_written_directly() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        write_atomic(null, b"discarded").expect("write /dev/null");
        assert!(
            std::fs::metadata(null)
                .expect("metadata")
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = write_atomic(dir.path(), b"x").expect_err("a directory target");
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        assert!(names(dir.path()).is_empty());
    }
}
