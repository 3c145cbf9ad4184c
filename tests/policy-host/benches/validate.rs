//! Latency of `validate` in the wasmtime waPC host, for a Pod and a Deployment from
//! tests/fixtures/policy/, after warm-up: prints p50/p90/p99 per case. Needs `cargo xtask policy`.
//!
//! `cargo bench -p podgroups-policy-host --bench validate`

use podgroups_policy_host::{artifact, KubewardenPolicy, KUBEWARDEN_ARTIFACT};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const WARMUP: usize = 2_000;
const SAMPLES: usize = 20_000;

fn main() -> Result<(), String> {
    let path = artifact(KUBEWARDEN_ARTIFACT)?;
    let policy = KubewardenPolicy::load(&path)?;
    let instance = policy.instance()?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/policy");
    let settings = json!({"run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}});
    println!(
        "artifact: {} ({} bytes)",
        path.display(),
        std::fs::metadata(&path).map_err(|e| e.to_string())?.len()
    );
    for (case, file) in [
        ("Pod (mutated)", "pod-create-bare.json"),
        ("Deployment (mutated)", "deployment-create-bare.json"),
        ("Pod (accepted as is)", "pod-create-strict-in-range.json"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let review: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        let payload = json!({"request": review["request"], "settings": settings}).to_string();
        for _ in 0..WARMUP {
            instance.call("validate", payload.as_bytes())?;
        }
        let mut times: Vec<Duration> = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let start = Instant::now();
            let out = instance.call("validate", payload.as_bytes())?;
            times.push(start.elapsed());
            std::hint::black_box(out);
        }
        times.sort();
        let pct = |p: usize| times.get(SAMPLES * p / 100).copied().unwrap_or_default();
        println!(
            "validate {case:<22} payload {:>5} B  p50 {:>7.1} µs  p90 {:>7.1} µs  p99 {:>7.1} µs",
            payload.len(),
            pct(50).as_secs_f64() * 1e6,
            pct(90).as_secs_f64() * 1e6,
            pct(99).as_secs_f64() * 1e6
        );
    }
    Ok(())
}
