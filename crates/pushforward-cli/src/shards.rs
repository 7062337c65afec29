//! `--shard K/N` and `--parts N` of `generate` and `sample`: one part of the
//! rows to a file (or standard output), or every part to a data set
//! directory, made in parallel (see `pushforward_core::shard` for how rows
//! are cut and `pushforward_io::write_parts` for the directory).

use crate::args::ShardArgs;
use crate::interrupt;
use crate::output::resolve_target;
use crate::progress::Steps;
use anyhow::Context;
use pushforward_core::{Sampler, Shard, Sharded};
use pushforward_io::{Output, OutputFormat, open_sink, write_parts, write_sampled};
use std::path::Path;
use std::time::Instant;

impl ShardArgs {
    /// Whether a part or parts were asked for.
    pub(crate) fn given(&self) -> bool {
        self.shard.is_some() || self.parts.is_some()
    }
}

/// What to write: the rows, their seed, where and how.
pub(crate) struct Job<'a> {
    pub(crate) rows: u64,
    pub(crate) seed: u64,
    pub(crate) output: Option<&'a Path>,
    pub(crate) format: Option<OutputFormat>,
    pub(crate) quiet: bool,
}

/// Writes the shard or the parts `args` asks for of `sampler`'s rows.
pub(crate) fn write(sampler: &(dyn Sampler + Sync), args: &ShardArgs, job: &Job<'_>) -> anyhow::Result<()> {
    let start = Instant::now();
    let bar = Steps::rows(job.quiet);
    match (args.parts, job.output) {
        (Some(parts), Some(dir)) => {
            let format = job.format.unwrap_or(OutputFormat::Parquet);
            let files = write_parts(sampler, job.rows, job.seed, parts, dir, format, &bar)
                .map_err(|e| interrupt::explain(e, &Output::File(dir.to_path_buf())))
                .with_context(|| format!("cannot write the data set '{}'", dir.display()))?;
            eprintln!(
                "wrote {} rows in {} {format} parts to '{}' in {:.2} s (seed {})",
                job.rows,
                files.len(),
                dir.display(),
                start.elapsed().as_secs_f64(),
                job.seed
            );
        }
        _ => {
            let shard = args.shard.unwrap_or(Shard::WHOLE);
            let sharded =
                Sharded::new(sampler, shard).with_context(|| format!("cannot make part {shard}"))?;
            let (target, format) = resolve_target(job.output, job.format)?;
            let sink = open_sink(&target, format)?;
            write_sampled(&sharded, job.rows, job.seed, &bar, sink)
                .map_err(|e| interrupt::explain(e, &target))?;
            if let Output::File(p) = &target {
                let rows = sharded.rows(job.rows);
                eprintln!(
                    "wrote part {shard} (rows {} to {} of {}) to '{}' in {:.2} s (seed {})",
                    rows.start,
                    rows.end,
                    job.rows,
                    p.display(),
                    start.elapsed().as_secs_f64(),
                    job.seed
                );
            }
        }
    }
    Ok(())
}
