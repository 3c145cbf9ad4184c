//! Latency of `validate` in the wasmtime waPC host (the stack of Kubewarden's policy-server), for a Pod
//! and a 3-container Deployment that the policy mutates to Strict and the same two already Strict
//! (accept only), plus the cost of a fresh instance (policy-server makes one per request).
//!
//! With `PODGROUPS_POLICY_BASE` naming a previous `podgroups-policy.wasm` (or a folder holding one),
//! both modules are loaded in one host and called in turn, one call each, 3,000 calls per case and
//! module, three runs; first each case is checked to get the same answer (accepted, and the same JSON
//! patch) from both. Without it, this artifact alone is measured. Needs `cargo xtask policy`.
//!
//! `PODGROUPS_POLICY_BASE=/path/to/old cargo bench -p podgroups-policy-host --bench validate`

use podgroups_policy_host::{artifact, base_artifact, bench_requests, report, KubewardenPolicy, KUBEWARDEN_ARTIFACT};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;

const CALLS: usize = 3_000;
const RUNS: usize = 3;
const WARMUP: usize = 300;
const INSTANCES: usize = 1_000;

struct Module {
    label: &'static str,
    path: PathBuf,
    policy: KubewardenPolicy,
}

fn main() -> Result<(), String> {
    let mut modules = vec![load("new", artifact(KUBEWARDEN_ARTIFACT)?)?];
    if let Some(path) = base_artifact(KUBEWARDEN_ARTIFACT) {
        modules.push(load("base", path)?);
    }
    for m in &modules {
        let size = std::fs::metadata(&m.path)
            .map_err(|e| format!("{}: {e}", m.path.display()))?
            .len();
        println!("{:<4} {} ({size} bytes)", m.label, m.path.display());
    }
    let cases = cases()?;
    for (case, payload) in &cases {
        same_answer(&modules, case, payload)?;
    }
    for run in 1..=RUNS {
        println!("run {run}/{RUNS}: validate, {CALLS} calls per case and module, interleaved");
        for (case, payload) in &cases {
            validate(&modules, case, payload)?;
        }
        instantiate(&modules)?;
    }
    Ok(())
}

fn load(label: &'static str, path: PathBuf) -> Result<Module, String> {
    let policy = KubewardenPolicy::load(&path)?;
    Ok(Module { label, path, policy })
}

/// The four requests, as the policy-server sends them (`{"request", "settings"}`).
fn cases() -> Result<Vec<(&'static str, String)>, String> {
    let (requests, settings) = bench_requests()?;
    let payload = |request: Value| json!({"request": request, "settings": settings}).to_string();
    Ok(requests.into_iter().map(|(case, r)| (case, payload(r))).collect())
}

/// Every module accepts the case the same way and mutates it into the same object (compared as the
/// JSON patch the policy-server would send).
fn same_answer(modules: &[Module], case: &str, payload: &str) -> Result<(), String> {
    let request: Value = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    let object = &request["request"]["object"];
    let mut answers = Vec::new();
    for m in modules {
        let answer = m.policy.instance()?.call_json("validate", payload.as_bytes())?;
        let patch = match answer.get("mutated_object") {
            Some(mutated) if !mutated.is_null() => serde_json::to_value(json_patch::diff(object, mutated)),
            _ => Ok(Value::Null),
        }
        .map_err(|e| e.to_string())?;
        answers.push((answer["accepted"].clone(), patch));
    }
    if answers.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!("{case}: the modules answer differently: {answers:?}"));
    }
    let (accepted, patch) = &answers[0];
    println!("{case:<24} accepted {accepted}, patch {patch}");
    Ok(())
}

fn validate(modules: &[Module], case: &str, payload: &str) -> Result<(), String> {
    let instances = modules
        .iter()
        .map(|m| m.policy.instance())
        .collect::<Result<Vec<_>, _>>()?;
    for _ in 0..WARMUP {
        for i in &instances {
            i.call("validate", payload.as_bytes())?;
        }
    }
    let mut times = vec![Vec::with_capacity(CALLS); modules.len()];
    for _ in 0..CALLS {
        for (i, t) in instances.iter().zip(&mut times) {
            let start = Instant::now();
            let out = i.call("validate", payload.as_bytes())?;
            t.push(start.elapsed());
            std::hint::black_box(out);
        }
    }
    let labels: Vec<&str> = modules.iter().map(|m| m.label).collect();
    report(&format!("validate {case} ({} B)", payload.len()), &labels, times);
    Ok(())
}

/// A fresh instance as policy-server makes per request: instantiation plus the guest's init.
fn instantiate(modules: &[Module]) -> Result<(), String> {
    let mut times = vec![Vec::with_capacity(INSTANCES); modules.len()];
    for _ in 0..INSTANCES {
        for (m, t) in modules.iter().zip(&mut times) {
            let start = Instant::now();
            let instance = m.policy.instance()?;
            t.push(start.elapsed());
            drop(instance);
        }
    }
    let labels: Vec<&str> = modules.iter().map(|m| m.label).collect();
    report("instantiate + init", &labels, times);
    Ok(())
}
