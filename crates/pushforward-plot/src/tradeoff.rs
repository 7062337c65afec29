//! Trade-off plots: labelled points of what several generators achieved, the worst column's
//! Kolmogorov–Smirnov distance against the mean absolute correlation error (lower left is better).
//!
//! Both axes start at 0 and extend 15% beyond the largest value (to 1 when every value is 0), so each
//! label fits beside its point. A label is written right of its point, or left of it where it would run
//! past the plot's right edge, and moved down below any earlier label it would overlap (points that
//! coincide or nearly do stay readable).

use std::path::Path;

use plotters::prelude::{BLACK, ChartBuilder, Circle, Color, RGBColor, WHITE};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::bins;
use crate::colors::{GRID, LEFT, NOISE, REFERENCE, RIGHT};
use crate::error::PlotError;
use crate::font;
use crate::labels;
use crate::write::{Area, DrawError, write_png};

/// Width and height of a trade-off plot in pixels.
const SIZE: (u32, u32) = (700, 500);
/// Headroom beyond the largest value, as a fraction of it.
const HEADROOM: f64 = 0.15;
/// Point colours, in order, repeating after the last.
const POINT_COLORS: [RGBColor; 4] = [LEFT, RIGHT, NOISE, REFERENCE];
/// Radius of a point in pixels.
const RADIUS: i32 = 6;
/// Font size of the point labels.
const LABEL_SIZE: f64 = 15.0;
/// Longest point label drawn, in characters.
const MAX_LABEL_CHARS: usize = 30;
/// Vertical space a label takes, in pixels: labels closer than this overlap.
const LABEL_HEIGHT: i32 = 18;

/// What a trade-off plot shows: one labelled point per generator run.
#[derive(Debug, Clone, Copy)]
pub struct TradeoffPlot<'a> {
    /// Plot title.
    pub title: &'a str,
    /// `(label, worst column KS, mean |correlation error|)` per point, e.g. `("copula", 0.004, 0.02)`.
    pub points: &'a [(&'a str, f64, f64)],
}

/// Draws a trade-off scatter (700×500) to the PNG file `path`, replacing it atomically: each point
/// `(worst column KS, mean |correlation error|)` as a coloured dot with its label beside it.
///
/// Both axes start at 0 and reach 15% beyond the largest value. The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] when there are no points or a value is negative, NaN, infinite or beyond
/// 1e300; [`PlotError::MissingDirectory`], [`PlotError::Write`] or [`PlotError::Draw`] when the file
/// cannot be produced.
///
/// # Example
/// ```
/// use pushforward_plot::{TradeoffPlot, tradeoff_plot};
///
/// let dir = tempfile::tempdir()?;
/// let plot = TradeoffPlot {
///     title: "marginals against correlation",
///     points: &[("neural", 0.012, 0.018), ("copula", 0.004, 0.031)],
/// };
/// tradeoff_plot(&dir.path().join("tradeoff.png"), &plot)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tradeoff_plot(path: &Path, plot: &TradeoffPlot<'_>) -> Result<(), PlotError> {
    if plot.points.is_empty() {
        return Err(PlotError::bad_input(path, "there are no points"));
    }
    for &(label, ks, error) in plot.points {
        for (name, v) in [("worst KS", ks), ("correlation error", error)] {
            if !bins::plottable(v) || v < 0.0 {
                return Err(PlotError::bad_input(
                    path,
                    format!("the {name} of '{label}' is {v}; values must be finite, between 0 and 1e300"),
                ));
            }
        }
    }
    let x_top = axis_top(plot.points.iter().map(|p| p.1));
    let y_top = axis_top(plot.points.iter().map(|p| p.2));
    write_png(path, SIZE, |root| draw(root, plot, x_top, y_top))
}

/// Upper end of an axis starting at 0: [`HEADROOM`] beyond the largest of `values` (all plottable and
/// non-negative), or 1 when that is 0.
fn axis_top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.fold(0.0, f64::max);
    if max > 0.0 { max * (1.0 + HEADROOM) } else { 1.0 }
}

/// Approximate rendered width of `text` in DejaVu Sans at `size` pixels.
fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size * 0.62).ceil() as i32
}

fn draw(root: &Area<'_>, plot: &TradeoffPlot<'_>, x_top: f64, y_top: f64) -> Result<(), DrawError> {
    let mut chart = ChartBuilder::on(root)
        .caption(labels::truncate(plot.title, 55), font::bold(20.0))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(75)
        .build_cartesian_2d(0.0..x_top, 0.0..y_top)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .label_style(font::text(14.0))
        .axis_desc_style(font::text(15.0))
        .x_label_formatter(&labels::tick)
        .y_label_formatter(&labels::tick)
        .x_desc("worst column KS")
        .y_desc("mean |correlation error|")
        .draw()?;

    let (x_pixels, _) = chart.plotting_area().get_pixel_range();
    let right_of = font::text(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let left_of = font::text(LABEL_SIZE).pos(Pos::new(HPos::Right, VPos::Center));
    let gap = RADIUS + 5;
    let pixels: Vec<(i32, i32)> = plot
        .points
        .iter()
        .map(|p| chart.backend_coord(&(p.1, p.2)))
        .collect();
    for (&(x, y), color) in pixels.iter().zip(POINT_COLORS.iter().cycle()) {
        root.draw(&Circle::new((x, y), RADIUS, color.filled()))?;
        root.draw(&Circle::new((x, y), RADIUS, BLACK.mix(0.6).stroke_width(1)))?;
    }
    // Labels after every point, so that no point hides one.
    let mut placed = Vec::with_capacity(plot.points.len());
    for (&(label, ..), &(x, y)) in plot.points.iter().zip(&pixels) {
        let text = labels::truncate(label, MAX_LABEL_CHARS);
        let width = text_width(&text, LABEL_SIZE);
        let (span, anchor, style) = if x + gap + width <= x_pixels.end {
            ((x + gap, x + gap + width), x + gap, &right_of)
        } else {
            ((x - gap - width, x - gap), x - gap, &left_of)
        };
        let y = free_row(&placed, span, y);
        placed.push(Placed { span, y });
        root.draw_text(&text, style, (anchor, y))?;
    }
    Ok(())
}

/// A label already drawn: its horizontal pixel span and the y of its centre line.
struct Placed {
    span: (i32, i32),
    y: i32,
}

/// The first y from `y` downwards, in steps of [`LABEL_HEIGHT`], at which a label spanning `span`
/// overlaps none of the `placed` ones.
fn free_row(placed: &[Placed], span: (i32, i32), mut y: i32) -> i32 {
    // Each placed label blocks less than two steps, so this ends within 2 × placed.len() steps.
    while placed
        .iter()
        .any(|p| p.span.0 < span.1 && span.0 < p.span.1 && (p.y - y).abs() < LABEL_HEIGHT)
    {
        y += LABEL_HEIGHT;
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_reach_beyond_the_largest_value() {
        assert!((axis_top([0.1, 0.4, 0.2].into_iter()) - 0.46).abs() < 1e-12);
        assert_eq!(axis_top([0.0, 0.0].into_iter()), 1.0);
    }

    #[test]
    fn overlapping_labels_move_down() {
        let placed = [
            Placed {
                span: (100, 160),
                y: 50,
            },
            Placed {
                span: (100, 160),
                y: 68,
            },
        ];
        assert_eq!(free_row(&placed, (150, 200), 55), 91);
        assert_eq!(free_row(&placed, (160, 200), 55), 55);
        assert_eq!(free_row(&placed, (0, 100), 50), 50);
        assert_eq!(free_row(&placed, (120, 130), 20), 20);
    }
}
