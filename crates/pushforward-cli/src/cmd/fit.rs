//! `pushforward fit DATA -o MODEL`: fit a generator to a table (a
//! Gaussian copula of mixed columns, flow matching, an MMD network, a score
//! model, a normalizing flow, particles or a WGAN), save it, and optionally draw its
//! diagnostic plots. Each flag left out takes the method's library default.

use super::{fit_copula, fit_gpa, fit_roles};
use super::{fit_flags, fit_score};
use crate::args::FitArgs;
use crate::input::read;
use crate::optimizer_choice::choose;
use crate::paths::Paths;
use crate::progress::Steps;
use crate::{atomic, fit_plots};
use anyhow::{Context, bail};
use pushforward_neural::gpa::{GpaModel, Latent};
use pushforward_neural::{
    FlowConfig, Method, MmdConfig, MmdModel, Model, ModelHeader, OptimizerConfig, Schedule, TableInput,
    TrainConfig,
};

pub(crate) fn run(args: FitArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("DATA", Some(&args.data))
        .binary("-o", Some(&args.output))
        .file("--emit-spec", args.emit_spec.as_deref())
        .plots("--plots", args.plots.as_deref())
        .input("--schema", args.schema.as_deref())
        .check()?;
    atomic::check_parent(&args.output).context("cannot write the model")?;
    if let Some(spec) = &args.emit_spec {
        atomic::check_parent(spec).context("cannot write the spec")?;
    }
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the plot directory '{}'", dir.display()))?;
    }
    fit_flags::check(&args)?;
    if args.method == Method::Copula {
        return fit_copula::run(&args).with_context(|| format!("cannot fit '{}'", args.data.display()));
    }
    let table = read(&args.data, "training")?;
    let schema =
        fit_roles::schema(&args, &table).context("cannot read the column roles (--types, --schema)")?;
    let roles = (!fit_roles::plain(&schema)).then(|| fit_roles::describe(&schema));
    let input = TableInput::new(&table, schema);
    let bar = Steps::training(args.quiet);
    let fit_error = || format!("cannot fit '{}'", args.data.display());
    let cannot_save = || format!("cannot write the model '{}'", args.output.display());
    match args.method {
        // Fitted in passes over the file, above, before any table is read.
        Method::Copula => {}
        Method::FlowMatching => {
            let model = Model::fit(
                input.clone(),
                args.condition.as_deref(),
                &flow_settings(&args, input)?,
                &bar,
            )
            .with_context(fit_error)?;
            model.save(&args.output).with_context(cannot_save)?;
            let classes = model
                .body()
                .condition
                .as_ref()
                .map(|c| format!(", conditioned on '{}' ({} classes)", c.column, c.labels.len()))
                .unwrap_or_default();
            summary(model.header(), model.body().numeric.len(), &classes, &args);
            if let Some(dir) = &args.plots {
                fit_plots::write(dir, &model, &table, args.seed)
                    .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
            }
        }
        Method::Mmd => {
            let model = MmdModel::fit(input, &mmd_settings(&args)?, &bar).with_context(fit_error)?;
            model.save(&args.output).with_context(cannot_save)?;
            summary(model.header(), model.body().numeric.len(), "", &args);
            if let Some(dir) = &args.plots {
                fit_plots::write_generator(dir, &model, &table, args.seed)
                    .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
            }
        }
        Method::Score => fit_score::run(&args, input, &bar).with_context(fit_error)?,
        Method::NormalizingFlow => super::fit_flow::run(&args, input, &bar).with_context(fit_error)?,
        Method::Gpa => {
            let model = GpaModel::fit(input, &fit_gpa::gpa_settings(&args)?, &bar).with_context(fit_error)?;
            model.save(&args.output)?;
            let latent = match (model.body().settings.latent, model.body().explained) {
                (Some(Latent::Pca { dims }), Some(share)) => format!(
                    ", moved among {dims} principal coordinates ({:.1}% of the variance)",
                    100.0 * share
                ),
                _ => String::new(),
            };
            summary(model.header(), model.body().numeric.len(), &latent, &args);
            if let Some(m) = model.body().memorisation {
                eprintln!(
                    "memorisation: transporting as many particles as rows put {:.1}% within {:.3} (standardised) \
                     of a row; sample more rows than the table has to spread them",
                    100.0 * m.share,
                    m.radius
                );
            }
            if let Some(dir) = &args.plots {
                fit_plots::write_gpa(dir, &model, &table, args.seed)
                    .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
            }
        }
        Method::Wgan => super::fit_wgan::run(&args, input, &bar).with_context(fit_error)?,
        Method::DualDivergence => super::fit_dualdiv::run(&args, table, &bar).with_context(fit_error)?,
        Method::NeuralJoint => {
            bail!("neural-joint models are trained from a spec: pushforward generate SPEC --engine neural")
        }
    }
    if let Some(roles) = roles.filter(|_| !matches!(args.method, Method::Copula | Method::DualDivergence)) {
        eprintln!("  columns: {roles}");
    }
    if let Some(dir) = &args.plots {
        eprintln!("wrote plots into '{}'", dir.display());
    }
    Ok(())
}

/// The report of a finished fit of a network with `dims` input dimensions
/// (more than the table's modelled columns when some are one-hot encoded
/// or carry a missing flag).
pub(super) fn summary(header: &ModelHeader, dims: usize, classes: &str, args: &FitArgs) {
    let t = &header.training;
    let columns = header.columns.len() - usize::from(args.condition.is_some());
    let encoded = if dims == columns {
        String::new()
    } else {
        format!(" ({dims} encoded dimensions)")
    };
    eprintln!(
        "fitted {} to {} rows x {columns} columns{encoded}{classes}: {} steps in {:.1} s{}, final loss {:.4}",
        header.method.name(),
        header.rows,
        t.steps,
        t.seconds,
        if t.stopped_early && t.validation.is_some() {
            " (stopped when the held-out loss no longer fell)"
        } else if t.stopped_early {
            " (stopped on a plateau)"
        } else {
            ""
        },
        t.final_loss
    );
    for adjusted in &t.adjusted {
        eprintln!("  {adjusted}");
    }
    eprintln!("wrote '{}'", args.output.display());
}

/// The training flags every method shares, before they meet a method's
/// defaults (`fit` and `reflow` both have them).
pub(crate) struct TrainFlags {
    pub(crate) steps: Option<usize>,
    pub(crate) optimizer: Option<OptimizerConfig>,
    pub(crate) lr: Option<f64>,
    pub(crate) weight_decay: Option<f64>,
    pub(crate) schedule: Option<Schedule>,
    pub(crate) patience: Option<usize>,
    pub(crate) ema: Option<f64>,
}

/// The flags every method shares, laid over the method's training defaults.
pub(super) fn train_settings(args: &FitArgs, defaults: TrainConfig) -> anyhow::Result<TrainConfig> {
    let flags = TrainFlags {
        steps: args.steps,
        optimizer: args.optimizer,
        lr: args.lr,
        weight_decay: args.weight_decay,
        schedule: args.schedule,
        patience: args.patience,
        ema: args.ema,
    };
    flags.over(defaults)
}

impl TrainFlags {
    /// The flags given, laid over `defaults`.
    pub(crate) fn over(&self, defaults: TrainConfig) -> anyhow::Result<TrainConfig> {
        let optimizer = choose(defaults.optimizer, self.optimizer, self.lr, self.weight_decay)?;
        Ok(TrainConfig {
            steps: self.steps.unwrap_or(defaults.steps),
            optimizer,
            schedule: self.schedule.unwrap_or(defaults.schedule),
            patience: self.patience.unwrap_or(defaults.patience),
            ema: self.ema.unwrap_or(defaults.ema),
            ..defaults
        })
    }
}

fn flow_settings(args: &FitArgs, input: TableInput<'_>) -> anyhow::Result<FlowConfig> {
    let defaults = Model::default_settings(input, args.condition.as_deref());
    Ok(FlowConfig {
        coupling: args.coupling.unwrap_or(defaults.coupling),
        time_embedding: args.time_embedding.unwrap_or(defaults.time_embedding),
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        batch: args.batch.unwrap_or(defaults.batch),
        label_dropout: args.label_dropout.unwrap_or(defaults.label_dropout),
        train: train_settings(args, defaults.train)?,
        seed: args.seed,
    })
}

fn mmd_settings(args: &FitArgs) -> anyhow::Result<MmdConfig> {
    let defaults = MmdConfig::default();
    Ok(MmdConfig {
        hidden: args.hidden.clone().unwrap_or(defaults.hidden),
        activation: args.activation.unwrap_or(defaults.activation),
        noise_dim: args.noise_dim.unwrap_or(defaults.noise_dim),
        batch: args.batch.unwrap_or(defaults.batch),
        bandwidths: args.bandwidths.clone().unwrap_or(defaults.bandwidths),
        train: train_settings(args, defaults.train)?,
        seed: args.seed,
    })
}
