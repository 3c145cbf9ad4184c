//! `cargo xtask policy`: builds both admission-policy artifacts into `<cargo target dir>/policy/`
//! (`target/policy/` unless `CARGO_TARGET_DIR` is set):
//! - `podgroups-policy.wasm`: the Kubewarden waPC module (wasm32-wasip1), with the
//!   `io.kubewarden.metadata` custom section written from `policy-wasm/metadata.yml` as `kwctl annotate`
//!   does, so it can be pushed as it is;
//! - `podgroups-policy-opa.wasm`: the OPA Wasm ABI 1.2 module (wasm32-unknown-unknown) for Gatekeeper
//!   mode and OPA SDKs, with the `opa_wasm_abi_version`/`opa_wasm_abi_minor_version` globals added
//!   after linking (Rust can only export a static's address), and its own metadata from
//!   `policy-wasm/metadata-opa.yml` (title, ociUrl, description) with
//!   `executionMode: gatekeeper` so Kubewarden runs it in Gatekeeper mode.
//!
//! Both are checked before they are written: valid Wasm, the exports each host looks for, the memory
//! import within the 5 pages Kubewarden's OPA host provides, and the size budgets.

use crate::workspace::{cargo, ensure_rust_target, Workspace};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use wasmparser::{ExternalKind, Parser, Payload, TypeRef, Validator};

const KUBEWARDEN_OUT: &str = "podgroups-policy.wasm";
const OPA_OUT: &str = "podgroups-policy-opa.wasm";
const KUBEWARDEN_MAX: usize = 1024 * 1024;
const OPA_MAX: usize = 256 * 1024;
/// Pages of memory Kubewarden's OPA host (burrego) and the npm SDK create by default.
const OPA_HOST_PAGES: u64 = 5;
const METADATA_SECTION: &str = "io.kubewarden.metadata";

/// What the OPA SDKs and burrego call (OPA Wasm ABI 1.2).
const OPA_FUNCTIONS: &[&str] = &[
    "eval",
    "builtins",
    "entrypoints",
    "opa_eval_ctx_new",
    "opa_eval_ctx_set_input",
    "opa_eval_ctx_set_data",
    "opa_eval_ctx_set_entrypoint",
    "opa_eval_ctx_get_result",
    "opa_malloc",
    "opa_free",
    "opa_json_parse",
    "opa_value_parse",
    "opa_json_dump",
    "opa_value_dump",
    "opa_heap_ptr_get",
    "opa_heap_ptr_set",
    "opa_value_add_path",
    "opa_value_remove_path",
    "opa_eval",
];

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(arg) = args.first() {
        return Err(format!("unexpected argument {arg:?}; usage: cargo xtask policy"));
    }
    let Workspace { root, target } = Workspace::find()?;
    for wasm_target in ["wasm32-wasip1", "wasm32-unknown-unknown"] {
        ensure_rust_target("policy", wasm_target)?;
    }
    let out_dir = target.join("policy");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;

    build(&root, "wasm32-wasip1", "kubewarden", &[])?;
    let wasm = read(&target.join("wasm32-wasip1/policy/podgroups_policy.wasm"))?;
    let usage = root.join("policy-wasm/README.md");
    let metadata = kubewarden_metadata(&root.join("policy-wasm/metadata.yml"), "kubewarden-wapc", &usage)?;
    let annotated = with_custom_section(&wasm, METADATA_SECTION, metadata.to_string().as_bytes())?;
    check_kubewarden(&annotated)?;
    write(&out_dir.join(KUBEWARDEN_OUT), &annotated, KUBEWARDEN_MAX)?;

    // A small stack keeps the memory the module asks the host for within OPA_HOST_PAGES.
    build(
        &root,
        "wasm32-unknown-unknown",
        "opa",
        &["-C", "link-arg=--import-memory", "-C", "link-arg=-zstack-size=131072"],
    )?;
    let wasm = read(&target.join("wasm32-unknown-unknown/policy/podgroups_policy.wasm"))?;
    let opa = with_exported_globals(&wasm, &[("opa_wasm_abi_version", 1), ("opa_wasm_abi_minor_version", 2)])?;
    let metadata = kubewarden_metadata(&root.join("policy-wasm/metadata-opa.yml"), "gatekeeper", &usage)?;
    let opa = with_custom_section(&opa, METADATA_SECTION, metadata.to_string().as_bytes())?;
    check_opa(&opa)?;
    write(&out_dir.join(OPA_OUT), &opa, OPA_MAX)?;
    Ok(())
}

/// `cargo rustc` the policy crate as a cdylib with the size-tuned `policy` profile.
fn build(root: &Path, target: &str, feature: &str, link_args: &[&str]) -> Result<(), String> {
    println!("xtask policy: building the {feature} module for {target}");
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args([
        "rustc",
        "-p",
        "podgroups-policy",
        "--lib",
        "--crate-type",
        "cdylib",
        "--target",
        target,
        "--features",
        feature,
        "--profile",
        "policy",
        "--config",
        "profile.policy.inherits=\"release\"",
        "--config",
        "profile.policy.opt-level=\"s\"",
        "--config",
        "profile.policy.strip=true",
        "--config",
        "profile.policy.panic=\"abort\"",
    ]);
    if !link_args.is_empty() {
        cmd.arg("--").args(link_args);
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the {feature} module for {target} failed (see cargo's message above)"
        ));
    }
    Ok(())
}

/// A metadata file as the JSON `kwctl annotate -m FILE -u README.md` embeds: the same document plus
/// `protocolVersion` (`v1` for waPC, `Unknown` for a Gatekeeper module, as kwctl writes them) and the
/// README as the `io.kubewarden.policy.usage` annotation, which Artifact Hub and `kwctl inspect` show.
fn kubewarden_metadata(path: &Path, mode: &str, usage: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut meta: Value = serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let obj = meta
        .as_object_mut()
        .ok_or_else(|| format!("{}: must be a mapping", path.display()))?;
    let rules = obj.get("rules").and_then(Value::as_array).filter(|r| !r.is_empty());
    let rules = rules.ok_or_else(|| format!("{}: rules must be a non-empty list", path.display()))?;
    for (i, rule) in rules.iter().enumerate() {
        for key in ["apiGroups", "apiVersions", "resources", "operations"] {
            if rule.get(key).and_then(Value::as_array).is_none_or(Vec::is_empty) {
                return Err(format!("{}: rules[{i}].{key} must be a non-empty list", path.display()));
            }
        }
    }
    if obj.get("executionMode").and_then(Value::as_str) != Some(mode) {
        return Err(format!("{}: executionMode must be {mode}", path.display()));
    }
    match obj.get("mutating").and_then(Value::as_bool) {
        Some(true) if mode == "gatekeeper" => {
            return Err(format!(
                "{}: a gatekeeper module cannot mutate; set mutating: false",
                path.display()
            ))
        }
        Some(_) => {}
        None => return Err(format!("{}: mutating must be true or false", path.display())),
    }
    // The waPC protocol the SDK's protocol_version answers (the host tests check both agree).
    let protocol = if mode == "gatekeeper" { "Unknown" } else { "v1" };
    obj.insert("protocolVersion".into(), Value::from(protocol));
    let usage = std::fs::read_to_string(usage).map_err(|e| format!("cannot read {}: {e}", usage.display()))?;
    let annotations = obj
        .entry("annotations")
        .or_insert_with(|| Value::Object(serde_json::Map::new()))
        .as_object_mut()
        .ok_or_else(|| format!("{}: annotations must be a mapping", path.display()))?;
    for key in ["io.kubewarden.policy.title", "io.kubewarden.policy.ociUrl"] {
        if !annotations.get(key).is_some_and(Value::is_string) {
            return Err(format!("{}: annotations.{key} is missing", path.display()));
        }
    }
    annotations.insert("io.kubewarden.policy.usage".into(), Value::from(usage));
    Ok(meta)
}

fn check_kubewarden(wasm: &[u8]) -> Result<(), String> {
    let info = inspect(wasm)?;
    for name in ["wapc_init", "__guest_call"] {
        if !info.functions.iter().any(|f| f == name) {
            return Err(format!("the Kubewarden module does not export {name}"));
        }
    }
    // Kubewarden runs any module exporting opa_* as Rego.
    if let Some(name) = info
        .functions
        .iter()
        .chain(&info.globals)
        .find(|n| n.starts_with("opa_"))
    {
        return Err(format!(
            "the Kubewarden module exports {name}, which would make Kubewarden run it as Rego"
        ));
    }
    Ok(())
}

fn check_opa(wasm: &[u8]) -> Result<(), String> {
    let info = inspect(wasm)?;
    if let Some(missing) = OPA_FUNCTIONS.iter().find(|f| !info.functions.iter().any(|g| g == *f)) {
        return Err(format!("the OPA module does not export {missing}"));
    }
    match info.memory_import {
        Some(pages) if pages <= OPA_HOST_PAGES => {}
        Some(pages) => return Err(format!("the OPA module needs {pages} memory pages; hosts provide {OPA_HOST_PAGES}: shrink the stack or static data")),
        None => return Err("the OPA module must import env.memory".into()),
    }
    if let Some(other) = info.other_imports.first() {
        return Err(format!("the OPA module imports {other}; OPA hosts only provide env.*"));
    }
    Ok(())
}

/// What the checks need to know about a module.
#[derive(Default)]
struct Info {
    functions: Vec<String>,
    globals: Vec<String>,
    memory_import: Option<u64>,
    other_imports: Vec<String>,
}

fn inspect(wasm: &[u8]) -> Result<Info, String> {
    Validator::new()
        .validate_all(wasm)
        .map_err(|e| format!("invalid Wasm after post-processing: {e}"))?;
    let mut info = Info::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    match (import.module, import.name, import.ty) {
                        ("env", "memory", TypeRef::Memory(m)) => info.memory_import = Some(m.initial),
                        ("env", _, _) | ("wasi_snapshot_preview1", _, _) | ("wapc", _, _) => {}
                        (module, name, _) => info.other_imports.push(format!("{module}.{name}")),
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    match export.kind {
                        ExternalKind::Func => info.functions.push(export.name.into()),
                        ExternalKind::Global => info.globals.push(export.name.into()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, wasm: &[u8], max: usize) -> Result<(), String> {
    if wasm.len() > max {
        return Err(format!(
            "{} would be {} bytes, over its budget of {max}",
            path.display(),
            wasm.len()
        ));
    }
    std::fs::write(path, wasm).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("xtask policy: wrote {} ({} bytes)", path.display(), wasm.len());
    Ok(())
}

// --- Minimal section-level module editing (the module format is a header then id/size/payload). ---

struct Section<'a> {
    id: u8,
    data: &'a [u8],
}

fn sections(wasm: &[u8]) -> Result<Vec<Section<'_>>, String> {
    let body = wasm
        .strip_prefix(b"\0asm\x01\0\0\0".as_slice())
        .ok_or("not a core Wasm module (bad header)")?;
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(&id) = body.get(pos) {
        let (size, used) = read_leb(body.get(pos + 1..).unwrap_or_default())?;
        let start = pos + 1 + used;
        let data = body.get(start..start + size as usize).ok_or("truncated section")?;
        out.push(Section { id, data });
        pos = start + size as usize;
    }
    Ok(out)
}

fn assemble(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for (id, data) in sections {
        out.push(*id);
        write_leb(&mut out, data.len() as u32);
        out.extend_from_slice(data);
    }
    out
}

fn read_leb(bytes: &[u8]) -> Result<(u32, usize), String> {
    let mut value: u64 = 0;
    for (i, b) in bytes.iter().take(5).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return u32::try_from(value)
                .map(|v| (v, i + 1))
                .map_err(|_| "LEB128 value over u32".to_string());
        }
    }
    Err("bad LEB128".into())
}

fn write_leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn name_bytes(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_leb(&mut out, name.len() as u32);
    out.extend_from_slice(name.as_bytes());
    out
}

/// Replaces any custom section called `name` by one holding `data`, at the end of the module.
fn with_custom_section(wasm: &[u8], name: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out: Vec<(u8, Vec<u8>)> = Vec::new();
    for s in sections(wasm)? {
        let is_same = s.id == 0
            && read_leb(s.data)
                .ok()
                .and_then(|(len, used)| s.data.get(used..used + len as usize))
                == Some(name.as_bytes());
        if !is_same {
            out.push((s.id, s.data.to_vec()));
        }
    }
    let mut payload = name_bytes(name);
    payload.extend_from_slice(data);
    out.push((0, payload));
    Ok(assemble(&out))
}

/// Appends immutable i32 globals with these values and exports them under these names.
fn with_exported_globals(wasm: &[u8], globals: &[(&str, i32)]) -> Result<Vec<u8>, String> {
    let imported = imported_globals(wasm)?;
    let sections = sections(wasm)?;
    let global_section = sections.iter().find(|s| s.id == 6);
    let (defined, rest) = match global_section {
        Some(s) => {
            let (count, used) = read_leb(s.data)?;
            (count, s.data.get(used..).unwrap_or_default().to_vec())
        }
        None => (0, Vec::new()),
    };
    let mut global_data = Vec::new();
    write_leb(&mut global_data, defined + globals.len() as u32);
    global_data.extend_from_slice(&rest);
    for (_, value) in globals {
        global_data.extend_from_slice(&[0x7f, 0x00, 0x41]); // i32, immutable, i32.const
        write_sleb(&mut global_data, *value);
        global_data.push(0x0b); // end
    }
    let export_section = sections
        .iter()
        .find(|s| s.id == 7)
        .ok_or("the module has no export section")?;
    let (count, used) = read_leb(export_section.data)?;
    let mut export_data = Vec::new();
    write_leb(&mut export_data, count + globals.len() as u32);
    export_data.extend_from_slice(export_section.data.get(used..).unwrap_or_default());
    for (i, (name, _)) in globals.iter().enumerate() {
        export_data.extend(name_bytes(name));
        export_data.push(0x03); // global
        write_leb(&mut export_data, imported + defined + i as u32);
    }
    // Rebuild in order; a new global section goes right before the export section (ids 6 then 7).
    let mut out = Vec::new();
    for s in &sections {
        match s.id {
            6 => out.push((6, global_data.clone())),
            7 => {
                if global_section.is_none() {
                    out.push((6, global_data.clone()));
                }
                out.push((7, export_data.clone()));
            }
            id => out.push((id, s.data.to_vec())),
        }
    }
    Ok(assemble(&out))
}

fn write_sleb(out: &mut Vec<u8>, mut v: i32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

fn imported_globals(wasm: &[u8]) -> Result<u32, String> {
    let mut n = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ImportSection(reader) = payload.map_err(|e| e.to_string())? {
            for import in reader.into_imports() {
                if matches!(import.map_err(|e| e.to_string())?.ty, TypeRef::Global(_)) {
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one function export and nothing else: (module (func (export "f"))).
    const TINY: &[u8] = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x07\x05\x01\x01f\0\0\x0a\x04\x01\x02\0\x0b";

    #[test]
    fn adds_exported_globals_that_validate() {
        let out =
            with_exported_globals(TINY, &[("opa_wasm_abi_version", 1), ("opa_wasm_abi_minor_version", 2)]).unwrap();
        let info = inspect(&out).unwrap();
        assert_eq!(info.globals, ["opa_wasm_abi_version", "opa_wasm_abi_minor_version"]);
        assert_eq!(info.functions, ["f"]);
    }

    #[test]
    fn custom_section_is_written_once() {
        let once = with_custom_section(TINY, METADATA_SECTION, b"{\"a\":1}").unwrap();
        let twice = with_custom_section(&once, METADATA_SECTION, b"{\"a\":2}").unwrap();
        inspect(&twice).unwrap();
        let customs: Vec<Vec<u8>> = sections(&twice)
            .unwrap()
            .iter()
            .filter(|s| s.id == 0)
            .map(|s| s.data.to_vec())
            .collect();
        assert_eq!(customs.len(), 1);
        assert!(customs[0].ends_with(b"{\"a\":2}"));
    }

    #[test]
    fn leb_round_trips() {
        for v in [0, 1, 127, 128, 300, 1 << 20, u32::MAX] {
            let mut out = Vec::new();
            write_leb(&mut out, v);
            assert_eq!(read_leb(&out).unwrap(), (v, out.len()));
        }
        let mut out = Vec::new();
        write_sleb(&mut out, -1);
        assert_eq!(out, [0x7f]);
    }
}
