//! Paths over a scalar field: the field on a regular grid drawn as filled contour bands (equal
//! steps between its smallest and largest value, light to dark blue), each path as a coloured
//! line with a legend entry, and an optional marked point (e.g. the minimum).
//!
//! Paths are cut at the border of the grid's rectangle, as in the trajectory plot.

use std::path::Path;

use plotters::prelude::{BLACK, ChartBuilder, Circle, Color, Cross, PathElement, RGBColor, Rectangle, WHITE};

use crate::bins;
use crate::colors::{PATH, SERIES};
use crate::error::PlotError;
use crate::font;
use crate::labels;
use crate::trajectories::View;
use crate::write::{Area, DrawError, write_png};

/// Width and height of the plot in pixels.
const SIZE: (u32, u32) = (900, 760);
/// Number of contour bands.
const BANDS: usize = 14;
/// The lightest and darkest band.
const LIGHT: (f64, f64, f64) = (247.0, 251.0, 255.0);
const DARK: (f64, f64, f64) = (8.0, 48.0, 107.0);

/// Paths over a scalar field sampled on a regular grid.
#[derive(Debug, Clone, Copy)]
pub struct FieldPaths<'a> {
    /// Plot title.
    pub title: &'a str,
    /// Axis names (x, y).
    pub names: [&'a str; 2],
    /// Horizontal range of the grid.
    pub x: (f64, f64),
    /// Vertical range of the grid.
    pub y: (f64, f64),
    /// Grid columns (along x) and rows (along y), each at least 2.
    pub grid: (usize, usize),
    /// The field at the grid's points, row-major from the lowest `y` (row) and lowest `x` (column).
    pub values: &'a [f64],
    /// Each path's legend label and points in order.
    pub paths: &'a [(&'a str, &'a [[f64; 2]])],
    /// A point marked with a cross, with its legend label.
    pub marker: Option<(&'a str, [f64; 2])>,
}

/// Draws paths over a field's contour bands (900×760) to the PNG file `path`, replacing it
/// atomically. The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] for an empty or reversed range, a grid under 2×2 or with another number
/// of values, a non-finite value or point, or no paths; [`PlotError::MissingDirectory`],
/// [`PlotError::Write`] or [`PlotError::Draw`] when the file cannot be produced.
///
/// # Example
/// ```
/// use pushforward_plot::{FieldPaths, field_paths_plot};
///
/// let dir = tempfile::tempdir()?;
/// let (nx, ny) = (20, 20);
/// let values: Vec<f64> = (0..nx * ny)
///     .map(|k| {
///         let (x, y) = ((k % nx) as f64 / 19.0, (k / nx) as f64 / 19.0);
///         x * x + y * y
///     })
///     .collect();
/// let descent = [[1.0, 1.0], [0.5, 0.5], [0.0, 0.0]];
/// let plot = FieldPaths {
///     title: "a bowl",
///     names: ["x", "y"],
///     x: (0.0, 1.0),
///     y: (0.0, 1.0),
///     grid: (nx, ny),
///     values: &values,
///     paths: &[("descent", &descent)],
///     marker: Some(("minimum", [0.0, 0.0])),
/// };
/// field_paths_plot(&dir.path().join("bowl.png"), &plot)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn field_paths_plot(path: &Path, f: &FieldPaths<'_>) -> Result<(), PlotError> {
    let bad = |reason: String| PlotError::bad_input(path, reason);
    let ordered = |(a, b): (f64, f64)| bins::plottable(a) && bins::plottable(b) && a < b;
    if !ordered(f.x) || !ordered(f.y) {
        return Err(bad(format!(
            "the ranges {:?} and {:?} must be finite and increasing",
            f.x, f.y
        )));
    }
    let (nx, ny) = f.grid;
    if nx < 2 || ny < 2 || f.values.len() != nx * ny {
        return Err(bad(format!(
            "a {nx}x{ny} grid (at least 2x2) needs {} values, got {}",
            nx * ny,
            f.values.len()
        )));
    }
    if let Some(v) = f.values.iter().find(|v| !bins::plottable(**v)) {
        return Err(bad(format!("the field has the value {v}")));
    }
    if f.paths.is_empty() {
        return Err(bad("no paths".into()));
    }
    for (label, points) in f.paths {
        if let Some(p) = points.iter().find(|p| !p.iter().all(|&v| bins::plottable(v))) {
            return Err(bad(format!("path '{label}' has the point {p:?}")));
        }
    }
    write_png(path, SIZE, |root| draw(root, f))
}

/// The band colour of `value` on `[low, high]`.
fn band(value: f64, low: f64, high: f64) -> RGBColor {
    let t = if high > low {
        (value - low) / (high - low)
    } else {
        0.0
    };
    let k = ((t * BANDS as f64).floor() as usize).min(BANDS - 1);
    let s = k as f64 / (BANDS - 1) as f64;
    let mix = |a: f64, b: f64| (a + (b - a) * s).round() as u8;
    RGBColor(mix(LIGHT.0, DARK.0), mix(LIGHT.1, DARK.1), mix(LIGHT.2, DARK.2))
}

/// `v` with rounding noise of the tick arithmetic removed (0 rather than -2.2e-16).
fn snap(v: f64, (low, high): (f64, f64)) -> f64 {
    if v.abs() < 1e-9 * (high - low) { 0.0 } else { v }
}

fn draw(root: &Area<'_>, f: &FieldPaths<'_>) -> Result<(), DrawError> {
    let (width, _) = root.dim_in_pixel();
    root.draw_text(
        &labels::truncate(f.title, 70),
        &font::centred(font::bold(20.0)),
        ((width / 2) as i32, 18),
    )?;
    let (_, body) = root.split_vertically(40);
    let mut chart = ChartBuilder::on(&body)
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(f.x.0..f.x.1, f.y.0..f.y.1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .label_style(font::text(14.0))
        .axis_desc_style(font::text(15.0))
        .x_label_formatter(&|v| labels::tick(&snap(*v, f.x)))
        .y_label_formatter(&|v| labels::tick(&snap(*v, f.y)))
        .x_desc(labels::abbreviate(f.names[0], 40))
        .y_desc(labels::abbreviate(f.names[1], 40))
        .draw()?;

    let (nx, ny) = f.grid;
    let (low, high) = f
        .values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    // Each grid point colours the cell centred on it.
    let (dx, dy) = (
        (f.x.1 - f.x.0) / (nx - 1) as f64,
        (f.y.1 - f.y.0) / (ny - 1) as f64,
    );
    chart.draw_series(f.values.iter().enumerate().map(|(k, &v)| {
        let (cx, cy) = (f.x.0 + (k % nx) as f64 * dx, f.y.0 + (k / nx) as f64 * dy);
        let corner = |sx: f64, sy: f64| {
            (
                (cx + sx * dx / 2.0).clamp(f.x.0, f.x.1),
                (cy + sy * dy / 2.0).clamp(f.y.0, f.y.1),
            )
        };
        Rectangle::new(
            [corner(-1.0, -1.0), corner(1.0, 1.0)],
            band(v, low, high).filled(),
        )
    }))?;

    let view = View { x: f.x, y: f.y };
    for (i, (label, points)) in f.paths.iter().enumerate() {
        let color = SERIES.get(i).copied().unwrap_or(PATH);
        let style = color.stroke_width(2);
        chart
            .draw_series(
                view.clip_path(points)
                    .into_iter()
                    .map(move |piece| PathElement::new(piece, style)),
            )?
            .label(labels::truncate(label, 30))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        let start = points.first().filter(|p| view.contains(**p));
        chart.draw_series(start.map(|&[x, y]| Circle::new((x, y), 4, color.filled())))?;
    }
    if let Some((label, [x, y])) = f.marker {
        chart
            .draw_series(std::iter::once(Cross::new((x, y), 8, BLACK.stroke_width(3))))?
            .label(labels::truncate(label, 30))
            .legend(|(x, y)| Cross::new((x + 10, y), 6, BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(plotters::prelude::SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .label_font(font::text(15.0))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_run_from_light_to_dark_in_equal_steps() {
        assert_eq!(band(0.0, 0.0, 1.0), RGBColor(247, 251, 255));
        assert_eq!(band(1.0, 0.0, 1.0), RGBColor(8, 48, 107));
        // The same band within a step, the next one beyond it.
        let step = 1.0 / BANDS as f64;
        assert_eq!(band(0.2 * step, 0.0, 1.0), band(0.8 * step, 0.0, 1.0));
        assert_ne!(band(0.8 * step, 0.0, 1.0), band(1.2 * step, 0.0, 1.0));
    }

    #[test]
    fn ticks_near_zero_are_zero() {
        assert_eq!(snap(-2.22e-16, (-1.1, 1.1)), 0.0);
        assert_eq!(snap(0.2, (-1.1, 1.1)), 0.2);
    }

    #[test]
    fn bad_grids_and_points_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("f.png");
        let line = [[0.0, 0.0], [1.0, 1.0]];
        let paths = [("p", &line[..])];
        let good = FieldPaths {
            title: "t",
            names: ["x", "y"],
            x: (0.0, 1.0),
            y: (0.0, 1.0),
            grid: (2, 2),
            values: &[0.0, 1.0, 2.0, 3.0],
            paths: &paths,
            marker: None,
        };
        field_paths_plot(&out, &good).expect("draws");
        assert!(out.exists());
        let short = FieldPaths {
            values: &[0.0, 1.0, 2.0],
            ..good
        };
        assert!(matches!(
            field_paths_plot(&out, &short),
            Err(PlotError::BadInput { .. })
        ));
        let nan = [[0.0, f64::NAN]];
        let bad_paths = [("p", &nan[..])];
        let bad = FieldPaths {
            paths: &bad_paths,
            ..good
        };
        assert!(matches!(
            field_paths_plot(&out, &bad),
            Err(PlotError::BadInput { .. })
        ));
    }
}
