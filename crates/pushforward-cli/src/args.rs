//! Command-line arguments (clap derive), one struct per subcommand.

use clap::{Args, Parser, Subcommand, ValueEnum};
use pushforward_io::OutputFormat;
use std::path::PathBuf;

/// Turn a description of data into a fast, faithful sampler.
///
/// Start with `pushforward demo`, then write your own spec from
/// `pushforward spec --example > my.toml` and run
/// `pushforward generate my.toml -o data.parquet`.
#[derive(Debug, Parser)]
#[command(name = "pushforward", version, about, long_about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate rows from a spec: named marginals and a target correlation.
    ///
    /// Each column gets exactly its marginal; the correlation matrix is met
    /// exactly through a Gaussian copula (NORTA) when the marginals allow it.
    /// Targets they do not allow are refused with every offending pair and
    /// its attainable interval, unless `--on-infeasible nearest`.
    Generate(GenerateArgs),
    /// Run the built-in example (twelve marginals, a feasible correlation
    /// target, 1,000,000 rows) and print how closely the data follow it.
    Demo(DemoArgs),
    /// Print spec-file help: `--example` prints an annotated spec to start from.
    Spec(SpecArgs),
}

/// Where rows go and how they are generated.
#[derive(Debug, Args)]
pub(crate) struct SampleArgs {
    /// Rows to generate [default: the spec's `rows`, else 10000].
    #[arg(short = 'n', long)]
    pub(crate) rows: Option<u64>,
    /// Seed of the random streams: the same seed gives the same bytes
    /// [default: the spec's `seed`, else 0].
    #[arg(short, long)]
    pub(crate) seed: Option<u64>,
    /// Output file (`.csv` or `.parquet`), or `-` for CSV on standard output
    /// [default: standard output; for `demo`, no file]. Files are written to
    /// a temporary file and renamed when complete, so a failure leaves none.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Output format, when the file name does not tell.
    #[arg(long, value_parser = clap::value_parser!(OutputFormat))]
    pub(crate) format: Option<OutputFormat>,
    /// What to do when the target correlation cannot be met exactly:
    /// `error` lists the offending pairs and stops; `nearest` keeps every
    /// marginal exact and gets as close to the target as they allow, then
    /// reports the error achieved.
    #[arg(long, value_enum, default_value_t = OnInfeasible::Error)]
    pub(crate) on_infeasible: OnInfeasible,
    /// Penalty of the nearest search: `l1` (mean absolute error) or `l2`.
    #[arg(long, value_enum, default_value_t = PenaltyArg::L1)]
    pub(crate) penalty: PenaltyArg,
    /// Hide the progress bar.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// The spec file (TOML); see `pushforward spec --example`.
    pub(crate) spec: PathBuf,
    #[command(flatten)]
    pub(crate) sample: SampleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub(crate) sample: SampleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SpecArgs {
    /// Print an annotated example spec.
    #[arg(long)]
    pub(crate) example: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OnInfeasible {
    /// Refuse, listing every unreachable pair.
    Error,
    /// Keep the marginals exact and minimise the correlation error.
    Nearest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PenaltyArg {
    /// Sum of absolute errors.
    L1,
    /// Sum of squared errors.
    L2,
}
