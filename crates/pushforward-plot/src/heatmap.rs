//! Correlation heatmaps: the left matrix, the right matrix and their difference (right − left), side
//! by side, on a blue–white–red diverging colour map with a colour bar per panel.
//!
//! The first two panels share the range [−1, 1]; the difference uses the symmetric range
//! ±max(|right − left|, 0.05). Undefined (NaN) entries are grey. Cell values are printed when there
//! are at most 12 columns; column names are shortened to fit up to about 30 columns.

use std::path::Path;

use plotters::prelude::{BLACK, ChartBuilder, Color, RGBColor, Rectangle, Text, WHITE};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colors::{self, UNDEFINED};
use crate::error::PlotError;
use crate::font;
use crate::labels;
use crate::write::{Area, DrawError, write_png};

/// Width and height of the heatmap figure in pixels.
const SIZE: (u32, u32) = (1500, 520);
/// Height reserved above each panel for its title.
const TITLE_BAND: i32 = 40;
/// Width reserved right of each grid for the colour bar and its labels.
const BAR_BAND: i32 = 80;
/// Most columns for which names are written on the axes (beyond, they could not be read).
const MAX_NAMED_COLUMNS: usize = 50;
/// Most columns for which cell values are printed.
const MAX_VALUE_COLUMNS: usize = 12;
/// Smallest half-range of the difference panel's colour map.
const MIN_DIFF_RANGE: f64 = 0.05;

/// Draws three correlation heatmaps side by side (1500×520) to the PNG file `path`, replacing it
/// atomically: `left`, `right`, and the difference `right − left`.
///
/// `left` and `right` are `(title, matrix)` pairs; each matrix is `d × d`, row-major, with
/// `d = names.len()`. NaN entries mean "undefined" and are drawn grey. The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] when `names` is empty or a matrix does not have `names.len()²` entries;
/// [`PlotError::MissingDirectory`], [`PlotError::Write`] or [`PlotError::Draw`] when the file cannot be
/// produced.
///
/// # Example
/// ```
/// use pushforward_plot::correlation_heatmaps;
///
/// let dir = tempfile::tempdir()?;
/// let names = vec!["age".to_owned(), "income".to_owned()];
/// let real = [1.0, 0.6, 0.6, 1.0];
/// let synthetic = [1.0, 0.4, 0.4, 1.0];
/// correlation_heatmaps(&dir.path().join("corr.png"), &names, ("real", &real), ("synthetic", &synthetic))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn correlation_heatmaps(
    path: &Path,
    names: &[String],
    left: (&str, &[f64]),
    right: (&str, &[f64]),
) -> Result<(), PlotError> {
    let d = names.len();
    if d == 0 {
        return Err(PlotError::bad_input(path, "no column names"));
    }
    let Some(cells) = d.checked_mul(d) else {
        return Err(PlotError::bad_input(path, format!("{d} columns are too many")));
    };
    for (side, matrix) in [("left", left.1), ("right", right.1)] {
        if matrix.len() != cells {
            return Err(PlotError::bad_input(
                path,
                format!(
                    "the {side} matrix has {} entries, expected {d}×{d} = {}",
                    matrix.len(),
                    d * d
                ),
            ));
        }
    }
    let diff: Vec<f64> = left.1.iter().zip(right.1).map(|(l, r)| r - l).collect();
    let diff_range = diff
        .iter()
        .filter(|v| v.is_finite())
        .fold(MIN_DIFF_RANGE, |m, v| m.max(v.abs()));
    let diff_title = format!(
        "{} − {}",
        labels::truncate(right.0, 22),
        labels::truncate(left.0, 22)
    );
    let names: Vec<String> = names
        .iter()
        .map(|n| labels::abbreviate(n, max_name_chars(d)))
        .collect();
    let panels = [
        Panel {
            title: labels::truncate(left.0, 46),
            matrix: left.1,
            range: 1.0,
        },
        Panel {
            title: labels::truncate(right.0, 46),
            matrix: right.1,
            range: 1.0,
        },
        Panel {
            title: diff_title,
            matrix: &diff,
            range: diff_range,
        },
    ];
    write_png(path, SIZE, |root| {
        for (area, panel) in root.split_evenly((1, 3)).iter().zip(&panels) {
            draw_panel(root, area, &names, panel)?;
        }
        Ok(())
    })
}

/// One heatmap.
struct Panel<'a> {
    title: String,
    matrix: &'a [f64],
    /// Half-width of the colour map's symmetric range.
    range: f64,
}

/// Longest column name drawn, in characters.
fn max_name_chars(d: usize) -> usize {
    if d <= 20 { 14 } else { 12 }
}

/// Font size of the column names.
fn name_font(d: usize) -> f64 {
    match d {
        0..=10 => 13.0,
        11..=20 => 11.0,
        _ => 10.0,
    }
}

/// Approximate rendered width of `chars` characters of DejaVu Sans at `size` pixels.
fn text_width(chars: usize, size: f64) -> i32 {
    (chars as f64 * size * 0.62).ceil() as i32
}

fn draw_panel(
    root: &Area<'_>,
    area: &Area<'_>,
    names: &[String],
    panel: &Panel<'_>,
) -> Result<(), DrawError> {
    let d = names.len();
    let (xs, ys) = area.get_pixel_range();
    let (width, height) = (xs.end - xs.start, ys.end - ys.start);
    area.draw_text(
        &panel.title,
        &font::centred(font::bold(17.0)),
        (width / 2, TITLE_BAND / 2),
    )?;

    // Label bands sized to the longest name; the grid is the largest square that fits beside them.
    let name_size = name_font(d);
    let named = d <= MAX_NAMED_COLUMNS;
    let longest = if named {
        names.iter().map(|n| n.chars().count()).max().unwrap_or(1)
    } else {
        0
    };
    let y_band = text_width(longest, name_size) + 10;
    let avail_w = width - BAR_BAND - y_band - 6;
    let avail_h = height - TITLE_BAND - 8;
    let horizontal = text_width(longest, name_size) < (avail_w / d as i32) * 9 / 10;
    let x_band = if horizontal {
        name_size as i32 + 12
    } else {
        text_width(longest, name_size) + 12
    };
    let side = avail_w.min(avail_h - x_band).max(1);
    let left = 6 + (avail_w - side).max(0) / 2;
    let top = TITLE_BAND + (avail_h - x_band - side).max(0) / 2;
    let frame = area.clone().shrink(
        (left, top),
        ((y_band + side).max(1) as u32, (side + x_band).max(1) as u32),
    );

    let n = d as f64;
    let mut chart = ChartBuilder::on(&frame)
        .x_label_area_size(x_band)
        .y_label_area_size(y_band)
        .build_cartesian_2d(0.0..n, 0.0..n)?;
    let cell_color = |v: f64| colors::diverging(v, panel.range);
    chart.draw_series((0..d * d).map(|k| {
        let (i, j) = (k / d, k % d);
        let y = (d - 1 - i) as f64;
        Rectangle::new(
            [(j as f64, y), (j as f64 + 1.0, y + 1.0)],
            cell_color(panel.matrix[k]).filled(),
        )
    }))?;
    let (gx, gy) = chart.plotting_area().get_pixel_range();
    let cell = f64::from(side) / n;
    if d <= MAX_VALUE_COLUMNS {
        let size = (cell * 0.34).clamp(8.0, 15.0);
        chart.draw_series(
            panel
                .matrix
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(k, &v)| {
                    let (i, j) = (k / d, k % d);
                    let strong = (v / panel.range).abs() > 0.55;
                    let ink: &'static RGBColor = if strong { &WHITE } else { &BLACK };
                    let style = font::centred(font::text(size)).color(ink);
                    Text::new(
                        labels::cell_value(v),
                        (j as f64 + 0.5, (d - i) as f64 - 0.5),
                        style,
                    )
                }),
        )?;
    }
    root.draw(&Rectangle::new(
        [(gx.start, gy.start), (gx.end, gy.end)],
        UNDEFINED.stroke_width(1),
    ))?;

    // Column names under the grid, row names left of it.
    let x_style = if horizontal {
        font::text(name_size).pos(Pos::new(HPos::Center, VPos::Top))
    } else {
        font::hanging_up(name_size)
    };
    let y_style = font::text(name_size).pos(Pos::new(HPos::Right, VPos::Center));
    for (k, name) in names.iter().enumerate().filter(|_| named) {
        let centre = ((k as f64 + 0.5) * cell).round() as i32;
        root.draw_text(name, &x_style, (gx.start + centre, gy.end + 6))?;
        root.draw_text(name, &y_style, (gx.start - 6, gy.start + centre))?;
    }
    draw_colour_bar(root, (gx.end + 10, gy.start..gy.end), panel.range)
}

/// A vertical colour bar from `+range` (top) to `−range` (bottom) with five tick labels.
fn draw_colour_bar(
    root: &Area<'_>,
    (x, ys): (i32, std::ops::Range<i32>),
    range: f64,
) -> Result<(), DrawError> {
    let span = (ys.end - ys.start).max(1);
    for y in ys.clone() {
        let value = range * (1.0 - 2.0 * f64::from(y - ys.start) / f64::from(span));
        root.draw(&Rectangle::new(
            [(x, y), (x + 14, y + 1)],
            colors::diverging(value, range).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(x, ys.start), (x + 14, ys.end)],
        UNDEFINED.stroke_width(1),
    ))?;
    let style = font::text(12.0).pos(Pos::new(HPos::Left, VPos::Center));
    for step in 0..5 {
        let fraction = f64::from(step) / 4.0;
        let value = range * (1.0 - 2.0 * fraction);
        let y = ys.start + (fraction * f64::from(span)).round() as i32;
        root.draw_text(&tick_label(value), &style, (x + 18, y))?;
    }
    Ok(())
}

/// A colour-bar tick: at most three decimals, without trailing zeros.
fn tick_label(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(1.0), "1");
        assert_eq!(tick_label(-0.5), "-0.5");
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(0.1264), "0.126");
        assert_eq!(tick_label(-0.025), "-0.025");
    }
}
