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
mod panic_report;
mod pipeline;
mod postprocess;
mod progress;
mod publish;
mod report;
mod rule_select;
mod stages;
mod summary;
mod version;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::args::{Cli, Command};

/// A scan allocates millions of small strings and nodes from several threads; mimalloc spends
/// less CPU on them and holds less memory than glibc's arenas (figures in the README). The
/// wrapper counts what each policy evaluation holds, so that a policy building gigabytes is
/// stopped at its memory budget (`tollgate_alloc`).
#[global_allocator]
static GLOBAL: tollgate_alloc::Counting<mimalloc::MiMalloc> =
    tollgate_alloc::Counting(mimalloc::MiMalloc);

/// Parse the command line. The long version text (rule catalog, advisory database) costs a
/// catalog load, so it is only built when a version flag is on the command line.
fn parse() -> Cli {
    let asks_version = std::env::args_os().any(|a| a == "--version" || a == "-V");
    // clap keeps version strings as `&'static str`; each is built once per process.
    let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
    let mut command = Cli::command().version(leak(version::short()));
    if asks_version {
        let rules = pipeline::all_rules();
        let cache = tollgate_deps::default_cache_dir();
        let long = leak(version::long(&rules, cache.as_deref()));
        command = command.version(long).long_version(long);
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

fn main() -> ExitCode {
    // Before any thread starts (see the function).
    tollgate_alloc::purge_freed_memory_soon();
    panic_report::install();
    let cli = parse();
    let (verbose, quiet) = match &cli.command {
        Command::Run(run) => (run.verbose, run.quiet),
        Command::Merge(merge) => (merge.verbose, false),
        Command::Post(post) => (post.verbose, false),
        Command::Report(report) => (report.verbose, false),
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
        Command::Report(args) => commands::report::run(args),
        Command::Policy(command) => commands::policy::run(command),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "tollgate", &mut script);
            output::print_stdout(&String::from_utf8_lossy(&script));
            Ok(0)
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // An error can quote a scanned file or a tool's output.
            eprintln!(
                "error: {}",
                tollgate_core::display::visible(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}
