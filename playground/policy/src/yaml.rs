//! Objects as block YAML in kubectl's layout (`- ` at the key's indent), for the diff of the
//! mutation. Strings that YAML could read as anything else are written as JSON strings (valid YAML
//! double-quoted scalars), so the text reads back to the same object (tested).

use serde_json::Value;

/// `value` as YAML lines, each ending in `\n`.
pub fn emit(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => map(&mut out, value, 0),
        Value::Array(a) if !a.is_empty() => seq(&mut out, value, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A non-empty mapping; the first key continues the current line when it follows a `- `.
fn map(out: &mut String, value: &Value, indent: usize) {
    let Value::Object(m) = value else { return };
    for (i, (key, v)) in m.iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            pad(out, indent);
        }
        out.push_str(&string(key));
        out.push(':');
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                map(out, v, indent + 2);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                seq(out, v, indent);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

/// A non-empty sequence, its `- ` at `indent`.
fn seq(out: &mut String, value: &Value, indent: usize) {
    let Value::Array(items) = value else { return };
    for item in items {
        if !out.ends_with("- ") {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(inner) if !inner.is_empty() => map(out, item, indent + 2),
            Value::Array(inner) if !inner.is_empty() => seq(out, item, indent + 2),
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

/// Plain when YAML (1.1 or 1.2) reads it back as this same string, else a JSON string.
fn string(s: &str) -> String {
    const WORDS: &[&str] = &["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"];
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-._/:@+=".contains(c))
        && !s.ends_with(':')
        && !s.contains("::")
        && !WORDS.iter().any(|w| w.eq_ignore_ascii_case(s));
    if plain {
        s.to_owned()
    } else {
        Value::from(s).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::documents;
    use serde_json::json;

    #[test]
    fn kubectl_layout() {
        let v =
            json!({"kind": "Pod", "spec": {"containers": [{"image": "ghcr.io/a:1", "name": "web"}], "x": [], "z": {}}});
        assert_eq!(
            emit(&v),
            "kind: Pod\nspec:\n  containers:\n  - image: ghcr.io/a:1\n    name: web\n  x: []\n  z: {}\n"
        );
    }

    #[test]
    fn what_it_writes_reads_back_to_the_same_object() {
        let odd = json!({
            "a": ["yes", "No", "null", "~", "1000", "0x1F", "1e3", "-1", ".inf", "a: b", "a #b", "", " x", "x:", "line\nbreak", "ünï", "*a", "&b", "!t", "%p", "@x", "`q", "{f}", "[s]"],
            "n": [1, -2, 2.5, true, null, {}, [], [[1, 2], []], [{"k": {"v": [0]}}]],
            "weird key: #": {"": "empty key"},
            "kubectl.kubernetes.io/last-applied-configuration": "{\"kind\":\"Pod\"}\n",
        });
        let docs = documents(&emit(&odd)).unwrap();
        assert_eq!(docs, [odd]);
        for path in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/policy")).unwrap() {
            let path = path.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                assert_eq!(documents(&emit(&v)).unwrap(), [v], "{}", path.display());
            }
        }
    }
}
