//! What an evaluation computes, on how many rows, with which seed.

use crate::ot::SinkhornConfig;
use pushforward_core::seed::{Purpose, stream};
use rand::RngCore;

/// A metric or group of metrics that can be switched on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Per-column KS, W1, moments, quantiles, total variation.
    Columns,
    /// Pearson, Spearman and Kendall matrices.
    Dependence,
    /// Exact Wasserstein-1 and -2.
    Wasserstein,
    /// Sliced Wasserstein-2.
    Sliced,
    /// Debiased Sinkhorn divergence.
    Sinkhorn,
    /// MMD².
    Mmd,
    /// Precision, recall, density, coverage.
    Prdc,
    /// Classifier two-sample test.
    C2st,
    /// DCR, NNDR, exact copies.
    Privacy,
    /// SDMetrics' Quality Report: Column Shapes and Column Pair Trends.
    Quality,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 10] = [
        Metric::Columns,
        Metric::Dependence,
        Metric::Wasserstein,
        Metric::Sliced,
        Metric::Sinkhorn,
        Metric::Mmd,
        Metric::Prdc,
        Metric::C2st,
        Metric::Privacy,
        Metric::Quality,
    ];

    /// What the metric computes, in a line.
    pub fn description(self) -> &'static str {
        match self {
            Metric::Columns => "per-column KS, W1, moments, quantiles, total variation",
            Metric::Dependence => "Pearson, Spearman and Kendall errors",
            Metric::Wasserstein => "exact Wasserstein-1 and -2",
            Metric::Sliced => "sliced Wasserstein-2",
            Metric::Sinkhorn => "debiased Sinkhorn divergence",
            Metric::Mmd => "MMD squared",
            Metric::Prdc => "precision, recall, density, coverage",
            Metric::C2st => "classifier two-sample test",
            Metric::Privacy => "distance to closest record, NNDR, exact copies",
            Metric::Quality => "SDMetrics' Column Shapes, Column Pair Trends and quality score",
        }
    }

    /// The metric's name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Columns => "columns",
            Metric::Dependence => "dependence",
            Metric::Wasserstein => "wasserstein",
            Metric::Sliced => "sliced",
            Metric::Sinkhorn => "sinkhorn",
            Metric::Mmd => "mmd",
            Metric::Prdc => "prdc",
            Metric::C2st => "c2st",
            Metric::Privacy => "privacy",
            Metric::Quality => "quality",
        }
    }
}

/// Settings of an evaluation. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluateOptions {
    /// Seed of every random choice (subsamples, projections, splits).
    pub seed: u64,
    /// The metrics to compute; the others are reported as `null`.
    pub metrics: Vec<Metric>,
    /// Rows per sample for the exact Wasserstein distances (2,000).
    pub exact_rows: usize,
    /// Rows per sample for the sliced Wasserstein distance (20,000).
    pub sliced_rows: usize,
    /// Rows per sample for the Sinkhorn divergence (2,000).
    pub sinkhorn_rows: usize,
    /// Rows per sample for MMD (5,000).
    pub mmd_rows: usize,
    /// Rows per sample for PRDC (10,000).
    pub prdc_rows: usize,
    /// Rows per sample for the classifier test (10,000).
    pub c2st_rows: usize,
    /// Synthetic and held-out rows for the privacy distances (5,000).
    pub privacy_rows: usize,
    /// Training rows the privacy distances are measured against (50,000):
    /// a seeded subsample beyond, the same for the synthetic and the
    /// held-out rows; exact copies still count every real row.
    pub privacy_train_rows: usize,
    /// Projections of the sliced distance (256).
    pub projections: usize,
    /// Sinkhorn settings.
    pub sinkhorn: SinkhornConfig,
    /// Neighbourhood size of PRDC (5).
    pub prdc_k: usize,
    /// Share of the real rows held out for the privacy metrics when no
    /// holdout table is given (0.2).
    pub holdout_fraction: f64,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions {
            seed: 0,
            metrics: Metric::ALL.to_vec(),
            exact_rows: 2_000,
            sliced_rows: 20_000,
            sinkhorn_rows: 2_000,
            mmd_rows: 5_000,
            prdc_rows: 10_000,
            c2st_rows: 10_000,
            privacy_rows: 5_000,
            privacy_train_rows: 50_000,
            projections: 256,
            sinkhorn: SinkhornConfig::default(),
            prdc_k: 5,
            holdout_fraction: 0.2,
        }
    }
}

impl EvaluateOptions {
    /// Whether `metric` is asked for.
    pub fn wants(&self, metric: Metric) -> bool {
        self.metrics.contains(&metric)
    }

    /// A seed for one use, the first word of that use's own stream of
    /// [`Self::seed`] (see [`pushforward_core::seed`]).
    pub(crate) fn seed_for(&self, salt: u32) -> u64 {
        stream(self.seed, Purpose::Subsample(salt)).next_u64()
    }
}
