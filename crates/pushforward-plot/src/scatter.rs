//! Scatter matrix: pairwise scatter plots of the first (up to) five columns of two samples.
//!
//! The lower triangle holds scatter plots (two translucent colours), the diagonal overlaid histograms of
//! each column with its name. At most 2,000 evenly spaced rows of each sample are drawn (deterministic,
//! no random sampling); histograms use every row. Each column's axis covers the pooled 0.5%..99.5%
//! quantiles of both samples, so a few outliers do not squash the plot; points outside are not drawn.

use std::path::Path;

use plotters::prelude::{BLACK, ChartBuilder, Circle, Color, RGBColor, Rectangle, ShapeStyle, WHITE};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::bins;
use crate::colors::{GRID, LEFT, RIGHT};
use crate::error::PlotError;
use crate::font;
use crate::labels;
use crate::legend;
use crate::write::{Area, DrawError, write_png};

/// Width and height of the scatter matrix in pixels.
const SIZE: (u32, u32) = (1000, 1000);
/// Most columns shown.
const MAX_COLUMNS: usize = 5;
/// Most points drawn per sample and panel.
const MAX_POINTS: usize = 2000;
/// Height of the title and legend band.
const TITLE_BAND: i32 = 62;
/// Width of the band left of the grid and height of the band under it, for the column names.
const NAME_BAND: i32 = 28;

/// Draws a scatter matrix (1000×1000) of the first (up to) five columns of two samples to the PNG file
/// `path`, replacing it atomically.
///
/// `left` and `right` are `(label, columns)` pairs: `columns[k]` holds column `k`'s values, one entry
/// per name (or no columns at all for an absent sample), all of the same length within a sample. NaN and
/// infinite values are skipped. The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] when `names` is empty, a sample's column count differs from `names.len()`,
/// its columns differ in length, or both samples are empty; [`PlotError::MissingDirectory`],
/// [`PlotError::Write`] or [`PlotError::Draw`] when the file cannot be produced.
pub fn scatter_matrix(
    path: &Path,
    names: &[String],
    left: (&str, &[Vec<f64>]),
    right: (&str, &[Vec<f64>]),
) -> Result<(), PlotError> {
    if names.is_empty() {
        return Err(PlotError::bad_input(path, "no column names"));
    }
    let mut rows = [0usize; 2];
    for (slot, (side, columns)) in [("left", left.1), ("right", right.1)].into_iter().enumerate() {
        if columns.is_empty() {
            continue;
        }
        if columns.len() != names.len() {
            return Err(PlotError::bad_input(
                path,
                format!(
                    "the {side} sample has {} columns for {} names",
                    columns.len(),
                    names.len()
                ),
            ));
        }
        let n = columns[0].len();
        if let Some((k, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
            return Err(PlotError::bad_input(
                path,
                format!(
                    "column {k} of the {side} sample has {} values, column 0 has {n}",
                    c.len()
                ),
            ));
        }
        rows[slot] = n;
    }
    if rows == [0, 0] {
        return Err(PlotError::bad_input(path, "both samples are empty"));
    }

    let k = names.len().min(MAX_COLUMNS);
    let samples: Vec<Sample<'_>> = [(left, LEFT, rows[0]), (right, RIGHT, rows[1])]
        .into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|((label, columns), color, n)| Sample {
            label,
            columns: &columns[..k],
            rows: bins::evenly_spaced(n, MAX_POINTS).collect(),
            color,
        })
        .collect();
    let ranges: Vec<(f64, f64)> = (0..k)
        .map(|c| {
            bins::scatter_axis(&bins::pooled_sorted(
                samples.iter().map(|s| s.columns[c].as_slice()),
            ))
        })
        .collect();
    let mut title = samples
        .iter()
        .map(|s| labels::truncate(s.label, 30))
        .collect::<Vec<_>>()
        .join(" vs ");
    if names.len() > k {
        title.push_str(&format!(" (first {k} of {} columns)", names.len()));
    }
    let names: Vec<String> = names[..k].iter().map(|n| labels::abbreviate(n, 24)).collect();
    write_png(path, SIZE, |root| {
        draw_matrix(root, &title, &names, &samples, &ranges)
    })
}

/// One sample's columns and the rows of it that are drawn.
struct Sample<'a> {
    label: &'a str,
    columns: &'a [Vec<f64>],
    rows: Vec<usize>,
    color: RGBColor,
}

fn draw_matrix(
    root: &Area<'_>,
    title: &str,
    names: &[String],
    samples: &[Sample<'_>],
    ranges: &[(f64, f64)],
) -> Result<(), DrawError> {
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    root.draw_text(title, &font::centred(font::bold(20.0)), (width / 2, 18))?;
    let entries: Vec<(String, RGBColor)> = samples
        .iter()
        .map(|s| (labels::truncate(s.label, 30), s.color))
        .collect();
    legend::row(root, &entries, (width / 2, 46))?;

    let k = names.len();
    let grid = root.clone().shrink(
        (NAME_BAND, TITLE_BAND),
        (
            (width - NAME_BAND - 10) as u32,
            (height - TITLE_BAND - NAME_BAND) as u32,
        ),
    );
    let cells = grid.split_evenly((k, k));
    for (index, cell) in cells.iter().enumerate() {
        let (i, j) = (index / k, index % k);
        match i.cmp(&j) {
            std::cmp::Ordering::Greater => draw_scatter(cell, samples, (j, i), (ranges[j], ranges[i]))?,
            std::cmp::Ordering::Equal => draw_diagonal(cell, samples, i, ranges[i], &names[i])?,
            std::cmp::Ordering::Less => {}
        }
    }

    // Names under the bottom row and left of each row.
    let (gx, gy) = grid.get_pixel_range();
    let cell_w = f64::from(gx.end - gx.start) / k as f64;
    let cell_h = f64::from(gy.end - gy.start) / k as f64;
    let x_style = font::text(15.0).pos(Pos::new(HPos::Center, VPos::Top));
    for (c, name) in names.iter().enumerate() {
        // Centre over each cell's plotting area (the cell minus its y tick-label band).
        let x = gx.start + ((c as f64 + 0.5) * cell_w + f64::from(Y_LABELS) / 2.0).round() as i32;
        root.draw_text(name, &x_style, (x, gy.end + 4))?;
        if c > 0 {
            let y = gy.start + ((c as f64 + 0.5) * cell_h - f64::from(X_LABELS) / 2.0).round() as i32;
            root.draw_text(name, &font::vertical(15.0), (NAME_BAND / 2, y))?;
        }
    }
    Ok(())
}

/// Height of each panel's x tick-label band.
const X_LABELS: i32 = 20;
/// Width of each panel's y tick-label band.
const Y_LABELS: i32 = 46;

fn draw_scatter(
    cell: &Area<'_>,
    samples: &[Sample<'_>],
    (cx, cy): (usize, usize),
    ((x0, x1), (y0, y1)): ((f64, f64), (f64, f64)),
) -> Result<(), DrawError> {
    let mut chart = ChartBuilder::on(cell)
        .margin(5)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_labels(4)
        .y_labels(4)
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .label_style(font::text(11.0))
        .x_label_formatter(&labels::tick)
        .y_label_formatter(&labels::tick)
        .draw()?;
    // Interleave the samples' points so neither is systematically painted over the other.
    let points: Vec<(Vec<(f64, f64)>, ShapeStyle)> = samples
        .iter()
        .map(|sample| {
            let (xs, ys) = (&sample.columns[cx], &sample.columns[cy]);
            let inside: Vec<(f64, f64)> = sample
                .rows
                .iter()
                .map(|&r| (xs[r], ys[r]))
                .filter(|&(x, y)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y))
                .collect();
            (inside, sample.color.mix(0.35).filled())
        })
        .collect();
    let longest = points.iter().map(|p| p.0.len()).max().unwrap_or(0);
    chart.draw_series((0..longest).flat_map(|i| {
        points
            .iter()
            .filter_map(move |(inside, style)| inside.get(i).map(|&p| Circle::new(p, 2, *style)))
    }))?;
    Ok(())
}

fn draw_diagonal(
    cell: &Area<'_>,
    samples: &[Sample<'_>],
    column: usize,
    (lo, hi): (f64, f64),
    name: &str,
) -> Result<(), DrawError> {
    let pooled = bins::pooled_sorted(samples.iter().map(|s| s.columns[column].as_slice()));
    let count = bins::bin_count(&pooled, lo, hi, 10, 40);
    let heights: Vec<Vec<f64>> = samples
        .iter()
        .map(|s| bins::density_histogram(&s.columns[column], lo, hi, count))
        .collect();
    let top = heights.iter().flatten().copied().fold(0.0, f64::max);
    let top = if top > 0.0 { top * 1.25 } else { 1.0 };
    let mut chart = ChartBuilder::on(cell)
        .margin(5)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(lo..hi, 0.0..top)?;
    chart
        .configure_mesh()
        .x_labels(4)
        .y_labels(0)
        .disable_y_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .label_style(font::text(11.0))
        .x_label_formatter(&labels::tick)
        .draw()?;
    let width = (hi - lo) / count as f64;
    for (sample, heights) in samples.iter().zip(&heights) {
        let color = sample.color;
        chart.draw_series(
            heights
                .iter()
                .enumerate()
                .filter(|(_, h)| **h > 0.0)
                .map(|(b, &h)| {
                    let x = lo + b as f64 * width;
                    Rectangle::new([(x, 0.0), (x + width, h)], color.mix(0.35).filled())
                }),
        )?;
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let (cx, cy) = cell.get_pixel_range();
    let style = font::bold(13.0)
        .pos(Pos::new(HPos::Left, VPos::Top))
        .color(&BLACK);
    cell.draw_text(name, &style, (xs.start - cx.start + 5, ys.start - cy.start + 4))?;
    Ok(())
}
