//! `podgroups` — which groups will my container's process really have?
//!
//! Exit codes: 0 the command ran; 1 `--check` found a container that gets groups no manifest names,
//! or that Kubernetes would refuse; 2 unusable input or arguments.

mod args;
mod default_example;
mod explain;
mod image;
mod input;
mod render;
mod simulate;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Explain(a) => explain::run(&a),
        args::Command::Simulate(a) => simulate::run(&a),
        args::Command::Fix(a) => explain::fix(&a),
        args::Command::Image(a) => image::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("podgroups: error: {message}");
            ExitCode::from(2)
        }
    }
}
