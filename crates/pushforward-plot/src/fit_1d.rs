//! A one-dimensional fit in one figure: the training loss on the left; on the right, histograms of
//! data and model samples on shared bins (density scale) with density curves over them, such as the
//! true density and the model's own.
//!
//! ```text
//! histogram height of bin k = (count in bin k) / (n · bin width)     (comparable to a pdf)
//! ```
//! Each curve is drawn at the `x` it is given, so a model density must be evaluated at the points it
//! is drawn at: `(x, p_model(x))`, not the density of a point pushed elsewhere by the model. Bins and
//! ranges are those of [`crate::marginal_plot`], the loss panel that of [`crate::loss_curve`].
//!
//! Reference: the two-panel figure of the 1-D examples of Wollenhaupt, "Inferring Probabilistic
//! Sampling Procedures from Observational Data using General Function Approximation" (loss | samples
//! against densities).

use std::path::Path;

use crate::colors::{LEFT, REFERENCE, RIGHT, SERIES};
use crate::curve::{self, LossCurve};
use crate::error::PlotError;
use crate::marginal::{Curve, draw_histograms, histograms, reference_curve};
use crate::write::write_png;

/// Width and height of the figure in pixels.
const SIZE: (u32, u32) = (1500, 550);

/// What a one-dimensional fit figure shows.
#[derive(Debug, Clone, Copy)]
pub struct Fit1d<'a> {
    /// Title of the sample panel, e.g. the method.
    pub title: &'a str,
    /// The training loss (left panel).
    pub loss: LossCurve<'a>,
    /// Legend label and values of the data sample.
    pub data: (&'a str, &'a [f64]),
    /// Legend label and values of the model's sample.
    pub samples: (&'a str, &'a [f64]),
    /// Density curves as a legend label and `(x, pdf(x))` pairs, drawn in order (the first in black,
    /// as the reference); points outside the plotted range are left out.
    pub densities: &'a [(&'a str, &'a [(f64, f64)])],
}

/// Draws a one-dimensional fit (1500×550) to the PNG file `path`, replacing it atomically.
///
/// The directory of `path` must exist.
///
/// # Errors
/// [`PlotError::BadInput`] when the loss curve cannot be drawn (see [`crate::loss_curve`]) or both
/// samples hold no finite value; [`PlotError::MissingDirectory`], [`PlotError::Write`] or
/// [`PlotError::Draw`] when the file cannot be produced.
///
/// # Example
/// ```
/// use pushforward_plot::{Fit1d, LossCurve, fit_1d_plot};
///
/// let dir = tempfile::tempdir()?;
/// let grid: Vec<(f64, f64)> = (0..50).map(|i| {
///     let x = -3.0 + 0.12 * f64::from(i);
///     (x, (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt())
/// }).collect();
/// let figure = Fit1d {
///     title: "a model",
///     loss: LossCurve { title: "loss", steps: &[100, 200], series: &[("training", &[1.0, 0.5])] },
///     data: ("data", &[-1.0, -0.2, 0.1, 0.4, 1.3]),
///     samples: ("model", &[-0.8, 0.0, 0.3, 0.9]),
///     densities: &[("true density", &grid)],
/// };
/// fit_1d_plot(&dir.path().join("fit.png"), &figure)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_1d_plot(path: &Path, figure: &Fit1d<'_>) -> Result<(), PlotError> {
    curve::check(path, &figure.loss)?;
    let Some(((lo, hi), sides)) = histograms([
        (figure.data.0, figure.data.1, LEFT),
        (figure.samples.0, figure.samples.1, RIGHT),
    ]) else {
        return Err(PlotError::bad_input(
            path,
            "both samples are empty (no finite values)",
        ));
    };
    let colors = std::iter::once(REFERENCE).chain(SERIES[2..].iter().copied().cycle());
    let curves: Vec<Curve<'_>> = figure
        .densities
        .iter()
        .zip(colors)
        .map(|(&(label, points), color)| Curve {
            label,
            points: reference_curve(points, lo, hi),
            color,
        })
        .collect();
    write_png(path, SIZE, |root| {
        let (left, right) = root.split_horizontally(SIZE.0 * 2 / 5);
        curve::draw(&left, &figure.loss)?;
        draw_histograms(&right, figure.title, (lo, hi), &sides, &curves)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_loss_curve_or_empty_samples_are_refused_before_drawing() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("fit.png");
        let good = LossCurve {
            title: "loss",
            steps: &[1, 2],
            series: &[("training", &[1.0, 0.5])],
        };
        let figure = Fit1d {
            title: "t",
            loss: LossCurve {
                steps: &[2, 1],
                ..good
            },
            data: ("data", &[0.0, 1.0]),
            samples: ("model", &[0.5]),
            densities: &[],
        };
        assert!(matches!(
            fit_1d_plot(&path, &figure),
            Err(PlotError::BadInput { .. })
        ));
        let empty = Fit1d {
            loss: good,
            data: ("data", &[]),
            samples: ("model", &[f64::NAN]),
            ..figure
        };
        assert!(matches!(
            fit_1d_plot(&path, &empty),
            Err(PlotError::BadInput { .. })
        ));
        assert!(!path.exists());
        fit_1d_plot(&path, &Fit1d { loss: good, ..figure }).expect("draws");
        assert!(std::fs::metadata(&path).expect("written").len() > 1000);
    }
}
