//! Build helper: `cargo xtask <task>`. Each task lives in its own module; `workspace` is what they
//! share (root, target dir, Rust targets).
use std::process::ExitCode;

mod embed;
mod policy;
mod web;
mod workspace;

const TASKS: &str = "www, serve [--port N] [--no-build] [--no-serve], policy, embed, target-dir";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("");
    let result: Result<(), String> = match task {
        "www" => web::www(),
        "serve" => web::serve(args.get(1..).unwrap_or_default()),
        "policy" => policy::run(args.get(1..).unwrap_or_default()),
        // For `.ci/` scripts: the target directory exactly as xtask and cargo see it.
        "target-dir" => workspace::Workspace::find().map(|ws| println!("{}", ws.target.display())),
        "embed" => embed::package(),
        _ => Err(format!("unknown task {task:?}; tasks: {TASKS}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}
