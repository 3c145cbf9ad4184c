//! Behaviour of the whole policy on AdmissionRequests: every kind, every setting, the exact mutations.

#![forbid(unsafe_code)]

use crate::{evaluate, Settings};
use podgroups_core::manifest::raw::{Nested, Object};
use serde_json::{json, Value};

/// A pod spec with one container and nothing set.
fn bare_spec() -> Value {
    json!({"containers": [{"name": "app", "image": "ghcr.io/acme/app:1", "x-unknown": {"kept": true}}]})
}

/// Wraps a pod spec in an object of `kind` at the right place.
fn object(kind: &str, spec: Value) -> Value {
    let meta = json!({"name": "web", "namespace": "prod", "annotations": {"a": "b"}});
    match kind {
        "Pod" => {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": {}})
        }
        "PodTemplate" => {
            json!({"apiVersion": "v1", "kind": kind, "metadata": meta, "template": {"metadata": {}, "spec": spec}})
        }
        "CronJob" => json!({"apiVersion": "batch/v1", "kind": kind, "metadata": meta,
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": spec}}}}}),
        _ => json!({"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
            "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}}),
    }
}

fn request(kind: &str, operation: &str, object: Value) -> Value {
    json!({"uid": "1", "kind": {"group": "", "version": "v1", "kind": kind}, "operation": operation,
        "namespace": "prod", "name": "web", "object": object})
}

/// The decision on `operation` of a `kind` holding `spec`, where the policy may mutate (Kubewarden).
fn submit(kind: &str, operation: &str, spec: Value, s: &Settings) -> crate::Decision {
    evaluate(&request(kind, operation, object(kind, spec)), s, true)
}

fn settings(v: Value) -> Settings {
    Settings::from_json(&v).unwrap()
}

/// Leaf changes from `a` to `b` as `pointer=value` (added or changed) and `pointer-` (removed).
fn diff(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in y {
                match x.get(k) {
                    Some(old) => diff(old, v, &format!("{at}/{k}"), out),
                    None => out.push(format!("{at}/{k}={v}")),
                }
            }
            for k in x.keys().filter(|k| !y.contains_key(*k)) {
                out.push(format!("{at}/{k}-"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(p, q, &format!("{at}/{i}"), out);
            }
        }
        _ if a != b => out.push(format!("{at}={b}")),
        _ => {}
    }
}

fn changes(original: &Value, decision: &crate::Decision) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = &decision.mutated {
        diff(original, m, "", &mut out);
    }
    out
}

const KINDS: [(&str, &str); 9] = [
    ("Pod", "/spec"),
    ("PodTemplate", "/template/spec"),
    ("Deployment", "/spec/template/spec"),
    ("ReplicaSet", "/spec/template/spec"),
    ("StatefulSet", "/spec/template/spec"),
    ("DaemonSet", "/spec/template/spec"),
    ("Job", "/spec/template/spec"),
    ("ReplicationController", "/spec/template/spec"),
    ("CronJob", "/spec/jobTemplate/spec/template/spec"),
];

#[test]
fn every_kind_is_mutated_to_strict_and_nothing_else_changes() {
    for (kind, at) in KINDS {
        let obj = object(kind, bare_spec());
        let d = evaluate(&request(kind, "CREATE", obj.clone()), &Settings::default(), true);
        assert!(d.accepted(), "{kind}: {:?}", d.message());
        assert_eq!(
            changes(&obj, &d),
            [format!(
                "{at}/securityContext={{\"supplementalGroupsPolicy\":\"Strict\"}}"
            )],
            "{kind}"
        );
        assert_eq!(d.warnings.len(), 1, "{kind}");
        assert!(d.warnings[0].contains("was set to Strict"));
    }
}

#[test]
fn every_kind_is_rejected_without_mutation_naming_the_field() {
    for (kind, at) in KINDS {
        let d = evaluate(
            &request(kind, "CREATE", object(kind, bare_spec())),
            &settings(json!({"mutate": false})),
            true,
        );
        let field = format!(
            "{}.securityContext.supplementalGroupsPolicy",
            at.trim_start_matches('/').replace('/', ".")
        );
        let msg = d.message().unwrap();
        assert!(
            msg.starts_with(&format!("{kind} prod/web: {field} is not set")),
            "{msg}"
        );
        assert!(msg.contains("set it to \"Strict\""));
        assert!(d.mutated.is_none());
    }
}

#[test]
fn strict_is_accepted_unchanged_and_merge_is_always_rejected() {
    let strict =
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict"}, "containers": [{"name": "c", "image": "i"}]});
    for mutate in [true, false] {
        let s = settings(json!({"mutate": mutate}));
        let d = submit("Deployment", "CREATE", strict.clone(), &s);
        assert!(d.accepted() && d.mutated.is_none() && d.warnings.is_empty());
        let mut merge = strict.clone();
        merge["securityContext"]["supplementalGroupsPolicy"] = json!("Merge");
        let d = submit("Deployment", "UPDATE", merge, &s);
        assert!(d
            .message()
            .unwrap()
            .contains("spec.template.spec.securityContext.supplementalGroupsPolicy is \"Merge\""));
        assert!(d.mutated.is_none());
    }
    let mut odd = strict;
    odd["securityContext"]["supplementalGroupsPolicy"] = json!("strict");
    let d = submit("Pod", "CREATE", odd, &Settings::default());
    assert!(d
        .message()
        .unwrap()
        .contains("is \"strict\": supported values are \"Merge\" and \"Strict\""));
}

#[test]
fn gatekeeper_mode_never_mutates() {
    let d = evaluate(
        &request("Pod", "CREATE", object("Pod", bare_spec())),
        &Settings::default(),
        false,
    );
    assert!(!d.accepted() && d.mutated.is_none());
}

#[test]
fn exempt_images_and_namespaces() {
    let s =
        settings(json!({"mutate": false, "exempt_images": ["ghcr.io/acme/*"], "exempt_namespaces": ["kube-system"]}));
    let d = submit("Pod", "CREATE", bare_spec(), &s);
    assert!(d.accepted(), "{:?}", d.message());
    // One non-exempt container makes the pod-level field required again.
    let mut spec = bare_spec();
    spec["initContainers"] = json!([{"name": "init", "image": "busybox"}]);
    let d = submit("Pod", "CREATE", spec.clone(), &s);
    assert!(d.message().unwrap().contains("supplementalGroupsPolicy is not set"));
    let mut req = request("Pod", "CREATE", object("Pod", spec));
    req["namespace"] = json!("kube-system");
    assert!(evaluate(&req, &s, true).accepted());
}

#[test]
fn range_rules_mutate_missing_values_at_container_and_pod_level() {
    let s = settings(json!({
        "run_as_user": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 1999}]},
        "run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 3000, "max": 3999}, {"min": 5000, "max": 5000}]},
        "supplemental_groups": {"rule": "MustRunAs", "ranges": [{"min": 4000, "max": 4999}]},
        "fs_group": {"rule": "MustRunAs", "ranges": [{"min": 6000, "max": 6999}]}
    }));
    let obj = object("Deployment", bare_spec());
    let d = evaluate(&request("Deployment", "CREATE", obj.clone()), &s, true);
    assert!(d.accepted(), "{:?}", d.message());
    let mut got = changes(&obj, &d);
    got.sort();
    assert_eq!(
        got,
        [
            "/spec/template/spec/containers/0/securityContext={\"runAsGroup\":3000,\"runAsUser\":1000}",
            "/spec/template/spec/securityContext={\"fsGroup\":6000,\"supplementalGroups\":[4000],\"supplementalGroupsPolicy\":\"Strict\"}",
        ]
    );
    // The unknown container field survived the mutation.
    assert_eq!(
        d.mutated.unwrap()["spec"]["template"]["spec"]["containers"][0]["x-unknown"],
        json!({"kept": true})
    );
}

#[test]
fn range_rules_reject_missing_values_without_mutation() {
    let s = settings(json!({
        "mutate": false,
        "run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 3000, "max": 3999}]},
        "supplemental_groups": {"rule": "MustRunAs", "ranges": [{"min": 4000, "max": 4999}]},
        "fs_group": {"rule": "MustRunAs", "ranges": [{"min": 6000, "max": 6999}]}
    }));
    let mut spec = bare_spec();
    spec["securityContext"] = json!({"supplementalGroupsPolicy": "Strict"});
    let d = submit("Job", "CREATE", spec, &s);
    let fields: Vec<&str> = d.violations.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "spec.template.spec.securityContext.fsGroup",
            "spec.template.spec.securityContext.supplementalGroups",
            "spec.template.spec.containers[0].securityContext.runAsGroup",
        ]
    );
    let msg = d.message().unwrap();
    assert!(msg.contains("container \"app\": spec.template.spec.containers[0].securityContext.runAsGroup is not set; set it within 3000-3999 (run_as_group MustRunAs)"), "{msg}");
}

#[test]
fn a_pod_with_every_value_in_range_is_accepted_whatever_mutate_says() {
    let rules = json!({
        "run_as_user": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 1999}]},
        "run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 3000, "max": 3999}]},
        "supplemental_groups": {"rule": "MustRunAs", "ranges": [{"min": 4000, "max": 4999}]},
        "fs_group": {"rule": "MayRunAs", "ranges": [{"min": 6000, "max": 6999}]},
        "require_run_as_group": true
    });
    let spec = json!({
        "securityContext": {"supplementalGroupsPolicy": "Strict", "runAsUser": 1000, "runAsGroup": 3000, "supplementalGroups": [4000, 4999], "fsGroup": 6000},
        "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y", "securityContext": {"runAsGroup": 3999}}]
    });
    for mutate in [true, false] {
        let mut s = rules.clone();
        s["mutate"] = json!(mutate);
        let d = submit("Pod", "CREATE", spec.clone(), &settings(s));
        assert!(
            d.accepted() && d.mutated.is_none() && d.warnings.is_empty(),
            "{:?}",
            d.message()
        );
    }
}

#[test]
fn container_values_override_pod_values() {
    let s = settings(json!({"run_as_group": {"rule": "MayRunAs", "ranges": [{"min": 3000, "max": 3999}]}}));
    // Pod value out of range but every container overrides it: accepted (Spec 4).
    let spec = json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsGroup": 10, "runAsUser": 1},
        "containers": [{"name": "a", "image": "x", "securityContext": {"runAsGroup": 3001}}]});
    assert!(submit("Pod", "CREATE", spec.clone(), &s).accepted());
    // A container without its own value inherits the pod's, and the message points at the pod field.
    let mut spec2 = spec;
    spec2["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "b", "image": "y"}));
    let d = submit("Pod", "CREATE", spec2, &s);
    assert_eq!(d.violations.len(), 1);
    assert_eq!(d.violations[0].field, "spec.securityContext.runAsGroup");
    assert_eq!(d.violations[0].container.as_deref(), Some("container \"b\""));
    assert!(d.violations[0]
        .text
        .starts_with("is 10, outside the allowed ranges 3000-3999"));
    // A container value out of range is refused even when the pod value is fine.
    let spec3 = json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsGroup": 3000, "runAsUser": 1},
        "initContainers": [{"name": "i", "image": "x", "securityContext": {"runAsGroup": 0}}], "containers": [{"name": "a", "image": "x"}]});
    let d = submit("Pod", "CREATE", spec3, &s);
    assert_eq!(
        d.violations[0].field,
        "spec.initContainers[0].securityContext.runAsGroup"
    );
    assert_eq!(d.violations[0].container.as_deref(), Some("init container \"i\""));
}

#[test]
fn may_run_as_allows_missing_and_supplemental_groups_are_checked_one_by_one() {
    let s = settings(
        json!({"supplemental_groups": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]},
        "fs_group": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}]}}),
    );
    let mut spec = bare_spec();
    spec["securityContext"] = json!({"supplementalGroupsPolicy": "Strict"});
    assert!(submit("Pod", "CREATE", spec.clone(), &s).accepted());
    spec["securityContext"]["supplementalGroups"] = json!([150, 250, "300"]);
    spec["securityContext"]["fsGroup"] = json!(99);
    let d = submit("Pod", "CREATE", spec, &s);
    let got: Vec<String> = d.violations.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "spec.securityContext.fsGroup is 99, outside the allowed ranges 100-200; set it within them (fs_group)",
            "spec.securityContext.supplementalGroups[1] is 250, outside the allowed ranges 100-200; set it within them (supplemental_groups); 1 more entries are invalid or outside the ranges",
        ]
    );
}

#[test]
fn must_run_as_non_root() {
    let s = settings(json!({"run_as_user": {"rule": "MustRunAsNonRoot"}}));
    let obj = object("StatefulSet", bare_spec());
    let d = evaluate(&request("StatefulSet", "CREATE", obj.clone()), &s, true);
    let mut got = changes(&obj, &d);
    got.sort();
    assert_eq!(
        got[0],
        "/spec/template/spec/containers/0/securityContext={\"runAsNonRoot\":true}"
    );
    let mut root = bare_spec();
    for (sc, said) in [
        (
            json!({"supplementalGroupsPolicy": "Strict", "runAsUser": 0}),
            "container \"app\": spec.template.spec.securityContext.runAsUser is 0 (root)",
        ),
        (
            json!({"supplementalGroupsPolicy": "Strict", "runAsNonRoot": false}),
            "spec.template.spec.securityContext.runAsNonRoot is false",
        ),
    ] {
        root["securityContext"] = sc.clone();
        let message = submit("StatefulSet", "CREATE", root.clone(), &s).message().unwrap();
        assert!(message.contains(said), "{sc}: {message}");
    }
    root["securityContext"] = json!({"supplementalGroupsPolicy": "Strict", "runAsNonRoot": true});
    assert!(submit("StatefulSet", "CREATE", root, &s).accepted());
    let d = evaluate(
        &request("StatefulSet", "CREATE", obj),
        &settings(json!({"mutate": false, "run_as_user": {"rule": "MustRunAsNonRoot"}})),
        true,
    );
    assert!(d
        .message()
        .unwrap()
        .contains("runAsNonRoot is not set and neither is runAsUser"));
}

#[test]
fn require_run_as_group_and_the_containerd_warning() {
    let s = settings(json!({"require_run_as_group": true}));
    let mut spec = bare_spec();
    spec["securityContext"] = json!({"supplementalGroupsPolicy": "Strict"});
    let d = submit("DaemonSet", "CREATE", spec.clone(), &s);
    assert!(d
        .message()
        .unwrap()
        .contains("primary gid comes from the image's /etc/passwd or falls back to 0"));
    spec["securityContext"]["runAsGroup"] = json!(3000);
    let d = submit("DaemonSet", "CREATE", spec.clone(), &s);
    assert!(d.accepted());
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].starts_with("spec.template.spec.securityContext.runAsGroup (3000) is set without runAsUser"));
    // The core's words, shared with `podgroups explain`'s CRI-O warning.
    assert_eq!(
        d.warnings[0],
        podgroups_core::warnings::run_as_group_without_run_as_user("spec.template.spec.securityContext", &3000)
    );
    spec["securityContext"]["runAsUser"] = json!(1000);
    assert!(submit("DaemonSet", "CREATE", spec, &s).warnings.is_empty());
}

#[test]
fn pod_updates_are_judged_only_on_what_they_change() {
    let s = settings(json!({"mutate": false, "run_as_user": {"rule": "MustRunAsNonRoot"}}));
    let old = object("Pod", bare_spec());
    let mut new = old.clone();
    new["metadata"]["labels"] = json!({"x": "y"});
    let mut req = request("Pod", "UPDATE", new.clone());
    req["oldObject"] = old.clone();
    let d = evaluate(&req, &s, true);
    assert!(d.accepted() && d.mutated.is_none(), "{:?}", d.message());
    // An ephemeral container added as root is a new violation.
    new["spec"]["ephemeralContainers"] =
        json!([{"name": "debug", "image": "busybox", "securityContext": {"runAsUser": 0}}]);
    req["object"] = new;
    let d = evaluate(&req, &s, true);
    assert_eq!(d.violations.len(), 1, "{:?}", d.message());
    assert!(d
        .message()
        .unwrap()
        .contains("ephemeral container \"debug\": spec.ephemeralContainers[0].securityContext.runAsUser is 0"));
    // Workload updates are judged (and mutated) in full.
    let obj = object("Deployment", bare_spec());
    let mut req = request("Deployment", "UPDATE", obj.clone());
    req["oldObject"] = obj;
    assert!(evaluate(&req, &Settings::default(), true).mutated.is_some());
}

#[test]
fn skipped_requests() {
    let s = settings(json!({"mutate": false}));
    assert!(submit("Pod", "DELETE", bare_spec(), &s).accepted());
    let mut dying = object("Deployment", bare_spec());
    dying["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    assert!(evaluate(&request("Deployment", "UPDATE", dying), &s, true).accepted());
    let windows =
        json!({"os": {"name": "windows"}, "containers": [{"name": "w", "image": "mcr.microsoft.com/windows"}]});
    assert!(submit("Pod", "CREATE", windows, &s).accepted());
}

#[test]
fn garbage_is_rejected_with_a_message() {
    let s = Settings::default();
    let cases = [
        (
            json!("not a request"),
            "admission request: request must be an AdmissionRequest object",
        ),
        (json!({"operation": "CREATE"}), "request.object is missing"),
        (
            json!({"operation": "CREATE", "object": [1]}),
            "request.object must be the submitted object",
        ),
        (
            json!({"kind": {"kind": "ConfigMap"}, "operation": "CREATE", "object": {"data": {}}}),
            "\"ConfigMap\" is not handled by this policy: list only Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController and PodTemplate in its rules",
        ),
        (
            json!({"kind": {"kind": "Deployment"}, "operation": "CREATE", "object": {"spec": {}}}),
            "spec.template.spec is missing",
        ),
        (
            json!({"kind": {"kind": "Pod"}, "operation": "CREATE", "object": {"spec": "x"}}),
            "spec must be an object holding the pod spec",
        ),
        (
            json!({"kind": {"kind": "Pod"}, "operation": "CREATE", "object": {"spec": {"containers": {"a": 1}}}}),
            "spec.containers must be a list",
        ),
        (
            json!({"kind": {"kind": "Pod"}, "operation": "CREATE", "object": {"spec": {"containers": [7]}}}),
            "spec.containers[0] must be an object",
        ),
        (
            json!({"kind": {"kind": "Pod"}, "operation": "CREATE", "object": {"spec": {"securityContext": [], "containers": []}}}),
            "spec.securityContext must be an object",
        ),
        (
            json!({"kind": {"kind": "Pod"}, "operation": "CREATE", "object": {"spec": {"containers": [{"securityContext": 5}]}}}),
            "securityContext must be an object",
        ),
    ];
    for (req, expected) in cases {
        let d = evaluate(&req, &s, true);
        let msg = d.message().unwrap_or_default();
        assert!(msg.contains(expected), "{req}: {msg}");
        assert!(d.mutated.is_none());
    }
}

#[test]
fn absurd_numbers_and_huge_arrays_stay_rejections() {
    let s = settings(json!({"supplemental_groups": {"rule": "MayRunAs", "ranges": [{"min": 1, "max": 10}]}}));
    let mut spec = bare_spec();
    spec["securityContext"] = json!({"supplementalGroupsPolicy": "Strict", "runAsUser": 1e300, "supplementalGroups": (0..100_000).map(|i| i + 100).collect::<Vec<u64>>()});
    let d = submit("Pod", "CREATE", spec.clone(), &s);
    let got: Vec<String> = d.violations.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "spec.securityContext.supplementalGroups[0] is 100, outside the allowed ranges 1-10; set it within them (supplemental_groups); 99999 more entries are invalid or outside the ranges",
            "container \"app\": spec.securityContext.runAsUser must be an integer between 0 and 2147483647, got 1e+300",
        ]
    );
    // Past MAX_LISTED, violations are counted, not listed: one for the list, then runAsUser
    // and runAsGroup for each of 50 containers.
    let many: Vec<Value> = (0..50)
        .map(|i| json!({"name": format!("c{i}"), "image": "x", "securityContext": {"runAsGroup": -1}}))
        .collect();
    spec["containers"] = Value::Array(many);
    let d = submit("Pod", "CREATE", spec.clone(), &s);
    assert_eq!((d.violations.len(), d.omitted), (101, 0));
    assert_eq!(d.listed().0.len(), crate::evaluate::MAX_LISTED);
    let end = format!("and {} more violations", 101 - crate::evaluate::MAX_LISTED);
    assert!(d.message().unwrap().ends_with(&end));
    spec = bare_spec();
    // An absurd uid is refused even with RunAsAny, and the message stays short.
    spec["securityContext"] =
        json!({"supplementalGroupsPolicy": "Strict", "runAsGroup": -5, "runAsUser": 18446744073709551615u64});
    let d = submit("Pod", "CREATE", spec, &Settings::default());
    let got: Vec<String> = d.violations.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "container \"app\": spec.securityContext.runAsUser must be an integer between 0 and 2147483647, got 18446744073709551615",
            "container \"app\": spec.securityContext.runAsGroup must be an integer between 0 and 2147483647, got -5",
        ]
    );
}

#[test]
fn pod_updates_compare_more_violations_than_a_message_lists() {
    let s = settings(json!({"mutate": false, "run_as_user": {"rule": "MustRunAsNonRoot"}}));
    let containers: Vec<Value> = (0..30)
        .map(|i| json!({"name": format!("c{i}"), "image": "x", "securityContext": {"runAsUser": 0}}))
        .collect();
    let old = object("Pod", json!({"containers": containers}));
    let mut new = old.clone();
    new["metadata"]["labels"] = json!({"release": "2"});
    let mut req = request("Pod", "UPDATE", new);
    req["oldObject"] = old;
    let d = evaluate(&req, &s, true);
    assert!(d.accepted(), "{:?}", d.message());
}

#[test]
fn violations_past_the_kept_limit_are_counted() {
    let containers: Vec<Value> = (0..1200)
        .map(|i| json!({"name": format!("c{i}"), "image": "x", "securityContext": {"runAsGroup": -1}}))
        .collect();
    let spec = json!({"securityContext": {"supplementalGroupsPolicy": "Strict"}, "containers": containers});
    let d = submit("Pod", "CREATE", spec, &Settings::default());
    assert_eq!((d.violations.len(), d.omitted), (crate::check::MAX_KEPT, 200));
    assert!(d.message().unwrap().ends_with("; and 1180 more violations"));
}

#[test]
fn null_security_contexts_count_as_unset_and_are_replaced_when_mutating() {
    let s = settings(json!({"run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 7, "max": 7}]}}));
    let spec = json!({"securityContext": null, "containers": [{"name": "a", "image": "x", "securityContext": null}]});
    let obj = object("ReplicaSet", spec);
    let d = evaluate(&request("ReplicaSet", "CREATE", obj.clone()), &s, true);
    let mut got = changes(&obj, &d);
    got.sort();
    assert_eq!(
        got,
        [
            "/spec/template/spec/containers/0/securityContext={\"runAsGroup\":7}",
            "/spec/template/spec/securityContext={\"supplementalGroupsPolicy\":\"Strict\"}",
        ]
    );
}

#[test]
fn a_pod_update_without_old_object_is_judged_alone_and_never_mutated() {
    let d = submit("Pod", "UPDATE", bare_spec(), &Settings::default());
    assert!(d.mutated.is_none());
    assert!(d.message().unwrap().contains("supplementalGroupsPolicy is not set"));
}

/// Image configs answered from a table, counting the questions (one per image per request).
struct Configs(Vec<(&'static str, Result<&'static str, &'static str>)>, usize);

impl crate::ImageConfigs for Configs {
    fn user(&mut self, image: &str) -> Result<String, String> {
        self.1 += 1;
        let found = self.0.iter().find(|(i, _)| *i == image);
        match found {
            Some((_, answer)) => answer.map(str::to_string).map_err(str::to_string),
            None => Err(format!("no config stored for {image}")),
        }
    }
}

#[test]
fn the_image_config_user_counts_when_no_run_as_user_is_set() {
    use crate::evaluate_with_images;
    let pod = |image: &str, csc: Value| {
        request(
            "Pod",
            "CREATE",
            object(
                "Pod",
                json!({"securityContext": {"supplementalGroupsPolicy": "Strict"},
                    "containers": [{"name": "app", "image": image, "securityContext": csc}]}),
            ),
        )
    };
    let mut configs = Configs(
        vec![
            ("root:1", Ok("")),
            ("named:1", Ok("app:app")),
            ("uid:1", Ok("10001:10001")),
            ("broken:1", Err("registry unreachable")),
        ],
        0,
    );
    let non_root = settings(json!({"check_image_user": true, "run_as_user": {"rule": "MustRunAsNonRoot"}}));
    let run = |req: &Value, s: &Settings, c: &mut Configs| evaluate_with_images(req, s, true, c);

    let d = run(&pod("root:1", json!({})), &non_root, &mut configs);
    let msg = d.message().unwrap();
    assert!(msg.contains("spec.containers[0].securityContext.runAsUser is not set and image \"root:1\" runs as root (its config's USER is \"\")"), "{msg}");
    let d = run(&pod("named:1", json!({"runAsNonRoot": true})), &non_root, &mut configs);
    assert!(
        d.message().unwrap().contains("non-numeric USER \"app:app\""),
        "{:?}",
        d.message()
    );
    let d = run(&pod("broken:1", json!({})), &non_root, &mut configs);
    assert!(d
        .message()
        .unwrap()
        .contains("could not be read (registry unreachable)"));
    // A numeric non-root USER passes; runAsNonRoot is still set so the kubelet keeps verifying it.
    let d = run(&pod("uid:1", json!({})), &non_root, &mut configs);
    assert!(d.accepted(), "{:?}", d.message());
    assert_eq!(
        d.mutated.unwrap()["spec"]["containers"][0]["securityContext"]["runAsNonRoot"],
        true
    );
    // A runAsUser in the manifest wins: the image is not asked.
    let asked = configs.1;
    let d = run(&pod("root:1", json!({"runAsUser": 1000})), &non_root, &mut configs);
    assert!(d.accepted());
    assert_eq!(configs.1, asked);

    // MustRunAs: an image uid inside the ranges needs no default; outside, the default is set.
    let ranges = settings(json!({"check_image_user": true,
        "run_as_user": {"rule": "MustRunAs", "ranges": [{"min": 10000, "max": 20000}]}}));
    let d = run(&pod("uid:1", json!({})), &ranges, &mut configs);
    assert!(d.accepted() && d.mutated.is_none(), "{:?}", d.mutated);
    let d = run(&pod("root:1", json!({})), &ranges, &mut configs);
    assert_eq!(
        d.mutated.unwrap()["spec"]["containers"][0]["securityContext"]["runAsUser"],
        10000
    );

    // Off by default, and evaluate() without a capability never asks.
    let d = evaluate(
        &pod("root:1", json!({})),
        &settings(json!({"run_as_user": {"rule": "MustRunAsNonRoot"}})),
        true,
    );
    assert!(d.accepted());
    let d = evaluate(&pod("root:1", json!({})), &non_root, true);
    assert!(d.message().unwrap().contains("no image-config capability"));
}

/// The artifacts answer from the request's text: the mutated object is that text with the new members
/// spliced in, so unknown fields, key order, spacing and numbers as written reach the apiserver as
/// they were sent.
#[test]
fn the_mutated_object_is_the_submitted_text_with_members_spliced_in() {
    let text = r#"{"operation": "CREATE", "kind": {"kind": "Pod"}, "object": {"kind": "Pod", "metadata": {"name": "p"},
        "spec": {"x-unknown": 1.50e0, "containers": [{"name": "a", "securityContext": null}, {"name": "b", "securityContext": {"runAsGroup": null, "z": 1}}]}}}"#;
    let request = |text| Nested::Object(Object::from_text(text).unwrap());
    let s = settings(json!({"run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 5, "max": 6}]}}));
    let v = crate::evaluate_raw(request(text), &s, true, &mut crate::image::NoImageConfigs);
    assert!(v.accepted(), "{:?}", v.message());
    assert_eq!(
        v.mutated.as_deref(),
        Some(
            r#"{"kind": "Pod", "metadata": {"name": "p"},
        "spec": {"securityContext":{"supplementalGroupsPolicy":"Strict"},"x-unknown": 1.50e0, "containers": [{"name": "a", "securityContext": {"runAsGroup":5}}, {"name": "b", "securityContext": {"runAsGroup": 5, "z": 1}}]}}"#
        )
    );
    assert_eq!(v.subject(), "Pod p");
    // Accepted unchanged: no text at all.
    let strict = text.replace(
        r#""x-unknown""#,
        r#""securityContext": {"supplementalGroupsPolicy": "Strict", "runAsUser": 7, "runAsGroup": 5}, "x-unknown""#,
    );
    let v = crate::evaluate_raw(request(&strict), &s, true, &mut crate::image::NoImageConfigs);
    assert!(v.accepted() && v.mutated.is_none() && v.warnings.is_empty());
}

#[test]
fn the_emitted_limits_name_the_core_s_id_limit() {
    let limits = crate::emit::limits();
    assert!(
        limits[3].contains(&format!("0-{}", podgroups_core::limits::MAX_ID)),
        "{}",
        limits[3]
    );
    assert!(limits[3].contains("0-2147483647"));
}
