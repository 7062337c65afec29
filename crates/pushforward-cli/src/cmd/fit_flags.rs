//! Which `fit` flags each method takes: one table, checked before any work.
//! A flag given to a method that does not take it is refused, naming the
//! methods it belongs to, so no flag is ever silently ignored. A method's
//! settings builder then reads only its own flags.

use crate::args::FitArgs;
use anyhow::bail;
use pushforward_neural::Method::{
    self, Copula, DualDivergence, FlowMatching, Gpa, Mmd, NormalizingFlow, Score, Wgan,
};

/// The methods that run an optimiser over their own network (the training
/// flags: steps, batch, optimiser, schedule, early stopping, averaging).
const TRAINED: &[Method] = &[FlowMatching, Mmd, Score, NormalizingFlow, Wgan];
/// The methods whose training steps `--steps` sets.
const STEPPED: &[Method] = &[FlowMatching, Mmd, Score, NormalizingFlow, Wgan, DualDivergence];
/// The methods that read a table by the roles of its columns (`--types`,
/// `--schema`); dual-divergence may cut its rows into windows first.
const ROLES: &[Method] = &[Copula, FlowMatching, Mmd, Score, NormalizingFlow, Gpa, Wgan];
/// The methods that draw diagnostic plots.
const PLOTTED: &[Method] = &[
    FlowMatching,
    Mmd,
    Score,
    NormalizingFlow,
    Gpa,
    Wgan,
    DualDivergence,
];

/// A method-specific flag: its name, whether it was given, and the methods
/// that take it.
type Row = (&'static str, bool, &'static [Method]);

/// Every method-specific flag of `fit`.
fn table(args: &FitArgs) -> Vec<Row> {
    let mut rows: Vec<Row> = vec![
        ("--condition", args.condition.is_some(), &[FlowMatching]),
        ("--coupling", args.coupling.is_some(), &[FlowMatching]),
        ("--label-dropout", args.label_dropout.is_some(), &[FlowMatching]),
        (
            "--time-embedding",
            args.time_embedding.is_some(),
            &[FlowMatching, Score],
        ),
        ("--bandwidths", args.bandwidths.is_some(), &[Mmd]),
        ("--noise-dim", args.noise_dim.is_some(), &[Mmd, Wgan]),
        ("--penalty", args.wgan.penalty.is_some(), &[Wgan]),
        ("--critic-hidden", args.wgan.critic_hidden.is_some(), &[Wgan]),
        ("--critic-lr", args.wgan.critic_lr.is_some(), &[Wgan]),
        ("--noise-levels", args.noise_levels.is_some(), &[Score]),
        ("--sigma-max", args.sigma_max.is_some(), &[Score]),
        ("--sigma-min", args.sigma_min.is_some(), &[Score]),
        ("--layers", args.layers.is_some(), &[NormalizingFlow]),
        ("--bins", args.bins.is_some(), &[NormalizingFlow]),
        ("--bound", args.bound.is_some(), &[NormalizingFlow]),
        ("--nodes", args.nodes.is_some(), &[NormalizingFlow]),
        ("--spline-1d", args.spline_1d, &[NormalizingFlow]),
        ("--steps", args.steps.is_some(), STEPPED),
        ("--batch", args.batch.is_some(), TRAINED),
        ("--optimizer", args.optimizer.is_some(), TRAINED),
        ("--weight-decay", args.weight_decay.is_some(), TRAINED),
        ("--schedule", args.schedule.is_some(), TRAINED),
        ("--patience", args.patience.is_some(), TRAINED),
        ("--validation", args.validation.is_some(), &[NormalizingFlow]),
        (
            "--validate-every",
            args.validate_every.is_some(),
            &[NormalizingFlow],
        ),
        ("--ema", args.ema.is_some(), TRAINED),
        ("--plots", args.plots.is_some(), PLOTTED),
        ("--types", args.types.is_some(), ROLES),
        ("--schema", args.schema.is_some(), ROLES),
        ("--split", args.split.is_some(), &[Copula]),
        ("--holdout", args.holdout.is_some(), &[Copula]),
        ("--emit-spec", args.emit_spec.is_some(), &[Copula]),
    ];
    let gpa = args
        .gpa
        .divergence
        .given()
        .into_iter()
        .chain(args.gpa.particles.given());
    rows.extend(gpa.map(|flag| (flag, true, critic_owners(flag))));
    rows.push(("--source-scale", args.gpa.source_scale.is_some(), &[Gpa]));
    rows.push(("--latent", args.gpa.latent.is_some(), &[Gpa]));
    let dual = args.series.given().into_iter().chain(args.dualdiv.given());
    rows.extend(dual.map(|flag| (flag, true, &[DualDivergence][..])));
    rows
}

/// The methods that take a discriminator flag: the Lipschitz constraint
/// also bounds the dual network of `dual-divergence`.
fn critic_owners(flag: &str) -> &'static [Method] {
    if super::fit_dualdiv::SHARED_CRITIC_FLAGS.contains(&flag) {
        &[Gpa, DualDivergence]
    } else if flag == "--critic-steps" {
        &[Gpa, Wgan]
    } else {
        &[Gpa]
    }
}

/// How a method is named in messages: the default by what it is, the
/// others by the flag that chooses them.
fn label(method: Method) -> String {
    match method {
        FlowMatching => "flow matching".to_owned(),
        other => format!("--method {}", other.name()),
    }
}

/// Refuses the flags given that `args.method` does not take, the first
/// group of flags with the same owners at a time.
pub(super) fn check(args: &FitArgs) -> anyhow::Result<()> {
    let wrong: Vec<(&str, &[Method])> = table(args)
        .into_iter()
        .filter(|(_, given, owners)| *given && !owners.contains(&args.method))
        .map(|(flag, _, owners)| (flag, owners))
        .collect();
    let Some(&(_, owners)) = wrong.first() else {
        return Ok(());
    };
    let flags: Vec<&str> = wrong
        .iter()
        .filter(|(_, o)| *o == owners)
        .map(|(flag, _)| *flag)
        .collect();
    let verb = if flags.len() == 1 { "applies" } else { "apply" };
    let owners: Vec<String> = owners.iter().map(|&m| label(m)).collect();
    let hint = if args.method == Gpa {
        " (--method gpa trains a discriminator set by --hidden, --activation and --lr, \
         and moves particles by --particle-steps, --critic-steps, --dt and --scheme)"
    } else {
        ""
    };
    bail!(
        "{} {verb} to {}, not to {}{hint}",
        flags.join(", "),
        owners.join(", "),
        label(args.method)
    )
}
