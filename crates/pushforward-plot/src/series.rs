//! Multivariate time series, real beside generated: a grid of channel ×
//! time heat maps (one per sample, real samples on the top row, generated
//! below) and one panel of line plots per channel.
//!
//! Rows hold `C × T` values flattened channel by channel (value `c·T + t`
//! is channel `c` at step `t`). Heat-map colours are z-scores against the
//! real samples' mean and standard deviation of each channel, on the
//! diverging map clamped at ±3, so channels of different units compare.

use std::path::Path;

use plotters::prelude::{ChartBuilder, Color, LineSeries, Rectangle};

use crate::colors;
use crate::error::PlotError;
use crate::font;
use crate::write::{Area, DrawError, write_png};

/// Height of one sample's heat map, and of one channel's line panel.
const PANEL_HEIGHT: u32 = 180;
/// Width of one sample's heat map.
const PANEL_WIDTH: u32 = 260;
/// Width of the line plots.
const LINES_WIDTH: u32 = 1100;
/// Z-score at which the heat-map colours saturate.
const Z_LIMIT: f64 = 3.0;

/// Samples of one source: a title and rows of `C·T` values.
#[derive(Debug, Clone, Copy)]
pub struct SeriesSet<'a> {
    /// Its title ("real", "generated").
    pub title: &'a str,
    /// Row-major samples.
    pub values: &'a [f64],
}

/// Checks the sets against `channels × steps` and returns each one's rows.
fn rows_of(
    path: &Path,
    sets: [SeriesSet<'_>; 2],
    channels: usize,
    steps: usize,
) -> Result<[usize; 2], PlotError> {
    let d = channels * steps;
    if d == 0 {
        return Err(PlotError::bad_input(
            path,
            "a series needs at least one channel and one step",
        ));
    }
    let rows = sets.map(|s| s.values.len() / d);
    if let Some(bad) = sets
        .iter()
        .find(|s| s.values.is_empty() || !s.values.len().is_multiple_of(d))
    {
        return Err(PlotError::bad_input(
            path,
            format!(
                "'{}' has {} values, not a whole number of {channels} x {steps} series",
                bad.title,
                bad.values.len()
            ),
        ));
    }
    Ok(rows)
}

/// Each channel's mean and standard deviation over the samples of `set`.
fn channel_scales(values: &[f64], channels: usize, steps: usize) -> Vec<(f64, f64)> {
    let d = channels * steps;
    (0..channels)
        .map(|c| {
            let v: Vec<f64> = values
                .chunks_exact(d)
                .flat_map(|r| r[c * steps..(c + 1) * steps].iter().copied())
                .collect();
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
            (mean, if var > 0.0 { var.sqrt() } else { 1.0 })
        })
        .collect()
}

/// Draws the first `count` samples of `real` (top row) and `generated`
/// (bottom row) as channel × time heat maps to the PNG file `path`.
///
/// # Errors
/// [`PlotError::BadInput`] for values that are not whole series or no
/// samples; [`PlotError::MissingDirectory`], [`PlotError::Write`] or
/// [`PlotError::Draw`] when the file cannot be produced.
///
/// ```
/// use pushforward_plot::{SeriesSet, series_heatmaps};
/// let dir = tempfile::tempdir()?;
/// let real: Vec<f64> = (0..24).map(|i| (i as f64).sin()).collect();
/// let generated: Vec<f64> = (0..24).map(|i| (i as f64).cos()).collect();
/// let sets = [SeriesSet { title: "real", values: &real }, SeriesSet { title: "generated", values: &generated }];
/// series_heatmaps(&dir.path().join("heat.png"), sets, 2, 3, 4)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn series_heatmaps(
    path: &Path,
    sets: [SeriesSet<'_>; 2],
    channels: usize,
    steps: usize,
    count: usize,
) -> Result<(), PlotError> {
    let rows = rows_of(path, sets, channels, steps)?;
    let shown = count.clamp(1, rows[0].max(rows[1]));
    let scales = channel_scales(sets[0].values, channels, steps);
    let size = (PANEL_WIDTH * shown as u32, 2 * PANEL_HEIGHT);
    write_png(path, size, |root| {
        let grid = root.split_evenly((2, shown));
        for (r, set) in sets.iter().enumerate() {
            for k in 0..shown.min(rows[r]) {
                let row = &set.values[k * channels * steps..(k + 1) * channels * steps];
                heatmap(
                    &grid[r * shown + k],
                    &format!("{} {}", set.title, k + 1),
                    row,
                    &scales,
                    steps,
                )?;
            }
        }
        Ok(())
    })
}

/// One sample's heat map: channels down, time across.
fn heatmap(
    area: &Area<'_>,
    title: &str,
    row: &[f64],
    scales: &[(f64, f64)],
    steps: usize,
) -> Result<(), DrawError> {
    let channels = scales.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, font::text(14.0))
        .margin(6)
        .x_label_area_size(18)
        .y_label_area_size(24)
        .build_cartesian_2d(0.0..steps as f64, 0.0..channels as f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(4)
        .y_labels(channels.min(8))
        .label_style(font::text(10.0))
        .draw()?;
    chart.draw_series((0..channels * steps).map(|k| {
        let (c, t) = (k / steps, k % steps);
        let (mean, std) = scales[c];
        let y = (channels - 1 - c) as f64;
        Rectangle::new(
            [(t as f64, y), (t as f64 + 1.0, y + 1.0)],
            colors::diverging((row[k] - mean) / std, Z_LIMIT).filled(),
        )
    }))?;
    Ok(())
}

/// Draws the first `count` samples of `real` (blue) and `generated`
/// (orange) as lines over time, one panel per channel, to `path`.
///
/// # Errors
/// As [`series_heatmaps`].
pub fn series_lines(
    path: &Path,
    sets: [SeriesSet<'_>; 2],
    channels: usize,
    steps: usize,
    count: usize,
) -> Result<(), PlotError> {
    let rows = rows_of(path, sets, channels, steps)?;
    let d = channels * steps;
    let size = (LINES_WIDTH, PANEL_HEIGHT * channels as u32 + 30);
    write_png(path, size, |root| {
        root.draw_text(
            &format!(
                "{} (blue) and {} (orange), {} each",
                sets[0].title, sets[1].title, count
            ),
            &font::bold(15.0),
            (10, 6),
        )?;
        let body = root
            .clone()
            .shrink((0, 30), (LINES_WIDTH, PANEL_HEIGHT * channels as u32));
        for (c, area) in body.split_evenly((channels, 1)).iter().enumerate() {
            let values = |set: &SeriesSet<'_>, n: usize| -> Vec<Vec<f64>> {
                set.values
                    .chunks_exact(d)
                    .take(n)
                    .map(|r| r[c * steps..(c + 1) * steps].to_vec())
                    .collect()
            };
            let (a, b) = (
                values(&sets[0], count.min(rows[0])),
                values(&sets[1], count.min(rows[1])),
            );
            let (lo, hi) = a
                .iter()
                .chain(&b)
                .flatten()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
            let pad = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
            let mut chart = ChartBuilder::on(area)
                .caption(format!("channel {}", c + 1), font::text(13.0))
                .margin(6)
                .x_label_area_size(20)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..(steps.max(2) - 1) as f64, (lo - pad)..(hi + pad))?;
            chart
                .configure_mesh()
                .light_line_style(colors::GRID)
                .label_style(font::text(10.0))
                .draw()?;
            for (lines, colour) in [(&a, colors::LEFT), (&b, colors::RIGHT)] {
                for line in lines {
                    chart.draw_series(LineSeries::new(
                        line.iter().enumerate().map(|(t, &v)| (t as f64, v)),
                        colour.mix(0.6).stroke_width(1),
                    ))?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_plots_are_written_and_ragged_values_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real: Vec<f64> = (0..60).map(|i| (f64::from(i) * 0.3).sin()).collect();
        let generated: Vec<f64> = (0..60).map(|i| (f64::from(i) * 0.3).cos()).collect();
        let sets = [
            SeriesSet {
                title: "real",
                values: &real,
            },
            SeriesSet {
                title: "generated",
                values: &generated,
            },
        ];
        let heat = dir.path().join("heat.png");
        series_heatmaps(&heat, sets, 2, 5, 4).expect("heat maps");
        let lines = dir.path().join("lines.png");
        series_lines(&lines, sets, 2, 5, 3).expect("lines");
        for p in [&heat, &lines] {
            assert!(std::fs::metadata(p).expect("written").len() > 1000);
        }
        let ragged = [
            sets[0],
            SeriesSet {
                title: "bad",
                values: &generated[..7],
            },
        ];
        assert!(series_heatmaps(&dir.path().join("x.png"), ragged, 2, 5, 4).is_err());
        assert!(!dir.path().join("x.png").exists());
    }
}
