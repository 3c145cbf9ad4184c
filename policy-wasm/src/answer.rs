//! The two artifacts' answers written as JSON text: Kubewarden's `ValidationResponse` and the OPA ABI's
//! result set of Gatekeeper violations. The accept path is a constant; a mutated object is copied in
//! as the text [`crate::evaluate_raw`] spliced, never parsed or serialised again.

#![forbid(unsafe_code)]

use crate::evaluate::Verdict;
use crate::rules::parse;
use crate::settings::Settings;
use crate::{evaluate_raw, ImageConfigs};
use podgroups_core::manifest::raw::{Nested, Object};
use serde_json::{json, Value};

/// An artifact's input document: the request (read in the same pass as the document) and the rest.
#[derive(Debug)]
pub struct Input<'a> {
    pub request: Option<Nested<'a>>,
    pub rest: Object<'a>,
}

/// Reads the input document, with the request under `request_key`; the parser's words for why it is
/// not JSON otherwise. Valid JSON that is not an object reads as an empty document.
pub fn input<'a>(bytes: &'a [u8], request_key: &str) -> Result<Input<'a>, String> {
    let not_json = || {
        serde_json::from_slice::<Value>(bytes)
            .err()
            .map_or_else(|| "invalid UTF-8".to_owned(), |e| e.to_string())
    };
    let text = std::str::from_utf8(bytes).map_err(|_| not_json())?;
    match Object::with_nested(text, request_key) {
        Ok((rest, request)) => Ok(Input { request, rest }),
        Err(e) if e.is_data() => Ok(Input {
            request: None,
            rest: Object::empty(),
        }),
        Err(_) => Err(not_json()),
    }
}

/// The settings in `key` of the input (absent: defaults).
pub fn settings(input: &Input<'_>, key: &str) -> Result<Settings, String> {
    match input.rest.get(key) {
        Some(raw) => match parse(raw) {
            Ok(value) => Settings::from_json(&value),
            Err(e) => Err(format!("settings are not JSON the policy can read ({e})")),
        },
        None => Ok(Settings::default()),
    }
}

/// Evaluates the input's request (absent: `null`).
pub fn verdict<'a>(
    input: Input<'a>,
    settings: &Settings,
    allow_mutation: bool,
    images: &mut dyn ImageConfigs,
) -> Verdict<'a> {
    let request = input.request.unwrap_or(Nested::Other(Value::Null));
    evaluate_raw(request, settings, allow_mutation, images)
}

/// The accepted, unchanged answer.
pub const ACCEPTED: &[u8] =
    br#"{"accepted":true,"message":null,"code":null,"mutated_object":null,"audit_annotations":null,"warnings":null}"#;

/// Kubewarden's `ValidationResponse` (the SDK's field names, `null` for what is not set).
pub fn validation_response(message: Option<&str>, mutated: Option<&str>, warnings: &[String]) -> Vec<u8> {
    if message.is_none() && mutated.is_none() && warnings.is_empty() {
        return ACCEPTED.to_vec();
    }
    let mut out =
        Vec::with_capacity(160 + mutated.map_or(0, str::len) + warnings.iter().map(String::len).sum::<usize>());
    out.extend_from_slice(b"{\"accepted\":");
    out.extend_from_slice(if message.is_none() { b"true" } else { b"false" });
    out.extend_from_slice(b",\"message\":");
    string_or_null(&mut out, message);
    out.extend_from_slice(b",\"code\":null,\"mutated_object\":");
    out.extend_from_slice(mutated.unwrap_or("null").as_bytes());
    out.extend_from_slice(b",\"audit_annotations\":null,\"warnings\":");
    if warnings.is_empty() {
        out.extend_from_slice(b"null");
    } else {
        out.push(b'[');
        for (i, w) in warnings.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string_or_null(&mut out, Some(w));
        }
        out.push(b']');
    }
    out.push(b'}');
    out
}

fn string_or_null(out: &mut Vec<u8>, text: Option<&str>) {
    match text.map(|t| serde_json::to_writer(&mut *out, t)) {
        Some(Ok(())) => {}
        _ => out.extend_from_slice(b"null"),
    }
}

/// The OPA result set `[{"result": [violations]}]` for Gatekeeper: one `{"msg", "details"}` per listed
/// violation, and one for the rest.
pub fn gatekeeper_result_set(verdict: &Verdict<'_>) -> Value {
    if verdict.accepted() {
        return json!([{ "result": [] }]);
    }
    let subject = verdict.subject();
    let (shown, more) = verdict.listed();
    let mut out: Vec<Value> = shown
        .iter()
        .map(|v| {
            json!({"msg": format!("{subject}: {v}"), "details": {
                "subject": subject, "field": v.field, "container": v.container, "reason": v.text}})
        })
        .collect();
    if more > 0 {
        let msg = format!("{subject}: and {more} more violations");
        out.push(json!({"msg": msg, "details": {"subject": subject}}));
    }
    json!([{ "result": out }])
}

/// The result set of one message (bad input or parameters).
pub fn gatekeeper_error(msg: String) -> Value {
    json!([{ "result": [{"msg": msg, "details": {}}] }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_the_sdk_s_shape() {
        let parse = |b: Vec<u8>| serde_json::from_slice::<Value>(&b).unwrap();
        let all_null = json!({"accepted": true, "message": null, "code": null, "mutated_object": null,
            "audit_annotations": null, "warnings": null});
        assert_eq!(parse(ACCEPTED.to_vec()), all_null);
        assert_eq!(parse(validation_response(None, None, &[])), all_null);
        let r = parse(validation_response(None, Some(r#"{"a": [1]}"#), &["say \"hi\"".into()]));
        assert_eq!(r["accepted"], true);
        assert_eq!(r["mutated_object"], json!({"a": [1]}));
        assert_eq!(r["warnings"], json!(["say \"hi\""]));
        let r = parse(validation_response(Some("no\nway"), None, &[]));
        assert_eq!(
            (r["accepted"].clone(), r["message"].clone()),
            (json!(false), json!("no\nway"))
        );
    }

    #[test]
    fn inputs_that_are_not_objects_read_as_empty_and_bad_json_is_named() {
        let empty = input(b"[1, 2]", "review").unwrap();
        assert!(empty.rest.is_empty() && empty.request.is_none());
        assert!(matches!(
            input(br#"{"review": null}"#, "review").unwrap().request,
            Some(Nested::Other(Value::Null))
        ));
        assert!(input(b"{\"a\": ", "review").unwrap_err().contains("EOF"));
        assert!(!input(b"\xff", "review").unwrap_err().is_empty());
        // What the policy reads but cannot parse is named, never taken for the defaults.
        let deep = format!("{{\"settings\": {}{}}}", "[".repeat(500), "]".repeat(500));
        assert!(settings(&input(deep.as_bytes(), "request").unwrap(), "settings")
            .unwrap_err()
            .contains("recursion limit exceeded"));
        assert_eq!(
            settings(&input(b"{}", "request").unwrap(), "settings"),
            Ok(Settings::default())
        );
    }
}
