//! The readable summary of an evaluation: one block per metric group.

use pushforward_metrics::report::{ColumnReport, Quality, Reference, Report};
use std::fmt::Write;

/// Formats a number in a fixed width, `-` for a missing one.
pub(crate) fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) => format!("{x:.3e}"),
        Some(x) => format!("{x:.4}"),
        None => "-".to_owned(),
    }
}

/// The whole summary, ending with a newline.
pub(crate) fn render(r: &Report) -> String {
    let mut s = String::new();
    section(&mut s, r);
    if let Some(spec) = &r.spec {
        s.push('\n');
        section(&mut s, spec);
    }
    if !r.notes.is_empty() {
        let _ = writeln!(s, "\nNotes");
        for n in &r.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    s
}

fn section(s: &mut String, r: &Report) {
    let against = match r.reference {
        Reference::Real => "real",
        Reference::Spec => "spec",
    };
    if !r.columns.0.is_empty() {
        let _ = writeln!(s, "Columns (synthetic vs {against})");
        let _ = writeln!(
            s,
            "  {:<20} {:<11} {:>9} {:>10} {:>9} {:>10} {:>9} {:>8}",
            "column", "kind", "KS", "W1", "W1/std", "mean diff", "std ratio", "TV"
        );
        for (name, c) in &r.columns.0 {
            let _ = writeln!(
                s,
                "  {:<20} {:<11} {:>9} {:>10} {:>9} {:>10} {:>9} {:>8}",
                truncate(name, 20),
                c.kind,
                num(c.ks),
                num(c.w1),
                num(c.w1_std),
                num(mean_diff(c)),
                num(c.std_ratio),
                num(c.tv)
            );
        }
        let labels: Vec<String> = r
            .columns
            .0
            .iter()
            .filter_map(|(n, c)| {
                let only = c.only_synth.as_ref().filter(|v| !v.is_empty())?;
                Some(format!("'{n}': {}", only.join(", ")))
            })
            .collect();
        if !labels.is_empty() {
            let _ = writeln!(s, "  labels only in the synthetic sample: {}", labels.join("; "));
        }
    }
    let d = &r.dependence;
    if d.pearson_ref.is_some() || d.spearman_ref.is_some() || d.kendall_ref.is_some() {
        let n = d.columns.len();
        let _ = writeln!(
            s,
            "\nDependence ({n} columns, {} pairs)      max |err|  mean |err|",
            n * n.saturating_sub(1) / 2
        );
        for (name, max, mean) in [
            ("pearson", d.pearson_max_abs_err, d.pearson_mean_abs_err),
            ("spearman", d.spearman_max_abs_err, d.spearman_mean_abs_err),
            ("kendall", d.kendall_max_abs_err, d.kendall_mean_abs_err),
        ] {
            if max.is_some() {
                let _ = writeln!(s, "  {name:<36} {:>10} {:>11}", num(max), num(mean));
            }
        }
    }
    if r.reference == Reference::Spec {
        return;
    }
    quality(s, &r.quality);
    let j = &r.joint;
    let _ = writeln!(
        s,
        "\nJoint ({} features, standardised by the real sample)",
        j.features.len()
    );
    let rows = |n: Option<usize>| n.map_or(String::new(), |n| format!(", {n} rows"));
    let lines = [
        (format!("W1 exact{}", rows(j.exact_rows)), num(j.w1)),
        ("W2 exact".to_owned(), num(j.w2)),
        (
            format!("sliced W2 ({} projections)", j.sliced_projections.unwrap_or(0)),
            num(j.sliced_w2),
        ),
        (
            format!(
                "Sinkhorn, eps {}{}",
                j.sinkhorn_epsilon.map_or("-".to_owned(), |e| e.to_string()),
                rows(j.sinkhorn_rows)
            ),
            num(j.sinkhorn),
        ),
        (format!("MMD^2 unbiased{}", rows(j.mmd_rows)), num(j.mmd2)),
        (
            format!("precision / recall{}", rows(j.prdc_rows)),
            format!("{} / {}", num(j.precision), num(j.recall)),
        ),
        (
            format!("density / coverage (one law: 1 / {})", num(j.coverage_expected)),
            format!("{} / {}", num(j.density), num(j.coverage)),
        ),
        (
            format!(
                "C2ST accuracy / AUC ({}, p = {})",
                j.c2st_classifier.unwrap_or("-"),
                num(j.c2st_p_value)
            ),
            format!("{} / {}", num(j.c2st_accuracy), num(j.c2st_auc)),
        ),
    ];
    for (label, value) in lines {
        let _ = writeln!(s, "  {label:<48} {value:>17}");
    }
    let p = &r.privacy;
    let _ = writeln!(s, "\nPrivacy (holdout: {})", p.holdout.as_deref().unwrap_or("-"));
    let lines = [
        (
            "DCR median, synthetic / holdout",
            format!("{} / {}", num(p.dcr_synth_median), num(p.dcr_holdout_median)),
        ),
        (
            "DCR 5th percentile, synthetic / holdout",
            format!("{} / {}", num(p.dcr_synth_p05), num(p.dcr_holdout_p05)),
        ),
        ("NNDR median, synthetic", num(p.nndr_median)),
        (
            "exact copies of real rows",
            p.exact_copies
                .map_or("-".to_owned(), |c| format!("{c} of {}", r.settings.rows_synth)),
        ),
    ];
    for (label, value) in lines {
        let _ = writeln!(s, "  {label:<48} {value:>17}");
    }
}

/// A score in [0, 1] as a percentage with two decimals, `-` when missing.
pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or("-".to_owned(), |x| format!("{:.2}%", 100.0 * x))
}

/// Columns and pairs listed as the worst in the quality section.
const WORST: usize = 3;

/// SDMetrics' Quality Report: the three scores, then the lowest-scoring
/// columns and counted pairs.
fn quality(s: &mut String, q: &Quality) {
    if q.score.is_none() {
        return;
    }
    let counted = q.pairs.iter().filter(|p| p.contributes).count();
    let _ = writeln!(s, "\nQuality (SDMetrics terms)");
    let _ = writeln!(s, "  {:<48} {:>17}", "overall score", pct(q.score));
    let _ = writeln!(
        s,
        "  {:<48} {:>17}",
        format!("Column Shapes ({} columns)", q.columns.len()),
        pct(q.column_shapes)
    );
    let _ = writeln!(
        s,
        "  {:<48} {:>17}",
        format!("Column Pair Trends ({counted} of {} pairs count)", q.pairs.len()),
        pct(q.column_pair_trends)
    );
    let mut columns: Vec<_> = q.columns.iter().filter_map(|c| Some((c.score?, c))).collect();
    columns.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (score, c) in columns.iter().take(WORST) {
        let _ = writeln!(
            s,
            "    {:<46} {:>17}",
            format!("{} ({})", truncate(&c.column, 28), c.metric),
            num(Some(*score))
        );
    }
    let mut pairs: Vec<_> = q
        .pairs
        .iter()
        .filter(|p| p.contributes)
        .filter_map(|p| Some((p.score?, p)))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (score, p) in pairs.iter().take(WORST) {
        let _ = writeln!(
            s,
            "    {:<46} {:>17}",
            format!(
                "{} ~ {} ({})",
                truncate(&p.column_1, 14),
                truncate(&p.column_2, 14),
                p.metric.trim_end_matches("Similarity")
            ),
            num(Some(*score))
        );
    }
}

fn mean_diff(c: &ColumnReport) -> Option<f64> {
    Some(c.mean_synth? - c.mean_real.or(c.mean_spec)?)
}

fn truncate(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_owned()
    } else {
        let head: String = name.chars().take(width - 1).collect();
        format!("{head}~")
    }
}
