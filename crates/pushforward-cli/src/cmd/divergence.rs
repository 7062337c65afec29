//! `pushforward divergence P Q`: a discriminator's estimate of D(P||Q).

use crate::args::DivergenceArgs;
use crate::atomic;
use crate::critic_settings::{NetworkFlags, critic_settings};
use crate::paths::Paths;
use crate::points::Points;
use crate::progress::Steps;
use anyhow::Context;
use pushforward_neural::divergence::{DivergenceConfig, Family, estimate};
use std::io::Write;
use std::path::Path;

pub(crate) fn run(args: DivergenceArgs) -> anyhow::Result<()> {
    Paths::default()
        .input("P", Some(&args.p))
        .input("Q", Some(&args.q))
        .output("--json", args.json.as_deref())
        .check()?;
    let defaults = DivergenceConfig::default();
    let config = DivergenceConfig {
        critic: critic_settings(
            &args.critic.divergence,
            NetworkFlags {
                hidden: args.critic.hidden.as_ref(),
                activation: args.critic.activation,
                lr: args.critic.lr,
            },
            defaults.critic,
        )?,
        steps: args.steps.unwrap_or(defaults.steps),
    };
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    if let Some(json) = args.json.as_deref().filter(|_| !json_to_stdout) {
        atomic::check_parent(json).context("cannot write the JSON report")?;
    }
    let p = Points::read(&args.p, "first (P)")?;
    let q = Points::read(&args.q, "second (Q)")?;
    p.check_same_columns(&q, &format!("'{}'", args.q.display()))?;
    let bar = Steps::training(args.critic.quiet);
    let est =
        estimate(&p.values, &q.values, p.dim(), &config, args.critic.seed, &bar).with_context(|| {
            format!(
                "cannot estimate the divergence of '{}' from '{}'",
                args.p.display(),
                args.q.display()
            )
        })?;
    let name = match est.family {
        Family::Alpha { alpha } => format!("alpha={alpha}"),
        f => f.name().to_owned(),
    };
    let constraint = est
        .lipschitz
        .map_or("unconstrained".to_owned(), |l| format!("{l}-Lipschitz"));
    eprintln!(
        "D_{name}(P||Q), {constraint} discriminator, {} steps, {} x {} points in {} dimensions:",
        est.steps,
        p.rows,
        q.rows,
        p.dim()
    );
    let json = serde_json::to_string_pretty(&est).context("cannot serialise the estimate")?;
    let mut out = std::io::stdout().lock();
    if json_to_stdout {
        writeln!(out, "{json}").context("cannot write the JSON to standard output")?;
    } else {
        writeln!(out, "{}", est.value).context("cannot write to standard output")?;
        if let Some(path) = &args.json {
            atomic::write(path, format!("{json}\n").as_bytes())?;
        }
    }
    Ok(())
}
