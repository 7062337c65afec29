//! The evaluation report: every number, grouped as columns, dependence,
//! joint and privacy, with notes; serialised to JSON with serde.
//!
//! The JSON keys are a contract: `columns` (keyed by column name, each with
//! `ks`, `w1`, and `tv` for categorical columns), `dependence`
//! (`pearson_max_abs_err`, `pearson_mean_abs_err`, and the same for
//! `spearman_` and `kendall_`), `joint` (`w1`, `w2`, `sliced_w2`,
//! `sinkhorn`, `mmd2`, `precision`, `recall`, `density`, `coverage`,
//! `c2st_accuracy`, `c2st_auc`), `privacy` (`dcr_synth_median`,
//! `dcr_holdout_median`, `exact_copies`, `nndr_median`), `quality`
//! (SDMetrics' Quality Report: `score`, `column_shapes`,
//! `column_pair_trends`, and per column and per pair in `columns` and
//! `pairs`), `timeseries` (with series only: `discriminative`,
//! `correlational`, `classifier`, `channels`, `steps`) and `notes`. Keys
//! are only ever added. A metric that does not apply is `null`, and a note
//! says why.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// What the synthetic sample was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reference {
    /// A real sample.
    Real,
    /// A spec's marginals and correlation.
    Spec,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// What the synthetic sample was compared with.
    pub reference: Reference,
    /// Sizes and settings.
    pub settings: Settings,
    /// Per-column metrics, in column order.
    pub columns: NamedColumns,
    /// Correlation matrices and their errors.
    pub dependence: Dependence,
    /// Distances between the joint distributions.
    pub joint: Joint,
    /// Distances to real records.
    pub privacy: Privacy,
    /// SDMetrics' Quality Report.
    pub quality: Quality,
    /// The synthetic sample against a spec, when one was given besides a
    /// real sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<Box<Report>>,
    /// The time-series scores, when the rows are series (`evaluate --shape`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeseries: Option<crate::timeseries::TimeSeriesScores>,
    /// Standardisation used, subsampling, skipped columns, and why any
    /// metric is null.
    pub notes: Vec<String>,
}

impl Report {
    /// A report with every metric still `null`: the synthetic sample of
    /// `rows_synth` rows against `reference` (`rows_real` rows of it, when
    /// it is a real sample).
    pub fn new(reference: Reference, seed: u64, rows_real: Option<usize>, rows_synth: usize) -> Report {
        Report {
            reference,
            settings: Settings {
                seed,
                rows_real,
                rows_synth,
                rows_holdout: None,
                quantile_levels: crate::compare::QUANTILE_LEVELS.to_vec(),
            },
            columns: NamedColumns::default(),
            dependence: Dependence::default(),
            joint: Joint::default(),
            privacy: Privacy::default(),
            quality: Quality::default(),
            spec: None,
            timeseries: None,
            notes: Vec::new(),
        }
    }
}

/// Sizes and settings the numbers were computed with.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Settings {
    /// Seed of every random choice.
    pub seed: u64,
    /// Rows of the real sample (none against a spec).
    pub rows_real: Option<usize>,
    /// Rows of the synthetic sample.
    pub rows_synth: usize,
    /// Rows of the held-out real sample used by the privacy metrics.
    pub rows_holdout: Option<usize>,
    /// Quantile levels of the per-column quantiles.
    pub quantile_levels: Vec<f64>,
}

/// Columns keyed by name, serialised as a JSON object in column order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NamedColumns(pub Vec<(String, ColumnReport)>);

impl Serialize for NamedColumns {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, c) in &self.0 {
            map.serialize_entry(name, c)?;
        }
        map.end()
    }
}

/// One column's metrics. Fields named `_real` hold the reference side
/// against a real sample, `_spec` against a spec.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct ColumnReport {
    /// `float`, `int` or `categorical`.
    pub kind: &'static str,
    /// Missing values in the real sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_real: Option<usize>,
    /// Missing values in the synthetic sample.
    pub missing_synth: usize,
    /// Kolmogorov–Smirnov statistic (numeric columns).
    pub ks: Option<f64>,
    /// Wasserstein-1 distance in the column's units (numeric columns).
    pub w1: Option<f64>,
    /// W1 over the reference's standard deviation.
    pub w1_std: Option<f64>,
    /// Total-variation distance of the frequencies (categorical columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tv: Option<f64>,
    /// Labels in the reference only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_real: Option<Vec<String>>,
    /// Labels in the synthetic sample only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_synth: Option<Vec<String>>,
    /// Mean of the real sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_real: Option<f64>,
    /// Mean of the spec's law.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_spec: Option<f64>,
    /// Mean of the synthetic sample.
    pub mean_synth: Option<f64>,
    /// Standard deviation (population) of the real sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std_real: Option<f64>,
    /// Standard deviation of the spec's law.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std_spec: Option<f64>,
    /// Standard deviation (population) of the synthetic sample.
    pub std_synth: Option<f64>,
    /// Synthetic over reference standard deviation.
    pub std_ratio: Option<f64>,
    /// Quantiles of the real sample at the report's levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantiles_real: Option<Vec<f64>>,
    /// Quantiles of the spec's law.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantiles_spec: Option<Vec<f64>>,
    /// Quantiles of the synthetic sample.
    pub quantiles_synth: Option<Vec<f64>>,
}

/// A correlation matrix with undefined entries as `null`.
pub type Matrix = Vec<Vec<Option<f64>>>;

/// Correlation matrices and their errors.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Dependence {
    /// The numeric columns the matrices are over.
    pub columns: Vec<String>,
    /// Largest |Pearson synthetic − reference| over the pairs.
    pub pearson_max_abs_err: Option<f64>,
    /// Mean |Pearson synthetic − reference| over the pairs.
    pub pearson_mean_abs_err: Option<f64>,
    /// Largest Spearman error.
    pub spearman_max_abs_err: Option<f64>,
    /// Mean Spearman error.
    pub spearman_mean_abs_err: Option<f64>,
    /// Largest Kendall error.
    pub kendall_max_abs_err: Option<f64>,
    /// Mean Kendall error.
    pub kendall_mean_abs_err: Option<f64>,
    /// Reference Pearson matrix (real sample or spec target).
    pub pearson_ref: Option<Matrix>,
    /// Synthetic Pearson matrix.
    pub pearson_synth: Option<Matrix>,
    /// Reference Spearman matrix.
    pub spearman_ref: Option<Matrix>,
    /// Synthetic Spearman matrix.
    pub spearman_synth: Option<Matrix>,
    /// Reference Kendall matrix.
    pub kendall_ref: Option<Matrix>,
    /// Synthetic Kendall matrix.
    pub kendall_synth: Option<Matrix>,
}

/// Distances between the joint distributions, in the joint space.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Joint {
    /// The joint space's coordinates: `name` for a standardised numeric
    /// column, `name=label` for an indicator.
    pub features: Vec<String>,
    /// Exact Wasserstein-1.
    pub w1: Option<f64>,
    /// Exact Wasserstein-2.
    pub w2: Option<f64>,
    /// Points per sample of the exact distances.
    pub exact_rows: Option<usize>,
    /// Sliced Wasserstein-2.
    pub sliced_w2: Option<f64>,
    /// Projections of the sliced distance.
    pub sliced_projections: Option<usize>,
    /// Debiased Sinkhorn divergence.
    pub sinkhorn: Option<f64>,
    /// Its entropic regularisation.
    pub sinkhorn_epsilon: Option<f64>,
    /// Sinkhorn iterations run.
    pub sinkhorn_iterations: Option<usize>,
    /// Whether Sinkhorn met its tolerance.
    pub sinkhorn_converged: Option<bool>,
    /// Points per sample of the Sinkhorn divergence.
    pub sinkhorn_rows: Option<usize>,
    /// Unbiased MMD².
    pub mmd2: Option<f64>,
    /// Biased MMD².
    pub mmd2_biased: Option<f64>,
    /// The median distance the kernel bandwidths scale.
    pub mmd_median_distance: Option<f64>,
    /// Points per sample of MMD.
    pub mmd_rows: Option<usize>,
    /// PRDC precision.
    pub precision: Option<f64>,
    /// PRDC recall.
    pub recall: Option<f64>,
    /// PRDC density.
    pub density: Option<f64>,
    /// PRDC coverage.
    pub coverage: Option<f64>,
    /// Coverage expected when both samples come from one law.
    pub coverage_expected: Option<f64>,
    /// Neighbourhood size of PRDC.
    pub prdc_k: Option<usize>,
    /// Points per sample of PRDC.
    pub prdc_rows: Option<usize>,
    /// Held-out accuracy of the better classifier.
    pub c2st_accuracy: Option<f64>,
    /// Its AUC.
    pub c2st_auc: Option<f64>,
    /// One-sided binomial p-value of its accuracy (Bonferroni over both).
    pub c2st_p_value: Option<f64>,
    /// Which classifier: `logistic` or `knn`.
    pub c2st_classifier: Option<&'static str>,
    /// Logistic regression accuracy.
    pub c2st_logistic_accuracy: Option<f64>,
    /// Logistic regression AUC.
    pub c2st_logistic_auc: Option<f64>,
    /// Nearest-neighbour accuracy.
    pub c2st_knn_accuracy: Option<f64>,
    /// Nearest-neighbour AUC.
    pub c2st_knn_auc: Option<f64>,
    /// Test rows of the classifier test (both classes).
    pub c2st_test_rows: Option<usize>,
}

/// Distances to real records.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Privacy {
    /// Where the held-out rows come from.
    pub holdout: Option<String>,
    /// Median distance from a synthetic row to its closest training row.
    pub dcr_synth_median: Option<f64>,
    /// Median distance from a held-out row to its closest training row.
    pub dcr_holdout_median: Option<f64>,
    /// Lower end of the 95% confidence interval of the held-out median.
    pub dcr_holdout_median_low: Option<f64>,
    /// 5th percentile of the synthetic rows' DCR.
    pub dcr_synth_p05: Option<f64>,
    /// 5th percentile of the held-out rows' DCR.
    pub dcr_holdout_p05: Option<f64>,
    /// Median nearest/second-nearest distance ratio of synthetic rows.
    pub nndr_median: Option<f64>,
    /// Synthetic rows per DCR computation.
    pub dcr_rows: Option<usize>,
    /// Synthetic rows equal, in every column, to some real row.
    pub exact_copies: Option<usize>,
    /// That count over all synthetic rows.
    pub exact_copy_share: Option<f64>,
}

/// SDMetrics' Quality Report (see [`crate::quality`]): its two property
/// scores, their mean, and every column's and pair's score.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Quality {
    /// Mean of the property scores that are defined (SDMetrics' overall
    /// score).
    pub score: Option<f64>,
    /// Column Shapes: mean of the columns' scores.
    pub column_shapes: Option<f64>,
    /// Column Pair Trends: mean of the scores of the pairs that count.
    pub column_pair_trends: Option<f64>,
    /// `|ρ_real|` above which a numeric pair counts.
    pub correlation_threshold: Option<f64>,
    /// Cramér's V of the real pair above which a discrete pair counts.
    pub association_threshold: Option<f64>,
    /// One score per column, in column order.
    pub columns: Vec<ShapeScore>,
    /// One score per pair of columns, in column order.
    pub pairs: Vec<PairScore>,
}

/// One column's Column Shapes score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ShapeScore {
    /// The column.
    pub column: String,
    /// `KSComplement` (numeric) or `TVComplement` (categorical).
    pub metric: &'static str,
    /// The score in [0, 1]; `null` when a side has no value.
    pub score: Option<f64>,
}

/// One pair's Column Pair Trends score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairScore {
    /// The first column (earlier in the table).
    pub column_1: String,
    /// The second column.
    pub column_2: String,
    /// `CorrelationSimilarity` (two numeric columns) or
    /// `ContingencySimilarity`.
    pub metric: &'static str,
    /// The score in [0, 1]; `null` when it is undefined (a constant
    /// column, fewer than two complete rows).
    pub score: Option<f64>,
    /// Pearson correlation of the real pair.
    pub real_correlation: Option<f64>,
    /// Pearson correlation of the synthetic pair.
    pub synthetic_correlation: Option<f64>,
    /// Cramér's V of the real pair's contingency table.
    pub real_association: Option<f64>,
    /// Whether the real data show the trend, so the pair counts towards
    /// Column Pair Trends.
    pub contributes: bool,
}

/// A `d × d` row-major matrix as nested rows, NaN as `None`.
pub fn to_matrix(m: &[f64], d: usize) -> Matrix {
    m.chunks(d.max(1))
        .map(|r| r.iter().map(|&v| v.is_finite().then_some(v)).collect())
        .collect()
}

/// A reference and a synthetic `d × d` matrix with the error of the second:
/// (max error, mean error, reference, synthetic).
pub(crate) fn matrix_pair(
    reference: &[f64],
    synth: &[f64],
    d: usize,
) -> (Option<f64>, Option<f64>, Option<Matrix>, Option<Matrix>) {
    let err = crate::dependence::matrix_error(synth, reference, d);
    (
        err.map(|e| e.0),
        err.map(|e| e.1),
        Some(to_matrix(reference, d)),
        Some(to_matrix(synth, d)),
    )
}
