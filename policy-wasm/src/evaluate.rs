//! One admission request in, one decision out: which kind, which pod spec, what to skip (DELETE,
//! exempt namespaces, objects being deleted), and how UPDATEs of Pods are judged.

#![forbid(unsafe_code)]

use crate::check::{check_spec, Violation, MAX_KEPT};
use crate::image::{ImageConfigs, NoImageConfigs};
use crate::patch;
use crate::rules::{short, short_raw};
use crate::settings::Settings;
use podgroups_core::manifest::raw::{self, Nested, Object};
use podgroups_core::manifest::{pod_spec_path, pod_spec_pointer, pod_template_kinds};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

/// Violations named in a message; the rest are counted, so the message stays readable.
pub const MAX_LISTED: usize = 20;

/// The policy's answer, shared by the Kubewarden and the OPA artifacts.
#[derive(Debug, Default)]
pub struct Decision {
    /// `Deployment prod/web`, for messages.
    pub subject: String,
    pub violations: Vec<Violation>,
    /// Violations found beyond [`MAX_KEPT`], counted only.
    pub omitted: usize,
    pub warnings: Vec<String>,
    /// The whole object with the mutations applied, when accepted and changed.
    pub mutated: Option<Value>,
}

impl Decision {
    pub fn accepted(&self) -> bool {
        self.violations.is_empty()
    }

    /// The violations to show (at most [`MAX_LISTED`]) and how many more there are.
    pub fn listed(&self) -> (&[Violation], usize) {
        listed(&self.violations, self.omitted)
    }

    /// The rejection message: the subject, then each listed violation with its fix.
    pub fn message(&self) -> Option<String> {
        message(&self.subject, &self.violations, self.omitted)
    }
}

/// Evaluates an AdmissionRequest (`request` of an AdmissionReview). `allow_mutation` is false for
/// validate-only hosts (Gatekeeper), where a missing value is always a violation.
pub fn evaluate(request: &Value, settings: &Settings, allow_mutation: bool) -> Decision {
    evaluate_with_images(request, settings, allow_mutation, &mut NoImageConfigs)
}

/// [`evaluate`] in a host that can read image configs (Kubewarden's `oci/v1/oci_manifest_config`),
/// for `check_image_user`. The request is written out once and read as the artifacts read it.
pub fn evaluate_with_images(
    request: &Value,
    settings: &Settings,
    allow_mutation: bool,
    images: &mut dyn ImageConfigs,
) -> Decision {
    let text = request.to_string();
    let request = match Object::from_text(&text) {
        Ok(object) => Nested::Object(object),
        Err(_) => Nested::Other(request.clone()),
    };
    let verdict = evaluate_raw(request, settings, allow_mutation, images);
    Decision {
        subject: verdict.subject(),
        mutated: verdict.mutated.as_deref().and_then(|m| serde_json::from_str(m).ok()),
        violations: verdict.violations,
        omitted: verdict.omitted,
        warnings: verdict.warnings,
    }
}

/// A decision read from the request's JSON text: what the artifacts answer. The subject is worded
/// only when a message needs it, and the mutated object is the submitted object's text with the sets
/// spliced in.
#[derive(Debug, Default)]
pub struct Verdict<'a> {
    subject: Subject<'a>,
    pub violations: Vec<Violation>,
    /// Violations found beyond [`MAX_KEPT`], counted only.
    pub omitted: usize,
    pub warnings: Vec<String>,
    /// The whole object with the mutations applied, as JSON text, when accepted and changed.
    pub mutated: Option<String>,
}

/// What the subject is made of, worded by [`Verdict::subject`].
#[derive(Debug, Default)]
enum Subject<'a> {
    #[default]
    None,
    Fixed(&'static str),
    Object {
        kind: Cow<'a, str>,
        namespace: Cow<'a, str>,
        request: Object<'a>,
        object: Object<'a>,
    },
}

impl<'a> Verdict<'a> {
    pub fn accepted(&self) -> bool {
        self.violations.is_empty()
    }

    /// `Deployment prod/web`, for messages.
    pub fn subject(&self) -> String {
        match &self.subject {
            Subject::None => String::new(),
            Subject::Fixed(s) => (*s).into(),
            Subject::Object {
                kind,
                namespace,
                request,
                object,
            } => subject(kind, namespace, request, object),
        }
    }

    fn refuse(subject: Subject<'a>, field: &str, text: String) -> Verdict<'a> {
        Verdict {
            subject,
            violations: vec![Violation {
                field: field.into(),
                container: None,
                text,
            }],
            ..Verdict::default()
        }
    }

    /// The listed violations and how many more there are, as [`Decision::listed`].
    pub fn listed(&self) -> (&[Violation], usize) {
        listed(&self.violations, self.omitted)
    }

    /// The rejection message, as [`Decision::message`]; the subject is worded only here.
    pub fn message(&self) -> Option<String> {
        if self.accepted() {
            return None;
        }
        message(&self.subject(), &self.violations, self.omitted)
    }
}

/// The violations to show (at most [`MAX_LISTED`]) and how many more there are.
fn listed(violations: &[Violation], omitted: usize) -> (&[Violation], usize) {
    let shown = violations.get(..MAX_LISTED).unwrap_or(violations);
    (shown, violations.len() - shown.len() + omitted)
}

/// `subject: violation; violation; and N more violations`, or `None` when there is none.
fn message(subject: &str, violations: &[Violation], omitted: usize) -> Option<String> {
    if violations.is_empty() {
        return None;
    }
    let (shown, more) = listed(violations, omitted);
    let list: Vec<String> = shown.iter().map(ToString::to_string).collect();
    let mut msg = format!("{subject}: {}", list.join("; "));
    if more > 0 {
        msg.push_str(&format!("; and {more} more violations"));
    }
    Some(msg)
}

/// [`evaluate_with_images`] on the request as read from the JSON text (its members, or what else it is),
/// reading only what the decision needs.
pub fn evaluate_raw<'a>(
    request: Nested<'a>,
    settings: &Settings,
    allow_mutation: bool,
    images: &mut dyn ImageConfigs,
) -> Verdict<'a> {
    let admission = Subject::Fixed("admission request");
    let req = match request {
        Nested::Object(req) => req,
        Nested::Other(other) => {
            let text = format!("must be an AdmissionRequest object, got {}", short(&other));
            return Verdict::refuse(admission, "request", text);
        }
    };
    let operation = req.string("operation");
    if matches!(operation.as_deref(), Some("DELETE" | "CONNECT")) {
        return Verdict::default();
    }
    let object = match submitted_object(&req) {
        Ok(o) => o,
        Err(text) => return Verdict::refuse(admission, "request.object", text),
    };
    let kind = req
        .get("kind")
        .and_then(Object::parse)
        .and_then(|k| k.get("kind"))
        .or_else(|| object.get("kind"))
        .and_then(raw::string)
        .unwrap_or_default();
    let namespace = req
        .string("namespace")
        .filter(|n| !n.is_empty())
        .or_else(|| object.pointer("/metadata/namespace").and_then(raw::string))
        .unwrap_or_default();
    if skipped(settings, &namespace, &object) {
        return Verdict {
            subject: subject_of(kind, namespace, req, object),
            ..Verdict::default()
        };
    }
    let (Some(pointer), Some(base)) = (pod_spec_pointer(&kind), pod_spec_path(&kind)) else {
        let text = unhandled_kind(&kind);
        return Verdict::refuse(subject_of(kind, namespace, req, object), "request.kind", text);
    };
    let Some(spec) = object.pointer(pointer) else {
        let text = "is missing: a workload needs a pod spec here".into();
        return Verdict::refuse(subject_of(kind, namespace, req, object), base, text);
    };

    // A Pod's security contexts are immutable: on UPDATE, only what the update introduces counts.
    if kind == "Pod" && operation.as_deref() == Some("UPDATE") {
        let mut verdict = pod_update(spec, req.get("oldObject"), pointer, base, settings, images);
        verdict.subject = subject_of(kind, namespace, req, object);
        return verdict;
    }

    let mutate = allow_mutation && settings.mutate;
    let out = check_spec(spec, base, settings, mutate, images);
    let mutated = match (out.changed() && out.violations.is_empty(), object.text()) {
        (true, Some(text)) => patch::apply(text, &out.sets),
        _ => None,
    };
    Verdict {
        subject: subject_of(kind, namespace, req, object),
        violations: out.violations,
        omitted: out.omitted,
        warnings: out.warnings,
        mutated,
    }
}

fn subject_of<'a>(kind: Cow<'a, str>, namespace: Cow<'a, str>, request: Object<'a>, object: Object<'a>) -> Subject<'a> {
    Subject::Object {
        kind,
        namespace,
        request,
        object,
    }
}

/// `request.object`: the submitted object, or the refusal text that says it is not one.
fn submitted_object<'a>(req: &Object<'a>) -> Result<Object<'a>, String> {
    match req.get("object") {
        Some(o) => Object::parse(o).ok_or_else(|| format!("must be the submitted object, got {}", short_raw(o))),
        None => Err("is missing: there is nothing to check".into()),
    }
}

/// Requests the policy lets through unchecked: an exempt namespace, or an object on its way out
/// (finalizers being removed), which starts no new container.
fn skipped(settings: &Settings, namespace: &str, object: &Object<'_>) -> bool {
    settings.namespace_exempt(namespace)
        || object
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !raw::is_null(v))
}

/// The refusal of a kind with no pod template, naming the kinds the core reads a pod spec from.
fn unhandled_kind(kind: &str) -> String {
    let kinds: Vec<&str> = pod_template_kinds().collect();
    let listed = match kinds.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => kinds.join(", "),
    };
    format!(
        "{} is not handled by this policy: list only {listed} in its rules",
        short(&Value::from(kind))
    )
}

/// Violations of the new Pod that the old Pod did not already have; never mutates.
fn pod_update<'a>(
    spec: &'a RawValue,
    old: Option<&'a RawValue>,
    pointer: &str,
    base: &str,
    settings: &Settings,
    images: &mut dyn ImageConfigs,
) -> Verdict<'a> {
    let new = check_spec(spec, base, settings, false, images);
    let old = old
        .and_then(Object::parse)
        .and_then(|o| o.pointer(pointer))
        .map(|spec| check_spec(spec, base, settings, false, images));
    let violations: Vec<Violation> = match &old {
        Some(old) if old.omitted == 0 && old.violations.len() < MAX_KEPT => new
            .violations
            .into_iter()
            .filter(|v| !old.violations.contains(v))
            .collect(),
        // The old Pod had too many violations to compare one by one: judge the new one alone.
        _ => new.violations,
    };
    let omitted = if violations.is_empty() { 0 } else { new.omitted };
    Verdict {
        violations,
        omitted,
        ..Verdict::default()
    }
}

fn subject(kind: &str, namespace: &str, req: &Object<'_>, object: &Object<'_>) -> String {
    let name = object
        .pointer("/metadata/name")
        .and_then(raw::string)
        .filter(|n| !n.is_empty())
        .or_else(|| req.string("name").filter(|n| !n.is_empty()))
        .map(Cow::into_owned)
        .or_else(|| {
            object
                .pointer("/metadata/generateName")
                .and_then(raw::string)
                .map(|g| format!("{g}*"))
        })
        .unwrap_or_else(|| "(unnamed)".into());
    let kind = if kind.is_empty() { "object" } else { kind };
    let clip = |s: &str| s.chars().take(253).collect::<String>();
    if namespace.is_empty() {
        format!("{} {}", clip(kind), clip(&name))
    } else {
        format!("{} {}/{}", clip(kind), clip(namespace), clip(&name))
    }
}
