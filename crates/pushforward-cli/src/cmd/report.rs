//! `pushforward report`: evaluate, draw the plots, and write the page (and
//! the JSON report when asked), each written atomically.

use crate::args::ReportArgs;
use crate::cmd::evaluate::{Evaluation, Inputs, evaluate, go_on, options};
use crate::evaluate_summary::pct;
use crate::html_report::{Figures, Sources, render};
use crate::paths::Paths;
use crate::{atomic, progress};
use anyhow::{Context, bail};
use std::path::Path;

pub(crate) fn run(args: ReportArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("--real", Some(&args.real))
        .input("--synth", Some(&args.synth))
        .input("--spec", args.spec.as_deref())
        .input("--holdout", args.holdout.as_deref())
        .output("--output", Some(&args.output))
        .output("--json", args.json.as_deref())
        .check()?;
    for (flag, path) in [("--output", Some(&args.output)), ("--json", args.json.as_ref())] {
        if let Some(path) = path {
            if path.as_path() == Path::new("-") {
                bail!("{flag} needs a file: the page and the JSON report are not written to standard output");
            }
            atomic::check_parent(path).with_context(|| format!("cannot write {flag}"))?;
        }
    }
    let options = options(&args.metric)?;
    let inputs = Inputs {
        real: Some(&args.real),
        synth: &args.synth,
        spec: args.spec.as_deref(),
        holdout: args.holdout.as_deref(),
    };
    let spinner = progress::spinner(args.quiet);
    let Evaluation {
        report,
        real,
        synth,
        spec,
    } = evaluate(&inputs, &options, &spinner)?;
    go_on(&spinner, "plots")?;
    let figures =
        Figures::draw(&report, real.as_ref(), &synth, spec.as_ref()).context("cannot draw the plots")?;
    let (real_name, synth_name) = (args.real.display().to_string(), args.synth.display().to_string());
    let spec_name = args.spec.as_ref().map(|p| p.display().to_string());
    let page = render(
        &report,
        &Sources {
            real: &real_name,
            synth: &synth_name,
            spec: spec_name.as_deref(),
        },
        &figures,
    );
    spinner.finish_and_clear();
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).context("cannot serialise the report")?;
        atomic::write(path, format!("{json}\n").as_bytes())?;
    }
    atomic::write(&args.output, page.as_bytes())?;
    eprintln!(
        "wrote '{}': quality {}, Column Shapes {}, Column Pair Trends {}",
        args.output.display(),
        pct(report.quality.score),
        pct(report.quality.column_shapes),
        pct(report.quality.column_pair_trends)
    );
    Ok(())
}
