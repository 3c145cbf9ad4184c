//! The mutation as text: the submitted object's JSON with the new `securityContext` members spliced
//! in, so everything the policy did not change (unknown fields, their order, numbers as written) is
//! copied byte for byte and never parsed into a tree or serialised again.

#![forbid(unsafe_code)]

use crate::check::ContextSets;
use podgroups_core::manifest::raw::{is_null, Object};

/// One change of the text: replace `start..end` (empty for an insertion) with `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// `object` (the submitted object's text, which every owner in `sets` was read from) with the sets
/// applied; `None` if an owner does not lie inside `object`.
pub fn apply(object: &str, sets: &[ContextSets<'_>]) -> Option<String> {
    let mut edits = Vec::new();
    for ctx in sets {
        context_edits(object, ctx, &mut edits)?;
    }
    edits.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(object.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in &edits {
        out.push_str(object.get(at..edit.start)?);
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.push_str(object.get(at..)?);
    Some(out)
}

/// The edits that give `ctx.owner` a `securityContext` holding `ctx.members`: values replaced where
/// the member exists (`null`, `[]`), members added first in an existing object, or a new object.
fn context_edits(object: &str, ctx: &ContextSets<'_>, edits: &mut Vec<Edit>) -> Option<()> {
    let Some(current) = ctx.owner.get("securityContext") else {
        let mut text = format!("\"securityContext\":{}", members_object(&ctx.members));
        if !ctx.owner.is_empty() {
            text.push(',');
        }
        edits.push(insert_first(object, ctx.owner.text()?, text)?);
        return Some(());
    };
    if is_null(current) {
        edits.push(replace(object, current.get(), members_object(&ctx.members))?);
        return Some(());
    }
    let context = Object::parse(current)?;
    let mut added = String::new();
    for (key, value) in &ctx.members {
        match context.get(key) {
            Some(old) => edits.push(replace(object, old.get(), value.clone())?),
            None => {
                if !added.is_empty() {
                    added.push(',');
                }
                member(&mut added, key, value);
            }
        }
    }
    if !added.is_empty() {
        if !context.is_empty() {
            added.push(',');
        }
        edits.push(insert_first(object, context.text()?, added)?);
    }
    Some(())
}

/// `{"a":1,"b":2}`.
fn members_object(members: &[(&'static str, String)]) -> String {
    let mut text = String::from("{");
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        member(&mut text, key, value);
    }
    text.push('}');
    text
}

/// Keys are Kubernetes field names (plain ASCII): no escaping needed.
fn member(text: &mut String, key: &str, value: &str) {
    text.push('"');
    text.push_str(key);
    text.push_str("\":");
    text.push_str(value);
}

/// Where `part` (a slice of `object`) starts in it.
fn offset(object: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(object.as_ptr() as usize)?;
    (start.checked_add(part.len())? <= object.len()).then_some(start)
}

fn replace(object: &str, part: &str, text: String) -> Option<Edit> {
    let start = offset(object, part)?;
    Some(Edit {
        start,
        end: start + part.len(),
        text,
    })
}

/// An insertion right after the `{` that opens the object `part`.
fn insert_first(object: &str, part: &str, text: String) -> Option<Edit> {
    let brace = part.find('{')?;
    let start = offset(object, part)? + brace + 1;
    Some(Edit {
        start,
        end: start,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets<'a>(owner: &'a str, members: &[(&'static str, &str)]) -> ContextSets<'a> {
        ContextSets {
            owner: Object::from_text(owner).unwrap(),
            members: members.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    #[test]
    fn members_are_spliced_into_the_text_as_written() {
        let cases = [
            (r#"{"a": 1.50}"#, r#"{"securityContext":{"x":1},"a": 1.50}"#),
            ("{ }", r#"{"securityContext":{"x":1} }"#),
            (
                r#"{"securityContext": null, "b": 2}"#,
                r#"{"securityContext": {"x":1}, "b": 2}"#,
            ),
            (r#"{"securityContext": {}}"#, r#"{"securityContext": {"x":1}}"#),
            (
                r#"{"securityContext": {"x": null, "z": [ ]}}"#,
                r#"{"securityContext": {"x": 1, "z": [ ]}}"#,
            ),
            (
                r#"{"securityContext": {"z": 3}}"#,
                r#"{"securityContext": {"x":1,"z": 3}}"#,
            ),
        ];
        for (owner, want) in cases {
            assert_eq!(
                apply(owner, &[sets(owner, &[("x", "1")])]).as_deref(),
                Some(want),
                "{owner}"
            );
        }
        let owner = r#"{"securityContext": {"y": [], "k": 0}}"#;
        assert_eq!(
            apply(owner, &[sets(owner, &[("x", "\"S\""), ("y", "[7]")])]).as_deref(),
            Some(r#"{"securityContext": {"x":"S","y": [7], "k": 0}}"#)
        );
        // An owner read from another text cannot be patched into this one.
        let elsewhere = String::from("{}");
        assert!(apply("{}", &[sets(&elsewhere, &[("x", "1")])]).is_none());
    }
}
