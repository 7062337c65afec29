//! `pushforward fit DATA` with the copula method: the column roles
//! (`fit_roles.rs`), a seeded share of rows held
//! out, the fit, the model file (and with `--emit-spec` the model as a
//! spec) and a summary of what was modelled.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use pushforward_core::Table;
use pushforward_neural::CopulaFile;
use pushforward_tabular::holdout::{DEFAULT_HOLDOUT, fingerprint, split_rows, take_rows};
use pushforward_tabular::{CopulaModel, FitOptions, Schema, SplitRule, TrainingSource, emit};

use crate::args::FitArgs;
use crate::{atomic, interrupt};

pub(super) fn run(args: &FitArgs, table: &Table, schema: Schema) -> anyhow::Result<()> {
    let start = Instant::now();
    let share = args.holdout.unwrap_or(DEFAULT_HOLDOUT);
    let (train, training) = if share > 0.0 {
        let (train, held) = split_rows(table.rows(), share, args.seed);
        if train.len() < 2 || held.is_empty() {
            bail!(
                "--holdout {share} of {} rows leaves {} to fit and {} held out; pass --holdout 0 to fit on every row",
                table.rows(),
                train.len(),
                held.len()
            );
        }
        (
            take_rows(table, &train)?,
            Some(source(&args.data, share, args.seed)?),
        )
    } else {
        (table.clone(), None)
    };
    let options = FitOptions {
        seed: args.seed,
        split: args.split.as_deref().map_or(SplitRule::Auto, SplitRule::parse),
        ..FitOptions::default()
    };
    let model = CopulaModel::fit(&train, schema, &options)?;
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
            table.rows() - model.rows,
            table.rows(),
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
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read '{}' to record it", path.display()))?;
    let absolute =
        std::fs::canonicalize(path).with_context(|| format!("cannot resolve '{}'", path.display()))?;
    Ok(TrainingSource {
        path: absolute.display().to_string(),
        bytes: bytes.len() as u64,
        hash: fingerprint(&bytes),
        holdout: share,
        seed,
    })
}
