//! `pushforward transport SOURCE TARGET -o moved.csv`: particles moved
//! toward a target sample by a Lipschitz discriminator's gradient, with
//! optional plots of snapshots and of the per-step record.

use crate::args::TransportArgs;
use crate::critic_settings::{NetworkFlags, critic_settings, transport_settings};
use crate::output::resolve_target;
use crate::paths::Paths;
use crate::points::Points;
use crate::progress::Steps;
use anyhow::{Context, bail};
use pushforward_io::{Output, open_sink};
use pushforward_neural::gpa::{GpaConfig, Transported, gaussian_source, memorisation_share, transport};
use pushforward_plot::{LossCurve, loss_curve, scatter_matrix};
use std::path::Path;
use std::time::Instant;

/// A particle copies a target when it lies within this fraction of the
/// targets' median nearest-neighbour spacing.
const COPY_FRACTION: f64 = 0.1;

pub(crate) fn run(args: TransportArgs) -> anyhow::Result<()> {
    let source_file = (!args.source.starts_with("gaussian:")).then(|| Path::new(&args.source));
    Paths::default()
        .input("SOURCE", source_file)
        .input("TARGET", Some(&args.target))
        .output("-o", Some(&args.output))
        .plots("--plots", args.plots.as_deref())
        .check()?;
    let config = settings(&args)?;
    let (target_out, format) = resolve_target(Some(&args.output), args.format)?;
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the plot directory '{}'", dir.display()))?;
    }
    let target = Points::read(&args.target, "target")?;
    let d = target.dim();
    let source = match args.source.strip_prefix("gaussian:") {
        Some(scale) => {
            let scale: f64 = scale
                .parse()
                .ok()
                .filter(|s: &f64| *s > 0.0 && s.is_finite())
                .with_context(|| {
                    format!(
                        "'{}': the scale after 'gaussian:' must be a positive number",
                        args.source
                    )
                })?;
            let m = args.particles.unwrap_or(target.rows);
            if m == 0 {
                bail!("--particles 0: the transport needs at least one particle");
            }
            gaussian_source(m, d, scale, args.critic.seed)
        }
        None => {
            if args.particles.is_some() {
                bail!("--particles applies to a gaussian:SCALE source; a table source moves all its rows");
            }
            let source = Points::read(Path::new(&args.source), "source")?;
            target.check_same_columns(&source, &format!("the source '{}'", args.source))?;
            source.values
        }
    };
    let m = source.len() / d;
    let snapshot_every = match &args.plots {
        Some(_) => config.outer_steps.div_ceil(args.snapshots.max(1)),
        None => 0,
    };
    let bar = Steps::training(args.critic.quiet);
    let started = Instant::now();
    let moved = transport(
        &source,
        &target.values,
        d,
        &config,
        args.critic.seed,
        snapshot_every,
        &bar,
    )
    .with_context(|| {
        format!(
            "cannot transport '{}' to '{}'",
            args.source,
            args.target.display()
        )
    })?;
    let mut sink = open_sink(&target_out, format)?;
    sink.write(&Points::table(&target.names, &moved.particles)?)?;
    sink.finish().context("could not complete the output")?;
    summary(&moved, m, &target, started.elapsed().as_secs_f64());
    if let Output::File(p) = &target_out {
        eprintln!("wrote {m} particles to '{}'", p.display());
    }
    if let Some(dir) = &args.plots {
        plots(dir, &target, &moved)
            .with_context(|| format!("cannot write plots into '{}'", dir.display()))?;
        eprintln!("wrote plots into '{}'", dir.display());
    }
    Ok(())
}

/// The library's defaults with the flags given.
fn settings(args: &TransportArgs) -> anyhow::Result<GpaConfig> {
    let critic = &args.critic;
    let network = NetworkFlags {
        hidden: critic.hidden.as_ref(),
        activation: critic.activation,
        lr: critic.lr,
    };
    let critic = critic_settings(&critic.divergence, network, GpaConfig::default().critic)?;
    transport_settings(&args.steps, critic)
}

/// The report of a finished transport on standard error.
fn summary(moved: &Transported, m: usize, target: &Points, seconds: f64) {
    let last = |name: &str| {
        moved
            .record
            .term(name)
            .and_then(|v| v.last().copied())
            .unwrap_or(f64::NAN)
    };
    eprintln!(
        "moved {m} particles toward {} targets in {} steps ({seconds:.2} s): divergence estimate {:.4}, \
         mean speed {:.4}, kinetic energy {:.4} at the last step",
        target.rows,
        moved.record.steps.len(),
        moved.record.loss.last().copied().unwrap_or(f64::NAN),
        last("mean_speed"),
        last("kinetic_energy"),
    );
    if m >= target.rows
        && let Some(copies) =
            memorisation_share(&moved.particles, &target.values, target.dim(), COPY_FRACTION)
    {
        eprintln!(
            "memorisation: {:.1}% of the particles lie within {:.3} of a target \
             (a tenth of the targets' median spacing)",
            100.0 * copies.share,
            copies.radius
        );
    }
}

/// Snapshots against the target, and the per-step record.
fn plots(dir: &Path, target: &Points, moved: &Transported) -> anyhow::Result<()> {
    let d = target.dim();
    let columns = |values: &[f32]| (0..d).map(|k| Points::column(values, d, k)).collect::<Vec<_>>();
    let target_columns = columns(&target.values);
    for (step, particles) in &moved.snapshots {
        scatter_matrix(
            &dir.join(format!("particles_{step:05}.png")),
            &target.names,
            ("target", &target_columns),
            (&format!("particles, step {step}"), &columns(particles)),
        )?;
    }
    let record = &moved.record;
    let term = |name: &str| record.term(name).unwrap_or_default();
    loss_curve(
        &dir.join("transport.png"),
        &LossCurve {
            title: "particle transport",
            steps: &record.steps,
            series: &[
                ("divergence estimate", &record.loss),
                ("kinetic energy", term("kinetic_energy")),
                ("mean speed", term("mean_speed")),
            ],
        },
    )?;
    Ok(())
}
