//! `pushforward generate SPEC`: spec in, rows out.

use crate::args::{Engine, GenerateArgs};
use crate::neural_engine;
use crate::output::{self, Plan};
use crate::paths::Paths;
use anyhow::Context;
use pushforward_stats::Spec;

pub(crate) fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let path = &args.spec;
    Paths::default()
        .input("SPEC", Some(path))
        .output("-o", args.sample.output.as_deref())
        .binary("--save-model", args.neural.save_model.as_deref())
        .plots("--plots", args.neural.plots.as_deref())
        .check()?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read spec '{}'", path.display()))?;
    let spec = Spec::from_toml(&text).with_context(|| format!("invalid spec '{}'", path.display()))?;
    for c in spec.columns.iter() {
        if let Some(limit) = c.marginal.limit() {
            eprintln!("note: column '{}' ({}): {limit}", c.name, c.marginal.family());
        }
    }
    let plan = Plan::new(&spec, &args.sample)?;
    match args.engine {
        Engine::Copula => {
            let sampler =
                output::fit(&spec, &args.sample).with_context(|| format!("spec '{}'", path.display()))?;
            output::write(&sampler, &plan, &args.sample)
        }
        Engine::Neural if spec.has_table_features() => anyhow::bail!(
            "spec '{}' has missing shares, fitted families or a latent correlation, which only the copula engine draws; \
             drop --engine neural",
            path.display()
        ),
        Engine::Neural => neural_engine::run(&spec, &text, &plan, &args)
            .with_context(|| format!("spec '{}'", path.display())),
    }
}
