//! `podgroups policy emit vap|map|gatekeeper|kyverno [--settings FILE]`: the admission policy's rules
//! as resources for engines that cannot load its Wasm module (`podgroups_policy::emit`).

use clap::{Args, Subcommand, ValueEnum};
use podgroups_policy::emit::{emit, Form, LIMITS};
use podgroups_policy::Settings;
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Print ready-to-apply resources that enforce supplementalGroupsPolicy: Strict and the range rules.
    Emit(EmitArgs),
}

#[derive(Args)]
pub struct EmitArgs {
    /// vap: ValidatingAdmissionPolicy + binding (Kubernetes 1.30+); map: MutatingAdmissionPolicy that
    /// sets Strict (1.34 beta); gatekeeper: ConstraintTemplate (CEL) + constraint + Assign mutators;
    /// kyverno: ClusterPolicy.
    #[arg(value_enum)]
    pub form: EmitForm,
    /// The policy's settings (YAML or JSON, the same keys as the Wasm policy's settings).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmitForm {
    Vap,
    Map,
    Gatekeeper,
    Kyverno,
}

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
    for limit in LIMITS {
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
