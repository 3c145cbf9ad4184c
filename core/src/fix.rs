//! The fix: set `supplementalGroupsPolicy: Strict` in every pod spec, editing the text so that
//! comments and layout survive (YAML), or re-serializing (JSON, which has neither).

use crate::error::{InputError, Location, Source};
use crate::manifest::{self, PodSpec};

/// Returns `manifests` with `spec.securityContext.supplementalGroupsPolicy: Strict` in every Pod and
/// pod template (set where missing, replaced where `Merge`).
pub fn apply_strict(manifests: &str) -> Result<String, InputError> {
    let docs = manifest::parse_documents(manifests)?;
    let (specs, _) = manifest::pod_specs(&docs)?;
    let trimmed = manifests.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return apply_strict_json(manifests);
    }
    let starts = line_starts(manifests);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for spec in &specs {
        if let Some(edit) = edit_for(manifests, &starts, spec) {
            edits.push(edit);
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = manifests.to_owned();
    for (start, end, text) in edits {
        if start <= end && end <= out.len() && out.is_char_boundary(start) && out.is_char_boundary(end) {
            out.replace_range(start..end, &text);
        }
    }
    Ok(out)
}

/// One replacement `(start, end, text)` in byte offsets.
fn edit_for(text: &str, starts: &[usize], spec: &PodSpec) -> Option<(usize, usize, String)> {
    let psc = &spec.security_context;
    if let Some(p) = &psc.supplemental_groups_policy {
        if p.value == "Strict" {
            return None;
        }
        let start = offset(text, starts, p.location?)?;
        let rest = text.get(start..)?;
        let len = scalar_len(rest);
        return Some((start, start + len, "Strict".to_owned()));
    }
    let (loc, entry, nested) = match spec.security_context_location {
        Some(loc) => (loc, "supplementalGroupsPolicy: Strict", false),
        None => (spec.spec_location?, "securityContext:", true),
    };
    let at = offset(text, starts, loc)?;
    if text.get(at..)?.starts_with('{') {
        let inner = text.get(at + 1..)?.trim_start();
        let sep = if inner.starts_with('}') { "" } else { ", " };
        let entry = if nested {
            "securityContext: {supplementalGroupsPolicy: Strict}"
        } else {
            entry
        };
        return Some((at + 1, at + 1, format!("{entry}{sep}")));
    }
    let indent = " ".repeat(usize::try_from(loc.column.saturating_sub(1)).ok()?);
    let block = if nested {
        format!("securityContext:\n{indent}  supplementalGroupsPolicy: Strict\n{indent}")
    } else {
        format!("{entry}\n{indent}")
    };
    Some((at, at, block))
}

/// Byte offsets where each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Byte offset of a 1-based line/column (columns count characters).
fn offset(text: &str, starts: &[usize], loc: Location) -> Option<usize> {
    let line_start = *starts.get(usize::try_from(loc.line).ok()?.checked_sub(1)?)?;
    let line = text.get(line_start..)?;
    let col = usize::try_from(loc.column).ok()?.checked_sub(1)?;
    let within = line
        .char_indices()
        .nth(col)
        .map(|(i, _)| i)
        .or_else(|| (line.chars().count() == col).then_some(line.len()))?;
    Some(line_start + within)
}

/// Length of a scalar token: quoted, or plain up to a comment, comma, brace or line end.
fn scalar_len(rest: &str) -> usize {
    match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest.get(1..).and_then(|r| r.find(q)).map_or(rest.len(), |i| i + 2),
        _ => rest.find(['\n', '\r', ',', '}', ']', '#']).unwrap_or(rest.len()),
    }
    .min(rest.len())
}

fn apply_strict_json(text: &str) -> Result<String, InputError> {
    let mut out = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        let mut value = value.map_err(|e| InputError::new(Source::Manifest, format!("invalid JSON: {e}")))?;
        set_strict_json(&mut value, 0);
        out.push(serde_json::to_string_pretty(&value).map_err(|e| InputError::new(Source::Manifest, e.to_string()))?);
    }
    Ok(out.join("\n") + "\n")
}

fn set_strict_json(v: &mut serde_json::Value, depth: u32) {
    let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_owned();
    if depth < 5 && kind.ends_with("List") {
        if let Some(items) = v.get_mut("items").and_then(|i| i.as_array_mut()) {
            for item in items {
                set_strict_json(item, depth + 1);
            }
        }
        return;
    }
    let Some(pointer) = manifest::pod_spec_pointer(&kind) else {
        return;
    };
    if let Some(spec) = v.pointer_mut(pointer).and_then(|s| s.as_object_mut()) {
        let sc = spec.entry("securityContext").or_insert_with(|| serde_json::json!({}));
        if let Some(sc) = sc.as_object_mut() {
            sc.insert("supplementalGroupsPolicy".to_owned(), "Strict".into());
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    fn policy_of(text: &str) -> Vec<Option<String>> {
        let docs = manifest::parse_documents(text).unwrap();
        let (specs, _) = manifest::pod_specs(&docs).unwrap();
        specs
            .iter()
            .map(|s| {
                s.security_context
                    .supplemental_groups_policy
                    .as_ref()
                    .map(|f| f.value.clone())
            })
            .collect()
    }

    #[test]
    fn inserts_into_existing_block_security_context_keeping_comments() {
        let text =
            "kind: Pod\nspec:\n  # keep me\n  securityContext:\n    runAsUser: 1000\n  containers:\n  - name: c\n";
        let out = apply_strict(text).unwrap();
        assert!(out.contains("# keep me"));
        assert_eq!(policy_of(&out), [Some("Strict".to_owned())]);
    }

    #[test]
    fn creates_security_context_and_replaces_merge() {
        let text = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n---\nkind: Pod\nspec:\n  securityContext: {supplementalGroupsPolicy: \"Merge\"}\n  containers: [{name: c}]\n";
        let out = apply_strict(text).unwrap();
        assert_eq!(policy_of(&out), [Some("Strict".to_owned()), Some("Strict".to_owned())]);
    }

    #[test]
    fn flow_mappings_and_json() {
        let out = apply_strict("kind: Pod\nspec: {securityContext: {}, containers: [{name: c}]}\n").unwrap();
        assert_eq!(policy_of(&out), [Some("Strict".to_owned())]);
        let out = apply_strict(r#"{"kind":"Pod","spec":{"containers":[{"name":"c"}]}}"#).unwrap();
        assert_eq!(policy_of(&out), [Some("Strict".to_owned())]);
    }
}
