//! Shared steps of the generating commands: resolve rows, seed and target,
//! fit the copula (reporting what could not be met), and stream rows to the
//! chosen sink with a progress bar.

use crate::args::{OnInfeasible, PenaltyArg, SampleArgs};
use crate::interrupt;
use crate::progress::{Interrupt, Steps};
use crate::report;
use pushforward_io::{Output, OutputFormat, open_sink, write_sampled};
use pushforward_stats::{InfeasiblePolicy, NearestOptions, Penalty, Spec, SpecSampler};
use std::path::Path;
use std::time::Instant;

/// Rows when neither the flag nor the spec says.
const DEFAULT_ROWS: u64 = 10_000;

/// What to generate and where.
pub(crate) struct Plan {
    pub(crate) rows: u64,
    pub(crate) seed: u64,
    pub(crate) target: Output,
    pub(crate) format: OutputFormat,
}

impl Plan {
    pub(crate) fn new(spec: &Spec, args: &SampleArgs) -> anyhow::Result<Self> {
        let (rows, seed) = rows_and_seed(spec, args);
        let (target, format) = resolve_target(args.output.as_deref(), args.format)?;
        Ok(Plan {
            rows,
            seed,
            target,
            format,
        })
    }
}

/// The rows and seed: the flag's, else the spec's, else the defaults.
pub(crate) fn rows_and_seed(spec: &Spec, args: &SampleArgs) -> (u64, u64) {
    (
        args.rows.or(spec.rows).unwrap_or(DEFAULT_ROWS),
        args.seed.or(spec.seed).unwrap_or(0),
    )
}

/// The sink and format an `-o`/`--format` pair asks for (standard output
/// as CSV by default), refusing early what the writer would refuse: Parquet
/// to standard output, a file in a missing directory.
pub(crate) fn resolve_target(
    output: Option<&Path>,
    format: Option<OutputFormat>,
) -> anyhow::Result<(Output, OutputFormat)> {
    let target = match output {
        None => Output::Stdout,
        Some(p) if p.as_os_str() == "-" => Output::Stdout,
        Some(p) => Output::File(p.to_path_buf()),
    };
    let format = match (format, &target) {
        (Some(f), _) => f,
        (None, Output::Stdout) => OutputFormat::Csv,
        (None, Output::File(p)) => OutputFormat::from_path(p)?,
    };
    match &target {
        Output::Stdout if format == OutputFormat::Parquet => {
            return Err(pushforward_io::IoError::ParquetToStdout.into());
        }
        Output::File(p) => {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !dir.is_dir() {
                anyhow::bail!(
                    "cannot write '{}': the directory '{}' does not exist",
                    p.display(),
                    dir.display()
                );
            }
        }
        Output::Stdout => {}
    }
    Ok((target, format))
}

/// Fits the copula, printing the nearest-fit report when one was needed.
pub(crate) fn fit(spec: &Spec, args: &SampleArgs) -> anyhow::Result<SpecSampler> {
    let policy = match args.on_infeasible {
        OnInfeasible::Error => InfeasiblePolicy::Error,
        OnInfeasible::Nearest => InfeasiblePolicy::Nearest,
    };
    let options = NearestOptions {
        penalty: match args.penalty {
            PenaltyArg::L1 => Penalty::L1,
            PenaltyArg::L2 => Penalty::L2,
        },
        seed: args.seed.or(spec.seed).unwrap_or(0),
        ..NearestOptions::default()
    };
    let sampler = SpecSampler::with_progress(spec, policy, &options, &Interrupt)?;
    if let Some(r) = &sampler.fit().nearest {
        report::print_nearest(r);
    }
    Ok(sampler)
}

/// Streams `plan.rows` rows to the sink and finishes it.
pub(crate) fn write(sampler: &SpecSampler, plan: &Plan, args: &SampleArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let sink = open_sink(&plan.target, plan.format)?;
    write_sampled(sampler, plan.rows, plan.seed, &Steps::rows(args.quiet), sink)
        .map_err(|e| interrupt::explain(e, &plan.target))?;
    if let Output::File(p) = &plan.target {
        eprintln!(
            "wrote {} rows x {} columns to '{}' ({}) in {:.2} s (seed {})",
            plan.rows,
            sampler.names().len(),
            p.display(),
            plan.format,
            start.elapsed().as_secs_f64(),
            plan.seed
        );
    }
    Ok(())
}
