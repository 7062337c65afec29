//! `fit --plots DIR`: the loss curve, samples against the training data,
//! and for two-column flow-matching models the sampling trajectories.

use crate::evaluate_plots::with_nan;
use anyhow::Context;
use pushforward_core::{ColumnData, Sampler, Table};
use pushforward_neural::generator::{GeneratorModel, GeneratorSettings};
use pushforward_neural::gpa::GpaModel;
use pushforward_neural::{
    Model, ModelHeader, NumericColumn, SampleOptions, ScoreModel, ScoreSampling, Solver,
};
use pushforward_plot::{LossCurve, Trajectories, loss_curve, scatter_matrix, trajectories_plot};
use std::path::Path;

/// Rows drawn for the sample scatter.
const SCATTER_ROWS: u64 = 2_000;
/// Paths drawn in the trajectory plot.
const PATHS: usize = 300;
/// Euler steps of the trajectory plot: one point per step.
const PATH_STEPS: usize = 50;

/// The values of the columns `names` of `t`, column by column (NaN where
/// a value is missing).
fn values(names: &[String], t: &Table) -> Vec<Vec<f64>> {
    names.iter().filter_map(|n| t.column(n)).map(with_nan).collect()
}

/// The modelled dimensions that are numeric columns of `data`, which the
/// scatter plots show (a mixed table's one-hot levels and missing flags
/// are not columns).
fn plotted(numeric: &[NumericColumn], data: &Table) -> Vec<String> {
    numeric
        .iter()
        .filter(|c| {
            data.column(&c.name)
                .is_some_and(|c| !matches!(c.data, ColumnData::Categorical { .. }))
        })
        .map(|c| c.name.clone())
        .collect()
}

/// The series of a loss plot: the training loss, or for a game of two
/// players (a recorded `critic` term) the generator's and the critic's.
pub(crate) fn loss_series(curve: &pushforward_neural::LossCurve) -> Vec<(&'static str, &[f64])> {
    match curve.term("critic") {
        Some(critic) => vec![("generator", &curve.loss[..]), ("critic", critic)],
        None => vec![("training", &curve.loss[..])],
    }
}

/// The plots of every method: the loss curve, and `synth` against the
/// training data over those of the dimensions `numeric` that are numeric
/// columns.
pub(crate) fn write_common(
    dir: &Path,
    header: &ModelHeader,
    numeric: &[NumericColumn],
    data: &Table,
    synth: &Table,
) -> anyhow::Result<()> {
    let names = &plotted(numeric, data);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory '{}'", dir.display()))?;
    let curve = &header.training.curve;
    loss_curve(
        &dir.join("loss.png"),
        &LossCurve {
            title: &format!("{} training loss", header.method.name()),
            steps: &curve.steps,
            series: &loss_series(curve),
        },
    )?;
    scatter_matrix(
        &dir.join("samples.png"),
        names,
        ("training data", &values(names, data)),
        ("samples", &values(names, synth)),
    )?;
    Ok(())
}

/// Writes the plots of a generator of noise rows (an MMD network, a WGAN)
/// into `dir`, creating it if needed: the loss (both players' for a WGAN)
/// and samples against the data.
pub(crate) fn write_generator<S: GeneratorSettings>(
    dir: &Path,
    model: &GeneratorModel<S>,
    data: &Table,
    seed: u64,
) -> anyhow::Result<()> {
    let synth = model.sampler().sample(SCATTER_ROWS, seed)?;
    write_common(dir, model.header(), &model.body().numeric, data, &synth)
}

/// Writes the plots of a particle generator into `dir`, creating it if
/// needed: the fit's transport record and samples against the data.
pub(crate) fn write_gpa(dir: &Path, model: &GpaModel, data: &Table, seed: u64) -> anyhow::Result<()> {
    let synth = model.sampler().sample(data.rows() as u64, seed)?;
    write_common(dir, model.header(), &model.body().numeric, data, &synth)
}

/// Writes every plot of a flow-matching model into `dir`, creating it if
/// needed: the common ones, and its sampling paths and classes.
/// The loss curve and a scatter matrix of a score model's samples (by the
/// probability-flow ODE) against the data.
pub(crate) fn write_score(dir: &Path, model: &ScoreModel, data: &Table, seed: u64) -> anyhow::Result<()> {
    let synth = model.sampler(ScoreSampling::ODE)?.sample(SCATTER_ROWS, seed)?;
    write_common(dir, model.header(), &model.body().numeric, data, &synth)
}

pub(crate) fn write(dir: &Path, model: &Model, data: &Table, seed: u64) -> anyhow::Result<()> {
    let options = model.default_sample_options();
    let synth = model.sampler(options, None)?.sample(SCATTER_ROWS, seed)?;
    let numeric = &model.body().numeric;
    write_common(dir, model.header(), numeric, data, &synth)?;
    let names = plotted(numeric, data);
    let values = |t: &Table| values(&names, t);
    if numeric.len() == 2 && names.len() == 2 {
        let euler = SampleOptions {
            solver: Solver::Euler,
            steps: PATH_STEPS,
            guidance: 1.0,
        };
        let paths = model.sampler(euler, None)?.trajectories(PATHS, seed)?;
        let columns = values(data);
        let points: Vec<[f64; 2]> = columns[0]
            .iter()
            .zip(&columns[1])
            .map(|(&x, &y)| [x, y])
            .collect();
        trajectories_plot(
            &dir.join("trajectories.png"),
            &Trajectories {
                title: "sampling paths: noise to data",
                names: [&names[0], &names[1]],
                data: &points,
                paths: &paths,
            },
        )?;
    }
    if let Some(condition) = &model.body().condition
        && matches!(
            data.column(&condition.column).map(|c| &c.data),
            Some(ColumnData::Categorical { .. } | ColumnData::Int(_))
        )
    {
        for label in &condition.labels {
            let class = model.sampler(options, Some(label))?.sample(SCATTER_ROWS, seed)?;
            let file = format!(
                "samples_class_{}.png",
                label.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            );
            scatter_matrix(
                &dir.join(file),
                &names,
                ("training data", &values(data)),
                (label, &values(&class)),
            )?;
        }
    }
    Ok(())
}
