//! `pushforward evaluate`: read the tables, compute the metrics, print the
//! summary, write the JSON and the plots.

use crate::args::{EvaluateArgs, MetricArgs};
use crate::input::read;
use crate::paths::Paths;
use crate::{atomic, evaluate_plots, evaluate_summary, interrupt, progress, series_scores};
use anyhow::{Context, bail};
use indicatif::ProgressBar;
use pushforward_core::Table;
use pushforward_metrics::report::Report;
use pushforward_metrics::{EvaluateOptions, compare, compare_with_spec};
use pushforward_stats::Spec;
use pushforward_tabular::time::{as_seconds, is_dates};
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

pub(crate) fn run(args: EvaluateArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("--real", args.real.as_deref())
        .input("--synth", Some(&args.synth))
        .input("--spec", args.spec.as_deref())
        .input("--holdout", args.holdout.as_deref())
        .output("--json", args.json.as_deref())
        .plots("--plots", args.plots.as_deref())
        .check()?;
    let options = options(&args.metric)?;
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    if let Some(json) = args.json.as_deref().filter(|_| !json_to_stdout) {
        atomic::check_parent(json).context("cannot write the JSON report")?;
    }
    let inputs = Inputs {
        real: args.real.as_deref(),
        synth: &args.synth,
        spec: args.spec.as_deref(),
        holdout: args.holdout.as_deref(),
    };
    let spinner = progress::spinner(args.quiet);
    let Evaluation {
        mut report,
        real,
        synth,
        spec,
    } = evaluate(&inputs, &options, &spinner)?;
    let series = series_scores::read(&args.series, real.as_ref(), &synth)?;
    if let Some(series) = &series {
        go_on(&spinner, "time-series scores")?;
        report.timeseries = Some(series.scores(args.metric.seed)?);
    }
    if let Some(dir) = &args.plots {
        go_on(&spinner, "plots")?;
        evaluate_plots::write(dir, &report, real.as_ref(), &synth, spec.as_ref())
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
        if let Some(series) = &series {
            series
                .plots(dir)
                .with_context(|| format!("cannot write series plots into '{}'", dir.display()))?;
        }
    }
    spinner.finish_and_clear();
    let mut summary = evaluate_summary::render(&report);
    if let Some(scores) = &report.timeseries {
        summary.push_str(&series_scores::summary(scores));
    }
    let json = serde_json::to_string_pretty(&report).context("cannot serialise the report")?;
    if json_to_stdout {
        eprint!("{summary}");
        let mut out = std::io::stdout().lock();
        writeln!(out, "{json}").context("cannot write the JSON report to standard output")?;
    } else {
        if let Some(path) = &args.json {
            atomic::write(path, format!("{json}\n").as_bytes())?;
        }
        print!("{summary}");
    }
    Ok(())
}

/// The files an evaluation reads; `real`, `spec` or both.
pub(crate) struct Inputs<'a> {
    pub(crate) real: Option<&'a Path>,
    pub(crate) synth: &'a Path,
    pub(crate) spec: Option<&'a Path>,
    pub(crate) holdout: Option<&'a Path>,
}

/// The report and the tables it was computed from.
pub(crate) struct Evaluation {
    pub(crate) report: Report,
    pub(crate) real: Option<Table>,
    pub(crate) synth: Table,
    pub(crate) spec: Option<Spec>,
}

/// Reads the inputs and computes every requested metric, showing each
/// group on `spinner`; an interrupt stops before the next group.
pub(crate) fn evaluate(
    inputs: &Inputs<'_>,
    options: &EvaluateOptions,
    spinner: &ProgressBar,
) -> anyhow::Result<Evaluation> {
    let spec = inputs.spec.map(read_spec).transpose()?;
    let synth = read(inputs.synth, "synthetic")?;
    let real = inputs.real.map(|p| read(p, "real")).transpose()?;
    let holdout = inputs.holdout.map(|p| read(p, "holdout")).transpose()?;
    let stage = |name: &str| go_on(spinner, name).is_ok();
    let context = || {
        let holdout = inputs
            .holdout
            .map(|h| format!(" (holdout '{}')", h.display()))
            .unwrap_or_default();
        let synth = inputs.synth.display();
        match (inputs.real, inputs.spec) {
            (Some(r), _) => format!(
                "comparing synthetic '{synth}' with real '{}'{holdout}",
                r.display()
            ),
            (None, Some(s)) => format!("comparing synthetic '{synth}' with spec '{}'", s.display()),
            (None, None) => String::new(),
        }
    };
    let report = match (&real, &spec) {
        (Some(real), spec) => {
            let dated = dated_columns(real, &[Some(&synth), holdout.as_ref()]);
            let (real_t, synth_t) = (as_times(real, &dated)?, as_times(&synth, &dated)?);
            let holdout_t = holdout.as_ref().map(|h| as_times(h, &dated)).transpose()?;
            let mut report =
                compare(&real_t, &synth_t, holdout_t.as_deref(), options, &stage).with_context(context)?;
            if let Some(spec) = spec {
                go_on(spinner, "spec comparison")?;
                report.spec = Some(Box::new(
                    compare_with_spec(spec, &synth, options).with_context(context)?,
                ));
            }
            report
        }
        (None, Some(spec)) => compare_with_spec(spec, &synth, options).with_context(context)?,
        (None, None) => bail!("give --real, --spec or both"),
    };
    Ok(Evaluation {
        report,
        real,
        synth,
        spec,
    })
}

/// The columns of `real` written as ISO dates or date-times whose
/// namesakes in `others` are too (or absent): compared as times, they
/// take SDMetrics' numerical scores (KS complement, correlations) and count
/// as one dimension of the distance metrics, not as a category of every
/// distinct day.
fn dated_columns(real: &Table, others: &[Option<&Table>]) -> Vec<String> {
    real.columns()
        .iter()
        .filter(|c| is_dates(c))
        .filter(|c| {
            others
                .iter()
                .flatten()
                .all(|t| t.column(&c.name).is_none_or(is_dates))
        })
        .map(|c| c.name.clone())
        .collect()
}

/// `table` with its columns named in `dated` as seconds since the epoch
/// (borrowed as it is when it has none).
fn as_times<'a>(table: &'a Table, dated: &[String]) -> anyhow::Result<Cow<'a, Table>> {
    if !table.columns().iter().any(|c| dated.contains(&c.name)) {
        return Ok(Cow::Borrowed(table));
    }
    let columns = table
        .columns()
        .iter()
        .map(|c| {
            dated
                .contains(&c.name)
                .then(|| as_seconds(c))
                .flatten()
                .unwrap_or_else(|| c.clone())
        })
        .collect();
    Ok(Cow::Owned(Table::new(columns)?))
}

/// Shows `name` on the spinner as the work starting, or fails when an
/// interrupt was asked for.
pub(crate) fn go_on(spinner: &ProgressBar, name: &str) -> anyhow::Result<()> {
    spinner.set_message(format!("computing {name}"));
    if interrupt::requested() {
        bail!("interrupted before {name}: no report was written");
    }
    Ok(())
}

/// The evaluation settings from the metric flags.
pub(crate) fn options(args: &MetricArgs) -> anyhow::Result<EvaluateOptions> {
    if !(args.epsilon > 0.0 && args.epsilon.is_finite()) {
        bail!(
            "--epsilon {} is out of range: expected a positive number",
            args.epsilon
        );
    }
    if args.projections == 0 || args.k == 0 {
        bail!("--projections and --k must be positive");
    }
    for (name, v) in [
        ("--exact-rows", args.exact_rows),
        ("--sliced-rows", args.sliced_rows),
        ("--sinkhorn-rows", args.sinkhorn_rows),
        ("--mmd-rows", args.mmd_rows),
        ("--prdc-rows", args.prdc_rows),
        ("--c2st-rows", args.c2st_rows),
        ("--privacy-rows", args.privacy_rows),
        ("--privacy-train-rows", args.privacy_train_rows),
    ] {
        if v < 2 {
            bail!("{name} {v} is too small: expected at least 2");
        }
    }
    let mut o = EvaluateOptions {
        seed: args.seed,
        exact_rows: args.exact_rows,
        sliced_rows: args.sliced_rows,
        sinkhorn_rows: args.sinkhorn_rows,
        mmd_rows: args.mmd_rows,
        prdc_rows: args.prdc_rows,
        c2st_rows: args.c2st_rows,
        privacy_rows: args.privacy_rows,
        privacy_train_rows: args.privacy_train_rows,
        projections: args.projections,
        prdc_k: args.k,
        ..EvaluateOptions::default()
    };
    o.sinkhorn.epsilon = args.epsilon;
    if !args.metrics.is_empty() {
        o.metrics = args.metrics.clone();
    }
    Ok(o)
}

fn read_spec(path: &Path) -> anyhow::Result<Spec> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read spec '{}'", path.display()))?;
    Spec::from_toml(&text).with_context(|| format!("invalid spec '{}'", path.display()))
}
