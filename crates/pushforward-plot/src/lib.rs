//! Headless PNG plots of pushforward.
//!
//! Every plot is rendered with an embedded DejaVu Sans font (no system fonts or fontconfig needed) and
//! written atomically: drawn to a temporary `.png` next to the target, then moved onto it, so a failure
//! leaves no file behind. The target's directory must already exist.
//!
//! - [`marginal_plot`]: one column, two samples (histograms or bars), optional reference density.
//! - [`correlation_heatmaps`]: two correlation matrices and their difference.
//! - [`scatter_matrix`]: pairwise scatter plots of the first few columns of two samples.
//! - [`loss_curve`]: loss series (training, validation, or a loss's terms) against the optimiser step.
//! - [`trajectories_plot`]: sampling paths of a 2-D flow from noise to samples, over the data.
//! - [`field_paths_plot`]: paths (e.g. of optimisers) over the filled contours of a scalar field.
//! - [`tradeoff_plot`]: labelled points of worst column KS against mean absolute correlation error.
//! - [`series_heatmaps`], [`series_lines`]: multivariate time series, real beside generated, as
//!   channel × time heat maps and as lines per channel.
//! - [`fit_1d_plot`]: a one-dimensional fit, its loss beside data and model histograms under density curves.

mod bins;
mod colors;
mod curve;
mod error;
mod field_paths;
mod fit_1d;
mod font;
mod heatmap;
mod labels;
mod legend;
mod marginal;
mod scatter;
mod series;
mod tradeoff;
mod trajectories;
mod write;

pub use curve::{LossCurve, loss_curve};
pub use error::PlotError;
pub use field_paths::{FieldPaths, field_paths_plot};
pub use fit_1d::{Fit1d, fit_1d_plot};
pub use heatmap::correlation_heatmaps;
pub use marginal::{MarginalPlot, marginal_plot};
pub use scatter::scatter_matrix;
pub use series::{SeriesSet, series_heatmaps, series_lines};
pub use tradeoff::{TradeoffPlot, tradeoff_plot};
pub use trajectories::{Trajectories, trajectories_plot};
