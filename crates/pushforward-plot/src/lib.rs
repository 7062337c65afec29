//! Headless PNG plots of pushforward.
//!
//! Every plot is rendered with an embedded DejaVu Sans font (no system fonts or fontconfig needed) and
//! written atomically: drawn to a temporary `.png` next to the target, then moved onto it, so a failure
//! leaves no file behind. The target's directory must already exist.
//!
//! - [`marginal_plot`]: one column, two samples (histograms or bars), optional reference density.
//! - [`correlation_heatmaps`]: two correlation matrices and their difference.
//! - [`scatter_matrix`]: pairwise scatter plots of the first few columns of two samples.

mod bins;
mod colors;
mod error;
mod font;
mod heatmap;
mod labels;
mod marginal;
mod scatter;
mod write;

pub use error::PlotError;
pub use heatmap::correlation_heatmaps;
pub use marginal::{MarginalPlot, marginal_plot};
pub use scatter::scatter_matrix;
