//! Loss curves: one or more loss series (training, validation, or the terms of a loss) against the
//! optimiser step.
//!
//! The y axis is logarithmic when every value is positive and they span more than a factor of 10 (a loss
//! falling by orders of magnitude stays readable), linear otherwise; it covers every value with a small
//! margin. A log axis is labelled at 1, 2 and 5 times the powers of ten inside it (plotters labels only
//! the powers, so a range such as 0.02..0.4 would get no label below 0.1). Records are marked with dots
//! when there are few of them.

use std::ops::Range;
use std::path::Path;

use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::{ChartBuilder, Color, IntoLogRange, LineSeries, PathElement, WHITE};

use crate::bins;
use crate::colors::{GRID, SERIES};
use crate::error::PlotError;
use crate::font;
use crate::labels;
use crate::legend;
use crate::write::{Area, DrawError, write_png};

/// Width and height of a loss curve plot in pixels.
const SIZE: (u32, u32) = (900, 500);
/// Values spanning more than this factor (all positive) get a logarithmic y axis.
const LOG_SPAN: f64 = 10.0;
/// Margin above and below the values, as a fraction of the y axis (in log space on a log axis).
const Y_MARGIN: f64 = 0.05;
/// Most records whose points are marked with dots.
const MAX_MARKED: usize = 60;

/// Loss curves: the running mean of one or more losses, recorded every few optimiser steps.
#[derive(Debug, Clone, Copy)]
pub struct LossCurve<'a> {
    /// Plot title, e.g. the model name.
    pub title: &'a str,
    /// Optimiser step of each record (increasing).
    pub steps: &'a [usize],
    /// The series, each a legend label and one value per step (e.g. `("training", ..)`,
    /// `("validation", ..)`); at least one.
    pub series: &'a [(&'a str, &'a [f64])],
}

/// Draws loss curves (900×500) to the PNG file `path`, replacing it atomically: each series against the
/// optimiser step, in its own colour, with a legend.
///
/// The y axis is logarithmic when all values are positive and span more than a factor of 10, linear
/// otherwise. The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] when there are no records or no series, a series does not have one value per
/// step, the steps do not strictly increase, or a value is NaN, infinite or beyond ±1e300;
/// [`PlotError::MissingDirectory`], [`PlotError::Write`] or [`PlotError::Draw`] when the file cannot be
/// produced.
///
/// # Example
/// ```
/// use pushforward_plot::{LossCurve, loss_curve};
///
/// let dir = tempfile::tempdir()?;
/// let curve = LossCurve {
///     title: "flow matching",
///     steps: &[100, 200, 300, 400],
///     series: &[("training", &[2.1, 1.4, 1.2, 1.15]), ("validation", &[2.0, 1.5, 1.3, 1.3])],
/// };
/// loss_curve(&dir.path().join("loss.png"), &curve)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn loss_curve(path: &Path, curve: &LossCurve<'_>) -> Result<(), PlotError> {
    check(path, curve)?;
    write_png(path, SIZE, |root| draw(root, curve))
}

/// Refuses a curve [`loss_curve`] cannot draw (see its errors); `path` names the file in them.
pub(crate) fn check(path: &Path, curve: &LossCurve<'_>) -> Result<(), PlotError> {
    let n = curve.steps.len();
    if n == 0 {
        return Err(PlotError::bad_input(
            path,
            "the loss curve has no records (no steps)",
        ));
    }
    if curve.series.is_empty() {
        return Err(PlotError::bad_input(path, "the loss curve has no series"));
    }
    if let Some((name, values)) = curve.series.iter().find(|(_, v)| v.len() != n) {
        return Err(PlotError::bad_input(
            path,
            format!("{} {name} loss values for {n} steps", values.len()),
        ));
    }
    if let Some(i) = curve.steps.windows(2).position(|w| w[1] <= w[0]) {
        return Err(PlotError::bad_input(
            path,
            format!(
                "steps must increase, but record {} has step {} after step {}",
                i + 1,
                curve.steps[i + 1],
                curve.steps[i]
            ),
        ));
    }
    for (name, values) in curve.series {
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !bins::plottable(**v)) {
            return Err(PlotError::bad_input(
                path,
                format!(
                    "the {name} loss at step {} is {v}; values must be finite (at most 1e300 in magnitude)",
                    curve.steps[i]
                ),
            ));
        }
    }

    Ok(())
}

/// Draws a curve that passed [`check`] on `root`.
pub(crate) fn draw(root: &Area<'_>, curve: &LossCurve<'_>) -> Result<(), DrawError> {
    let first = curve.steps.first().copied().unwrap_or(0) as f64;
    let last = curve.steps.last().copied().unwrap_or(0) as f64;
    let (x0, x1) = bins::widen(first, last);
    let values = curve.series.iter().flat_map(|(_, v)| v.iter().copied());
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    match y_axis(lo, hi) {
        YAxis::Linear(y) => draw_curve(root, curve, x0..x1, y),
        YAxis::Log(y) => {
            let ticks = log_ticks(&y);
            draw_curve(root, curve, x0..x1, y.log_scale().with_key_points(ticks))
        }
    }
}

/// The y axis of a loss curve.
#[derive(Debug)]
enum YAxis {
    /// A linear axis over this range.
    Linear(Range<f64>),
    /// A logarithmic axis over this (positive) range.
    Log(Range<f64>),
}

/// The y axis for values spanning `lo..=hi` (both plottable), with a margin of [`Y_MARGIN`].
fn y_axis(lo: f64, hi: f64) -> YAxis {
    if lo > 0.0 && hi / lo > LOG_SPAN {
        let (a, b) = bins::pad(lo.ln(), hi.ln(), Y_MARGIN);
        YAxis::Log(a.exp()..b.exp())
    } else {
        let (lo, hi) = bins::widen(lo, hi);
        let (a, b) = bins::pad(lo, hi, Y_MARGIN);
        YAxis::Linear(a..b)
    }
}

/// The values 1, 2 and 5 times a power of ten inside the positive range `y`, increasing.
fn log_ticks(y: &Range<f64>) -> Vec<f64> {
    let first = y.start.log10().floor() as i32;
    let last = y.end.log10().ceil() as i32;
    (first..=last)
        .flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)))
        .filter(|v| y.contains(v))
        .collect()
}

fn draw_curve<Y>(root: &Area<'_>, curve: &LossCurve<'_>, x: Range<f64>, y: Y) -> Result<(), DrawError>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(labels::truncate(curve.title, 70), font::bold(22.0))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .label_style(font::text(14.0))
        .axis_desc_style(font::text(15.0))
        .x_label_formatter(&labels::tick)
        .y_label_formatter(&labels::tick)
        .x_desc("optimiser step")
        .y_desc("loss")
        .draw()?;

    let marker = if curve.steps.len() <= MAX_MARKED { 3 } else { 0 };
    for (&(label, values), &color) in curve.series.iter().zip(SERIES.iter().cycle()) {
        let points = curve.steps.iter().zip(values).map(|(&s, &v)| (s as f64, v));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)).point_size(marker))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    legend::series_box(&mut chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_only_for_positive_values_spanning_a_decade() {
        assert!(matches!(y_axis(0.05, 3.0), YAxis::Log(r) if r.start < 0.05 && r.start > 0.0 && r.end > 3.0));
        assert!(matches!(y_axis(0.5, 3.0), YAxis::Linear(r) if r.start < 0.5 && r.end > 3.0));
        assert!(matches!(y_axis(-1.0, 30.0), YAxis::Linear(_)));
        assert!(matches!(y_axis(0.0, 30.0), YAxis::Linear(_)));
    }

    #[test]
    fn log_ticks_are_one_two_five_per_decade_inside_the_range() {
        let ticks = log_ticks(&(0.015..0.45));
        let expected = [0.02, 0.05, 0.1, 0.2];
        assert_eq!(ticks.len(), expected.len(), "{ticks:?}");
        for (t, e) in ticks.iter().zip(expected) {
            assert!((t - e).abs() < 1e-12, "{ticks:?}");
        }
    }

    #[test]
    fn constant_loss_gets_a_usable_linear_axis() {
        assert!(matches!(y_axis(2.0, 2.0), YAxis::Linear(r) if r.start < 2.0 && r.end > 2.0));
    }
}
