//! A waPC host for the built Kubewarden artifact, made of the same crates as Kubewarden's
//! policy-server (`wapc` + `wasmtime-provider`), so the host tests and the benchmark exercise the
//! module exactly as a cluster would: `protocol_version`, `validate_settings`, `validate`, and the
//! guest's `kubewarden/tracing/log` host calls.
//!
//! The artifacts come from `cargo xtask policy`; [`artifact`] finds them.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wapc::WapcHost;
use wasmtime_provider::{WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

/// File names written by `cargo xtask policy` into `<target dir>/policy/`.
pub const KUBEWARDEN_ARTIFACT: &str = "podgroups-policy.wasm";
pub const OPA_ARTIFACT: &str = "podgroups-policy-opa.wasm";

/// Finds a built artifact: `$PODGROUPS_POLICY_DIR/<name>`, else `<target dir>/policy/<name>` where the
/// target dir is the one holding this test binary (so `CARGO_TARGET_DIR` is honoured).
pub fn artifact(name: &str) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("PODGROUPS_POLICY_DIR") {
        let path = Path::new(&dir).join(name);
        return path.is_file().then_some(path.clone()).ok_or_else(|| {
            format!(
                "{} does not exist (PODGROUPS_POLICY_DIR); run `cargo xtask policy` first",
                path.display()
            )
        });
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the test binary: {e}"))?;
    exe.ancestors()
        .map(|dir| dir.join("policy").join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!("{name} not found in a policy/ folder above {}; run `cargo xtask policy` first (it writes <target dir>/policy/)", exe.display())
        })
}

/// A compiled Kubewarden module, ready to make fresh instances cheaply.
pub struct KubewardenPolicy {
    pre: WasmtimeEngineProviderPre,
}

/// One instance, as the policy-server keeps per worker; records the guest's log events.
pub struct Instance {
    host: WapcHost,
    logs: Arc<Mutex<Vec<Value>>>,
}

impl KubewardenPolicy {
    pub fn load(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let pre = WasmtimeEngineProviderBuilder::new()
            .module_bytes(&bytes)
            .build_pre()
            .map_err(|e| format!("wasmtime cannot compile {}: {e}", path.display()))?;
        Ok(KubewardenPolicy { pre })
    }

    pub fn instance(&self) -> Result<Instance, String> {
        self.instance_with_image_configs(Value::Null)
    }

    /// An instance whose host answers Kubewarden's `oci/v1/oci_manifest_config` capability from
    /// `configs` (`{"<image>": {"manifest", "digest", "config"}}`), as the policy-server answers it
    /// from the registry; an image not in the table gets the error a missing manifest would give.
    pub fn instance_with_image_configs(&self, configs: Value) -> Result<Instance, String> {
        let engine = self
            .pre
            .rehydrate(None)
            .map_err(|e| format!("cannot instantiate: {e}"))?;
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        // The SDK's logger sends ("kubewarden", "tracing", "log"); refusing it would make the guest
        // panic, so it is answered with an empty Ok like the policy-server does.
        let callback = move |_id: u64, binding: &str, namespace: &str, operation: &str, payload: &[u8]| {
            if (binding, namespace, operation) == ("kubewarden", "tracing", "log") {
                let event =
                    serde_json::from_slice(payload).unwrap_or_else(|_| Value::from(String::from_utf8_lossy(payload)));
                if let Ok(mut logs) = sink.lock() {
                    logs.push(event);
                }
                return Ok(Vec::new());
            }
            if (binding, namespace, operation) == ("kubewarden", "oci", "v1/oci_manifest_config") {
                let image: String = serde_json::from_slice(payload).map_err(|e| format!("bad image request: {e}"))?;
                return match configs.get(&image) {
                    Some(answer) => Ok(answer.to_string().into_bytes()),
                    None => Err(format!("{image}: manifest unknown").into()),
                };
            }
            Err(format!("host call {binding}/{namespace}/{operation} is not provided by this host").into())
        };
        let host =
            WapcHost::new(Box::new(engine), Some(Box::new(callback))).map_err(|e| format!("waPC init failed: {e}"))?;
        Ok(Instance { host, logs })
    }
}

impl Instance {
    /// Calls a waPC function with a raw payload.
    pub fn call(&self, operation: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        self.host
            .call(operation, payload)
            .map_err(|e| format!("{operation} failed: {e}"))
    }

    /// Calls a waPC function and parses its JSON answer.
    pub fn call_json(&self, operation: &str, payload: &[u8]) -> Result<Value, String> {
        let out = self.call(operation, payload)?;
        serde_json::from_slice(&out)
            .map_err(|e| format!("{operation} answered non-JSON ({e}): {}", String::from_utf8_lossy(&out)))
    }

    /// `validate` with the payload the policy-server builds: `{"request": ..., "settings": ...}`.
    pub fn validate(&self, request: &Value, settings: &Value) -> Result<Value, String> {
        let payload = json!({"request": request, "settings": settings});
        self.call_json("validate", payload.to_string().as_bytes())
    }

    /// Log events the guest sent since the instance was made.
    pub fn logs(&self) -> Vec<Value> {
        self.logs.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// Named AdmissionRequests (`request` of an AdmissionReview).
pub type NamedRequests = Vec<(&'static str, Value)>;

/// The benchmarks' four AdmissionRequests and their settings: a Pod and a 3-container Deployment from
/// `tests/fixtures/policy/` that the policy mutates to Strict, and the same two already Strict with
/// every value in range (accepted as they are).
pub fn bench_requests() -> Result<(NamedRequests, Value), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/policy");
    let read = |file: &str| -> Result<Value, String> {
        let text = std::fs::read_to_string(root.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let review: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        Ok(review["request"].clone())
    };
    let pod = read("pod-create-bare.json")?;
    let mut deployment = read("deployment-create-bare.json")?;
    // Three containers: the fixture's, a proxy and a log shipper.
    let spec = &mut deployment["object"]["spec"]["template"]["spec"];
    let first = spec["containers"][0].clone();
    spec["containers"] = ["web", "proxy", "logs"]
        .iter()
        .map(|name| {
            let mut c = first.clone();
            c["name"] = json!(name);
            c["image"] = json!(format!("ghcr.io/acme/{name}:1.4.2"));
            c
        })
        .collect();
    let strict = |mut request: Value, pointer: &str| {
        if let Some(spec) = request.pointer_mut(pointer) {
            spec["securityContext"] =
                json!({"runAsUser": 1000, "runAsGroup": 1500, "supplementalGroupsPolicy": "Strict"});
        }
        request
    };
    let settings = json!({"run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}});
    let requests = vec![
        ("Pod, mutated", pod.clone()),
        ("Deployment x3, mutated", deployment.clone()),
        ("Pod, Strict", strict(pod, "/object/spec")),
        (
            "Deployment x3, Strict",
            strict(deployment, "/object/spec/template/spec"),
        ),
    ];
    Ok((requests, settings))
}

/// Prints p50/p99 per module label for one measured case, and the ratio of the first two p50s.
pub fn report(what: &str, labels: &[&str], mut times: Vec<Vec<std::time::Duration>>) {
    let mut p50s = Vec::new();
    for (label, t) in labels.iter().zip(&mut times) {
        t.sort();
        let pct = |p: usize| t.get(t.len() * p / 100).copied().unwrap_or_default().as_secs_f64() * 1e6;
        println!(
            "  {what:<48} {label:<4} p50 {:>7.1} µs  p99 {:>7.1} µs",
            pct(50),
            pct(99)
        );
        p50s.push(pct(50));
    }
    if let [new, base] = p50s[..] {
        println!("  {what:<48} p50 new/base {:.2}", new / base);
    }
}

/// The previous artifact to compare with: `$PODGROUPS_POLICY_BASE`, a `.wasm` file or a folder holding
/// `name`; `None` (and a line saying so) when it is not set.
pub fn base_artifact(name: &str) -> Option<PathBuf> {
    match std::env::var_os("PODGROUPS_POLICY_BASE") {
        Some(base) => {
            let base = PathBuf::from(base);
            Some(if base.is_dir() { base.join(name) } else { base })
        }
        None => {
            println!(
                "PODGROUPS_POLICY_BASE is not set: measuring this artifact only; set it to the previous \
                 {name} (or its folder) to compare"
            );
            None
        }
    }
}
