//! Human-readable reports on standard error: the nearest-correlation fit and
//! the demo's check of a generated table against its spec.

use pushforward_core::{ColumnData, Table};
use pushforward_stats::fidelity::{ks_distance, mean_std, pearson_matrix};
use pushforward_stats::{CorrelationKind, NearestReport, Spec};

/// Pairs listed in the nearest report.
const WORST: usize = 10;

/// Prints target against achieved correlation, worst pairs first.
pub(crate) fn print_nearest(r: &NearestReport) {
    eprintln!(
        "target not reachable exactly: every marginal kept exact, correlations as close as they allow ({} penalty)",
        match r.penalty {
            pushforward_stats::Penalty::L1 => "L1",
            pushforward_stats::Penalty::L2 => "L2",
        }
    );
    eprintln!(
        "  {:<28} {:>8} {:>9} {:>8}   attainable",
        "pair", "target", "achieved", "error"
    );
    for p in r.pairs.iter().take(WORST) {
        eprintln!(
            "  {:<28} {:>8.4} {:>9.4} {:>+8.4}   [{:.4}, {:.4}]",
            format!("{} ~ {}", p.a, p.b),
            p.target,
            p.achieved,
            p.achieved - p.target,
            p.bound.low,
            p.bound.high
        );
    }
    if r.pairs.len() > WORST {
        eprintln!("  ... {} more pairs", r.pairs.len() - WORST);
    }
    eprintln!(
        "  mean |error| over all entries {:.4} (no exact-marginal method can go below {:.4}); max |error| {:.4}",
        r.mean_abs_error, r.lower_bound, r.max_abs_error
    );
}

fn as_f64(data: &ColumnData) -> Vec<f64> {
    (0..data.len()).map(|i| data.value_f64(i)).collect()
}

/// Prints each column's mean, std and KS distance against the spec, and the
/// largest correlation error.
pub(crate) fn print_check(spec: &Spec, table: &Table) {
    let cols: Vec<Vec<f64>> = table.columns().iter().map(|c| as_f64(&c.data)).collect();
    eprintln!(
        "  {:<14} {:<36} {:>10} {:>10} {:>9} {:>9} {:>8}",
        "column", "marginal", "mean", "target", "std", "target", "KS"
    );
    for (c, values) in spec.columns.iter().zip(&cols) {
        let (m, s) = mean_std(values);
        eprintln!(
            "  {:<14} {:<36} {:>10.4} {:>10.4} {:>9.4} {:>9.4} {:>8.5}",
            c.name,
            c.marginal.family().to_string(),
            m,
            c.marginal.mean(),
            s,
            c.marginal.std(),
            ks_distance(&c.marginal, values)
        );
    }
    if spec.correlation.kind == CorrelationKind::Pearson {
        let got = pearson_matrix(&cols);
        let d = cols.len();
        let (mut worst, mut at) = (0.0f64, (0, 0));
        for i in 0..d {
            for j in i + 1..d {
                let e = (got[i * d + j] - spec.correlation.matrix[i * d + j]).abs();
                if e > worst {
                    worst = e;
                    at = (i, j);
                }
            }
        }
        let total: f64 = (0..d * d)
            .map(|k| (got[k] - spec.correlation.matrix[k]).abs())
            .sum();
        eprintln!(
            "  pearson correlation vs target: max |error| {:.4} ({} ~ {}), mean |error| {:.4}",
            worst,
            spec.columns[at.0].name,
            spec.columns[at.1].name,
            total / (d * d) as f64
        );
    }
}
