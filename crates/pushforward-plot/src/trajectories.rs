//! Trajectory plots: sampling paths of a 2-D flow from noise points to generated points, over the
//! reference data.
//!
//! The data are drawn as light grey dots, each path as a thin translucent line, its start (noise) and
//! end (sample) as coloured dots. At most 300 evenly spaced paths and 5,000 evenly spaced data points
//! are drawn (deterministic, no random sampling). Each axis covers the pooled 0.5%..99.5% quantiles of
//! everything drawn with a small margin, so a few far-out noise points do not squash the plot; dots
//! outside are not drawn and lines are cut at the border.

use std::path::Path;

use plotters::prelude::{ChartBuilder, Circle, Color, PathElement, RGBColor, ShapeStyle, WHITE};

use crate::bins;
use crate::colors::{DATA, GRID, NOISE, PATH, RIGHT};
use crate::error::PlotError;
use crate::font;
use crate::labels;
use crate::legend;
use crate::write::{Area, DrawError, write_png};

/// Width and height of a trajectory plot in pixels.
const SIZE: (u32, u32) = (800, 800);
/// Most paths drawn.
const MAX_PATHS: usize = 300;
/// Most data points drawn.
const MAX_DATA: usize = 5000;
/// Height of the title and legend band.
const TITLE_BAND: u32 = 62;

/// Sampling trajectories of a 2-D flow: each path runs from a noise point (its first point) to a
/// generated point (its last).
#[derive(Debug, Clone, Copy)]
pub struct Trajectories<'a> {
    /// Plot title, e.g. the model name.
    pub title: &'a str,
    /// Axis names (x, y).
    pub names: [&'a str; 2],
    /// Reference data drawn underneath, as (x, y) pairs; may be empty.
    pub data: &'a [[f64; 2]],
    /// `paths[i]` holds the points of path i in time order (all paths the same length >= 2).
    pub paths: &'a [Vec<[f64; 2]>],
}

/// Draws sampling trajectories (800×800) to the PNG file `path`, replacing it atomically: the reference
/// data underneath, every path as a line, its start (noise) and end (sample) as dots, with a legend.
///
/// At most 300 paths and 5,000 data points are drawn, evenly spaced. The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] when there are no paths, a path has fewer than 2 points or another length
/// than the first, or a coordinate (of a path or the data) is NaN, infinite or beyond ±1e300;
/// [`PlotError::MissingDirectory`], [`PlotError::Write`] or [`PlotError::Draw`] when the file cannot be
/// produced.
///
/// # Example
/// ```
/// use pushforward_plot::{Trajectories, trajectories_plot};
///
/// let dir = tempfile::tempdir()?;
/// let paths = vec![
///     vec![[0.0, 0.0], [0.5, 0.8], [1.0, 1.0]],
///     vec![[0.2, -0.3], [-0.4, -0.6], [-1.0, -1.0]],
/// ];
/// let plot = Trajectories {
///     title: "moons",
///     names: ["x", "y"],
///     data: &[[1.0, 0.9], [-0.9, -1.1]],
///     paths: &paths,
/// };
/// trajectories_plot(&dir.path().join("paths.png"), &plot)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn trajectories_plot(path: &Path, t: &Trajectories<'_>) -> Result<(), PlotError> {
    let Some(first) = t.paths.first() else {
        return Err(PlotError::bad_input(path, "no trajectories"));
    };
    let length = first.len();
    if length < 2 {
        return Err(PlotError::bad_input(
            path,
            format!("a trajectory needs at least 2 points, path 0 has {length}"),
        ));
    }
    if let Some((i, p)) = t.paths.iter().enumerate().find(|(_, p)| p.len() != length) {
        return Err(PlotError::bad_input(
            path,
            format!("path {i} has {} points, path 0 has {length}", p.len()),
        ));
    }
    let unplottable =
        |points: &[[f64; 2]]| points.iter().position(|p| !p.iter().all(|&v| bins::plottable(v)));
    let bad_point = |what: String, [x, y]: [f64; 2]| {
        PlotError::bad_input(
            path,
            format!("{what} is ({x}, {y}); coordinates must be finite (at most 1e300 in magnitude)"),
        )
    };
    for (i, p) in t.paths.iter().enumerate() {
        if let Some(j) = unplottable(p) {
            return Err(bad_point(format!("point {j} of path {i}"), p[j]));
        }
    }
    if let Some(j) = unplottable(t.data) {
        return Err(bad_point(format!("data point {j}"), t.data[j]));
    }

    let data: Vec<[f64; 2]> = bins::evenly_spaced(t.data.len(), MAX_DATA)
        .map(|i| t.data[i])
        .collect();
    let paths: Vec<&[[f64; 2]]> = bins::evenly_spaced(t.paths.len(), MAX_PATHS)
        .map(|i| t.paths[i].as_slice())
        .collect();
    let [x, y] = [0, 1].map(|axis| {
        let values: Vec<f64> = data
            .iter()
            .chain(paths.iter().copied().flatten())
            .map(|p| p[axis])
            .collect();
        bins::scatter_axis(&bins::pooled_sorted([values.as_slice()]))
    });
    let view = View { x, y };
    write_png(path, SIZE, |root| {
        draw_trajectories(root, t, &data, &paths, &view)
    })
}

/// The plotted rectangle in data coordinates.
pub(crate) struct View {
    /// Horizontal range.
    pub(crate) x: (f64, f64),
    /// Vertical range.
    pub(crate) y: (f64, f64),
}

impl View {
    pub(crate) fn contains(&self, [x, y]: [f64; 2]) -> bool {
        (self.x.0..=self.x.1).contains(&x) && (self.y.0..=self.y.1).contains(&y)
    }

    /// The part of the segment `a`→`b` inside the view (Liang–Barsky), as the fractions `(t0, t1)` of
    /// the segment where it enters and leaves; `None` when it misses the view.
    fn clip(&self, a: [f64; 2], b: [f64; 2]) -> Option<(f64, f64)> {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        // Each edge as (p, q): the segment is inside that edge's half plane where p·t <= q.
        let edges = [
            (-dx, a[0] - self.x.0),
            (dx, self.x.1 - a[0]),
            (-dy, a[1] - self.y.0),
            (dy, self.y.1 - a[1]),
        ];
        for (p, q) in edges {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
        (t0 <= t1).then_some((t0, t1))
    }

    /// The pieces of the polyline `points` inside the view, each as a list of points.
    pub(crate) fn clip_path(&self, points: &[[f64; 2]]) -> Vec<Vec<(f64, f64)>> {
        let at = |a: [f64; 2], b: [f64; 2], t: f64| (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t);
        let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
        // Whether the last piece ends where the next segment starts (the previous segment was not cut).
        let mut open = false;
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            match self.clip(a, b) {
                Some((t0, t1)) => {
                    match pieces.last_mut() {
                        Some(piece) if open && t0 == 0.0 => piece.push(at(a, b, t1)),
                        _ => pieces.push(vec![at(a, b, t0), at(a, b, t1)]),
                    }
                    open = t1 == 1.0;
                }
                None => open = false,
            }
        }
        pieces
    }
}

/// Small dots of `style` at the `points` inside the view.
fn dots<'a>(
    points: impl Iterator<Item = [f64; 2]> + 'a,
    view: &'a View,
    style: ShapeStyle,
) -> impl Iterator<Item = Circle<(f64, f64), i32>> + 'a {
    points
        .filter(|&p| view.contains(p))
        .map(move |[x, y]| Circle::new((x, y), 2, style))
}

fn draw_trajectories(
    root: &Area<'_>,
    t: &Trajectories<'_>,
    data: &[[f64; 2]],
    paths: &[&[[f64; 2]]],
    view: &View,
) -> Result<(), DrawError> {
    let (width, _) = root.dim_in_pixel();
    let centre = (width / 2) as i32;
    root.draw_text(
        &labels::truncate(t.title, 60),
        &font::centred(font::bold(20.0)),
        (centre, 18),
    )?;
    let mut entries: Vec<(String, RGBColor)> = Vec::new();
    if !data.is_empty() {
        entries.push(("data".to_owned(), DATA));
    }
    entries.extend([
        ("noise (start)".to_owned(), NOISE),
        ("sample (end)".to_owned(), RIGHT),
    ]);
    legend::row(root, &entries, (centre, 46))?;

    let (_, body) = root.split_vertically(TITLE_BAND);
    let mut chart = ChartBuilder::on(&body)
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(view.x.0..view.x.1, view.y.0..view.y.1)?;
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .label_style(font::text(14.0))
        .axis_desc_style(font::text(15.0))
        .x_label_formatter(&labels::tick)
        .y_label_formatter(&labels::tick)
        .x_desc(labels::abbreviate(t.names[0], 40))
        .y_desc(labels::abbreviate(t.names[1], 40))
        .draw()?;

    chart.draw_series(dots(data.iter().copied(), view, DATA.mix(0.35).filled()))?;
    let line = PATH.mix(0.2).stroke_width(1);
    chart.draw_series(
        paths
            .iter()
            .flat_map(|p| view.clip_path(p))
            .map(|piece| PathElement::new(piece, line)),
    )?;
    // Every path has at least two points (checked before drawing).
    let starts = paths.iter().map(|p| p[0]);
    chart.draw_series(dots(starts, view, NOISE.mix(0.8).filled()))?;
    let ends = paths.iter().map(|p| p[p.len() - 1]);
    chart.draw_series(dots(ends, view, RIGHT.mix(0.9).filled()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: View = View {
        x: (0.0, 1.0),
        y: (0.0, 1.0),
    };

    #[test]
    fn segments_are_clipped_to_the_view() {
        assert_eq!(UNIT.clip([0.2, 0.2], [0.8, 0.8]), Some((0.0, 1.0)));
        assert_eq!(UNIT.clip([-1.0, 0.5], [1.0, 0.5]), Some((0.5, 1.0)));
        assert_eq!(UNIT.clip([0.5, 0.5], [0.5, 3.0]), Some((0.0, 0.2)));
        assert_eq!(UNIT.clip([2.0, 0.0], [2.0, 1.0]), None);
        assert_eq!(UNIT.clip([-1.0, 2.0], [2.0, 2.5]), None);
    }

    #[test]
    fn a_path_leaving_and_reentering_the_view_is_split() {
        let pieces = UNIT.clip_path(&[[0.1, 0.5], [0.5, 0.5], [1.5, 0.5], [0.5, 0.6], [0.2, 0.6]]);
        assert_eq!(
            pieces,
            vec![
                vec![(0.1, 0.5), (0.5, 0.5), (1.0, 0.5)],
                vec![(1.0, 0.55), (0.5, 0.6), (0.2, 0.6)],
            ]
        );
        assert!(UNIT.clip_path(&[[2.0, 2.0], [3.0, 3.0]]).is_empty());
    }
}
