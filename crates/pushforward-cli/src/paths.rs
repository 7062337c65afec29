//! The check every command makes before any work: no output may land on
//! one of its inputs or on another output, and a binary output may not be
//! standard output.
//!
//! Two paths name the same file when, after following symbolic links and
//! making the directory canonical ([`pushforward_core::atomic::resolve`],
//! the rule the writers follow), they are the same path, or when both exist
//! and share a device and an inode (hard links):
//!
//! ```text
//! same(a, b) = (dev, ino)(a) = (dev, ino)(b)   when both exist
//!            = resolve(a) = resolve(b)          otherwise
//! ```
//!
//! A plot directory is written file by file (`NAME.png`), so it clashes
//! with an input or another output that is the directory itself or a
//! `.png` file directly inside it. `-` (standard output) clashes with
//! nothing.

use anyhow::bail;
use pushforward_core::atomic::resolve;
use std::path::{Path, PathBuf};

/// A path as the writers will reach it.
#[derive(Debug)]
struct Identity {
    /// Links followed, directory canonical (or the path made absolute when
    /// its directory does not exist).
    path: PathBuf,
    /// Device and inode of an existing file.
    node: Option<(u64, u64)>,
}

impl Identity {
    fn of(path: &Path) -> Identity {
        let resolved = resolve(path)
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.to_path_buf());
        Identity {
            path: resolved,
            node: node(path),
        }
    }

    fn same(&self, other: &Identity) -> bool {
        match (self.node, other.node) {
            (Some(a), Some(b)) => a == b,
            _ => self.path == other.path,
        }
    }

    /// Whether this is a `.png` file directly inside the directory `dir`.
    fn is_plot_in(&self, dir: &Identity) -> bool {
        let png = self
            .path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        png && self.path.parent() == Some(dir.path.as_path())
    }
}

/// Device and inode of the file `path` names (links followed).
#[cfg(unix)]
fn node(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Without inodes, paths alone decide.
#[cfg(not(unix))]
fn node(_: &Path) -> Option<(u64, u64)> {
    None
}

/// What a command writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A table or report: `-` is standard output.
    Text,
    /// A binary file (a model): `-` is refused.
    Binary,
    /// A directory of PNG files.
    Plots,
    /// A text file written beside other output (a spec): `-` is refused.
    File,
}

/// A flag (or argument name) and its path.
#[derive(Debug)]
struct Named<'a> {
    flag: &'static str,
    path: &'a Path,
}

impl Named<'_> {
    fn is_stdout(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// The inputs and outputs of one command, checked together by
/// [`check`](Paths::check).
#[derive(Debug, Default)]
pub(crate) struct Paths<'a> {
    inputs: Vec<Named<'a>>,
    outputs: Vec<(Kind, Named<'a>)>,
}

impl<'a> Paths<'a> {
    /// An input file the command reads.
    pub(crate) fn input(mut self, flag: &'static str, path: Option<&'a Path>) -> Self {
        self.inputs.extend(path.map(|path| Named { flag, path }));
        self
    }

    /// A table or report the command writes (`-`: standard output).
    pub(crate) fn output(self, flag: &'static str, path: Option<&'a Path>) -> Self {
        self.with(Kind::Text, flag, path)
    }

    /// A binary file (a model) the command writes.
    pub(crate) fn binary(self, flag: &'static str, path: Option<&'a Path>) -> Self {
        self.with(Kind::Binary, flag, path)
    }

    /// A text file the command writes besides its main output (a spec);
    /// standard output is refused, since that output may use it.
    pub(crate) fn file(self, flag: &'static str, path: Option<&'a Path>) -> Self {
        self.with(Kind::File, flag, path)
    }

    /// A directory the command writes PNG plots into.
    pub(crate) fn plots(self, flag: &'static str, path: Option<&'a Path>) -> Self {
        self.with(Kind::Plots, flag, path)
    }

    fn with(mut self, kind: Kind, flag: &'static str, path: Option<&'a Path>) -> Self {
        self.outputs.extend(path.map(|path| (kind, Named { flag, path })));
        self
    }

    /// Refuses `-` for a binary file or a plot directory, an output that is
    /// an input, and two outputs that are the same file, naming both flags
    /// and the paths.
    pub(crate) fn check(&self) -> anyhow::Result<()> {
        for (kind, out) in &self.outputs {
            match kind {
                Kind::Binary if out.is_stdout() => bail!(
                    "{} -: a model file is binary and cannot go to standard output; \
                     give a file name, such as {} model.pf",
                    out.flag,
                    out.flag
                ),
                Kind::File if out.is_stdout() => bail!(
                    "{} -: this file is written atomically beside the main output; give a file name, \
                     such as {} spec.toml",
                    out.flag,
                    out.flag
                ),
                Kind::Plots if out.is_stdout() => bail!(
                    "{} -: plots are PNG files written into a directory; give a directory name",
                    out.flag
                ),
                _ => {}
            }
        }
        let outputs: Vec<(Kind, &Named<'_>, Identity)> = self
            .outputs
            .iter()
            .filter(|(_, o)| !o.is_stdout())
            .map(|(k, o)| (*k, o, Identity::of(o.path)))
            .collect();
        for input in &self.inputs {
            let id = Identity::of(input.path);
            for (kind, out, out_id) in &outputs {
                if out_id.same(&id) {
                    bail!(
                        "{} '{}' is the input {} '{}': writing it would destroy the input; \
                         choose another output path",
                        out.flag,
                        out.path.display(),
                        input.flag,
                        input.path.display()
                    );
                }
                if *kind == Kind::Plots && id.is_plot_in(out_id) {
                    bail!(
                        "{} '{}' would write plots beside the input {} '{}', which a plot of \
                         the same name would replace; choose another plot directory",
                        out.flag,
                        out.path.display(),
                        input.flag,
                        input.path.display()
                    );
                }
            }
        }
        for (i, (kind_a, a, id_a)) in outputs.iter().enumerate() {
            for (kind_b, b, id_b) in &outputs[i + 1..] {
                let plot_clash = (*kind_a == Kind::Plots && id_b.is_plot_in(id_a))
                    || (*kind_b == Kind::Plots && id_a.is_plot_in(id_b));
                if id_a.same(id_b) || plot_clash {
                    bail!(
                        "{} '{}' and {} '{}' would write the same file, one over the other; \
                         choose different paths",
                        a.flag,
                        a.path.display(),
                        b.flag,
                        b.path.display()
                    );
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(paths: &Paths<'_>) -> String {
        format!("{:#}", paths.check().expect_err("a clash"))
    }

    #[test]
    fn an_output_equal_to_an_input_is_refused_naming_both() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = dir.path().join("spec.toml");
        std::fs::write(&spec, "rows = 1").expect("write");
        let message = error(
            &Paths::default()
                .input("SPEC", Some(&spec))
                .output("-o", Some(&spec)),
        );
        assert!(message.starts_with("-o '"), "{message}");
        assert!(message.contains("is the input SPEC"), "{message}");
        assert!(message.contains("spec.toml"), "{message}");
        let other = dir.path().join("out.csv");
        let fine = Paths::default()
            .input("SPEC", Some(&spec))
            .output("-o", Some(&other));
        assert!(fine.check().is_ok());
    }

    /// Another spelling of the same path: `./`, `sub/..`.
    #[test]
    fn spellings_of_one_path_are_the_same_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let data = dir.path().join("data.csv");
        std::fs::write(&data, "x\n1\n").expect("write");
        let roundabout = dir.path().join("sub/../data.csv");
        let paths = Paths::default()
            .input("DATA", Some(&data))
            .output("-o", Some(&roundabout));
        assert!(paths.check().is_err());
        // Two outputs, neither existing yet, spelled differently.
        let a = dir.path().join("new.csv");
        let b = dir.path().join("sub/../new.csv");
        let message = error(
            &Paths::default()
                .output("-o", Some(&a))
                .binary("--save-model", Some(&b)),
        );
        assert!(
            message.contains("-o '") && message.contains("--save-model '"),
            "{message}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_hard_links_compared_by_inode() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data.csv");
        std::fs::write(&data, "x\n1\n").expect("write");
        let soft = dir.path().join("soft.csv");
        std::os::unix::fs::symlink("data.csv", &soft).expect("symlink");
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&data, &hard).expect("hard link");
        for out in [&soft, &hard] {
            let paths = Paths::default()
                .input("DATA", Some(&data))
                .output("-o", Some(out));
            assert!(paths.check().is_err(), "{}", out.display());
        }
        // A dangling link to a new file is the same file as that file.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("later.csv", &dangling).expect("symlink");
        let later = dir.path().join("later.csv");
        let paths = Paths::default()
            .output("-o", Some(&dangling))
            .output("--json", Some(&later));
        assert!(paths.check().is_err());
    }

    #[test]
    fn standard_output_is_refused_only_for_binary_files_and_plots() {
        let dash = Path::new("-");
        assert!(error(&Paths::default().binary("-o", Some(dash))).contains("cannot go to standard output"));
        assert!(error(&Paths::default().plots("--plots", Some(dash))).contains("directory"));
        // Two `-` outputs and an input named like nothing on disk are fine.
        let paths = Paths::default()
            .input("SPEC", Some(Path::new("spec.toml")))
            .output("-o", Some(dash))
            .output("--json", Some(dash));
        assert!(paths.check().is_ok());
    }

    #[test]
    fn a_plot_directory_clashes_with_png_files_inside_it_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plots = dir.path().join("plots");
        std::fs::create_dir(&plots).expect("mkdir");
        let png = plots.join("heatmap.png");
        std::fs::write(&png, "x").expect("write");
        let csv = plots.join("data.csv");
        std::fs::write(&csv, "x\n1\n").expect("write");
        let clash = Paths::default()
            .input("--spec", Some(&png))
            .plots("--plots", Some(&plots));
        assert!(error(&clash).contains("--plots '"));
        let beside = Paths::default()
            .input("DATA", Some(&csv))
            .plots("--plots", Some(&plots));
        assert!(beside.check().is_ok());
        let itself = Paths::default()
            .input("DATA", Some(&csv))
            .plots("--plots", Some(&csv));
        assert!(error(&itself).contains("is the input DATA"));
        let model_png = plots.join("model.png");
        let outputs = Paths::default()
            .binary("-o", Some(&model_png))
            .plots("--plots", Some(&plots));
        assert!(error(&outputs).contains("would write the same file"));
    }
}
