//! The privacy line of `sample` for a copula model fitted with rows held
//! out: the training file is read again (when still there and unchanged),
//! split as the fit split it, and the synthetic rows' distance to the
//! closest training row is set against the held-out rows' (pushforward-
//! metrics' privacy distances, in its joint space of standardised numbers
//! and one-hot categories, over the modelled columns: IDs are fresh by
//! construction), with exact copies and the nearest-neighbour distance
//! ratio. The warning fires when the synthetic median falls below the lower
//! end of the held-out median's 95% confidence interval, so that a small
//! hold-out's noise alone does not raise it.

use anyhow::Context;
use pushforward_core::{Column, Sharded, Table};
use pushforward_metrics::{EvaluateOptions, Metric, compare};
use pushforward_neural::CopulaBody;
use pushforward_tabular::Schema;
use pushforward_tabular::holdout::{fingerprint, take_rows};

/// Synthetic rows the check measures at most.
pub(crate) const CHECK_ROWS: u64 = 5_000;

/// Prints the privacy line (or why there is none) for the rows `part`
/// holds of `rows` rows drawn with `seed` (its first [`CHECK_ROWS`]).
pub(crate) fn report(body: &CopulaBody, part: &Sharded<'_>, rows: u64, seed: u64) -> anyhow::Result<()> {
    let Some(source) = &body.training else {
        eprintln!("privacy: not checked, the model was fitted with --holdout 0 (no rows held out)");
        return Ok(());
    };
    let bytes = match std::fs::read(&source.path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "privacy: not checked, the training file '{}' cannot be read ({e})",
                source.path
            );
            return Ok(());
        }
    };
    if bytes.len() as u64 != source.bytes || fingerprint(&bytes) != source.hash {
        eprintln!(
            "privacy: not checked, the training file '{}' changed since the fit",
            source.path
        );
        return Ok(());
    }
    if part.rows(rows).is_empty() {
        eprintln!("privacy: not checked, no rows were drawn");
        return Ok(());
    }
    let schema = &body.model.schema;
    let real = pushforward_io::read_table(std::path::Path::new(&source.path))
        .with_context(|| format!("cannot read the training file '{}'", source.path))?;
    let (train, held) = source.split(real.rows());
    let modelled = |t: Table| -> anyhow::Result<Table> { keep_modelled(schema, t) };
    let normalise = |t: &Table| -> anyhow::Result<Table> { modelled(schema.restore(schema.prepare(t)?, 0)?) };
    let train = normalise(&take_rows(&real, &train)?)?;
    let held = normalise(&take_rows(&real, &held)?)?;
    let synth = modelled(part.head(rows, seed, CHECK_ROWS)?)?;
    let options = EvaluateOptions {
        seed,
        metrics: vec![Metric::Privacy],
        ..EvaluateOptions::default()
    };
    let p = match compare(&train, &synth, Some(&held), &options, &|_| true) {
        Ok(report) => report.privacy,
        Err(e) => {
            eprintln!("privacy: not checked, {e}");
            return Ok(());
        }
    };
    let (Some(s), Some(h)) = (p.dcr_synth_median, p.dcr_holdout_median) else {
        eprintln!("privacy: not checked, too few complete rows to measure distances");
        return Ok(());
    };
    let ratio = if h > 0.0 { s / h } else { f64::INFINITY };
    eprintln!(
        "privacy: median distance to the closest training row {s:.3} for {} synthetic rows vs {h:.3} for {} \
         held-out rows (ratio {ratio:.2}); {} exact copies of training rows; median NNDR {:.2}",
        synth.rows(),
        held.rows(),
        p.exact_copies.unwrap_or(0),
        p.nndr_median.unwrap_or(f64::NAN)
    );
    match p.dcr_holdout_median_low {
        Some(low) if s < low => eprintln!(
            "warning: synthetic rows sit closer to the training rows than held-out real rows do \
             ({:.0}% closer, below the 95% interval of the held-out median, {low:.3}): the model may \
             reproduce training records",
            100.0 * (1.0 - ratio)
        ),
        _ if s < h => eprintln!(
            "privacy: the synthetic median is {:.0}% below the held-out one, within the noise of {} \
             held-out rows (its 95% interval starts at {:.3})",
            100.0 * (1.0 - ratio),
            held.rows(),
            p.dcr_holdout_median_low.unwrap_or(f64::NAN)
        ),
        _ => {}
    }
    Ok(())
}

/// `table` without its ID columns.
fn keep_modelled(schema: &Schema, table: Table) -> anyhow::Result<Table> {
    let keep: Vec<Column> = table
        .into_columns()
        .into_iter()
        .filter(|c| schema.find(&c.name).is_some_and(|s| s.role.is_modelled()))
        .collect();
    Ok(Table::new(keep)?)
}
