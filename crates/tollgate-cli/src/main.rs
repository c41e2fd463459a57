//! `tollgate`: runs security stages against a repository, writes one SARIF log, gates the build.
//! Exit codes: 0 clean, 1 a finding at or above `--fail-on`, 2 the tool itself failed.

mod args;
mod baseline;
mod commands;
mod diff_base;
mod external;
mod gate;
mod logging;
mod output;
mod pipeline;
mod postprocess;
mod progress;
mod publish;
mod report;
mod stages;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (verbose, quiet) = match &cli.command {
        Command::Run(run) => (run.verbose, run.quiet),
        Command::Merge(merge) => (merge.verbose, false),
        Command::Post(post) => (post.verbose, false),
        _ => (0, false),
    };
    logging::init(verbose, quiet);
    let outcome = match &cli.command {
        Command::Run(args) => commands::run::run(args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Rules(args) => commands::rules::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Db(command) => commands::db::run(command),
        Command::Post(args) => commands::post::run(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
