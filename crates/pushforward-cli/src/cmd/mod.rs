//! One module per subcommand, each with `run(args) -> anyhow::Result<()>`.

mod augment;
mod demo;
mod divergence;
mod evaluate;
mod fit;
mod fit_copula;
mod fit_dualdiv;
mod fit_flags;
mod fit_flow;
mod fit_gpa;
mod fit_roles;
mod fit_score;
mod fit_wgan;
mod generate;
mod likelihood;
mod reflow;
mod report;
mod rosenbrock;
mod sample;
mod spec;
mod survey;
mod toy;
mod transport;

use crate::args::{Cli, Command};

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Generate(args) => generate::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Spec(args) => spec::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Report(args) => report::run(args),
        Command::Toy(args) => toy::run(args),
        Command::Fit(args) => fit::run(*args),
        Command::Sample(args) => sample::run(args),
        Command::Likelihood(args) => likelihood::run(args),
        Command::Reflow(args) => reflow::run(args),
        Command::Divergence(args) => divergence::run(args),
        Command::Transport(args) => transport::run(args),
        Command::Augment(args) => augment::run(args),
    }
}
