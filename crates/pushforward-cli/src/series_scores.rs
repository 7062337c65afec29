//! `evaluate --shape C,T` (or `--window T`): the time-series scores of the
//! synthetic series against the real ones, a line of summary, and the
//! series plots (channel × time heat maps and lines per channel), which
//! `fit --method dual-divergence --plots` draws too.

use crate::args::SeriesFlags;
use crate::series::{flatten, series};
use anyhow::{Context, bail};
use pushforward_core::Table;
use pushforward_metrics::Points;
use pushforward_metrics::timeseries::{TimeSeriesScores, timeseries_scores};
use pushforward_neural::dualdiv::Shape;
use pushforward_plot::{SeriesSet, series_heatmaps, series_lines};
use std::path::Path;

/// Samples drawn in each series plot.
const SHOWN: usize = 6;

/// Real and synthetic series, flattened row by row, and their shape.
pub(crate) struct Series {
    real: Vec<f64>,
    synth: Vec<f64>,
    shape: Shape,
}

/// The series of `real` and `synth` under `flags` (`None` without
/// `--shape` or `--window`).
///
/// # Errors
/// No real table, a table that does not fit the shape, non-numeric values.
pub(crate) fn read(
    flags: &SeriesFlags,
    real: Option<&Table>,
    synth: &Table,
) -> anyhow::Result<Option<Series>> {
    if flags.shape.is_none() && flags.window.is_none() {
        return Ok(None);
    }
    let Some(real) = real else {
        bail!("the time-series scores compare with real series: give --real");
    };
    let (real, shape) = series(flags, real.clone(), "the real table")?;
    let (synth, _) = series(flags, synth.clone(), "the synthetic table")?;
    let Some(shape) = shape else {
        return Ok(None);
    };
    Series::new(&real, &synth, shape).map(Some)
}

impl Series {
    /// The series of two tables already flattened to `shape`.
    ///
    /// # Errors
    /// Non-numeric columns or missing values.
    pub(crate) fn new(real: &Table, synth: &Table, shape: Shape) -> anyhow::Result<Series> {
        Ok(Series {
            real: flatten(real, "the real table")?,
            synth: flatten(synth, "the synthetic table")?,
            shape,
        })
    }

    /// The discriminative and correlational scores.
    pub(crate) fn scores(&self, seed: u64) -> anyhow::Result<TimeSeriesScores> {
        let d = self.shape.channels * self.shape.steps;
        let points = |v: &[f64]| Points::new(d, v.to_vec());
        timeseries_scores(
            &points(&self.real)?,
            &points(&self.synth)?,
            self.shape.channels,
            self.shape.steps,
            seed,
        )
        .context("cannot score the series")
    }

    /// `series_heatmaps.png` and `series_lines.png` in `dir`.
    pub(crate) fn plots(&self, dir: &Path) -> anyhow::Result<()> {
        let sets = [
            SeriesSet {
                title: "real",
                values: &self.real,
            },
            SeriesSet {
                title: "synthetic",
                values: &self.synth,
            },
        ];
        let (c, t) = (self.shape.channels, self.shape.steps);
        series_heatmaps(&dir.join("series_heatmaps.png"), sets, c, t, SHOWN)?;
        series_lines(&dir.join("series_lines.png"), sets, c, t, SHOWN)?;
        Ok(())
    }
}

/// The summary's line of time-series scores.
pub(crate) fn summary(scores: &TimeSeriesScores) -> String {
    let correlational = scores
        .correlational
        .map_or_else(|| "n/a (one channel)".to_owned(), |c| format!("{c:.4}"));
    format!(
        "time series ({} channels x {} steps): discriminative score {:.4} ({} classifier; 0 best, 0.5 worst), \
         correlational score {correlational}\n",
        scores.channels, scores.steps, scores.discriminative, scores.classifier
    )
}
