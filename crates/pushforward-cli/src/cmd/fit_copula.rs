//! `pushforward fit DATA` with the copula method: the column roles
//! (`fit_roles.rs`), a seeded share of rows held
//! out, the fit, the model file (and with `--emit-spec` the model as a
//! spec) and a summary of what was modelled.
//!
//! A table larger than one chunk is never loaded whole: a CSV or Parquet
//! file is read chunk by chunk (`pushforward_io::chunked`; a CSV file first scanned once for its
//! columns' types), once per pass of the fit in passes
//! (`pushforward_tabular::stream`), the schema pass over every row and the
//! later passes over the training rows, each row's hold-out decided from
//! its index alone (`holdout::held_out`). The model is the in-memory fit's
//! of the same rows, in memory that grows with a chunk and the columns'
//! summaries rather than the rows.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use pushforward_neural::{CopulaFile, Progress};
use pushforward_tabular::holdout::{
    DEFAULT_HOLDOUT, HoldoutRule, fingerprint_reader, held_count, held_out, take_rows,
};
use pushforward_tabular::{
    CHUNK_ROWS, CopulaFit, CopulaModel, FitOptions, Pass, SplitRule, TrainingSource, emit,
};

use crate::args::FitArgs;
use crate::progress::Steps;
use crate::{atomic, interrupt};

fn options(args: &FitArgs) -> FitOptions {
    FitOptions {
        seed: args.seed,
        split: args.split.as_deref().map_or(SplitRule::Auto, SplitRule::parse),
        ..FitOptions::default()
    }
}

/// The share of rows `--holdout` holds out (0 for none).
fn share(args: &FitArgs) -> f64 {
    args.holdout.unwrap_or(DEFAULT_HOLDOUT).max(0.0)
}

/// Refuses a hold-out that leaves too few rows on either side of `rows`.
fn check_holdout(args: &FitArgs, rows: usize) -> anyhow::Result<()> {
    let share = share(args);
    if share <= 0.0 {
        return Ok(());
    }
    let held = held_count(rows, share, args.seed);
    if rows - held < 2 || held == 0 {
        bail!(
            "--holdout {share} of {rows} rows leaves {} to fit and {held} held out; pass --holdout 0 to fit on every row",
            rows - held,
        );
    }
    Ok(())
}

/// The fit of the table file `args.data`, read chunk by chunk once per
/// pass.
pub(super) fn run(args: &FitArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let bar = Steps::rows(args.quiet);
    let cannot_read = || format!("cannot read the training table '{}'", args.data.display());
    let file = pushforward_io::chunked(&args.data).with_context(cannot_read)?;
    let mut fit = CopulaFit::new(super::fit_roles::overrides(args)?, &options(args));
    let share = share(args);
    let mut rows = 0;
    while let Some(pass) = fit.pass() {
        let Some(mut stats) = fit.stats() else { break };
        let chunks = file.chunks(CHUNK_ROWS).with_context(cannot_read)?;
        bar.start(chunks.total_rows());
        let mut read = 0;
        for chunk in chunks {
            let chunk = chunk.with_context(cannot_read)?;
            let n = chunk.rows();
            if pass == Pass::Schema || share <= 0.0 {
                fit.add(&mut stats, &chunk)?;
            } else {
                let held = held_out(read as u64, n, share, args.seed);
                let keep: Vec<usize> = (0..n).filter(|&i| !held[i]).collect();
                fit.add(&mut stats, &take_rows(&chunk, &keep)?)?;
            }
            read += n;
            bar.update(read, 0.0);
            if interrupt::requested() {
                bail!(
                    "interrupted in the {} pass: '{}' is as it was",
                    pass.name(),
                    args.output.display()
                );
            }
        }
        bar.finish();
        if pass == Pass::Schema {
            if read == 0 {
                bail!("the training table '{}' has no rows", args.data.display());
            }
            rows = read;
            check_holdout(args, rows)?;
        }
        fit = fit.finish_pass(stats)?;
    }
    finish(args, fit.into_model()?, rows, start)
}

/// Writes the model fitted to `rows` rows (and the spec), and says what was
/// modelled.
fn finish(args: &FitArgs, model: CopulaModel, rows: usize, start: Instant) -> anyhow::Result<()> {
    let share = share(args);
    let training = if share > 0.0 {
        Some(source(&args.data, share, args.seed)?)
    } else {
        None
    };
    // Built before anything is written, so a model the spec cannot hold
    // leaves no file behind.
    let spec = args
        .emit_spec
        .as_ref()
        .map(|path| emit::to_spec(&model).map(|text| (path, text)))
        .transpose()
        .context("cannot emit a spec (--emit-spec)")?;
    // The fit itself takes no progress to cancel through; an interrupt that
    // arrived while the table was read or the copula fitted stops here,
    // before anything is written.
    if interrupt::requested() {
        bail!("interrupted: '{}' is as it was", args.output.display());
    }
    let seconds = start.elapsed().as_secs_f64();
    let roles = super::fit_roles::describe(&model.schema);
    let file = CopulaFile::new(model, training, args.seed, seconds);
    file.save(&args.output)
        .with_context(|| format!("cannot write the model '{}'", args.output.display()))?;
    let model = &file.body().model;
    eprintln!(
        "fitted copula to {} rows x {} columns in {seconds:.2} s: {}",
        model.rows,
        model.schema.modelled().count(),
        model.describe()
    );
    eprintln!("  columns: {roles}");
    if share > 0.0 {
        eprintln!(
            "  {} of {} rows held out (--holdout {share}, seed {}) for the privacy check of `sample`",
            rows - model.rows,
            rows,
            args.seed
        );
    }
    eprintln!("wrote '{}'", args.output.display());
    if let Some((path, text)) = spec {
        atomic::write(path, text.as_bytes())?;
        eprintln!("wrote the spec '{}'", path.display());
    }
    Ok(())
}

/// The training file as the model records it.
fn source(path: &Path, share: f64, seed: u64) -> anyhow::Result<TrainingSource> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read '{}' to record it", path.display()))?;
    let (bytes, hash) =
        fingerprint_reader(file).with_context(|| format!("cannot read '{}' to record it", path.display()))?;
    let absolute =
        std::fs::canonicalize(path).with_context(|| format!("cannot resolve '{}'", path.display()))?;
    Ok(TrainingSource {
        path: absolute.display().to_string(),
        bytes,
        hash,
        holdout: share,
        seed,
        rule: HoldoutRule::PerRow,
    })
}
