//! Build helper: `cargo xtask <task>`. Each task lives in its own module.
use std::process::ExitCode;

mod policy;
mod web;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("");
    let result: Result<(), String> = match task {
        "www" => web::www(),
        "serve" => web::serve(args.get(1..).unwrap_or_default()),
        "policy" => policy::run(args.get(1..).unwrap_or_default()),
        _ => Err(format!("unknown task {task:?}; tasks: (none yet)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}
