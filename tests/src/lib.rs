//! Shared helpers for the conformance and end-to-end tests: the in-repository vectors and spec, and
//! where the upstream `shared/` copy is when one sits beside the clone.

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `tests/`).
pub fn repo_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// The repository's copy of the conformance vectors.
pub fn vectors_path() -> PathBuf {
    repo_dir().join("tests/vectors/conformance.yaml")
}

/// The repository's copy of the semantics spec.
pub fn spec_path() -> PathBuf {
    repo_dir().join("spec/semantics.md")
}

/// The upstream `shared/` directory: `PODGROUPS_SHARED`, else `../shared` beside the clone; `None`
/// when neither exists (a user's clone has no `shared/`, and nothing but optional checks needs it).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("PODGROUPS_SHARED") {
        Some(p) => PathBuf::from(p),
        None => repo_dir().join("../shared"),
    };
    dir.is_dir().then_some(dir)
}

/// The conformance vectors, each as a JSON value (parsed from the repository's YAML file).
pub fn vectors() -> Vec<serde_json::Value> {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.get("vectors")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_else(|| panic!("{}: no `vectors` list", path.display()))
}

/// Runs a program with `args`, writing `stdin` (if any) to its standard input; collects the output.
/// For the end-to-end tests of the binaries.
pub fn run_program(program: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(args)
        // Never the network: images named by manifests are looked up only in an empty registry cache.
        .env("PODGROUPS_OFFLINE", "1")
        .env(
            "PODGROUPS_CACHE_DIR",
            std::env::temp_dir().join("podgroups-tests-empty-cache"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        input
            .write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("{program}: standard input: {e}"));
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap_or_else(|e| panic!("{program}: {e}"))
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
