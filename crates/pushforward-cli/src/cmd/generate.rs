//! `pushforward generate SPEC`: spec in, rows out (all of them, one part
//! with `--shard`, or a directory of parts with `--parts`).

use crate::args::{Engine, GenerateArgs};
use crate::neural_engine;
use crate::output::{self, Plan};
use crate::paths::Paths;
use crate::shards::{self, Job};
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
    if args.shards.given() {
        if args.engine == Engine::Neural {
            anyhow::bail!(
                "--shard and --parts need the copula engine, whose blocks of rows are drawn independently; \
                 the neural engine draws one stream"
            );
        }
        let sampler =
            output::fit(&spec, &args.sample).with_context(|| format!("spec '{}'", path.display()))?;
        let (rows, seed) = output::rows_and_seed(&spec, &args.sample);
        let job = Job {
            rows,
            seed,
            output: args.sample.output.as_deref(),
            format: args.sample.format,
            quiet: args.sample.quiet,
        };
        return shards::write(&sampler, &args.shards, &job);
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
