//! `pushforward evaluate`: read the tables, compute the metrics, print the
//! summary, write the JSON and the plots.

use crate::args::EvaluateArgs;
use crate::input::read;
use crate::paths::Paths;
use crate::{atomic, evaluate_plots, evaluate_summary, interrupt, progress};
use anyhow::{Context, bail};
use pushforward_metrics::{EvaluateOptions, compare, compare_with_spec};
use pushforward_stats::Spec;
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
    let options = options(&args)?;
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    if let Some(json) = args.json.as_deref().filter(|_| !json_to_stdout) {
        atomic::check_parent(json).context("cannot write the JSON report")?;
    }
    let spec = args.spec.as_deref().map(read_spec).transpose()?;
    let synth = read(&args.synth, "synthetic")?;
    let real = args.real.as_deref().map(|p| read(p, "real")).transpose()?;
    let holdout = args.holdout.as_deref().map(|p| read(p, "holdout")).transpose()?;
    let spinner = progress::spinner(args.quiet);
    let stage = |name: &str| {
        spinner.set_message(format!("computing {name}"));
        !interrupt::requested()
    };
    let go_on = |name: &str| {
        if stage(name) {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "interrupted before {name}: no report was written"
            ))
        }
    };
    let context = || {
        let holdout = args
            .holdout
            .as_ref()
            .map(|h| format!(" (holdout '{}')", h.display()))
            .unwrap_or_default();
        let synth = args.synth.display();
        match (&args.real, &args.spec) {
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
            let mut report =
                compare(real, &synth, holdout.as_ref(), &options, &stage).with_context(context)?;
            if let Some(spec) = spec {
                go_on("spec comparison")?;
                report.spec = Some(Box::new(
                    compare_with_spec(spec, &synth, &options).with_context(context)?,
                ));
            }
            report
        }
        (None, Some(spec)) => compare_with_spec(spec, &synth, &options).with_context(context)?,
        (None, None) => bail!("give --real, --spec or both"),
    };
    if let Some(dir) = &args.plots {
        go_on("plots")?;
        evaluate_plots::write(dir, &report, real.as_ref(), &synth, spec.as_ref())
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
    }
    spinner.finish_and_clear();
    let summary = evaluate_summary::render(&report);
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

fn options(args: &EvaluateArgs) -> anyhow::Result<EvaluateOptions> {
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
