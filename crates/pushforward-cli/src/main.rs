//! The `pushforward` command-line tool: parse the arguments, run the
//! command, print any error with its context and exit non-zero.

mod args;
mod atomic;
mod cmd;
mod critic_settings;
mod evaluate_plots;
mod evaluate_summary;
mod fit_plots;
mod html;
mod html_report;
mod input;
mod interrupt;
mod neural_engine;
mod neural_plots;
mod optimizer_choice;
mod output;
mod paths;
mod points;
mod privacy_check;
mod progress;
mod report;
mod series;
mod series_scores;
mod shards;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    interrupt::install();
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
