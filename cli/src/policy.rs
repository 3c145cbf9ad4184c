//! `podgroups policy emit vap|map|gatekeeper|kyverno [--settings FILE]`: the admission policy's rules
//! as resources for engines that cannot load its Wasm module (`podgroups_policy::emit`).

use crate::args::{EmitForm, PolicyArgs, PolicyCommand};
use podgroups_policy::emit::{emit, limits, Form};
use podgroups_policy::Settings;
use serde_json::Value;
use std::process::ExitCode;

pub fn run(args: &PolicyArgs) -> Result<ExitCode, String> {
    let PolicyCommand::Emit(args) = &args.command;
    let settings = match &args.settings {
        None => Settings::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let value: Value = serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            Settings::from_json(&value).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    let form = match args.form {
        EmitForm::Vap => Form::Vap,
        EmitForm::Map => Form::Map,
        EmitForm::Gatekeeper => Form::Gatekeeper,
        EmitForm::Kyverno => Form::Kyverno,
    };
    let mut out = format!(
        "# podgroups policy emit {}: generated from the policy's settings.\n",
        form.name()
    );
    for limit in limits() {
        out.push_str(&format!("# - {limit}\n"));
    }
    for doc in emit(form, &settings) {
        let yaml = serde_saphyr::to_string(&doc).map_err(|e| format!("cannot write YAML: {e}"))?;
        out.push_str("---\n");
        out.push_str(&yaml);
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
