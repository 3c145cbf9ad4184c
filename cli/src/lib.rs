//! `podgroups` — which groups will my container's process really have?
//!
//! The command's code, shared by its two binaries: `podgroups` and `kubectl-podgroups` (the same
//! command under the name kubectl's plugin lookup finds). The library's only item is [`run`].
//!
//! Exit codes: 0 the command ran; 1 `--check` found a container that gets groups no manifest names,
//! or that Kubernetes would refuse; 2 unusable input or arguments.

mod archives;
mod args;
mod audit;
mod default_example;
mod docs;
mod explain;
mod fix;
mod image;
mod input;
mod policy;
mod registry;
mod render;
mod simulate;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// Runs the command; `bin_name` is how usage and completions name it (`kubectl podgroups` for the
/// kubectl plugin binary).
pub fn run(bin_name: &str) -> ExitCode {
    let matches = args::Cli::command().bin_name(bin_name).get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        args::Command::Explain(a) => explain::run(&a),
        args::Command::Simulate(a) => simulate::run(&a),
        args::Command::Fix(a) => fix::run(&a),
        args::Command::Image(a) => image::run(&a),
        args::Command::Audit(a) => audit::run(&a),
        args::Command::Completions(a) => docs::completions(&a, bin_name),
        args::Command::Man => docs::man(),
        args::Command::Policy(a) => policy::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("podgroups: error: {message}");
            ExitCode::from(2)
        }
    }
}
