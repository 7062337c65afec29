//! Command-line arguments (clap derive), one struct per subcommand.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use pushforward_io::OutputFormat;
use pushforward_metrics::Metric;
use pushforward_toy::Toy;
use std::path::PathBuf;

/// A parser for a library's named choices, listing each with its
/// description in `--help`.
fn named<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    name: fn(T) -> &'static str,
    description: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(
        all.iter()
            .map(|&t| PossibleValue::new(name(t)).help(description(t))),
    )
    .try_map(move |s: String| {
        all.iter()
            .copied()
            .find(|&t| name(t) == s)
            .ok_or_else(|| format!("unknown value '{s}'"))
    })
}

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
    /// Measure how close synthetic data is to real data, or to a spec.
    ///
    /// Per column: Kolmogorov-Smirnov, Wasserstein-1, moments, quantiles
    /// (total variation for categories). Dependence: Pearson, Spearman and
    /// Kendall errors. Joint, on columns standardised by the real sample:
    /// exact W1/W2, sliced W2, debiased Sinkhorn, MMD, precision/recall/
    /// density/coverage and a classifier two-sample test. Privacy: distance
    /// to closest record against held-out real rows, and exact copies.
    /// Large samples are subsampled (seeded) per metric, as the notes say.
    ///
    /// Examples:
    ///   pushforward evaluate --real real.csv --synth synth.parquet --json report.json --plots plots/
    ///   pushforward evaluate --spec spec.toml --synth synth.csv
    #[command(verbatim_doc_comment)]
    Evaluate(EvaluateArgs),
    /// Write a built-in toy data set (seeded), for trying the learned
    /// samplers and the evaluation: `pushforward toy moons -o moons.csv`.
    Toy(ToyArgs),
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

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("reference").required(true).multiple(true).args(["real", "spec"])))]
pub(crate) struct EvaluateArgs {
    /// The real table (`.csv` or `.parquet`).
    #[arg(long, value_name = "FILE")]
    pub(crate) real: Option<PathBuf>,
    /// The synthetic table to judge (`.csv` or `.parquet`).
    #[arg(long, value_name = "FILE")]
    pub(crate) synth: PathBuf,
    /// A spec (TOML): compare each column with its marginal and the
    /// correlation with the target. With `--real` too, both comparisons.
    #[arg(long, value_name = "FILE")]
    pub(crate) spec: Option<PathBuf>,
    /// Real rows the generator never saw, the baseline of the privacy
    /// distances [default: a seeded 20% of the real rows].
    #[arg(long, value_name = "FILE", requires = "real")]
    pub(crate) holdout: Option<PathBuf>,
    /// Metrics to compute, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_name = "LIST", value_parser = named(&Metric::ALL, Metric::name, Metric::description))]
    pub(crate) metrics: Vec<Metric>,
    /// Write every number as JSON to this file (`-` for standard output,
    /// the readable summary then goes to standard error).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Write PNG plots into this directory (created if missing): one per
    /// column, correlation heatmaps, a scatter-plot matrix.
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// Seed of every random choice (subsamples, projections, splits).
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Entropic regularisation of the Sinkhorn divergence, on the
    /// standardised scale.
    #[arg(long, default_value_t = 0.05, help_heading = "Metric settings")]
    pub(crate) epsilon: f64,
    /// Random projections of the sliced Wasserstein distance.
    #[arg(long, default_value_t = 256, help_heading = "Metric settings")]
    pub(crate) projections: usize,
    /// Neighbourhood size of precision/recall/density/coverage.
    #[arg(long, default_value_t = 5, help_heading = "Metric settings")]
    pub(crate) k: usize,
    /// Rows per sample for the exact Wasserstein distances (two dense
    /// assignments, between O(N^2) and O(N^3): seconds at 5,000).
    #[arg(
        long,
        default_value_t = 2_000,
        value_name = "N",
        help_heading = "Subsample sizes"
    )]
    pub(crate) exact_rows: usize,
    /// Rows per sample for the sliced Wasserstein distance.
    #[arg(
        long,
        default_value_t = 20_000,
        value_name = "N",
        help_heading = "Subsample sizes"
    )]
    pub(crate) sliced_rows: usize,
    /// Rows per sample for the Sinkhorn divergence (iterations grow as
    /// the points crowd at the scale of epsilon).
    #[arg(
        long,
        default_value_t = 2_000,
        value_name = "N",
        help_heading = "Subsample sizes"
    )]
    pub(crate) sinkhorn_rows: usize,
    /// Rows per sample for MMD (quadratic in N).
    #[arg(
        long,
        default_value_t = 5_000,
        value_name = "N",
        help_heading = "Subsample sizes"
    )]
    pub(crate) mmd_rows: usize,
    /// Rows per sample for precision/recall/density/coverage.
    #[arg(
        long,
        default_value_t = 10_000,
        value_name = "N",
        help_heading = "Subsample sizes"
    )]
    pub(crate) prdc_rows: usize,
    /// Rows per sample for the classifier test.
    #[arg(
        long,
        default_value_t = 10_000,
        value_name = "N",
        help_heading = "Subsample sizes"
    )]
    pub(crate) c2st_rows: usize,
    /// Synthetic and held-out rows for the privacy distances (each scans
    /// every training row).
    #[arg(
        long,
        default_value_t = 5_000,
        value_name = "N",
        help_heading = "Subsample sizes"
    )]
    pub(crate) privacy_rows: usize,
    /// Hide the progress spinner.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ToyArgs {
    /// The data set.
    #[arg(value_parser = named(&Toy::ALL, Toy::name, Toy::description))]
    pub(crate) name: Toy,
    /// Rows to draw [default: 4096 for sierpinski (one per cell), else 2000].
    #[arg(short = 'n', long)]
    pub(crate) rows: Option<usize>,
    /// Seed: the same seed gives the same rows.
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Output file (`.csv` or `.parquet`), or `-` for CSV on standard output
    /// [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Output format, when the file name does not tell.
    #[arg(long, value_parser = clap::value_parser!(OutputFormat))]
    pub(crate) format: Option<OutputFormat>,
    /// Add a categorical `label` column naming each row's component (moons,
    /// circles, 8gaussians, twogaussians).
    #[arg(long)]
    pub(crate) labels: bool,
}
