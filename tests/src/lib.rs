//! Shared helpers for the conformance and end-to-end tests: where `shared/` is, and the vectors.

use std::path::PathBuf;

/// `shared/` beside the repository (override with `PODGROUPS_SHARED`).
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("PODGROUPS_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}

/// The conformance vectors, each as a JSON value (parsed from the YAML file).
pub fn vectors() -> Vec<serde_json::Value> {
    let path = shared_dir().join("vectors/conformance.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.get("vectors")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_else(|| panic!("{}: no `vectors` list", path.display()))
}

/// The keys of a vector's `expected` block.
pub const EXPECTED_KEYS: &[&str] = &[
    "uid",
    "gid",
    "additional_gids",
    "groups_as_kernel_sees",
    "id_groups_coreutils",
    "id_groups_busybox",
    "status_user",
];

/// Compares one simulation (as JSON) against a vector's `expected`; returns every mismatch.
pub fn mismatches(expected: &serde_json::Value, got: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in EXPECTED_KEYS {
        let want = expected.get(*key).cloned().unwrap_or(serde_json::Value::Null);
        let have = got.get(*key).cloned().unwrap_or(serde_json::Value::Null);
        if want != have {
            out.push(format!("{key}: expected {want}, got {have}"));
        }
    }
    let want = expected.get("error").cloned().unwrap_or(serde_json::Value::Null);
    let have = got.get("error").cloned().unwrap_or(serde_json::Value::Null);
    match (want.as_object(), have.as_object()) {
        (None, None) => {}
        (Some(w), Some(h)) => {
            for (k, v) in w {
                let hv = if k == "message_contains" {
                    h.get("message")
                } else {
                    h.get(k)
                };
                let ok = match (k.as_str(), hv) {
                    ("message_contains", Some(hv)) => hv.as_str().zip(v.as_str()).is_some_and(|(h, w)| h.contains(w)),
                    (_, Some(hv)) => hv == v,
                    (_, None) => false,
                };
                if !ok {
                    out.push(format!(
                        "error.{k}: expected {v}, got {}",
                        hv.cloned().unwrap_or_default()
                    ));
                }
            }
        }
        _ => out.push(format!("error: expected {want}, got {have}")),
    }
    out
}
