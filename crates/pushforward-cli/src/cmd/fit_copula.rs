//! `pushforward fit DATA` with the copula method: the column roles
//! (`fit_roles.rs`), a seeded share of rows held
//! out, the fit, the model file (and with `--emit-spec` the model as a
//! spec) and a summary of what was modelled.
//!
//! A Parquet file is never loaded whole: it is read chunk by chunk, once
//! per pass of the fit in passes (`pushforward_tabular::stream`), the
//! schema pass over every row and the later passes over the training rows,
//! which gives the same model as the in-memory fit of a CSV file of the
//! same rows, in memory that grows with the distinct values rather than
//! the rows.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use pushforward_core::Table;
use pushforward_neural::{CopulaFile, Progress};
use pushforward_tabular::holdout::{DEFAULT_HOLDOUT, fingerprint_reader, split_rows, take_rows};
use pushforward_tabular::{
    CHUNK_ROWS, CopulaFit, CopulaModel, FitOptions, Pass, Schema, SplitRule, TrainingSource, emit,
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

/// The training and held-out rows of `rows` rows under `--holdout`
/// (`None` without a holdout).
fn holdout(args: &FitArgs, rows: usize) -> anyhow::Result<Option<(Vec<usize>, Vec<usize>)>> {
    let share = args.holdout.unwrap_or(DEFAULT_HOLDOUT);
    if share <= 0.0 {
        return Ok(None);
    }
    let (train, held) = split_rows(rows, share, args.seed);
    if train.len() < 2 || held.is_empty() {
        bail!(
            "--holdout {share} of {rows} rows leaves {} to fit and {} held out; pass --holdout 0 to fit on every row",
            train.len(),
            held.len()
        );
    }
    Ok(Some((train, held)))
}

pub(super) fn run(args: &FitArgs, table: &Table, schema: Schema) -> anyhow::Result<()> {
    let start = Instant::now();
    let train = match holdout(args, table.rows())? {
        Some((train, _)) => take_rows(table, &train)?,
        None => table.clone(),
    };
    let model = CopulaModel::fit(&train, schema, &options(args))?;
    finish(args, model, table.rows(), start)
}

/// The fit of the Parquet file `args.data`, read chunk by chunk once per
/// pass.
pub(super) fn run_parquet(args: &FitArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let bar = Steps::rows(args.quiet);
    let mut fit = CopulaFit::new(super::fit_roles::overrides(args)?, &options(args));
    // Whether each row is held out, once the schema pass has counted them.
    let mut held: Option<Vec<bool>> = None;
    let mut rows = 0;
    while let Some(pass) = fit.pass() {
        let Some(mut stats) = fit.stats() else { break };
        let chunks = pushforward_io::parquet_chunks(&args.data, CHUNK_ROWS)
            .context("cannot read the training table")?;
        bar.start(chunks.total_rows());
        let mut read = 0;
        for chunk in chunks {
            let chunk = chunk.context("cannot read the training table")?;
            let n = chunk.rows();
            match held.as_deref().filter(|_| pass != Pass::Schema) {
                Some(held) => {
                    let keep: Vec<usize> = (0..n).filter(|&i| !held[read + i]).collect();
                    fit.add(&mut stats, &take_rows(&chunk, &keep)?)?;
                }
                None => fit.add(&mut stats, &chunk)?,
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
            held = holdout(args, rows)?.map(|(_, out)| {
                let mut mask = vec![false; rows];
                out.iter().for_each(|&i| mask[i] = true);
                mask
            });
        }
        fit = fit.finish_pass(stats)?;
    }
    finish(args, fit.into_model()?, rows, start)
}

/// Writes the model fitted to `rows` rows (and the spec), and says what was
/// modelled.
fn finish(args: &FitArgs, model: CopulaModel, rows: usize, start: Instant) -> anyhow::Result<()> {
    let share = args.holdout.unwrap_or(DEFAULT_HOLDOUT);
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
    })
}
