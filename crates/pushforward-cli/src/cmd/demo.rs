//! `pushforward demo`: the main job on a built-in spec, with a check of the
//! result printed as a table; `demo rosenbrock` runs the optimisers instead,
//! `demo survey` the generative families on a 1-D mixture.

use crate::args::{DemoArgs, DemoExample};
use crate::cmd::{rosenbrock, survey};
use crate::output::{self, Plan};
use crate::report;
use anyhow::{Context, bail};
use pushforward_stats::Spec;
use std::time::Instant;

/// The most memory the demo's rows may take: it checks them all at once.
const CHECK_BYTES: u64 = 4 << 30;

/// The twelve marginals of the joint-distribution seed with a feasible target.
const DEMO: &str = include_str!("../../../../examples/demo.toml");

pub(crate) fn run(args: DemoArgs) -> anyhow::Result<()> {
    match args.example {
        Some(DemoExample::Rosenbrock(args)) => return rosenbrock::run(&args),
        Some(DemoExample::Survey(args)) => return survey::run(&args),
        None => {}
    }
    let spec = Spec::from_toml(DEMO).context("built-in demo spec")?;
    let plan = Plan::new(&spec, &args.sample)?;
    let bytes = plan.rows.saturating_mul(spec.columns.len() as u64 * 8);
    if bytes > CHECK_BYTES {
        bail!(
            "-n {}: the demo holds every row in memory to check it ({:.0} GiB); pass at most {} \
             rows, or stream any count with `pushforward generate examples/demo.toml -n {} -o FILE`",
            plan.rows,
            bytes as f64 / f64::from(1u32 << 30),
            CHECK_BYTES / (spec.columns.len() as u64 * 8),
            plan.rows
        );
    }
    let start = Instant::now();
    let sampler = output::fit(&spec, &args.sample)?;
    let fit_time = start.elapsed();
    let start = Instant::now();
    let table = sampler.sample(plan.rows, plan.seed);
    let gen_time = start.elapsed();
    eprintln!(
        "demo: {} rows x {} columns, seed {}; copula fit {:.3} s, generation {:.3} s",
        plan.rows,
        spec.columns.len(),
        plan.seed,
        fit_time.as_secs_f64(),
        gen_time.as_secs_f64()
    );
    report::print_check(&spec, &table);
    if args.sample.output.is_some() {
        output::write(&sampler, &plan, &args.sample)?;
    }
    Ok(())
}
