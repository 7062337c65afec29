//! The synthetic sample against a spec: each column against its marginal
//! law, and the correlation matrix of the spec's kind against its target.
//!
//! ```text
//! KS  = sup_x | F̂(x) − F(x) |       (one-sample; at the support points for discrete laws)
//! W1  ≈ (1/n) Σ_i | x₍ᵢ₎ − F⁻¹((i − ½)/n) |
//! TV  = ½ Σ_k | p̂_k − p_k |          (categorical columns, by label)
//! ```
//! A spec fixes marginals and correlations, not a joint law, so the joint
//! and privacy metrics do not apply and are `null`.

use crate::compare::{QUANTILE_LEVELS, is_categorical, kind_name};
use crate::dependence::{kendall, pearson, spearman};
use crate::error::MetricsError;
use crate::options::{EvaluateOptions, Metric};
use crate::report::{ColumnReport, Dependence, NamedColumns, Reference, Report, matrix_pair};
use crate::univariate::{
    mean_std, midpoint_quantiles, quantile_sorted, sorted, total_variation, wasserstein1_sorted,
};
use pushforward_core::{Column, ColumnData, Table};

use pushforward_stats::copula::CorrelationKind;
use pushforward_stats::{ColumnSpec, Marginal, Spec, ValueKind};

/// Compares `synth` with the marginals and correlation target of `spec`.
/// Every spec column must be in `synth`, matched by name; other columns
/// are ignored with a note.
pub fn compare_with_spec(
    spec: &Spec,
    synth: &Table,
    options: &EvaluateOptions,
) -> Result<Report, MetricsError> {
    if synth.rows() == 0 {
        return Err(MetricsError::Empty { which: "synthetic" });
    }
    let mut notes = Vec::new();
    let mut columns = Vec::with_capacity(spec.columns.len());
    for c in &spec.columns {
        let s = synth
            .column(&c.name)
            .ok_or_else(|| MetricsError::MissingColumn { name: c.name.clone() })?;
        if matches!(c.marginal.kind(), ValueKind::Category(_)) != is_categorical(s) {
            return Err(MetricsError::KindMismatch { name: c.name.clone() });
        }
        columns.push((c, s));
    }
    for s in synth.columns() {
        if !spec.columns.iter().any(|c| c.name == s.name) {
            notes.push(format!("column '{}' is not in the spec: ignored", s.name));
        }
    }
    let mut report = Report::new(Reference::Spec, options.seed, None, synth.rows());
    if options.wants(Metric::Columns) {
        report.columns = NamedColumns(
            columns
                .iter()
                .map(|(c, s)| (c.name.clone(), column_report(&c.marginal, s)))
                .collect(),
        );
    }
    if options.wants(Metric::Dependence) {
        report.dependence = dependence(spec, &columns, &mut notes);
    }
    notes.push(
        "against a spec: the spec fixes marginals and correlations, not a joint law, so joint and privacy \
         metrics are null; W1 uses the spec's mid-point quantiles F^-1((i - 1/2)/n) as the reference sample"
            .to_owned(),
    );
    report.notes = notes;
    Ok(report)
}

/// The present values as the spec's codes (a label the spec lacks is NaN).
fn spec_values(marginal: &Marginal, c: &Column) -> Vec<f64> {
    let coded = spec_codes(marginal, c);
    (0..coded.len())
        .filter(|&i| !c.is_missing(i))
        .map(|i| coded[i])
        .collect()
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn column_report(marginal: &Marginal, s: &Column) -> ColumnReport {
    let mut r = ColumnReport {
        kind: kind_name(s),
        missing_synth: s.missing_count(),
        ..ColumnReport::default()
    };
    let values = spec_values(marginal, s);
    if values.is_empty() {
        return r;
    }
    if let ValueKind::Category(levels) = marginal.kind() {
        let n = values.len() as f64;
        let mut q = vec![0.0; levels.len()];
        let mut unknown = 0.0;
        for v in &values {
            if v.is_nan() {
                unknown += 1.0 / n;
            } else {
                q[*v as usize] += 1.0 / n;
            }
        }
        let p: Vec<f64> = (0..levels.len())
            .map(|k| marginal.cdf(k as f64) - marginal.cdf(k as f64 - 1.0))
            .collect();
        r.tv = Some(total_variation(&p, &q) + 0.5 * unknown);
        r.only_real = Some(
            levels
                .iter()
                .zip(&q)
                .filter(|(_, f)| **f == 0.0)
                .map(|(l, _)| l.clone())
                .collect(),
        );
        let mut extra: Vec<String> = match &s.data {
            ColumnData::Categorical { levels: sl, .. } => crate::encode::present_labels(s)
                .filter(|l| !levels.contains(l) && sl.contains(l))
                .collect(),
            _ => Vec::new(),
        };
        extra.sort();
        r.only_synth = Some(extra);
        return r;
    }
    let x = sorted(&values);
    let ideal = midpoint_quantiles(x.len(), |p| marginal.quantile(p));
    let (ms, ss) = mean_std(&x);
    let (mean, std) = (finite(marginal.mean()), finite(marginal.std()));
    let w1 = wasserstein1_sorted(&x, &ideal);
    r.ks = Some(pushforward_stats::fidelity::ks_distance(marginal, &x));
    r.w1 = Some(w1);
    r.w1_std = std.filter(|&s| s > 0.0).map(|s| w1 / s);
    (r.mean_spec, r.std_spec, r.mean_synth, r.std_synth) = (mean, std, Some(ms), Some(ss));
    r.std_ratio = std.filter(|&s| s > 0.0).map(|s| ss / s);
    r.quantiles_spec = Some(QUANTILE_LEVELS.iter().map(|&p| marginal.quantile(p)).collect());
    r.quantiles_synth = Some(QUANTILE_LEVELS.iter().map(|&p| quantile_sorted(&x, p)).collect());
    r
}

fn dependence(spec: &Spec, columns: &[(&ColumnSpec, &Column)], notes: &mut Vec<String>) -> Dependence {
    let names: Vec<String> = columns.iter().map(|(c, _)| c.name.clone()).collect();
    let mut out = Dependence {
        columns: names.clone(),
        ..Dependence::default()
    };
    let d = names.len();
    if d < 2 {
        notes.push("dependence metrics need two columns: null".to_owned());
        return out;
    }
    if spec.latent.is_some() {
        notes.push(
            "the spec gives a latent correlation matrix, which sets no target for the output \
             correlations: dependence metrics are null"
                .to_owned(),
        );
        return out;
    }
    // Categorical columns enter as the spec's codes, as its target does;
    // rows with a missing value or a label the spec lacks are left out.
    let coded: Vec<Vec<f64>> = columns.iter().map(|(c, s)| spec_codes(&c.marginal, s)).collect();
    let keep: Vec<usize> = (0..coded[0].len())
        .filter(|&i| coded.iter().all(|c| c[i].is_finite()))
        .collect();
    let dropped = coded[0].len() - keep.len();
    let values: Vec<Vec<f64>> = coded
        .iter()
        .map(|c| keep.iter().map(|&i| c[i]).collect())
        .collect();
    if dropped > 0 {
        notes.push(format!(
            "correlations leave out {dropped} rows with a missing value or a label not in the spec"
        ));
    }
    if keep.len() < 2 {
        notes.push("dependence metrics need two complete rows: null".to_owned());
        return out;
    }
    let target = &spec.correlation.matrix;
    let got = match spec.correlation.kind {
        CorrelationKind::Pearson => pearson(&values),
        CorrelationKind::Spearman => spearman(&values),
        CorrelationKind::Kendall => kendall(&values),
    };
    let pair = matrix_pair(target, &got, d);
    match spec.correlation.kind {
        CorrelationKind::Pearson => {
            (
                out.pearson_max_abs_err,
                out.pearson_mean_abs_err,
                out.pearson_ref,
                out.pearson_synth,
            ) = pair
        }
        CorrelationKind::Spearman => {
            (
                out.spearman_max_abs_err,
                out.spearman_mean_abs_err,
                out.spearman_ref,
                out.spearman_synth,
            ) = pair
        }
        CorrelationKind::Kendall => {
            (
                out.kendall_max_abs_err,
                out.kendall_mean_abs_err,
                out.kendall_ref,
                out.kendall_synth,
            ) = pair
        }
    }
    notes.push(format!(
        "the spec's target is a {} matrix: the other correlation kinds have no target and are null",
        spec.correlation.kind
    ));
    out
}

/// One value per row: the spec's code for a category, the value for a
/// number, NaN where missing or where a label is not in the spec.
fn spec_codes(marginal: &Marginal, c: &Column) -> Vec<f64> {
    let levels = match marginal.kind() {
        ValueKind::Category(levels) => Some(levels),
        _ => None,
    };
    (0..c.data.len())
        .map(|i| match (&c.data, levels) {
            _ if c.is_missing(i) => f64::NAN,
            (ColumnData::Categorical { codes, levels: own }, Some(spec)) => {
                let label = &own[codes[i] as usize];
                spec.iter()
                    .position(|l| l == label)
                    .map_or(f64::NAN, |k| k as f64)
            }
            (data, _) => data.value_f64(i),
        })
        .collect()
}
