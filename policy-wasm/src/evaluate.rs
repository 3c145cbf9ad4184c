//! One admission request in, one decision out: which kind, which pod spec, what to skip (DELETE,
//! exempt namespaces, objects being deleted), and how UPDATEs of Pods are judged.

#![forbid(unsafe_code)]

use crate::check::{check_spec, Violation, MAX_KEPT};
use crate::image::{ImageConfigs, NoImageConfigs};
use crate::rules::short;
use crate::settings::Settings;
use podgroups_core::manifest::{pod_spec_pointer, pod_template_kinds};
use serde_json::Value;

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
        let shown = self.violations.get(..MAX_LISTED).unwrap_or(&self.violations);
        (shown, self.violations.len() - shown.len() + self.omitted)
    }

    /// The rejection message: the subject, then each listed violation with its fix.
    pub fn message(&self) -> Option<String> {
        if self.accepted() {
            return None;
        }
        let (shown, more) = self.listed();
        let list: Vec<String> = shown.iter().map(ToString::to_string).collect();
        let mut msg = format!("{}: {}", self.subject, list.join("; "));
        if more > 0 {
            msg.push_str(&format!("; and {more} more violations"));
        }
        Some(msg)
    }

    fn refuse(subject: &str, field: &str, text: String) -> Decision {
        Decision {
            subject: subject.into(),
            violations: vec![Violation {
                field: field.into(),
                container: None,
                text,
            }],
            ..Decision::default()
        }
    }
}

/// Evaluates an AdmissionRequest (`request` of an AdmissionReview). `allow_mutation` is false for
/// validate-only hosts (Gatekeeper), where a missing value is always a violation.
pub fn evaluate(request: &Value, settings: &Settings, allow_mutation: bool) -> Decision {
    evaluate_with_images(request, settings, allow_mutation, &mut NoImageConfigs)
}

/// [`evaluate`] in a host that can read image configs (Kubewarden's `oci/v1/oci_manifest_config`),
/// for `check_image_user`.
pub fn evaluate_with_images(
    request: &Value,
    settings: &Settings,
    allow_mutation: bool,
    images: &mut dyn ImageConfigs,
) -> Decision {
    let Some(req) = request.as_object() else {
        return Decision::refuse(
            "admission request",
            "request",
            format!("must be an AdmissionRequest object, got {}", short(request)),
        );
    };
    let operation = req.get("operation").and_then(Value::as_str).unwrap_or("CREATE");
    if matches!(operation, "DELETE" | "CONNECT") {
        return Decision::default();
    }
    let object = match submitted_object(req) {
        Ok(o) => o,
        Err(refusal) => return *refusal,
    };
    let kind = req
        .get("kind")
        .and_then(|k| k.get("kind"))
        .or_else(|| object.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let namespace = req
        .get("namespace")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .or_else(|| object.pointer("/metadata/namespace").and_then(Value::as_str))
        .unwrap_or_default();
    let subject = subject(kind, namespace, req, object);
    if skipped(settings, namespace, object) {
        return Decision {
            subject,
            ..Decision::default()
        };
    }
    let Some(pointer) = pod_spec_pointer(kind) else {
        return Decision::refuse(&subject, "request.kind", unhandled_kind(kind));
    };
    let base = pointer.trim_start_matches('/').replace('/', ".");
    if object.pointer(pointer).is_none() {
        return Decision::refuse(&subject, &base, "is missing: a workload needs a pod spec here".into());
    }

    // A Pod's security contexts are immutable: on UPDATE, only what the update introduces counts.
    if kind == "Pod" && operation == "UPDATE" {
        return pod_update(subject, object, req.get("oldObject"), pointer, &base, settings, images);
    }

    let mutate = allow_mutation && settings.mutate;
    let mut mutated = object.clone();
    let Some(spec) = mutated.pointer_mut(pointer) else {
        return Decision::refuse(&subject, &base, "is missing: a workload needs a pod spec here".into());
    };
    let out = check_spec(spec, &base, settings, mutate, images);
    let changed = out.changed && out.violations.is_empty();
    Decision {
        subject,
        violations: out.violations,
        omitted: out.omitted,
        warnings: out.warnings,
        mutated: changed.then_some(mutated),
    }
}

/// `request.object`: the submitted object, or the refusal that says it is not one.
fn submitted_object(req: &serde_json::Map<String, Value>) -> Result<&Value, Box<Decision>> {
    match req.get("object") {
        Some(o @ Value::Object(_)) => Ok(o),
        Some(other) => Err(Box::new(Decision::refuse(
            "admission request",
            "request.object",
            format!("must be the submitted object, got {}", short(other)),
        ))),
        None => Err(Box::new(Decision::refuse(
            "admission request",
            "request.object",
            "is missing: there is nothing to check".into(),
        ))),
    }
}

/// Requests the policy lets through unchecked: an exempt namespace, or an object on its way out
/// (finalizers being removed), which starts no new container.
fn skipped(settings: &Settings, namespace: &str, object: &Value) -> bool {
    settings.namespace_exempt(namespace)
        || object
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null())
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
fn pod_update(
    subject: String,
    object: &Value,
    old: Option<&Value>,
    pointer: &str,
    base: &str,
    settings: &Settings,
    images: &mut dyn ImageConfigs,
) -> Decision {
    let mut new_spec = object.pointer(pointer).cloned().unwrap_or(Value::Null);
    let new = check_spec(&mut new_spec, base, settings, false, images);
    let old = old.and_then(|o| o.pointer(pointer)).map(|spec| {
        let mut spec = spec.clone();
        check_spec(&mut spec, base, settings, false, images)
    });
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
    Decision {
        subject,
        violations,
        omitted,
        warnings: Vec::new(),
        mutated: None,
    }
}

fn subject(kind: &str, namespace: &str, req: &serde_json::Map<String, Value>, object: &Value) -> String {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .or_else(|| req.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()))
        .map(str::to_string)
        .or_else(|| {
            object
                .pointer("/metadata/generateName")
                .and_then(Value::as_str)
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
