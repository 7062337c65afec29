//! Command-line arguments (clap derive), one struct per subcommand.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use pushforward_core::Shard;
use pushforward_io::OutputFormat;
use pushforward_metrics::Metric;
use pushforward_neural::divergence::Normalisation;
use pushforward_neural::dualdiv::{Shuffle, Start};
use pushforward_neural::gpa::{Latent, Scheme};
use pushforward_neural::{
    Activation, Coupling, Method, OptimizerConfig, SamplerKind, Schedule, Solver, TimeEmbedding,
};
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
    /// target, 1,000,000 rows) and print how closely the data follow it;
    /// `demo rosenbrock` compares the optimisers instead, `demo survey` the
    /// generative families on a 1-D mixture.
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
    /// Quality, in SDMetrics' terms: Column Shapes, Column Pair Trends and
    /// their mean, as SDV's QualityReport scores them.
    /// Large samples are subsampled (seeded) per metric, as the notes say.
    ///
    /// Examples:
    ///   pushforward evaluate --real real.csv --synth synth.parquet --json report.json --plots plots/
    ///   pushforward evaluate --spec spec.toml --synth synth.csv
    #[command(verbatim_doc_comment)]
    Evaluate(EvaluateArgs),
    /// Write the evaluation as one HTML page a person opens and reads.
    ///
    /// The page holds SDMetrics' quality scores (Column Shapes, Column Pair
    /// Trends) with a sentence on each, a table of the columns with each
    /// column's real and synthetic marginal drawn, the column pairs with
    /// heat maps of the real and synthetic correlations, and the joint and
    /// privacy metrics with what they mean. It is self-contained: styles and
    /// plots (PNG) are inline, nothing is fetched, no script runs. Takes
    /// `evaluate`'s metric settings.
    ///
    /// Examples:
    ///   pushforward report --real penguins.csv --synth synth.csv -o report.html
    ///   pushforward report --real real.parquet --synth synth.parquet --holdout unseen.parquet \
    ///       --json report.json -o report.html
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Write a built-in toy data set (seeded), for trying the learned
    /// samplers and the evaluation: `pushforward toy moons -o moons.csv`.
    Toy(ToyArgs),
    /// Learn a generator from a table and save it.
    ///
    /// The default method, a Gaussian copula, takes a real table as it is:
    /// numbers, integers, text categories, booleans and ISO dates, with
    /// missing values. It infers each column's role (an ID column is never
    /// copied: it is regenerated fresh), fits each numeric column's marginal
    /// (a spec family when one fits as well as the data, else a smoothed
    /// empirical quantile function within the observed range), keeps each
    /// category's frequency and each column's missing rate, joins the
    /// columns by the latent correlation of their normal scores, and fits
    /// one copula per class of the categorical column that explains the
    /// numeric ones most. 20% of the rows are held out (seeded) so that
    /// `sample` can check the synthetic rows against them.
    ///
    /// Examples:
    ///   pushforward fit penguins.csv -o penguins.pfm
    ///   pushforward sample penguins.pfm --rows 3440 -o synthetic.csv
    ///   pushforward sample penguins.pfm --rows 500 --where "species=Adelie,body_mass_g>4000"
    ///   pushforward fit penguins.csv --types year=categorical --split none -o p.pfm
    ///   pushforward fit penguins.csv --split none -o p.pfm --emit-spec p.toml
    ///   pushforward generate p.toml --rows 3440 -o synthetic.csv
    ///
    /// `--method flow-matching` regresses a velocity field on straight
    /// paths between the data and Gaussian noise; optimal-transport coupling
    /// straightens them, so few sampling steps suffice. Columns are
    /// standardised before training and restored when sampling; integer
    /// columns come back rounded, within their range. Columns take the
    /// copula's roles (--types, --schema): text and boolean columns are
    /// one-hot encoded and come back as their own labels, dates are
    /// modelled as time and written in their own layout, ID columns are
    /// regenerated fresh; a column with missing values gets a missing flag,
    /// so they come back at their rate. With `--condition COLUMN` the model learns one
    /// distribution per class of that column and can be steered with
    /// `sample --class`.
    ///   pushforward toy moons -o moons.csv
    ///   pushforward fit moons.csv --method flow-matching -o moons.pf --plots plots/
    ///   pushforward fit penguins.csv --method flow-matching -o penguins.pf
    ///   pushforward toy moons --labels -o labelled.csv
    ///   pushforward fit labelled.csv --method flow-matching --condition label -o cond.pf
    ///
    /// `--method flow` fits a normalizing flow (rational-quadratic spline
    /// coupling layers) by exact maximum likelihood: `sample` inverts it in
    /// closed form and `likelihood` scores rows by their exact density.
    ///   pushforward fit moons.csv --method flow --layers 4 --bins 8 -o flow.pf
    ///   pushforward likelihood flow.pf test.csv -o scored.csv
    /// One column gets the monotone flow T(x) = b + ∫₀ˣ softplus(MLP(t)) dt
    /// (Clenshaw–Curtis on --nodes intervals), inverted by a safeguarded
    /// Newton search; --spline-1d uses the spline stack instead.
    ///   pushforward fit mixture.csv --method flow --nodes 32 -o mono.pf
    ///
    /// `--method dual-divergence` is for a few hundred samples, such as
    /// multivariate time series (`--shape C,T`: each row a series of C
    /// channels x T steps; `--window T`: cut a long table into windows). A
    /// network f is trained so that E_data(f) - log E_ref(e^f) estimates the
    /// KL divergence of the data from the product of its marginals (the
    /// reference: each column, or each channel with `--shuffle channel`,
    /// shuffled across rows); `sample` starts between two rows that f puts
    /// close together and walks along the gradient of f, never leaving the
    /// range of f over the training rows. `--local K` refines f within runs
    /// of K neighbouring rows.
    ///   pushforward fit var.csv --method dual-divergence --shape 4,32 -o var.pf
    ///   pushforward fit macro.csv --method dual-divergence --window 8 --stride 1 -o macro.pf
    ///   pushforward sample var.pf --rows 300 -o more.csv
    ///   pushforward evaluate --real var.csv --synth more.csv --shape 4,32 --plots plots/
    #[command(verbatim_doc_comment)]
    Fit(Box<FitArgs>),
    /// Draw rows from a fitted model (see `fit`).
    ///
    /// Examples:
    ///   pushforward sample moons.pf --rows 100000 -o synthetic.parquet
    ///   pushforward sample cond.pf --class upper --guidance 3 -o upper.csv
    ///   pushforward sample penguins.pfm --rows 200 --where "sex=missing" -o unsexed.csv
    #[command(verbatim_doc_comment)]
    Sample(SampleModelArgs),
    /// Straighten a fitted flow-matching model so it samples in one or two
    /// Euler steps (rectified flow, Liu et al. 2023).
    ///
    /// Draws pairs of Gaussian noise and the teacher's sample for it by
    /// integrating the teacher's ODE, then fits the teacher's network (from
    /// its weights) to carry each noise row along the straight line to its
    /// sample. Those pairs' paths barely cross, so the new field's paths are
    /// nearly straight and few steps follow them. The new model keeps the
    /// teacher's columns, scales and classes (each pair keeps its class),
    /// records the reflow in its file, and `sample` uses 2 Euler steps for
    /// it unless told otherwise. A reflowed model can be reflowed again
    /// (its file counts the generation).
    ///
    /// Examples:
    ///   pushforward fit moons.csv --method flow-matching -o moons.pf
    ///   pushforward reflow moons.pf -o fast.pf
    ///   pushforward sample fast.pf --rows 100000 -o synthetic.csv
    ///
    /// The defaults take seconds; on two moons, 2 Euler steps of the
    /// result are then within 19% of the teacher's 50-step W1. This recipe
    /// (about as long as the teacher's fit) brings them within 3%:
    ///   pushforward reflow moons.pf --pairs 60000 --steps 48000 \
    ///       --schedule cosine --euler-times -o fast.pf
    #[command(verbatim_doc_comment)]
    Reflow(ReflowArgs),
    /// Exact log-density of each row of a table under a fitted flow (at
    /// most 16 numeric columns), by the instantaneous change of variables.
    /// Writes the table with a `log_likelihood` column added.
    Likelihood(LikelihoodArgs),
    /// Estimate a divergence D(P||Q) between two samples with a trained
    /// discriminator: KL by Donsker-Varadhan, the alpha, reverse-KL and
    /// Jensen-Shannon divergences in Legendre form, or W1. With
    /// `--lipschitz L` (default 1) the discriminator is L-Lipschitz by
    /// spectral normalisation, which bounds the estimate by L x W1 and keeps
    /// it finite between samples with disjoint supports.
    ///
    /// Examples:
    ///   pushforward divergence p.csv q.csv --f kl --lipschitz 10
    ///   pushforward divergence p.csv q.csv --f alpha --alpha 2 --no-lipschitz --steps 200
    ///   pushforward divergence p.csv q.csv --f w1 --json -
    ///
    /// With `--f kl-marginals` and one table, the KL divergence of the table
    /// from the product of its marginals (its total correlation, in nats),
    /// by the dual network of `fit --method dual-divergence` (5-Lipschitz
    /// unless told otherwise): 0 for independent columns, up to a small
    /// upward bias of a few hundredths on a few hundred rows.
    ///   pushforward divergence var.csv --f kl-marginals --shape 4,32 --shuffle channel
    #[command(verbatim_doc_comment)]
    Divergence(DivergenceArgs),
    /// Move particles from a source toward a target sample along the
    /// gradient of an L-Lipschitz discriminator (Lipschitz-regularised
    /// generative particles): each particle step trains the discriminator a
    /// few steps, then moves every particle by -dt x its gradient, at a
    /// speed of at most L.
    ///
    /// Examples:
    ///   pushforward toy swissroll -o roll.csv
    ///   pushforward transport gaussian:3 roll.csv --particles 2000 -o moved.csv --plots plots/
    ///   pushforward transport before.csv after.csv --scheme heun -o moved.csv
    #[command(verbatim_doc_comment)]
    Transport(TransportArgs),
    /// Add generated rows to a small table: fit a particle generator
    /// (`--method gpa`) and write the table's rows followed by `--rows` new
    /// ones, which a model with more capacity can then learn from.
    ///
    /// Examples:
    ///   pushforward toy swissroll3d -n 200 -o roll.csv
    ///   pushforward augment roll.csv --method gpa --rows 5000 -o more.csv
    ///   pushforward augment macro.csv --method dual-divergence --window 8 --rows 500 -o windows.csv
    #[command(verbatim_doc_comment)]
    Augment(AugmentArgs),
}

/// Where rows go and how they are generated.
#[derive(Debug, Args)]
pub(crate) struct SampleArgs {
    /// Rows to generate [default: the spec's `rows`, else 10000]. Rows
    /// stream to the output in blocks, so any count works (Ctrl-C stops it
    /// and leaves no file).
    #[arg(short = 'n', long, allow_negative_numbers = true, value_parser = count)]
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
    #[command(flatten)]
    pub(crate) shards: ShardArgs,
    /// How rows are made: `copula` keeps every marginal exact and meets the
    /// correlation a Gaussian copula can; `neural` trains a network on sets
    /// of rows against the marginals and the Pearson target, trading a little
    /// marginal accuracy for dependence a copula cannot express.
    #[arg(long, value_enum, default_value_t = Engine::Copula)]
    pub(crate) engine: Engine,
    #[command(flatten)]
    pub(crate) neural: NeuralArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Engine {
    /// Gaussian copula with exact marginals (NORTA).
    Copula,
    /// A network trained on sets of rows (Pearson targets).
    Neural,
}

/// Settings of `--engine neural`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Neural engine")]
pub(crate) struct NeuralArgs {
    /// Optimiser steps, on a cosine schedule [default: 1,000, about a
    /// minute on two cores for the seed's twelve columns].
    #[arg(long, allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) train_steps: Option<usize>,
    /// The optimiser [default: adamw at rate 0.04 without weight decay];
    /// another starts from its own defaults.
    #[arg(long, value_name = "NAME", value_parser = named(&OptimizerConfig::ALL, OptimizerConfig::name, OptimizerConfig::description))]
    pub(crate) optimizer: Option<OptimizerConfig>,
    /// Learning rate of the optimiser at the start of the schedule
    /// [default: the optimiser's].
    #[arg(long, value_parser = positive)]
    pub(crate) lr: Option<f64>,
    /// Rows per training set (the losses compare a set's sorted values
    /// and correlation matrix with the targets), at least 2; set size
    /// times sets per batch is at most 16,777,216 rows a step
    /// [default: 2,000].
    #[arg(long, allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) set_size: Option<usize>,
    /// Sets per optimiser step [default: 8].
    #[arg(long, allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) sets_per_batch: Option<usize>,
    /// Stop when the loss, averaged over windows of 100 steps, has not
    /// improved by 0.1% for this many windows (0: train every step)
    /// [default: 0].
    #[arg(long)]
    pub(crate) patience: Option<usize>,
    /// Weights of the two losses, as `correlation=W,marginal=W` (a loss
    /// left out weighs 1) [default: correlation=1,marginal=1].
    #[arg(long, value_parser = loss_weights)]
    pub(crate) loss_weights: Option<(f64, f64)>,
    /// Replace each generated column by the target quantiles at its ranks
    /// (within blocks of 65,536 rows): exact marginals, learned dependence.
    #[arg(long)]
    pub(crate) match_marginals: bool,
    /// Also save the trained generator, to draw more rows later with
    /// `pushforward sample FILE --rows N`.
    #[arg(long, value_name = "FILE")]
    pub(crate) save_model: Option<PathBuf>,
    /// Write PNG plots into this directory (created if missing): each
    /// column against its target law, target and achieved correlations,
    /// the loss terms during training, and correlation error against worst KS beside the
    /// copula engine's.
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
}

/// `correlation=W,marginal=W` (either may be left out: weight 1).
fn loss_weights(s: &str) -> Result<(f64, f64), String> {
    let mut weights = (1.0, 1.0);
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("'{part}' is not NAME=WEIGHT (names: correlation, marginal)"))?;
        let w: f64 = value
            .trim()
            .parse()
            .map_err(|e| format!("weight '{value}': {e}"))?;
        if !(w.is_finite() && w >= 0.0) {
            return Err(format!("weight '{value}' must be a finite number of at least 0"));
        }
        match name.trim() {
            "correlation" => weights.0 = w,
            "marginal" => weights.1 = w,
            other => return Err(format!("unknown loss '{other}' (names: correlation, marginal)")),
        }
    }
    Ok(weights)
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct DemoArgs {
    /// Another demo instead of the spec example.
    #[command(subcommand)]
    pub(crate) example: Option<DemoExample>,
    #[command(flatten)]
    pub(crate) sample: SampleArgs,
}

/// The other demos.
#[derive(Debug, Subcommand)]
pub(crate) enum DemoExample {
    /// Run the seven optimisers on the Rosenbrock function
    /// f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-0.5, 1) for 2 + 4096
    /// steps and print where each ends.
    ///
    /// The learning rates are the generative-modelling survey's, so the
    /// figure compares with its own: SGD 1e-3, momentum 1e-3 (0.9), Nesterov
    /// 1e-3 (0.9, the standard form), RMSProp 1e-2 (decay 0.99), AdaGrad
    /// 1e-1, Adam 1e-1 (0.9, 0.999, eps 1e-12), and AdamW as Adam with weight
    /// decay 1e-3.
    Rosenbrock(RosenbrockArgs),
    /// Train each generative family of the survey that pushforward has
    /// (flow matching, the MMD network, the score model, the spline flow,
    /// the WGAN with the R1 + R2 penalty) on its 1-D mixture
    /// 0.5 N(-1, 0.5^2) + 0.5 N(1, 0.5^2) and print a table: training time,
    /// KS and W1 of 5,000 samples against 5,000 fresh draws, and the
    /// negative log-likelihood of the fresh draws for methods with a
    /// density (beside the true density's, the floor). Takes well under a
    /// minute.
    ///
    /// With --plots DIR, one figure per method (DIR/METHOD.png): the
    /// training loss; samples against fresh data under the true density;
    /// and for methods with a density, the model's density evaluated at the
    /// points it is drawn at.
    ///
    /// Example:
    ///   pushforward demo survey --plots survey/
    #[command(verbatim_doc_comment)]
    Survey(SurveyArgs),
}

/// Settings of `demo survey`.
#[derive(Debug, Args)]
pub(crate) struct SurveyArgs {
    /// Write one figure per method into DIR (created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// Training steps of every method instead of its own budget
    /// [default: 2,000 for flow matching, 3,000 for mmd and wgan].
    #[arg(long)]
    pub(crate) steps: Option<usize>,
    /// Seed of the data, the fits and the samples.
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
}

/// Settings of `demo rosenbrock`.
#[derive(Debug, Args)]
pub(crate) struct RosenbrockArgs {
    /// Draw the trajectories over the contours of arcsinh(sqrt(f)) into
    /// DIR/rosenbrock.png (DIR is created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
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
    /// Write every number as JSON to this file (`-` for standard output,
    /// the readable summary then goes to standard error).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Write PNG plots into this directory (created if missing): one per
    /// column, correlation heatmaps, a scatter-plot matrix (and series heat
    /// maps and lines with --shape or --window).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// Which metrics, on how many rows, with which seed.
    #[command(flatten)]
    pub(crate) metric: MetricArgs,
    /// Rows as multivariate time series: adds the discriminative and
    /// correlational scores, and series plots with --plots.
    #[command(flatten)]
    pub(crate) series: SeriesFlags,
    /// Hide the progress spinner.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// The metric settings `evaluate` and `report` share.
#[derive(Debug, Args)]
pub(crate) struct MetricArgs {
    /// Metrics to compute, comma-separated [default: all].
    #[arg(long, value_delimiter = ',', value_name = "LIST", value_parser = named(&Metric::ALL, Metric::name, Metric::description))]
    pub(crate) metrics: Vec<Metric>,
    /// Seed of every random choice (subsamples, projections, splits).
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Entropic regularisation of the Sinkhorn divergence, on the
    /// standardised scale.
    #[arg(long, default_value_t = 0.05, help_heading = "Metric settings", allow_negative_numbers = true, value_parser = positive)]
    pub(crate) epsilon: f64,
    /// Random projections of the sliced Wasserstein distance.
    #[arg(long, default_value_t = 256, help_heading = "Metric settings", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) projections: usize,
    /// Neighbourhood size of precision/recall/density/coverage.
    #[arg(long, default_value_t = 5, help_heading = "Metric settings", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) k: usize,
    /// Rows per sample for the exact Wasserstein distances (two dense
    /// assignments, between O(N^2) and O(N^3): seconds at 5,000).
    #[arg(
        long,
        default_value_t = 2_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) exact_rows: usize,
    /// Rows per sample for the sliced Wasserstein distance.
    #[arg(
        long,
        default_value_t = 20_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) sliced_rows: usize,
    /// Rows per sample for the Sinkhorn divergence (iterations grow as
    /// the points crowd at the scale of epsilon).
    #[arg(
        long,
        default_value_t = 2_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) sinkhorn_rows: usize,
    /// Rows per sample for MMD (quadratic in N).
    #[arg(
        long,
        default_value_t = 5_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) mmd_rows: usize,
    /// Rows per sample for precision/recall/density/coverage.
    #[arg(
        long,
        default_value_t = 10_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) prdc_rows: usize,
    /// Rows per sample for the classifier test.
    #[arg(
        long,
        default_value_t = 10_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) c2st_rows: usize,
    /// Synthetic and held-out rows for the privacy distances (each scans
    /// the training rows).
    #[arg(
        long,
        default_value_t = 5_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) privacy_rows: usize,
    /// Training rows the privacy distances are measured against (a seeded
    /// subsample of larger tables; exact copies still count every row).
    #[arg(
        long,
        default_value_t = 50_000,
        value_name = "N",
        help_heading = "Subsample sizes",
        allow_negative_numbers = true,
        value_parser = positive_count
    )]
    pub(crate) privacy_train_rows: usize,
}

/// `pushforward report`: the evaluation as one self-contained HTML page.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The real table (`.csv` or `.parquet`).
    #[arg(long, value_name = "FILE")]
    pub(crate) real: PathBuf,
    /// The synthetic table to judge (`.csv` or `.parquet`).
    #[arg(long, value_name = "FILE")]
    pub(crate) synth: PathBuf,
    /// The HTML page to write.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// A spec (TOML) the synthetic table was generated from: adds its
    /// per-column comparison with each marginal.
    #[arg(long, value_name = "FILE")]
    pub(crate) spec: Option<PathBuf>,
    /// Real rows the generator never saw, the baseline of the privacy
    /// distances [default: a seeded 20% of the real rows].
    #[arg(long, value_name = "FILE")]
    pub(crate) holdout: Option<PathBuf>,
    /// Also write every number as JSON to this file (as `evaluate --json`).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Which metrics, on how many rows, with which seed.
    #[command(flatten)]
    pub(crate) metric: MetricArgs,
    /// Hide the progress spinner.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ToyArgs {
    /// The data set.
    #[arg(value_parser = named(&Toy::ALL, Toy::name, Toy::description))]
    pub(crate) name: Toy,
    /// Rows to draw [default: 4096 for sierpinski (one per cell), else
    /// 2000]. Rows stream in blocks of 65,536 (each an independent set),
    /// so any count works.
    #[arg(short = 'n', long, allow_negative_numbers = true, value_parser = count)]
    pub(crate) rows: Option<u64>,
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

/// A finite number greater than zero (a learning rate).
fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!("must be a finite number greater than 0, got {v}")),
        Err(e) => Err(e.to_string()),
    }
}

/// A finite number of at least zero (a weight decay).
fn non_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) => Err(format!("must be a finite number of at least 0, got {v}")),
        Err(e) => Err(e.to_string()),
    }
}

/// A guidance weight: finite (NaN or infinity would turn every sampled
/// row into NaN) and at least 0. Classifier-free guidance follows
/// `v_u + w (v_c − v_u)`: 0 is the unconditional field, 1 the class's,
/// larger values sharpen the class; a negative weight points away from it,
/// which samples no class at all.
fn guidance(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(v) if v.is_finite() => Err(format!(
            "must be at least 0, got {v}: 0 ignores the class, 1 samples it as learned, larger \
             values sharpen it; a negative weight pushes rows away from their class"
        )),
        Ok(v) => Err(format!("must be a finite number, got {v}")),
        Err(e) => Err(e.to_string()),
    }
}

/// A count: a whole number of at least 0 (`1e6` is accepted when whole).
fn count(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if let Ok(v) = s.parse::<u64>() {
        return Ok(v);
    }
    match s.parse::<f64>() {
        Ok(v) if v < 0.0 => Err(format!("must be a non-negative count (0, 1, 2, ...), got {s}")),
        Ok(v) if v.fract() == 0.0 && v < u64::MAX as f64 => Ok(v as u64),
        Ok(v) if v.fract() == 0.0 => Err(format!("must be at most {}, got {s}", u64::MAX)),
        Ok(_) => Err(format!("must be a whole number of at least 0, got {s}")),
        Err(_) => Err(format!("must be a non-negative count (0, 1, 2, ...), got '{s}'")),
    }
}

/// A count of at least 1 (steps, sizes: zero would do nothing).
fn positive_count(s: &str) -> Result<usize, String> {
    match count(s)? {
        0 => Err("must be at least 1".to_string()),
        v => usize::try_from(v).map_err(|_| format!("must be at most {}, got {s}", usize::MAX)),
    }
}

/// Most solver steps: beyond, the f32 rounding accumulated over the steps
/// outweighs the discretisation error of any of the solvers (Euler's is
/// `O(1/steps)`), and a block of rows takes minutes between two checks of
/// Ctrl-C.
pub(crate) const MAX_SOLVER_STEPS: usize = 100_000;

/// Solver steps: at most [`MAX_SOLVER_STEPS`] (zero is left to the model,
/// which names the solver that needs at least one).
fn solver_steps(s: &str) -> Result<usize, String> {
    match count(s)? {
        v if v > MAX_SOLVER_STEPS as u64 => Err(format!(
            "must be at most {MAX_SOLVER_STEPS}, got {v}: beyond, f32 rounding over the steps \
             outweighs the solver's discretisation error"
        )),
        v => Ok(v as usize),
    }
}

/// Widest hidden layer: a layer of `W` units holds `W²` weights from the
/// one before (16,384² f32 weights are 1 GiB, 3 GiB with the optimiser's
/// two moments, per layer).
pub(crate) const MAX_WIDTH: usize = 16_384;

/// A hidden layer width: 1 to [`MAX_WIDTH`].
fn width(s: &str) -> Result<usize, String> {
    match positive_count(s)? {
        v if v > MAX_WIDTH => Err(format!(
            "a hidden layer width must be at most {MAX_WIDTH}, got {v}: a layer holds width² \
             weights from the one before (16,384² f32 weights are 1 GiB, 3 GiB with the \
             optimiser's state)"
        )),
        v => Ok(v),
    }
}

/// A fraction in `[0, 1]` (a dropout probability).
fn fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        Ok(v) => Err(format!("must be a probability between 0 and 1, got {v}")),
        Err(e) => Err(e.to_string()),
    }
}

/// A share of rows held out, in `[0, 1)`.
fn holdout_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..0.9).contains(&v) => Ok(v),
        Ok(v) => Err(format!(
            "must be at least 0 (none held out) and below 0.9, got {v}"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// A decay in `[0, 1)` (an exponential moving average: 1 would never move).
fn decay(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        Ok(v) => Err(format!("must be at least 0 and below 1, got {v}")),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Args)]
pub(crate) struct FitArgs {
    /// The training table (`.csv` or `.parquet`): numbers, integers, text,
    /// booleans and ISO dates, with missing values; ID columns are
    /// regenerated, never copied.
    pub(crate) data: PathBuf,
    /// The model file to write (safetensors with a JSON header; the format
    /// is in the documentation of `pushforward-neural`).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// The generative method.
    #[arg(long, default_value = "copula", value_parser = named(&Method::FIT, Method::name, Method::description))]
    pub(crate) method: Method,
    /// Column roles laid over the inferred ones, comma-separated NAME=ROLE
    /// with ROLE one of float, integer, boolean, categorical, datetime, id
    /// (regenerated as fresh IDs, never copied) or drop (left out) (every
    /// method but dual-divergence).
    /// Example: --types year=categorical,row=id
    #[arg(long, value_name = "NAME=ROLE,...", help_heading = "Columns")]
    pub(crate) types: Option<String>,
    /// A TOML file of column roles, a `[types]` table of `name = "role"`;
    /// --types overrides it (every method but dual-divergence).
    #[arg(long, value_name = "FILE", help_heading = "Columns")]
    pub(crate) schema: Option<PathBuf>,
    /// Fit one copula per class of a categorical column: auto (the column
    /// whose classes explain most of the numeric columns, if any does
    /// enough), none, or a column name (copula) [default: auto].
    /// Example: --split species
    #[arg(long, value_name = "auto|none|COLUMN", help_heading = "Copula")]
    pub(crate) split: Option<String>,
    /// Share of the rows held out of the fit (seeded by --seed), so
    /// `sample` can compare the synthetic rows' distances to the training
    /// rows with the held-out rows' (copula); 0 fits on every row. Each row
    /// is held out on its own with this probability, so the count held out
    /// varies a little around the share. The model stores the training
    /// file's path and hash, not its rows [default: 0.2].
    #[arg(long, value_name = "SHARE", help_heading = "Copula", allow_negative_numbers = true, value_parser = holdout_share)]
    pub(crate) holdout: Option<f64>,
    /// Also write the fitted copula as an editable spec (TOML) that
    /// `pushforward generate` samples: each column's fitted law, its
    /// missing share and the latent correlation (copula, with --split
    /// none). Example: --split none --emit-spec penguins.toml
    #[arg(long, value_name = "FILE", help_heading = "Copula")]
    pub(crate) emit_spec: Option<PathBuf>,
    /// A column of class labels (integers or text) to condition on
    /// (flow matching).
    #[arg(long, value_name = "COLUMN")]
    pub(crate) condition: Option<String>,
    /// How noise is paired with data in each batch (flow matching) [default: ot].
    #[arg(long, value_parser = named(&Coupling::ALL, Coupling::name, Coupling::description))]
    pub(crate) coupling: Option<Coupling>,
    /// Gaussian kernel bandwidths of the MMD, comma-separated, in units of
    /// each column's standard deviation (mmd) [default: 0.05,0.1,0.2,0.5,1,2].
    #[arg(long, value_delimiter = ',', value_name = "SIGMAS", value_parser = positive)]
    pub(crate) bandwidths: Option<Vec<f64>>,
    /// Dimensions of the generator's noise (mmd, wgan) [default: 4 for mmd, 8 for wgan].
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) noise_dim: Option<usize>,
    /// Levels of the geometric noise ladder that annealed Langevin sampling
    /// walks down, from --sigma-max to --sigma-min (score) [default: 10].
    /// Training draws each row's level anywhere in that range.
    #[arg(long, value_name = "L", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) noise_levels: Option<usize>,
    /// The largest noise level, in units of each column's standard
    /// deviation (score) [default: the largest distance between two
    /// standardised training rows, e.g. about 5 for a 1-D mixture]. Example:
    /// --sigma-max 8.
    #[arg(long, value_name = "SIGMA", value_parser = positive)]
    pub(crate) sigma_max: Option<f64>,
    /// The smallest noise level, in units of each column's standard
    /// deviation: the model learns the data blurred by this much (score)
    /// [default: 0.01].
    #[arg(long, value_name = "SIGMA", value_parser = positive)]
    pub(crate) sigma_min: Option<f64>,
    /// Optimiser steps [default: 10,000 for flow matching (4,000 on a table
    /// with text columns or missing values) and score, 5,000 for mmd, 3,000
    /// for flow, 300 for dual-divergence; for wgan, 10,000 generator steps].
    #[arg(long, help_heading = "Training", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) steps: Option<usize>,
    /// Rows per batch, at most the table's rows [default: 256; 128 for flow
    /// matching on a table with text columns or missing values].
    #[arg(long, help_heading = "Training", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) batch: Option<usize>,
    /// The optimiser [default: adamw; adam with betas 0.5, 0.9 for wgan];
    /// each starts from its own defaults.
    #[arg(long, value_name = "NAME", help_heading = "Training", value_parser = named(&OptimizerConfig::ALL, OptimizerConfig::name, OptimizerConfig::description))]
    pub(crate) optimizer: Option<OptimizerConfig>,
    /// Learning rate of the optimiser [default: the method's, 2e-3 for adamw;
    /// the generator's 1e-3 for wgan; 3e-3 (Adam) for dual-divergence].
    #[arg(long, help_heading = "Training", value_parser = positive)]
    pub(crate) lr: Option<f64>,
    /// AdamW's decoupled weight decay [default: 0.01 for flow matching, 0 for
    /// mmd and flow].
    #[arg(long, help_heading = "Training", value_parser = non_negative)]
    pub(crate) weight_decay: Option<f64>,
    /// Learning-rate schedule [default: constant for flow matching, cosine for
    /// mmd and flow].
    #[arg(long, help_heading = "Training", value_parser = named(&Schedule::ALL, Schedule::name, Schedule::description))]
    pub(crate) schedule: Option<Schedule>,
    /// Stop when the loss, averaged over windows of 100 steps, has not
    /// improved by 0.1% for this many windows (0: never stop early) [default: 0].
    #[arg(long, help_heading = "Training")]
    pub(crate) patience: Option<usize>,
    /// Early stopping on held-out rows (flow): hold this share of the
    /// training rows out of training (chosen by --seed), evaluate their
    /// negative log-likelihood every --validate-every steps, stop after
    /// --patience evaluations without a new lowest (0: train every step) and
    /// keep the parameters of the lowest. 0 trains on every row [default: 0].
    /// Example: --validation 0.1 --patience 8
    #[arg(long, value_name = "SHARE", help_heading = "Training", allow_negative_numbers = true, value_parser = holdout_share)]
    pub(crate) validation: Option<f64>,
    /// Steps between evaluations of the held-out rows (flow, with
    /// --validation) [default: 25].
    #[arg(long, value_name = "STEPS", help_heading = "Training", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) validate_every: Option<usize>,
    /// Decay of the exponential moving average of the weights that the
    /// saved model uses (0: keep the last step's weights) [default: 0.999].
    #[arg(long, help_heading = "Training", allow_negative_numbers = true, value_parser = decay)]
    pub(crate) ema: Option<f64>,
    /// Probability of hiding a row's class during training, so one network
    /// also learns the unconditional field that guidance needs (flow
    /// matching) [default: 0.1].
    #[arg(long, help_heading = "Training", allow_negative_numbers = true, value_parser = fraction)]
    pub(crate) label_dropout: Option<f64>,
    /// Hidden layer widths, comma-separated, each at most 16,384 (for flow:
    /// of each layer's conditioner) [default: 128,128,128; 64,64 for flow and
    /// dual-divergence].
    #[arg(long, value_delimiter = ',', value_name = "WIDTHS", help_heading = "Network", allow_negative_numbers = true, value_parser = width)]
    pub(crate) hidden: Option<Vec<usize>>,
    /// Hidden activation [default: silu; leaky-relu for wgan].
    #[arg(long, help_heading = "Network", value_parser = named(&Activation::ALL, Activation::name, Activation::description))]
    pub(crate) activation: Option<Activation>,
    /// How time enters the network (flow matching), or the noise level
    /// (score) [default: concat].
    #[arg(long, help_heading = "Network", value_parser = named(&TimeEmbedding::ALL, TimeEmbedding::name, TimeEmbedding::description))]
    pub(crate) time_embedding: Option<TimeEmbedding>,
    /// Spline coupling layers of a normalizing flow (flow) [default: 4].
    /// Example: --method flow --layers 6
    #[arg(long, value_name = "N", help_heading = "Network")]
    pub(crate) layers: Option<usize>,
    /// Spline bins per coordinate and layer, 2 to 64 (flow) [default: 8].
    #[arg(long, value_name = "K", help_heading = "Network")]
    pub(crate) bins: Option<usize>,
    /// Half-width B of the splines' interval [-B, B] in standardised units;
    /// outside it each layer is the identity, so outliers pass through
    /// (flow) [default: 5].
    #[arg(long, value_name = "B", help_heading = "Network", value_parser = positive)]
    pub(crate) bound: Option<f64>,
    /// Clenshaw–Curtis intervals N (even) of the one-column monotone flow's
    /// integral T(x) = b + ∫₀ˣ f(t) dt: N + 1 network evaluations per row
    /// (flow, one column) [default: 32].
    #[arg(long, value_name = "N", help_heading = "Network")]
    pub(crate) nodes: Option<usize>,
    /// Model a single column by a stack of --layers unconditional splines
    /// instead of the monotone integral flow (flow, one column).
    #[arg(long, help_heading = "Network")]
    pub(crate) spline_1d: bool,
    /// Seed of the initialisation and of every batch (for the copula: of
    /// the held-out rows and the nearest-correlation search): the same seed
    /// and data give the same model file.
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Write PNG plots into this directory (created if missing): the loss
    /// curve, samples against the data, and for two columns the sampling
    /// trajectories (and for a dual-divergence model of series, heat maps
    /// and lines of the series).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// Hide the progress bar.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub(crate) gpa: GpaFitArgs,
    #[command(flatten)]
    pub(crate) wgan: WganFitArgs,
    #[command(flatten)]
    pub(crate) series: SeriesFlags,
    #[command(flatten)]
    pub(crate) dualdiv: DualDivFitArgs,
}

/// The settings of `fit --method wgan` besides the shared flags (`--hidden`
/// and `--lr` set the generator, `--activation` both networks,
/// `--critic-steps` the critic steps per generator step).
#[derive(Debug, Args)]
#[command(next_help_heading = "Adversarial (wgan)")]
pub(crate) struct WganFitArgs {
    /// Weight of the R1 + R2 gradient penalty, the critic's mean squared
    /// input gradient on data rows plus on generated rows; it keeps the
    /// critic bounded, so it cannot be 0 [default: 5].
    #[arg(long, value_name = "WEIGHT", value_parser = positive)]
    pub(crate) penalty: Option<f64>,
    /// Hidden layer widths of the critic, comma-separated [default: 128,128,128].
    #[arg(long, value_delimiter = ',', value_name = "WIDTHS", allow_negative_numbers = true, value_parser = width)]
    pub(crate) critic_hidden: Option<Vec<usize>>,
    /// Learning rate of the critic's optimiser (--optimizer sets both
    /// players' kind) [default: 2e-3, twice the generator's].
    #[arg(long, value_name = "LR", value_parser = positive)]
    pub(crate) critic_lr: Option<f64>,
}

#[derive(Debug, Args)]
pub(crate) struct SampleModelArgs {
    /// The model file written by `fit`.
    pub(crate) model: PathBuf,
    /// Rows to draw [default: as many as the training table had]. Rows
    /// stream to the output in blocks, so any count works.
    #[arg(short = 'n', long, allow_negative_numbers = true, value_parser = count)]
    pub(crate) rows: Option<u64>,
    /// Solver steps from noise to data, at most 100,000 [default: 10 for a
    /// flow-matching model trained with OT or Sinkhorn pairs, whose paths
    /// are nearly straight; 50 with independent pairs and for a score
    /// model's probability-flow ODE].
    #[arg(long, allow_negative_numbers = true, value_parser = solver_steps)]
    pub(crate) solver_steps: Option<usize>,
    /// ODE solver (flow matching; score with --sampler ode) [default: midpoint].
    #[arg(long, value_parser = named(&Solver::ALL, Solver::name, Solver::description))]
    pub(crate) solver: Option<Solver>,
    /// Classifier-free guidance weight for a conditional model: 1 samples
    /// each class as learned, larger values sharpen classes (and shrink
    /// their spread), 0 ignores the class; negative weights are refused
    /// [default: 1].
    #[arg(long, allow_negative_numbers = true, value_parser = guidance)]
    pub(crate) guidance: Option<f32>,
    /// Draw only this class of the condition column [default: classes in
    /// their training proportions].
    #[arg(long, value_name = "LABEL")]
    pub(crate) class: Option<String>,
    /// For a `generate --engine neural` model: replace each column by the
    /// target quantiles at its ranks (within blocks of 65,536 rows), as
    /// `generate --match-marginals` does; a model saved with that option
    /// always does.
    #[arg(long)]
    pub(crate) match_marginals: bool,
    /// How a score model samples [default: ode, or langevin when a Langevin
    /// option is given]. Example: --sampler langevin --langevin-steps 200.
    #[arg(long, value_parser = named(&SamplerKind::ALL, SamplerKind::name, SamplerKind::description))]
    pub(crate) sampler: Option<SamplerKind>,
    /// Annealed Langevin steps at each noise level (score) [default: 100].
    #[arg(long, value_name = "T")]
    pub(crate) langevin_steps: Option<usize>,
    /// Langevin step size at the smallest noise level; level σ takes
    /// eps·σ²/σ_min² (score) [default: 0.2·σ_min², 2e-5 at the default
    /// σ_min of 0.01].
    #[arg(long, value_name = "EPS", value_parser = positive)]
    pub(crate) langevin_eps: Option<f64>,
    /// End annealed Langevin sampling with one denoising step,
    /// x + σ_min²·score(x) (score).
    #[arg(long)]
    pub(crate) denoise: bool,
    /// Draw only rows meeting these conditions, exactly (a copula model):
    /// COLUMN=LABEL, COLUMN=missing, COLUMN>X, COLUMN>=X, COLUMN<X or
    /// COLUMN<=X, comma-separated or repeated; always --rows rows.
    /// Example: --where "species=Adelie,body_mass_g>4000"
    #[arg(long = "where", value_name = "CONDITIONS")]
    pub(crate) conditions: Vec<String>,
    /// Seed of the noise and the classes: the same seed gives the same bytes.
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Output file (`.csv` or `.parquet`), or `-` for CSV on standard output
    /// [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Output format, when the file name does not tell.
    #[arg(long, value_parser = clap::value_parser!(OutputFormat))]
    pub(crate) format: Option<OutputFormat>,
    #[command(flatten)]
    pub(crate) shards: ShardArgs,
    /// Hide the progress bar.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// Parts of the output: one shard, or a directory of them.
#[derive(Debug, Args)]
#[command(next_help_heading = "Parts of the output")]
pub(crate) struct ShardArgs {
    /// Make only part K of N (counted from 0) of the --rows rows: the N
    /// parts, made anywhere and concatenated in order, are the rows one run
    /// writes, value for value. Parts are whole blocks of rows (65,536 for a
    /// spec, 4,096 for a copula model), so they differ by at most one block.
    /// Example: --shard 3/8
    #[arg(long, value_name = "K/N", conflicts_with = "parts")]
    pub(crate) shard: Option<Shard>,
    /// Write a data set directory (-o DIR, which must not exist or be empty)
    /// of N part files (part-00000.parquet, ...), made in parallel: part K
    /// is --shard K/N. Parquet unless --format csv.
    /// Example: --rows 100000000 --parts 8 -o rows/
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), requires = "output")]
    pub(crate) parts: Option<u64>,
}

#[derive(Debug, Args)]
pub(crate) struct LikelihoodArgs {
    /// The model file written by `fit`.
    pub(crate) model: PathBuf,
    /// The rows to score (`.csv` or `.parquet`), with the model's columns.
    pub(crate) data: PathBuf,
    /// RK4 steps of the change-of-variables integral (1 to 100,000).
    #[arg(long, default_value_t = 100, allow_negative_numbers = true, value_parser = solver_steps)]
    pub(crate) solver_steps: usize,
    /// Output file (`.csv` or `.parquet`), or `-` for CSV on standard output
    /// [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Output format, when the file name does not tell.
    #[arg(long, value_parser = clap::value_parser!(OutputFormat))]
    pub(crate) format: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub(crate) struct ReflowArgs {
    /// The flow-matching model to straighten (the teacher): a file written
    /// by `fit` or by an earlier `reflow`.
    pub(crate) teacher: PathBuf,
    /// The model file to write.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// Pairs of noise and teacher sample to train on [default: 20,000].
    #[arg(long, value_name = "N")]
    pub(crate) pairs: Option<usize>,
    /// ODE solver that draws the pairs from the teacher [default: midpoint].
    #[arg(long, value_parser = named(&Solver::ALL, Solver::name, Solver::description))]
    pub(crate) solver: Option<Solver>,
    /// Solver steps that draw the pairs [default: 20].
    #[arg(long)]
    pub(crate) solver_steps: Option<usize>,
    /// Euler steps the new model samples with when `sample` is not told
    /// otherwise [default: 2].
    #[arg(long)]
    pub(crate) sample_steps: Option<usize>,
    /// Start from a fresh initialisation instead of the teacher's weights.
    #[arg(long)]
    pub(crate) fresh: bool,
    /// Train half the batch at the times the default Euler sampling
    /// evaluates the field (k/K for --sample-steps K), where the straight
    /// paths pass through the points those steps visit.
    #[arg(long)]
    pub(crate) euler_times: bool,
    /// Optimiser steps on the pairs [default: 4,000].
    #[arg(long, help_heading = "Training")]
    pub(crate) steps: Option<usize>,
    /// The optimiser [default: adamw; adam with betas 0.5, 0.9 for wgan];
    /// each starts from its own defaults.
    #[arg(long, value_name = "NAME", help_heading = "Training", value_parser = named(&OptimizerConfig::ALL, OptimizerConfig::name, OptimizerConfig::description))]
    pub(crate) optimizer: Option<OptimizerConfig>,
    /// Learning rate of the optimiser [default: 2e-3 for adamw].
    #[arg(long, help_heading = "Training", value_parser = positive)]
    pub(crate) lr: Option<f64>,
    /// AdamW's decoupled weight decay [default: 0.01].
    #[arg(long, help_heading = "Training", value_parser = non_negative)]
    pub(crate) weight_decay: Option<f64>,
    /// Learning-rate schedule [default: constant].
    #[arg(long, help_heading = "Training", value_parser = named(&Schedule::ALL, Schedule::name, Schedule::description))]
    pub(crate) schedule: Option<Schedule>,
    /// Stop when the loss, averaged over windows of 100 steps, has not
    /// improved by 0.1% for this many windows (0: never stop early) [default: 0].
    #[arg(long, help_heading = "Training")]
    pub(crate) patience: Option<usize>,
    /// Decay of the moving average of the weights that the saved model
    /// uses (0: the last step's weights) [default: 0.999].
    #[arg(long, help_heading = "Training")]
    pub(crate) ema: Option<f64>,
    /// Seed of the pairs (the teacher's sampling seed: `sample TEACHER
    /// --seed S` with the same solver draws the same samples) and of the
    /// batches.
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Hide the progress bars.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// The divergence a discriminator estimates and its Lipschitz
/// constraint (`divergence`, `transport`, `fit --method gpa`); each flag
/// left out takes the library's default.
#[derive(Debug, Args)]
pub(crate) struct DivergenceFlags {
    /// The divergence: `kl` (Donsker-Varadhan), `alpha` (see --alpha),
    /// `reverse-kl`, `js` (Jensen-Shannon) or `w1` (needs a Lipschitz
    /// constant) [default: kl]; for `divergence DATA` alone, `kl-marginals`:
    /// the KL divergence of one table from the product of its marginals.
    #[arg(long = "f", value_name = "F", value_parser = clap::builder::PossibleValuesParser::new(pushforward_neural::divergence::Family::NAMES.into_iter().chain([KL_MARGINALS])))]
    pub(crate) family: Option<String>,
    /// The order of the alpha-divergence, above 1 [default: 2].
    #[arg(long, value_parser = positive)]
    pub(crate) alpha: Option<f64>,
    /// The discriminator's Lipschitz constant L: estimates stay below
    /// L x W1 and particles move at speed at most L [default: 1; 5 for the
    /// dual network of dual-divergence].
    #[arg(long, value_name = "L", value_parser = positive)]
    pub(crate) lipschitz: Option<f64>,
    /// An unconstrained discriminator (the plain f-divergence; not for w1).
    #[arg(long, conflicts_with = "lipschitz")]
    pub(crate) no_lipschitz: bool,
    /// How each layer is normalised under --lipschitz [default: spectral].
    #[arg(long, value_parser = named(&Normalisation::ALL, Normalisation::name, Normalisation::description))]
    pub(crate) normalisation: Option<Normalisation>,
}

/// The particle steps of `transport` and `fit --method gpa`.
#[derive(Debug, Args)]
pub(crate) struct ParticleFlags {
    /// Particle steps [default: 500].
    #[arg(long, value_name = "N")]
    pub(crate) particle_steps: Option<usize>,
    /// Discriminator steps before each particle step (for fit --method
    /// wgan: critic steps before each generator step) [default: 3; 1 for wgan].
    #[arg(long, value_name = "K")]
    pub(crate) critic_steps: Option<usize>,
    /// Time step: particles move at most L x dt per step [default: 0.5].
    #[arg(long, value_parser = positive)]
    pub(crate) dt: Option<f64>,
    /// Time-stepping scheme [default: euler].
    #[arg(long, value_parser = named(&Scheme::ALL, Scheme::name, Scheme::description))]
    pub(crate) scheme: Option<Scheme>,
}

/// The discriminator of `divergence` and `transport`.
#[derive(Debug, Args)]
pub(crate) struct CriticArgs {
    #[command(flatten)]
    pub(crate) divergence: DivergenceFlags,
    /// Hidden layer widths of the discriminator, comma-separated [default: 32,32,32].
    #[arg(long, value_delimiter = ',', value_name = "WIDTHS")]
    pub(crate) hidden: Option<Vec<usize>>,
    /// Hidden activation; relu, leaky-relu or elu under --lipschitz [default: relu].
    #[arg(long, value_parser = named(&Activation::ALL, Activation::name, Activation::description))]
    pub(crate) activation: Option<Activation>,
    /// Adam learning rate of the discriminator [default: 1e-3 for
    /// divergence, 5e-3 for transport].
    #[arg(long, value_parser = positive)]
    pub(crate) lr: Option<f64>,
    /// Seed of the discriminator's initial weights (and of a Gaussian
    /// source): the same seed gives the same bytes.
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Hide the progress bar.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// The settings of `fit --method gpa` besides the shared network flags
/// (`--hidden`, `--activation` and `--lr` set the discriminator).
#[derive(Debug, Args)]
#[command(next_help_heading = "Particles (gpa)")]
pub(crate) struct GpaFitArgs {
    #[command(flatten)]
    pub(crate) divergence: DivergenceFlags,
    #[command(flatten)]
    pub(crate) particles: ParticleFlags,
    /// Standard deviation of the Gaussian source, in units of each
    /// column's standard deviation [default: 1].
    #[arg(long, value_parser = positive)]
    pub(crate) source_scale: Option<f64>,
    /// Move the particles among the K leading principal coordinates of the
    /// standardised rows and map them back (for wide tables; the new rows
    /// lie in that K-dimensional subspace) [default: the columns
    /// themselves]. Example: --latent pca:5
    #[arg(long, value_name = "pca:K", value_parser = Latent::parse)]
    pub(crate) latent: Option<Latent>,
}

#[derive(Debug, Args)]
pub(crate) struct DivergenceArgs {
    /// The first sample P (`.csv` or `.parquet`, numeric columns); with
    /// --f kl-marginals the one table whose total correlation is estimated.
    pub(crate) p: PathBuf,
    /// The second sample Q, with the same columns (none with --f kl-marginals).
    pub(crate) q: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) critic: CriticArgs,
    #[command(flatten)]
    pub(crate) series: SeriesFlags,
    #[command(flatten)]
    pub(crate) estimate: DualEstimateFlags,
    /// Discriminator training steps (full batches) [default: 500].
    #[arg(long)]
    pub(crate) steps: Option<usize>,
    /// Write the estimate and the training curve as JSON to this file
    /// (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct TransportArgs {
    /// The source: a table (`.csv` or `.parquet`) with the target's columns,
    /// or `gaussian:SCALE` for N(0, SCALE^2 I) particles.
    pub(crate) source: String,
    /// The target sample (`.csv` or `.parquet`, numeric columns).
    pub(crate) target: PathBuf,
    /// Output file for the moved particles (`.csv` or `.parquet`), or `-`
    /// for CSV on standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// Output format, when the file name does not tell.
    #[arg(long, value_parser = clap::value_parser!(OutputFormat))]
    pub(crate) format: Option<OutputFormat>,
    /// Particles drawn from a `gaussian:SCALE` source; more than the target
    /// rows spreads them between the targets [default: the target's rows].
    #[arg(long, value_name = "M")]
    pub(crate) particles: Option<usize>,
    #[command(flatten)]
    pub(crate) steps: ParticleFlags,
    #[command(flatten)]
    pub(crate) critic: CriticArgs,
    /// Write PNG plots into this directory (created if missing): particle
    /// snapshots against the target, and the divergence, kinetic energy
    /// and mean speed per step.
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// Snapshots drawn with --plots, evenly spaced over the steps.
    #[arg(long, default_value_t = 4, requires = "plots")]
    pub(crate) snapshots: usize,
}

/// The methods `augment` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AugmentMethod {
    /// Lipschitz-regularised generative particles.
    Gpa,
    /// Gradient walks in the dual divergence space.
    DualDivergence,
}

#[derive(Debug, Args)]
pub(crate) struct AugmentArgs {
    /// The table to augment (`.csv` or `.parquet`, numeric columns).
    pub(crate) data: PathBuf,
    /// The generator.
    #[arg(long, value_enum)]
    pub(crate) method: AugmentMethod,
    /// New rows to generate (all in one transport).
    #[arg(short = 'n', long)]
    pub(crate) rows: usize,
    /// Output file (`.csv` or `.parquet`), or `-` for CSV on standard output:
    /// the table's rows, then the new ones.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// Output format, when the file name does not tell.
    #[arg(long, value_parser = clap::value_parser!(OutputFormat))]
    pub(crate) format: Option<OutputFormat>,
    #[command(flatten)]
    pub(crate) gpa: GpaFitArgs,
    #[command(flatten)]
    pub(crate) series: SeriesFlags,
    #[command(flatten)]
    pub(crate) dualdiv: DualDivFitArgs,
    /// Hidden layer widths of the discriminator, comma-separated [default: 32,32,32].
    #[arg(long, value_delimiter = ',', value_name = "WIDTHS")]
    pub(crate) hidden: Option<Vec<usize>>,
    /// Hidden activation; relu, leaky-relu or elu under --lipschitz [default: relu].
    #[arg(long, value_parser = named(&Activation::ALL, Activation::name, Activation::description))]
    pub(crate) activation: Option<Activation>,
    /// Adam learning rate of the discriminator [default: 5e-3].
    #[arg(long, value_parser = positive)]
    pub(crate) lr: Option<f64>,
    /// Seed of the fit and of the new rows: the same seed gives the same bytes.
    #[arg(short, long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Hide the progress bar.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// The `--f` name of the KL divergence of a table from the product of its marginals.
pub(crate) const KL_MARGINALS: &str = "kl-marginals";

/// Rows that are multivariate time series (`fit`, `augment` and
/// `divergence` with dual divergence, `evaluate`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Time series")]
pub(crate) struct SeriesFlags {
    /// Each row is one series of C channels x T steps, flattened channel by
    /// channel (column c*T + t is channel c at step t). Example: --shape 4,32
    #[arg(long, value_name = "C,T", value_parser = crate::series::parse_shape, conflicts_with = "window")]
    pub(crate) shape: Option<pushforward_neural::dualdiv::Shape>,
    /// The table is one long series (a row per time step, a column per
    /// channel): cut it into windows of T steps, one sample each (for
    /// `evaluate`, both tables are long series).
    #[arg(long, value_name = "T", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) window: Option<usize>,
    /// Steps between the starts of consecutive windows; below T they
    /// overlap [default: T, no overlap].
    #[arg(long, value_name = "S", allow_negative_numbers = true, value_parser = positive_count, requires = "window")]
    pub(crate) stride: Option<usize>,
}

/// How the dual divergence estimates the KL divergence from the product
/// of the marginals (`fit`/`augment --method dual-divergence`,
/// `divergence --f kl-marginals`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Dual divergence")]
pub(crate) struct DualEstimateFlags {
    /// What the reference permutes across rows as one piece [default: cell].
    #[arg(long, value_parser = named(&Shuffle::ALL, Shuffle::name, Shuffle::description))]
    pub(crate) shuffle: Option<Shuffle>,
    /// Stages of the path from the data to the product of marginals, each
    /// shuffling a further share of the columns with its own network; the
    /// estimate is their sum [default: 1, direct].
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) path: Option<usize>,
    /// Shuffled copies of the rows in the reference of each training step [default: 4].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) reference_draws: Option<usize>,
    /// Share of the rows held out of training and used alone for the
    /// estimate, which then is a lower bound (0: estimate on the training
    /// rows, biased up by what the network memorised) [default: 0].
    #[arg(long, value_name = "SHARE", allow_negative_numbers = true, value_parser = holdout_share)]
    pub(crate) estimate_holdout: Option<f64>,
}

/// The settings of `--method dual-divergence` besides the estimate (the
/// network is set by --hidden, --activation, --lr, --steps, --lipschitz).
#[derive(Debug, Args)]
#[command(next_help_heading = "Dual divergence")]
pub(crate) struct DualDivFitArgs {
    #[command(flatten)]
    pub(crate) estimate: DualEstimateFlags,
    /// Localised variant: fit a network to each run of K rows neighbouring
    /// in dual value, and walk each sample along its neighbourhood's network.
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) local: Option<usize>,
    /// Training steps of each neighbourhood's network [default: 100].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_count, requires = "local")]
    pub(crate) local_steps: Option<usize>,
    /// Where each walk starts [default: interpolate].
    #[arg(long, value_parser = named(&Start::ALL, Start::name, Start::description))]
    pub(crate) start: Option<Start>,
    /// Candidate partners of a walk: the rows nearest its anchor in dual value [default: 5].
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = positive_count)]
    pub(crate) neighbours: Option<usize>,
    /// Newton steps of each walk toward its target dual level [default: 20].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = count_usize)]
    pub(crate) walk_steps: Option<usize>,
    /// Damping of each walk step, in (0, 1] [default: 0.5].
    #[arg(long, value_name = "ETA", value_parser = positive)]
    pub(crate) walk_rate: Option<f64>,
}

/// A count that may be zero.
fn count_usize(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .map_err(|e| format!("must be a whole number of at least 0: {e}"))
}
