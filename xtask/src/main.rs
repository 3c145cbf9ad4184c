//! Build helper: `cargo xtask <task>`. Each task lives in its own module.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("");
    let result: Result<(), String> = match task {
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
