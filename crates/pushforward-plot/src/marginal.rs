//! Marginal plots: one column of two samples, overlaid histograms for a continuous column or
//! side-by-side bars for a categorical (or integer) one.
//!
//! Continuous histograms share their bins: the range is the pooled 0.5%..99.5% quantiles of both samples
//! (so a heavy tail does not squash the plot; values outside it are not drawn but still count, so the
//! bars stay on a density scale comparable to a reference pdf) and the bin count follows the
//! Freedman–Diaconis rule on the pooled sample, clamped to 10..=80 bins.

use std::path::Path;

use plotters::prelude::{ChartBuilder, Color, LineSeries, PathElement, RGBColor, Rectangle, WHITE};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::bins;
use crate::colors::{GRID, LEFT, REFERENCE, RIGHT};
use crate::error::PlotError;
use crate::font;
use crate::labels;
use crate::legend;
use crate::write::{Area, DrawError, write_png};

/// Width and height of a marginal plot in pixels.
const SIZE: (u32, u32) = (900, 600);
/// Bin count limits of the continuous histograms.
const MIN_BINS: usize = 10;
/// See [`MIN_BINS`].
const MAX_BINS: usize = 80;
/// Most categories drawn in a bar plot; the most frequent ones are kept.
const MAX_CATEGORIES: usize = 40;
/// Longest category label drawn, in characters.
const MAX_LABEL_CHARS: usize = 16;

/// What a marginal plot shows: one column of two samples (`left`, usually the real data, and `right`,
/// usually the synthetic data), either of which may be empty.
#[derive(Debug, Clone, Copy)]
pub enum MarginalPlot<'a> {
    /// Histograms of two samples of a continuous column on shared bins (density scale), drawn as
    /// outlined translucent overlays, with an optional reference density curve of `(x, pdf)` pairs
    /// (e.g. a spec's pdf). NaN and infinite values are skipped.
    Continuous {
        /// Plot title, e.g. the column name.
        title: &'a str,
        /// Legend label of the left sample.
        left_label: &'a str,
        /// The left sample.
        left: &'a [f64],
        /// Legend label of the right sample.
        right_label: &'a str,
        /// The right sample.
        right: &'a [f64],
        /// Reference density as `(x, pdf(x))` pairs, drawn as a line where it falls in the plotted range.
        density: Option<&'a [(f64, f64)]>,
    },
    /// Side-by-side bars of two frequency vectors (proportions) over labelled categories or integer
    /// values. Each non-empty vector has one entry per label. At most 40 categories are drawn (the most
    /// frequent by pooled frequency, in their original order); the title says so when some are left out.
    Bars {
        /// Plot title, e.g. the column name.
        title: &'a str,
        /// Category labels.
        labels: &'a [String],
        /// Legend label of the left sample.
        left_label: &'a str,
        /// Proportions of the left sample, one per label (or empty).
        left: &'a [f64],
        /// Legend label of the right sample.
        right_label: &'a str,
        /// Proportions of the right sample, one per label (or empty).
        right: &'a [f64],
    },
}

/// Draws a marginal plot (900×600) to the PNG file `path`, replacing it atomically.
///
/// The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] when both samples are empty (or hold no finite value) or a frequency
/// vector's length differs from the number of labels; [`PlotError::MissingDirectory`],
/// [`PlotError::Write`] or [`PlotError::Draw`] when the file cannot be produced.
///
/// # Example
/// ```
/// use pushforward_plot::{MarginalPlot, marginal_plot};
///
/// let dir = tempfile::tempdir()?;
/// let real = [0.1, 0.4, 0.35, 0.8, 1.2];
/// let synthetic = [0.2, 0.3, 0.5, 0.9];
/// let plot = MarginalPlot::Continuous {
///     title: "income",
///     left_label: "real",
///     left: &real,
///     right_label: "synthetic",
///     right: &synthetic,
///     density: None,
/// };
/// marginal_plot(&dir.path().join("income.png"), &plot)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn marginal_plot(path: &Path, plot: &MarginalPlot<'_>) -> Result<(), PlotError> {
    match *plot {
        MarginalPlot::Continuous {
            title,
            left_label,
            left,
            right_label,
            right,
            density,
        } => {
            let Some(((lo, hi), sides)) = histograms([(left_label, left, LEFT), (right_label, right, RIGHT)])
            else {
                return Err(PlotError::bad_input(
                    path,
                    "both samples are empty (no finite values)",
                ));
            };
            let curves: Vec<Curve<'_>> = density
                .map(|d| Curve {
                    label: "reference density",
                    points: reference_curve(d, lo, hi),
                    color: REFERENCE,
                })
                .into_iter()
                .collect();
            write_png(path, SIZE, |root| {
                draw_histograms(root, title, (lo, hi), &sides, &curves)
            })
        }
        MarginalPlot::Bars {
            title,
            labels,
            left_label,
            left,
            right_label,
            right,
        } => {
            let k = labels.len();
            for (name, values) in [("left", left), ("right", right)] {
                if !values.is_empty() && values.len() != k {
                    return Err(PlotError::bad_input(
                        path,
                        format!("{name} has {} frequencies for {k} labels", values.len()),
                    ));
                }
            }
            if k == 0 || (left.is_empty() && right.is_empty()) {
                return Err(PlotError::bad_input(path, "both samples are empty"));
            }
            let bars = select_categories(labels, left, right);
            let title = if bars.len() < k {
                format!("{title} ({} most frequent of {k} categories)", bars.len())
            } else {
                title.to_owned()
            };
            let legend = [
                (left_label, !left.is_empty(), LEFT),
                (right_label, !right.is_empty(), RIGHT),
            ];
            write_png(path, SIZE, |root| draw_bars(root, &title, &bars, legend))
        }
    }
}

/// One sample's histogram.
pub(crate) struct Side<'a> {
    /// Legend label.
    pub(crate) label: &'a str,
    /// Density-scale height of each bin.
    pub(crate) heights: Vec<f64>,
    /// Colour.
    pub(crate) color: RGBColor,
}

/// A density curve drawn over the histograms.
pub(crate) struct Curve<'a> {
    /// Legend label.
    pub(crate) label: &'a str,
    /// Points inside the plotted range, sorted by `x` ([`reference_curve`]).
    pub(crate) points: Vec<(f64, f64)>,
    /// Colour.
    pub(crate) color: RGBColor,
}

/// One category's bar pair.
struct Bar {
    label: String,
    left: f64,
    right: f64,
}

/// The displayed range of the pooled samples and, on shared bins over it, the density histogram of
/// each sample that holds a plottable value; `None` when none does.
pub(crate) fn histograms<'a>(
    samples: [(&'a str, &[f64], RGBColor); 2],
) -> Option<((f64, f64), Vec<Side<'a>>)> {
    let pooled = bins::pooled_sorted(samples.iter().map(|s| s.1));
    let (lo, hi) = bins::display_range(&pooled)?;
    let count = bins::bin_count(&pooled, lo, hi, MIN_BINS, MAX_BINS);
    let sides = samples
        .into_iter()
        .filter(|(_, values, _)| values.iter().any(|&v| bins::plottable(v)))
        .map(|(label, values, color)| Side {
            label,
            heights: bins::density_histogram(values, lo, hi, count),
            color,
        })
        .collect();
    Some(((lo, hi), sides))
}

/// The finite, non-negative points of a reference density inside `[lo, hi]`, sorted by `x`.
pub(crate) fn reference_curve(density: &[(f64, f64)], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let mut curve: Vec<(f64, f64)> = density
        .iter()
        .copied()
        .filter(|&(x, y)| bins::plottable(x) && bins::plottable(y) && (lo..=hi).contains(&x))
        .map(|(x, y)| (x, y.max(0.0)))
        .collect();
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
    curve
}

/// The categories to draw: all of them, or the [`MAX_CATEGORIES`] most frequent by pooled frequency,
/// kept in their original order. Non-finite frequencies count as zero.
fn select_categories(labels: &[String], left: &[f64], right: &[f64]) -> Vec<Bar> {
    let clean = |v: &[f64], i: usize| v.get(i).copied().filter(|x| bins::plottable(*x)).unwrap_or(0.0);
    let mut order: Vec<usize> = (0..labels.len()).collect();
    if order.len() > MAX_CATEGORIES {
        let pooled = |i: usize| clean(left, i) + clean(right, i);
        order.sort_by(|&a, &b| pooled(b).total_cmp(&pooled(a)).then(a.cmp(&b)));
        order.truncate(MAX_CATEGORIES);
        order.sort_unstable();
    }
    order
        .into_iter()
        .map(|i| Bar {
            label: labels[i].clone(),
            left: clean(left, i),
            right: clean(right, i),
        })
        .collect()
}

/// Top of the y axis: 10% above the tallest bar or curve point; a curve spiking far above the bars
/// (a near-degenerate pdf) is cut at twice their height rather than flattening them.
fn y_top(bar_max: f64, curve_max: f64) -> f64 {
    let top = if bar_max > 0.0 {
        bar_max.max(curve_max.min(2.0 * bar_max))
    } else {
        curve_max
    };
    if top > 0.0 && top.is_finite() {
        top * 1.1
    } else {
        1.0
    }
}

/// Draws the histograms `sides` (on the same bins over `lo..hi`) and the density `curves` on `root`.
pub(crate) fn draw_histograms(
    root: &Area<'_>,
    title: &str,
    (lo, hi): (f64, f64),
    sides: &[Side<'_>],
    curves: &[Curve<'_>],
) -> Result<(), DrawError> {
    let bar_max = sides
        .iter()
        .flat_map(|s| s.heights.iter().copied())
        .fold(0.0, f64::max);
    let curve_max = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let top = y_top(bar_max, curve_max);

    let mut chart = ChartBuilder::on(root)
        .caption(labels::truncate(title, 70), font::bold(22.0))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(lo..hi, 0.0..top)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .label_style(font::text(14.0))
        .axis_desc_style(font::text(15.0))
        .x_label_formatter(&labels::tick)
        .y_label_formatter(&labels::tick)
        .y_desc("density")
        .draw()?;

    // Translucent fills first, then every outline, so no outline is tinted by the other sample's fill.
    let width = (hi - lo) / sides.first().map_or(1, |s| s.heights.len()).max(1) as f64;
    for side in sides {
        let fill = side.color.mix(0.3).filled();
        chart.draw_series(
            side.heights
                .iter()
                .enumerate()
                .filter(|(_, h)| **h > 0.0)
                .map(|(i, &h)| {
                    let x0 = lo + i as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, h)], fill)
                }),
        )?;
    }
    let mut labelled = false;
    for side in sides {
        let color = side.color;
        let mut outline = vec![(lo, 0.0)];
        for (i, &h) in side.heights.iter().enumerate() {
            let x0 = lo + i as f64 * width;
            outline.extend([(x0, h), (x0 + width, h)]);
        }
        outline.push((hi, 0.0));
        let series = chart.draw_series(LineSeries::new(outline, color.stroke_width(2)))?;
        if !side.label.is_empty() {
            labelled = true;
            series
                .label(labels::truncate(side.label, 40))
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], color.mix(0.6).filled()));
        }
    }
    for curve in curves.iter().filter(|c| c.points.len() >= 2) {
        labelled = true;
        let color = curve.color;
        chart
            .draw_series(LineSeries::new(
                curve.points.iter().copied(),
                color.stroke_width(2),
            ))?
            .label(labels::truncate(curve.label, 40))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    if labelled {
        legend::series_box(&mut chart)?;
    }
    Ok(())
}

fn draw_bars(
    root: &Area<'_>,
    title: &str,
    bars: &[Bar],
    legend: [(&str, bool, RGBColor); 2],
) -> Result<(), DrawError> {
    let m = bars.len();
    let names: Vec<String> = bars
        .iter()
        .map(|b| labels::abbreviate(&b.label, MAX_LABEL_CHARS))
        .collect();
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    // Horizontal labels while they fit under their bar pair (about 8 px per character at 13 px).
    let per_category = 790.0 / m.max(1) as f64;
    let rotate = longest as f64 * 8.0 > per_category * 0.9;
    let label_area = if rotate { 20 + 8 * longest as u32 } else { 40 };
    let top = y_top(bars.iter().map(|b| b.left.max(b.right)).fold(0.0, f64::max), 0.0);

    let mut chart = ChartBuilder::on(root)
        .caption(labels::truncate(title, 70), font::bold(22.0))
        .margin(15)
        .x_label_area_size(label_area)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..m as f64, 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .label_style(font::text(13.0))
        .axis_desc_style(font::text(15.0))
        .x_labels(0)
        .y_label_formatter(&labels::tick)
        .y_desc("proportion")
        .draw()?;

    let mut labelled = false;
    for (side, (label, present, color)) in legend.into_iter().enumerate() {
        if !present {
            continue;
        }
        let offset = if side == 0 { 0.1 } else { 0.5 };
        let series = chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let value = if side == 0 { b.left } else { b.right };
            let x0 = i as f64 + offset;
            Rectangle::new([(x0, 0.0), (x0 + 0.4, value.max(0.0))], color.mix(0.85).filled())
        }))?;
        if !label.is_empty() {
            labelled = true;
            series.label(labels::truncate(label, 40)).legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 18, y + 6)], color.mix(0.85).filled())
            });
        }
    }
    // Category labels under their bar pairs, drawn here because plotters centres rotated tick labels
    // on the tick (half of each would overlap the plot).
    let (_, y_pixels) = chart.plotting_area().get_pixel_range();
    let style = if rotate {
        font::hanging_up(13.0)
    } else {
        font::text(13.0).pos(Pos::new(HPos::Center, VPos::Top))
    };
    for (i, name) in names.iter().enumerate() {
        let (x, _) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw_text(name, &style, (x, y_pixels.end + 8))?;
    }
    if labelled {
        legend::series_box(&mut chart)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_most_frequent_categories_in_order() {
        let labels: Vec<String> = (0..50).map(|i| format!("c{i}")).collect();
        let left: Vec<f64> = (0..50).map(f64::from).collect();
        let bars = select_categories(&labels, &left, &[]);
        assert_eq!(bars.len(), MAX_CATEGORIES);
        assert_eq!(bars[0].label, "c10");
        assert_eq!(bars[39].label, "c49");
    }

    #[test]
    fn reference_curve_is_clipped_and_sorted() {
        let curve = reference_curve(&[(2.0, 0.1), (0.5, 0.2), (9.0, 0.3), (f64::NAN, 1.0)], 0.0, 3.0);
        assert_eq!(curve, vec![(0.5, 0.2), (2.0, 0.1)]);
    }
}
