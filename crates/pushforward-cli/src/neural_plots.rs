//! `generate --engine neural --plots DIR`: one PNG per column (the generated
//! values against the spec's density or probabilities), the target and
//! achieved Pearson correlations with their difference, the loss terms
//! during training, and where the run stands against the copula engine on marginal
//! and correlation error.

use crate::evaluate_plots::{against_spec, column_file};
use anyhow::Context;
use pushforward_core::Table;
use pushforward_neural::LossCurve as TrainingCurve;
use pushforward_plot::{LossCurve, TradeoffPlot, correlation_heatmaps, loss_curve, tradeoff_plot};
use pushforward_stats::Spec;
use pushforward_stats::fidelity::pearson_matrix;
use std::path::Path;

/// What one neural-engine run achieved, for the trade-off figure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Achieved {
    /// Largest KS distance of a column to its spec marginal.
    pub(crate) worst_ks: f64,
    /// Mean absolute difference between achieved and target correlations.
    pub(crate) correlation_error: f64,
}

/// The joint generator's loss terms as recorded in training, with their legend labels.
const TERMS: [(&str, &str); 4] = [
    ("correlation", "correlation (as sampled)"),
    ("soft_correlation", "correlation before rounding"),
    ("marginal", "marginal (quantile + spread)"),
    ("quantile", "quantile term"),
];

/// Writes every plot into `dir`, creating it if needed: `column_NN_name.png`
/// per column, `correlation.png` (with two columns or more), `loss.png`
/// (when training recorded a window) and `tradeoff.png` (`run` as "neural",
/// `copula` beside it when given).
pub(crate) fn write(
    dir: &Path,
    spec: &Spec,
    table: &Table,
    history: &TrainingCurve,
    run: Achieved,
    copula: Option<Achieved>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory '{}'", dir.display()))?;
    let mut columns = Vec::with_capacity(spec.columns.len());
    for (i, c) in spec.columns.iter().enumerate() {
        let column = table
            .column(&c.name)
            .with_context(|| format!("the generated table has no column '{}'", c.name))?;
        let path = dir.join(column_file(i, &c.name));
        against_spec(&path, &format!("{}: neural vs spec", c.name), &c.marginal, column)?;
        columns.push(column.present_f64());
    }
    if columns.len() >= 2 {
        let names: Vec<String> = spec.columns.iter().map(|c| c.name.clone()).collect();
        correlation_heatmaps(
            &dir.join("correlation.png"),
            &names,
            ("target (pearson)", &spec.correlation.matrix),
            ("neural (pearson)", &pearson_matrix(&columns)),
        )?;
    }
    let series: Vec<(&str, &[f64])> = TERMS
        .iter()
        .filter_map(|&(name, label)| history.term(name).map(|values| (label, values)))
        .collect();
    if !history.steps.is_empty() && !series.is_empty() {
        loss_curve(
            &dir.join("loss.png"),
            &LossCurve {
                title: "neural engine training losses (means per window)",
                steps: &history.steps,
                series: &series,
            },
        )?;
    }
    let points: Vec<(&str, f64, f64)> = std::iter::once(("neural", run))
        .chain(copula.map(|c| ("copula", c)))
        .map(|(label, a)| (label, a.worst_ks, a.correlation_error))
        .collect();
    tradeoff_plot(
        &dir.join("tradeoff.png"),
        &TradeoffPlot {
            title: "marginal vs correlation error (lower left is better)",
            points: &points,
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use pushforward_core::Column;
    use pushforward_neural::NamedSeries;
    use std::sync::Arc;

    const SPEC: &str = r#"
[[column]]
name = "age"
dist = "normal"
mean = 40.0
std = 10.0

[[column]]
name = "visits"
dist = "poisson"
lambda = 3.0

[[column]]
name = "plan"
dist = "categorical"
categories = ["basic", "plus", "pro"]
weights = [0.6, 0.3, 0.1]

[correlation]
matrix = [[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.0]]
"#;

    #[test]
    fn writes_every_plot() {
        let spec = Spec::from_toml(SPEC).unwrap();
        let n: u32 = 500;
        let levels: Arc<[String]> = ["basic", "plus", "pro"].map(String::from).into();
        let table = Table::new(vec![
            Column::float("age", (0..n).map(|i| 20.0 + f64::from(i % 97) * 0.4).collect()),
            Column::int("visits", (0..n).map(|i| i64::from(i % 7)).collect()),
            Column::categorical(
                "plan",
                (0..n).map(|i| [0, 0, 1, 2][i as usize % 4]).collect(),
                levels,
            ),
        ])
        .unwrap();
        let losses = vec![1.0, 0.5, 0.4];
        let history = TrainingCurve {
            steps: vec![100, 200, 300],
            loss: losses.clone(),
            terms: TERMS
                .iter()
                .map(|(name, _)| NamedSeries {
                    name: (*name).into(),
                    values: losses.clone(),
                })
                .collect(),
        };
        let dir = tempfile::tempdir().unwrap();
        let plots = dir.path().join("plots");
        let run = Achieved {
            worst_ks: 0.03,
            correlation_error: 0.02,
        };
        let copula = Achieved {
            worst_ks: 0.004,
            correlation_error: 0.001,
        };
        write(&plots, &spec, &table, &history, run, Some(copula)).unwrap();
        let mut files: Vec<String> = std::fs::read_dir(&plots)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "column_01_age.png",
                "column_02_visits.png",
                "column_03_plan.png",
                "correlation.png",
                "loss.png",
                "tradeoff.png"
            ]
        );
    }
}
