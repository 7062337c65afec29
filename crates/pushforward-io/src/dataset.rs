//! A data set directory: the rows of a sampler cut into `N` part files
//! (`part-00000.parquet`, …), made in parallel, one shard each
//! ([`pushforward_core::shard`]), so that the parts read in name order are
//! the rows one file would hold, value for value.
//!
//! The directory appears whole or not at all: the parts are written into a
//! temporary directory beside it (`.NAME.XXXXXX.tmp`), which is renamed onto
//! the target only when every part is complete; a failure or an interrupt
//! removes it. The target must not exist, or be an empty directory.
//!
//! Each part writes its own file, so the encoders (Parquet's is one thread
//! per file) run side by side, while each part's blocks are still drawn in
//! parallel within it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use pushforward_core::{Progress, SampleError, Sampler, Shard, Sharded};
use rayon::prelude::*;

use crate::{IoError, Output, OutputFormat, open_sink, write_sampled};

/// The file of part `index` in `format`.
pub fn part_name(index: u64, format: OutputFormat) -> String {
    format!("part-{index:05}.{}", format.as_str())
}

/// Draws `rows` rows of `sampler` with `seed` into `parts` files of the
/// directory `dir`, in `format`, counting rows on `progress`; returns the
/// files' paths in order.
///
/// # Errors
/// [`IoError::DirectoryNotEmpty`] (as [`SampleError::Sink`]) when `dir`
/// holds files; [`SampleError::NotShardable`] for more than one part of a
/// sampler without independent blocks; the first error of any part, after
/// which the other parts stop at their next block.
pub fn write_parts(
    sampler: &(dyn Sampler + Sync),
    rows: u64,
    seed: u64,
    parts: u64,
    dir: &Path,
    format: OutputFormat,
    progress: &(dyn Progress + Sync),
) -> Result<Vec<PathBuf>, SampleError> {
    let sink = |e: IoError| SampleError::Sink(Box::new(e));
    let shards = (0..parts.max(1))
        .map(|k| {
            Sharded::new(
                sampler,
                Shard::new(k, parts.max(1)).map_err(|e| SampleError::Model(Box::new(e)))?,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_target(dir).map_err(sink)?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempdir_in(parent)
        .map_err(|source| {
            sink(IoError::Create {
                path: dir.to_path_buf(),
                source,
            })
        })?;
    let counts = Counts {
        outer: progress,
        parts: (0..shards.len()).map(|_| AtomicU64::new(0)).collect(),
        failed: AtomicBool::new(false),
    };
    progress.start(usize::try_from(rows).unwrap_or(usize::MAX));
    let results: Vec<Result<(), SampleError>> = shards
        .par_iter()
        .enumerate()
        .map(|(k, shard)| {
            let path = temporary.path().join(part_name(k as u64, format));
            let part = Part { counts: &counts, k };
            let done = open_sink(&Output::File(path), format)
                .map_err(sink)
                .and_then(|s| write_sampled(shard, rows, seed, &part, s));
            if done.is_err() {
                counts.failed.store(true, Ordering::SeqCst);
            }
            done
        })
        .collect();
    progress.finish();
    // The first real failure, before the stops it caused in other parts.
    let mut errors: Vec<SampleError> = results.into_iter().filter_map(Result::err).collect();
    if let Some(i) = errors
        .iter()
        .position(|e| !matches!(e, SampleError::Interrupted { .. }))
    {
        return Err(errors.swap_remove(i));
    }
    if let Some(e) = errors.pop() {
        return Err(e);
    }
    let kept = temporary.keep();
    std::fs::rename(&kept, dir).map_err(|source| {
        let _ = std::fs::remove_dir_all(&kept);
        sink(IoError::Persist {
            path: dir.to_path_buf(),
            source,
        })
    })?;
    Ok((0..parts.max(1))
        .map(|k| dir.join(part_name(k, format)))
        .collect())
}

/// Refuses a target that exists and is not an empty directory.
fn check_target(dir: &Path) -> Result<(), IoError> {
    match std::fs::read_dir(dir).map(|mut entries| entries.next().is_none()) {
        Ok(true) => Ok(()),
        Ok(false) => Err(IoError::DirectoryNotEmpty {
            path: dir.to_path_buf(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() => Err(IoError::DirectoryNotEmpty {
            path: dir.to_path_buf(),
        }),
        Err(source) => Err(IoError::Create {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// The rows done by each part, reported to one progress as their sum.
struct Counts<'a> {
    outer: &'a (dyn Progress + Sync),
    parts: Vec<AtomicU64>,
    failed: AtomicBool,
}

/// One part's view of [`Counts`].
struct Part<'a> {
    counts: &'a Counts<'a>,
    k: usize,
}

impl Progress for Part<'_> {
    fn update(&self, step: usize, _: f64) {
        self.counts.parts[self.k].store(step as u64, Ordering::SeqCst);
        let total: u64 = self.counts.parts.iter().map(|p| p.load(Ordering::SeqCst)).sum();
        self.counts
            .outer
            .update(usize::try_from(total).unwrap_or(usize::MAX), 0.0);
    }

    fn cancelled(&self) -> bool {
        self.counts.failed.load(Ordering::SeqCst) || self.counts.outer.cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_table;
    use pushforward_core::Silent;
    use pushforward_stats::{InfeasiblePolicy, NearestOptions, Spec, SpecSampler};

    fn sampler() -> SpecSampler {
        let spec = Spec::from_toml(
            r#"
[[column]]
name = "x"
dist = "gamma"
shape = 2.0
scale = 1.0
[[column]]
name = "c"
dist = "categorical"
categories = ["a", "b", "c"]
weights = [0.5, 0.3, 0.2]
[correlation]
pairs = [["x", "c", 0.4]]
"#,
        )
        .expect("spec");
        SpecSampler::new(&spec, InfeasiblePolicy::Error, &NearestOptions::default()).expect("sampler")
    }

    /// The label of row `i` of a categorical column (levels read back sorted,
    /// so codes alone may differ between files).
    fn label(column: &pushforward_core::Column, i: usize) -> String {
        match &column.data {
            pushforward_core::ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
            _ => String::new(),
        }
    }

    #[test]
    fn the_parts_read_in_order_are_the_single_file() {
        let dir = tempfile::tempdir().expect("temp");
        let s = sampler();
        let rows = 3 * 65_536 + 100;
        let single = dir.path().join("one.parquet");
        write_sampled(
            &s,
            rows,
            9,
            &Silent,
            open_sink(&Output::File(single.clone()), OutputFormat::Parquet).expect("sink"),
        )
        .expect("single file");
        let out = dir.path().join("set");
        let files = write_parts(&s, rows, 9, 3, &out, OutputFormat::Parquet, &Silent).expect("parts");
        assert_eq!(files.len(), 3);
        let whole = read_table(&single).expect("read");
        let mut x = Vec::new();
        let mut c = Vec::new();
        for f in &files {
            let t = read_table(f).expect("part");
            let (xc, cc) = (t.column("x").expect("x"), t.column("c").expect("c"));
            x.extend((0..t.rows()).map(|i| xc.data.value_f64(i).to_bits()));
            c.extend((0..t.rows()).map(|i| label(cc, i)));
        }
        let (wx, wc) = (whole.column("x").expect("x"), whole.column("c").expect("c"));
        assert_eq!(
            x,
            (0..whole.rows())
                .map(|i| wx.data.value_f64(i).to_bits())
                .collect::<Vec<_>>()
        );
        assert_eq!(c, (0..whole.rows()).map(|i| label(wc, i)).collect::<Vec<_>>());
        let names: Vec<String> = std::fs::read_dir(&out)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "only the parts: {names:?}");
    }

    #[test]
    fn a_directory_with_files_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("keep.txt"), "x").expect("write");
        let e =
            write_parts(&sampler(), 10, 0, 2, dir.path(), OutputFormat::Csv, &Silent).expect_err("not empty");
        let SampleError::Sink(inner) = e else {
            panic!("a sink error")
        };
        assert!(inner.to_string().contains("not empty"), "{inner}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    /// Cancels at once.
    struct Stop;
    impl Progress for Stop {
        fn cancelled(&self) -> bool {
            true
        }
    }

    #[test]
    fn an_interrupt_leaves_no_directory() {
        let dir = tempfile::tempdir().expect("temp");
        let out = dir.path().join("set");
        let e =
            write_parts(&sampler(), 200_000, 0, 2, &out, OutputFormat::Parquet, &Stop).expect_err("stopped");
        assert!(matches!(e, SampleError::Interrupted { .. }), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    }
}
