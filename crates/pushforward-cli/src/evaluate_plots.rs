//! `evaluate --plots DIR`: one PNG per column (histograms, or bars for
//! categories and small integer ranges), correlation heatmaps, and a
//! scatter-plot matrix of the first numeric columns.

use anyhow::Context;
use pushforward_core::{Column, ColumnData, Table};
use pushforward_metrics::report::{Matrix, Report};
use pushforward_plot::{MarginalPlot, correlation_heatmaps, marginal_plot, scatter_matrix};
use pushforward_stats::{Marginal, Spec, ValueKind};
use std::collections::BTreeMap;
use std::path::Path;

/// Integer columns with at most this many distinct values are drawn as bars.
const MAX_BARS: usize = 40;

/// Writes every plot into `dir`, creating it if needed.
pub(crate) fn write(
    dir: &Path,
    report: &Report,
    real: Option<&Table>,
    synth: &Table,
    spec: Option<&Spec>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory '{}'", dir.display()))?;
    for (i, s) in synth.columns().iter().enumerate() {
        let path = dir.join(column_file(i, &s.name));
        let title = format!(
            "{}: synthetic vs {}",
            s.name,
            if real.is_some() { "real" } else { "spec" }
        );
        match (
            real.and_then(|r| r.column(&s.name)),
            spec.and_then(|sp| sp.columns.iter().find(|c| c.name == s.name)),
        ) {
            (Some(r), _) => against_real(&path, &title, r, s)?,
            (None, Some(c)) => against_spec(&path, &title, &c.marginal, s)?,
            (None, None) => continue,
        }
    }
    let reports = std::iter::once(report).chain(report.spec.as_deref());
    for (k, r) in reports.enumerate() {
        let d = &r.dependence;
        let against = if k == 0 && real.is_some() { "real" } else { "spec" };
        for (kind, reference, got) in [
            ("pearson", &d.pearson_ref, &d.pearson_synth),
            ("spearman", &d.spearman_ref, &d.spearman_synth),
            ("kendall", &d.kendall_ref, &d.kendall_synth),
        ] {
            if let (Some(a), Some(b)) = (reference, got) {
                let path = dir.join(correlation_file(kind, against));
                let left = format!("{against} ({kind})");
                let right = format!("synthetic ({kind})");
                correlation_heatmaps(&path, &d.columns, (&left, &flatten(a)), (&right, &flatten(b)))?;
            }
        }
    }
    let numeric: Vec<&Column> = synth
        .columns()
        .iter()
        .filter(|c| !matches!(c.data, ColumnData::Categorical { .. }))
        .take(5)
        .collect();
    if numeric.len() >= 2 {
        let names: Vec<String> = numeric.iter().map(|c| c.name.clone()).collect();
        let values =
            |t: &Table| -> Vec<Vec<f64>> { names.iter().filter_map(|n| t.column(n)).map(with_nan).collect() };
        let left = real.map(values).unwrap_or_else(|| vec![Vec::new(); names.len()]);
        let label = if real.is_some() { "real" } else { "(none)" };
        scatter_matrix(
            &dir.join(SCATTER_FILE),
            &names,
            (label, &left),
            ("synthetic", &values(synth)),
        )?;
    }
    Ok(())
}

/// A column's values, NaN where missing (the plots skip NaN).
pub(crate) fn with_nan(c: &Column) -> Vec<f64> {
    (0..c.data.len())
        .map(|i| {
            if c.is_missing(i) {
                f64::NAN
            } else {
                c.data.value_f64(i)
            }
        })
        .collect()
}

fn flatten(m: &Matrix) -> Vec<f64> {
    m.iter().flatten().map(|v| v.unwrap_or(f64::NAN)).collect()
}

/// Label of each present value, and their frequencies, for bars.
fn label_counts(c: &Column) -> BTreeMap<String, f64> {
    let mut counts = BTreeMap::new();
    for i in (0..c.data.len()).filter(|&i| !c.is_missing(i)) {
        let label = match &c.data {
            ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
            data => format!("{}", data.value_f64(i)),
        };
        *counts.entry(label).or_insert(0.0) += 1.0;
    }
    let total: f64 = counts.values().sum();
    counts.values_mut().for_each(|v| *v /= total);
    counts
}

/// Whether a column is drawn as bars.
fn as_bars(c: &Column) -> bool {
    match &c.data {
        ColumnData::Categorical { .. } => true,
        ColumnData::Int(v) => {
            let mut distinct: Vec<i64> = v.clone();
            distinct.sort_unstable();
            distinct.dedup();
            distinct.len() <= MAX_BARS
        }
        ColumnData::Float(_) => false,
    }
}

/// Labels sorted as numbers when they all are numbers, else as text.
fn ordered(mut labels: Vec<String>) -> Vec<String> {
    if labels.iter().all(|l| l.parse::<f64>().is_ok()) {
        labels.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    }
    labels
}

fn against_real(path: &Path, title: &str, real: &Column, synth: &Column) -> anyhow::Result<()> {
    if as_bars(real) && as_bars(synth) {
        let (a, b) = (label_counts(real), label_counts(synth));
        let labels = ordered(
            a.keys()
                .chain(b.keys())
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
        );
        let freq = |m: &BTreeMap<String, f64>| {
            labels
                .iter()
                .map(|l| m.get(l).copied().unwrap_or(0.0))
                .collect::<Vec<_>>()
        };
        marginal_plot(
            path,
            &MarginalPlot::Bars {
                title,
                labels: &labels,
                left_label: "real",
                left: &freq(&a),
                right_label: "synthetic",
                right: &freq(&b),
            },
        )?;
    } else {
        marginal_plot(
            path,
            &MarginalPlot::Continuous {
                title,
                left_label: "real",
                left: &real.present_f64(),
                right_label: "synthetic",
                right: &synth.present_f64(),
                density: None,
            },
        )?;
    }
    Ok(())
}

pub(crate) fn against_spec(path: &Path, title: &str, m: &Marginal, synth: &Column) -> anyhow::Result<()> {
    if m.is_continuous() {
        let (lo, hi) = (m.quantile(0.001), m.quantile(0.999));
        let h = (hi - lo) * 1e-4;
        let density: Vec<(f64, f64)> = (0..=400)
            .map(|i| lo + (hi - lo) * f64::from(i) / 400.0)
            .map(|x| (x, (m.cdf(x + h) - m.cdf(x - h)) / (2.0 * h)))
            .collect();
        marginal_plot(
            path,
            &MarginalPlot::Continuous {
                title,
                left_label: "spec",
                left: &[],
                right_label: "synthetic",
                right: &synth.present_f64(),
                density: Some(&density),
            },
        )?;
        return Ok(());
    }
    // Discrete or categorical: the spec's probabilities over its support
    // (up to 40 values from the lower tail), against the sample's.
    let labels: Vec<String> = match m.kind() {
        ValueKind::Category(levels) => levels.to_vec(),
        _ => {
            let lo = m.quantile(1e-4);
            (0..MAX_BARS as i64)
                .map(|k| lo + k as f64)
                .filter(|&x| x <= m.quantile(1.0 - 1e-4))
                .map(|x| format!("{x}"))
                .collect()
        }
    };
    let spec_p: Vec<f64> = (0..labels.len())
        .map(|k| match m.kind() {
            ValueKind::Category(_) => m.cdf(k as f64) - m.cdf(k as f64 - 1.0),
            _ => {
                let x: f64 = labels[k].parse().unwrap_or(f64::NAN);
                m.cdf(x) - m.cdf(x - 1.0)
            }
        })
        .collect();
    let counts = label_counts(synth);
    let got: Vec<f64> = labels
        .iter()
        .map(|l| counts.get(l).copied().unwrap_or(0.0))
        .collect();
    marginal_plot(
        path,
        &MarginalPlot::Bars {
            title,
            labels: &labels,
            left_label: "spec",
            left: &spec_p,
            right_label: "synthetic",
            right: &got,
        },
    )?;
    Ok(())
}

/// The file of the plot of column `i` (from 0), named `name`.
pub(crate) fn column_file(i: usize, name: &str) -> String {
    format!("column_{:02}_{}.png", i + 1, file_safe(name))
}

/// The file of the heat maps of one kind of correlation (`pearson`,
/// `spearman`, `kendall`) against `against` (`real` or `spec`).
pub(crate) fn correlation_file(kind: &str, against: &str) -> String {
    format!("correlation_{kind}_vs_{against}.png")
}

/// The file of the scatter-plot matrix.
pub(crate) const SCATTER_FILE: &str = "scatter.png";

/// A column name as a file-name fragment.
pub(crate) fn file_safe(name: &str) -> String {
    let s: String = name
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "column".to_owned() } else { s }
}
