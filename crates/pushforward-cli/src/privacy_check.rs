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
//!
//! A large table is measured on seeded subsamples: at most
//! [`CHECK_TRAINING_ROWS`] training rows (the synthetic and the held-out
//! rows are measured against the same ones, so their comparison stays
//! fair; exact copies are counted among them) and [`CHECK_ROWS`] held-out
//! rows, so the check's time and memory do not grow with the table beyond
//! reading it once.

use anyhow::Context;
use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Sharded, Table};
use pushforward_metrics::{EvaluateOptions, Metric, compare, subsample_positions};
use pushforward_neural::CopulaBody;
use pushforward_tabular::holdout::{TrainingSource, fingerprint_reader, take_rows};
use pushforward_tabular::{CHUNK_ROWS, Schema};
use rand::RngCore;

/// Synthetic rows the check measures at most, and held-out rows.
pub(crate) const CHECK_ROWS: u64 = 5_000;

/// Training rows the distances are measured against at most.
pub(crate) const CHECK_TRAINING_ROWS: usize = 10_000;

/// A seeded subsample of at most `cap` of `rows`, in their order (the
/// seed's `Subsample(salt)` stream chooses).
fn at_most(rows: Vec<usize>, cap: usize, seed: u64, salt: u32) -> Vec<usize> {
    let draw = stream(seed, Purpose::Subsample(salt)).next_u64();
    match subsample_positions(rows.len(), cap, draw) {
        Some(kept) => kept.into_iter().map(|k| rows[k]).collect(),
        None => rows,
    }
}

/// Prints the privacy line (or why there is none) for the rows `part`
/// holds of `rows` rows drawn with `seed` (its first [`CHECK_ROWS`]).
pub(crate) fn report(body: &CopulaBody, part: &Sharded<'_>, rows: u64, seed: u64) -> anyhow::Result<()> {
    let Some(source) = &body.training else {
        eprintln!("privacy: not checked, the model was fitted with --holdout 0 (no rows held out)");
        return Ok(());
    };
    let file = std::fs::File::open(&source.path).and_then(|f| fingerprint_reader(std::io::BufReader::new(f)));
    let (bytes, hash) = match file {
        Ok(read) => read,
        Err(e) => {
            eprintln!(
                "privacy: not checked, the training file '{}' cannot be read ({e})",
                source.path
            );
            return Ok(());
        }
    };
    if bytes != source.bytes || hash != source.hash {
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
    let (train, held, training_rows) = training_and_held(source, schema, seed)?;
    let synth = schema.prepare(&part.head(rows, seed, CHECK_ROWS)?)?;
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
    let among = if train.rows() < training_rows {
        format!(
            " (against a seeded {} of the {training_rows} training rows)",
            train.rows()
        )
    } else {
        String::new()
    };
    eprintln!(
        "privacy: median distance to the closest training row {s:.3} for {} synthetic rows vs {h:.3} for {} \
         held-out rows (ratio {ratio:.2}); {} exact copies of training rows; median NNDR {:.2}{among}",
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

/// The training file's training and held-out rows as the model sees them
/// (at most [`CHECK_TRAINING_ROWS`] and [`CHECK_ROWS`], seeded), read
/// chunk by chunk so that only those rows are held, and the count of
/// training rows.
fn training_and_held(
    source: &TrainingSource,
    schema: &Schema,
    seed: u64,
) -> anyhow::Result<(Table, Table, usize)> {
    let path = std::path::Path::new(&source.path);
    let cannot = || format!("cannot read the training file '{}'", source.path);
    let file = pushforward_io::chunked(path).with_context(cannot)?;
    let chunks = file.chunks(CHUNK_ROWS).with_context(cannot)?;
    let (train, held) = source.split(chunks.total_rows());
    let training_rows = train.len();
    let train = at_most(train, CHECK_TRAINING_ROWS, seed, 76);
    let held = at_most(held, CHECK_ROWS as usize, seed, 77);
    let (mut train_parts, mut held_parts) = (Vec::new(), Vec::new());
    let mut first = 0;
    for chunk in chunks {
        let chunk = chunk.with_context(cannot)?;
        let range = first..first + chunk.rows();
        let local = |rows: &[usize]| -> Vec<usize> {
            let (a, b) = (
                rows.partition_point(|&i| i < range.start),
                rows.partition_point(|&i| i < range.end),
            );
            rows[a..b].iter().map(|&i| i - range.start).collect()
        };
        train_parts.push(schema.prepare(&take_rows(&chunk, &local(&train))?)?);
        held_parts.push(schema.prepare(&take_rows(&chunk, &local(&held))?)?);
        first = range.end;
    }
    Ok((stack(train_parts)?, stack(held_parts)?, training_rows))
}

/// Prepared tables of the same columns (categories on the schema's
/// levels), one after another.
fn stack(parts: Vec<Table>) -> anyhow::Result<Table> {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        anyhow::bail!("the training file has no rows");
    };
    let mut columns = first.into_columns();
    let mut masks: Vec<Vec<bool>> = columns
        .iter()
        .map(|c| (0..c.data.len()).map(|i| c.is_missing(i)).collect())
        .collect();
    for part in parts {
        for ((column, mask), next) in columns.iter_mut().zip(&mut masks).zip(part.into_columns()) {
            mask.extend((0..next.data.len()).map(|i| next.is_missing(i)));
            match (&mut column.data, next.data) {
                (ColumnData::Float(a), ColumnData::Float(b)) => a.extend(b),
                (ColumnData::Int(a), ColumnData::Int(b)) => a.extend(b),
                (ColumnData::Categorical { codes: a, .. }, ColumnData::Categorical { codes: b, .. }) => {
                    a.extend(b)
                }
                _ => anyhow::bail!(
                    "column '{}' changed its kind within the training file",
                    column.name
                ),
            }
        }
    }
    let columns = columns
        .into_iter()
        .zip(masks)
        .map(|(c, mask)| Column { missing: None, ..c }.with_missing(mask))
        .collect();
    Ok(Table::new(columns)?)
}
