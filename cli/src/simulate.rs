//! `podgroups simulate --scenario FILE`: a stable, scriptable interface in the vectors' format.

use crate::args::SimulateArgs;
use crate::input::{describe, read_text};
use podgroups_core::scenario::{simulate, Scenario};
use std::process::ExitCode;

/// Prints one JSON object; exit 0 whenever the simulation ran, whatever it predicts.
pub fn run(a: &SimulateArgs) -> Result<ExitCode, String> {
    let name = a.scenario.display().to_string();
    let text = read_text(&a.scenario)?;
    let scenario = Scenario::from_yaml(&text).map_err(|e| describe(&name, &e))?;
    let sim = simulate(&scenario).map_err(|e| describe(&name, &e))?;
    println!("{}", serde_json::to_string_pretty(&sim).map_err(|e| e.to_string())?);
    Ok(ExitCode::SUCCESS)
}
