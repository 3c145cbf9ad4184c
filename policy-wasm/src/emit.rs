//! The policy's rules in the forms other admission engines run (`podgroups policy emit`): a
//! ValidatingAdmissionPolicy + binding, a MutatingAdmissionPolicy that sets Strict, a Gatekeeper
//! ConstraintTemplate (CEL, `K8sNativeValidation`) + constraint + `Assign` mutators, and a Kyverno
//! ClusterPolicy. They share one set of CEL expressions built from the same [`Settings`], so their
//! verdicts equal [`crate::evaluate`]'s in validate-only mode (tests/emit_cel.rs checks it).
//!
//! What no CEL engine can do is said in [`limits`]: the image's groups are never visible to them, and
//! the image config's `USER` (`check_image_user`) needs Kubewarden's host capability.

#![forbid(unsafe_code)]

use crate::rules::{IdRange, Rule};
use crate::settings::{ImagePattern, Settings};
use podgroups_core::limits::MAX_ID;
use podgroups_core::manifest::pod_spec_pointer;
use serde_json::{json, Value};

/// The output forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Vap,
    Map,
    Gatekeeper,
    Kyverno,
}

impl Form {
    pub const ALL: [Form; 4] = [Form::Vap, Form::Map, Form::Gatekeeper, Form::Kyverno];

    pub fn name(self) -> &'static str {
        match self {
            Form::Vap => "vap",
            Form::Map => "map",
            Form::Gatekeeper => "gatekeeper",
            Form::Kyverno => "kyverno",
        }
    }
}

/// What the emitted forms cannot express, printed as a comment with them.
pub fn limits() -> [String; 5] {
    [
        "No admission engine sees the image's layers: the groups its /etc/group would add under Merge are invisible here, which is why Strict is required.".into(),
        "check_image_user needs Kubewarden's oci/v1/oci_manifest_config host capability; CEL cannot read image configs, so it is not emitted.".into(),
        "Only Strict is set by the mutations; MustRunAs defaults (runAsUser, runAsGroup, fsGroup, supplementalGroups) and runAsNonRoot are required, not set.".into(),
        format!("Ids that are not integers in 0-{MAX_ID} are refused by the apiserver's own validation before these policies run."),
        "Gatekeeper's Assign cannot test other fields: it also sets Strict on Windows pod templates (which the apiserver then refuses) and, with exempt_images, where every container is exempt; the Wasm policy and the Kyverno rules leave both alone.".into(),
    ]
}

/// The API groups and resources the policy handles, as in metadata.yml.
const RESOURCES: [(&str, &[&str], &[&str]); 3] = [
    (
        "",
        &[
            "pods",
            "pods/ephemeralcontainers",
            "replicationcontrollers",
            "podtemplates",
        ],
        &["Pod", "ReplicationController", "PodTemplate"],
    ),
    (
        "apps",
        &["deployments", "replicasets", "statefulsets", "daemonsets"],
        &["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"],
    ),
    ("batch", &["jobs", "cronjobs"], &["Job", "CronJob"]),
];

/// One CEL validation: the expression must be true, else `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub expression: String,
    pub message: String,
}

/// The named CEL variables every validation uses, in evaluation order (each may use the earlier ones).
/// Every container of the pod spec at `spec` (init, regular, ephemeral), as one CEL list.
fn all_containers(spec: &str) -> String {
    format!(
        "(has({spec}.initContainers) ? {spec}.initContainers : []) + (has({spec}.containers) ? {spec}.containers : []) + (has({spec}.ephemeralContainers) ? {spec}.ephemeralContainers : [])"
    )
}

/// Every container of the pod spec at `spec` is exempt (none when no image is exempt).
fn every_container_exempt(settings: &Settings, spec: &str) -> Option<String> {
    let e = exempt_image(&settings.exempt_images, "c")?;
    let all = all_containers(spec);
    Some(format!("size({all}) > 0 && ({all}).all(c, {e})"))
}

pub fn variables(settings: &Settings) -> Vec<(&'static str, String)> {
    let exempt_namespaces = if settings.exempt_namespaces.is_empty() {
        String::new()
    } else {
        format!(
            " || (has(object.metadata.namespace) && object.metadata.namespace in {})",
            string_list(settings.exempt_namespaces.iter().map(String::as_str))
        )
    };
    let exempt = exempt_image(&settings.exempt_images, "c");
    vec![
        ("podSpec", kind_switch(|p| format!("object{}", p.replace('/', ".")))),
        ("specPath", kind_switch(|p| format!("'{p}'"))),
        (
            "psc",
            "has(variables.podSpec.securityContext) ? variables.podSpec.securityContext : {}".into(),
        ),
        // A Pod's security contexts are immutable: an UPDATE is judged only on containers it adds.
        ("podUpdate", "request.operation == 'UPDATE' && object.kind == 'Pod'".into()),
        ("allContainers", all_containers("variables.podSpec")),
        (
            "containers",
            "variables.podUpdate ? (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers.filter(e, !(has(oldObject.spec.ephemeralContainers) && oldObject.spec.ephemeralContainers.exists(o, o.name == e.name))) : []) : variables.allContainers".into(),
        ),
        (
            "checked",
            match &exempt {
                None => "variables.containers".into(),
                Some(e) => format!("variables.containers.filter(c, !({e}))"),
            },
        ),
        (
            "podExempt",
            every_container_exempt(settings, "variables.podSpec").unwrap_or_else(|| "false".into()),
        ),
        (
            "skip",
            format!("has(object.metadata.deletionTimestamp) || (has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows'){exempt_namespaces}"),
        ),
    ]
}

/// `object.kind == 'Pod' ? <Pod's> : … : <the workloads' spec.template.spec>`, from the core's table.
fn kind_switch(render: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let default = "/spec/template/spec";
    for kinds in RESOURCES.iter().map(|(_, _, kinds)| kinds) {
        for kind in kinds.iter() {
            match pod_spec_pointer(kind) {
                Some(p) if p != default => out.push_str(&format!("object.kind == '{kind}' ? {} : ", render(p))),
                _ => {}
            }
        }
    }
    out.push_str(&render(default));
    out
}

fn string_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.map(|s| Value::from(s).to_string()).collect();
    format!("[{}]", quoted.join(", "))
}

/// `c` is exempt: its image equals an entry or starts with a prefix entry.
fn exempt_image(patterns: &[ImagePattern], c: &str) -> Option<String> {
    if patterns.is_empty() {
        return None;
    }
    let exact: Vec<&str> = patterns
        .iter()
        .filter_map(|p| match p {
            ImagePattern::Exact(s) => Some(s.as_str()),
            ImagePattern::Prefix(_) => None,
        })
        .collect();
    let mut tests = Vec::new();
    if !exact.is_empty() {
        tests.push(format!("{c}.image in {}", string_list(exact.into_iter())));
    }
    for p in patterns {
        if let ImagePattern::Prefix(prefix) = p {
            tests.push(format!("{c}.image.startsWith({})", Value::from(prefix.as_str())));
        }
    }
    Some(format!("has({c}.image) && ({})", tests.join(" || ")))
}

/// `x` lies in one of the ranges.
fn in_ranges(x: &str, ranges: &[IdRange]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| format!("({x} >= {} && {x} <= {})", r.min, r.max))
        .collect();
    format!("({})", parts.join(" || "))
}

fn ranges_text(ranges: &[IdRange]) -> String {
    crate::rules::Ranges(ranges).to_string()
}

/// The container's value of `key`, else the pod's, else -1 (Spec 4: container overrides pod).
fn effective(key: &str, unset: &str) -> String {
    format!("(has(c.securityContext) && has(c.securityContext.{key}) ? c.securityContext.{key} : has(variables.psc.{key}) ? variables.psc.{key} : {unset})")
}

/// The validations, each true when the object complies.
pub fn checks(settings: &Settings) -> Vec<Check> {
    let mut out = vec![Check {
        expression: "variables.skip || variables.podUpdate || variables.podExempt || (has(variables.psc.supplementalGroupsPolicy) && variables.psc.supplementalGroupsPolicy == 'Strict')".into(),
        message: "securityContext.supplementalGroupsPolicy must be Strict: with Merge (the default) the image's /etc/group adds groups that no rule sees; set it to \"Strict\"".into(),
    }];
    let pod = "variables.skip || variables.podUpdate || variables.podExempt";
    if let Rule::MustRunAs(r) | Rule::MayRunAs(r) = &settings.fs_group {
        let must = matches!(settings.fs_group, Rule::MustRunAs(_));
        let inside = in_ranges("variables.psc.fsGroup", r);
        out.push(Check {
            expression: if must {
                format!("{pod} || (has(variables.psc.fsGroup) && {inside})")
            } else {
                format!("{pod} || !has(variables.psc.fsGroup) || {inside}")
            },
            message: format!(
                "securityContext.fsGroup must be {}within {} (fs_group)",
                if must { "set " } else { "" },
                ranges_text(r)
            ),
        });
    }
    if let Rule::MustRunAs(r) | Rule::MayRunAs(r) = &settings.supplemental_groups {
        let must = matches!(settings.supplemental_groups, Rule::MustRunAs(_));
        let all = format!("variables.psc.supplementalGroups.all(g, {})", in_ranges("g", r));
        out.push(Check {
            expression: if must {
                format!("{pod} || (has(variables.psc.supplementalGroups) && size(variables.psc.supplementalGroups) > 0 && {all})")
            } else {
                format!("{pod} || !has(variables.psc.supplementalGroups) || {all}")
            },
            message: format!("securityContext.supplementalGroups must {}be within {} (supplemental_groups)", if must { "be set and " } else { "" }, ranges_text(r)),
        });
    }
    let per_container = |cond: String| format!("variables.skip || variables.checked.all(c, {cond})");
    for (key, setting, rule) in [
        ("runAsUser", "run_as_user", &settings.run_as_user),
        ("runAsGroup", "run_as_group", &settings.run_as_group),
    ] {
        let value = effective(key, "-1");
        match rule {
            Rule::MustRunAs(r) => out.push(Check {
                expression: per_container(in_ranges(&value, r)),
                message: format!("every container's effective {key} (its own, else the pod's) must be set within {} ({setting})", ranges_text(r)),
            }),
            Rule::MayRunAs(r) => out.push(Check {
                expression: per_container(format!("{value} == -1 || {}", in_ranges(&value, r))),
                message: format!("every container's effective {key} that is set must be within {} ({setting})", ranges_text(r)),
            }),
            Rule::MustRunAsNonRoot => out.push(Check {
                expression: per_container(format!("{value} != 0 && ({value} != -1 || {})", effective("runAsNonRoot", "false"))),
                message: "every container must run as a non-zero runAsUser, or set runAsNonRoot: true when no runAsUser is set (run_as_user MustRunAsNonRoot)".into(),
            }),
            Rule::RunAsAny => {}
        }
    }
    if settings.require_run_as_group {
        out.push(Check {
            expression: per_container(format!("{} != -1", effective("runAsGroup", "-1"))),
            message: "every container needs an effective runAsGroup, else its primary gid comes from the image's /etc/passwd or is 0 (require_run_as_group)".into(),
        });
    }
    out
}

/// The MutatingAdmissionPolicy's JSON patch: add `supplementalGroupsPolicy: Strict` (and the pod
/// security context when there is none) at the kind's pod spec.
pub const MAP_PATCH: &str = "has(variables.podSpec.securityContext) ? [JSONPatch{op: 'add', path: variables.specPath + '/securityContext/supplementalGroupsPolicy', value: 'Strict'}] : [JSONPatch{op: 'add', path: variables.specPath + '/securityContext', value: {'supplementalGroupsPolicy': 'Strict'}}]";

/// When the mutation applies: Strict is unset, and the object is not skipped, exempt or a Pod update.
pub const MAP_CONDITION: &str =
    "!variables.skip && !variables.podUpdate && !variables.podExempt && !has(variables.psc.supplementalGroupsPolicy)";

const NAME: &str = "podgroups-strict";

fn cel_variables(settings: &Settings) -> Value {
    Value::from(
        variables(settings)
            .into_iter()
            .map(|(name, expression)| json!({"name": name, "expression": expression}))
            .collect::<Vec<_>>(),
    )
}

fn cel_checks(settings: &Settings) -> Vec<Value> {
    checks(settings)
        .into_iter()
        .map(|c| json!({"expression": c.expression, "message": c.message}))
        .collect()
}

fn resource_rules(operations: &[&str]) -> Value {
    Value::from(
        RESOURCES
            .iter()
            .map(|(group, resources, _)| {
                json!({"apiGroups": [group], "apiVersions": ["v1"], "resources": resources, "operations": operations})
            })
            .collect::<Vec<_>>(),
    )
}

fn kinds_of(group: &str) -> Vec<&'static str> {
    RESOURCES
        .iter()
        .filter(|(g, _, _)| *g == group)
        .flat_map(|(_, _, kinds)| kinds.iter().copied())
        .collect()
}

/// The resources of `form`, ready to apply, in order.
pub fn emit(form: Form, settings: &Settings) -> Vec<Value> {
    match form {
        Form::Vap => vap(settings),
        Form::Map => map(settings),
        Form::Gatekeeper => gatekeeper(settings),
        Form::Kyverno => kyverno(settings),
    }
}

fn vap(settings: &Settings) -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": NAME},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {"resourceRules": resource_rules(&["CREATE", "UPDATE"])},
                "variables": cel_variables(settings),
                "validations": cel_checks(settings),
            }
        }),
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": NAME},
            "spec": {"policyName": NAME, "validationActions": ["Deny"]}
        }),
    ]
}

fn map(settings: &Settings) -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1beta1",
            "kind": "MutatingAdmissionPolicy",
            "metadata": {"name": NAME},
            "spec": {
                "failurePolicy": "Fail",
                "reinvocationPolicy": "Never",
                "matchConstraints": {"resourceRules": resource_rules(&["CREATE", "UPDATE"])},
                "variables": cel_variables(settings),
                "matchConditions": [{"name": "strict-is-unset", "expression": MAP_CONDITION}],
                "mutations": [{"patchType": "JSONPatch", "jsonPatch": {"expression": MAP_PATCH}}],
            }
        }),
        json!({
            "apiVersion": "admissionregistration.k8s.io/v1beta1",
            "kind": "MutatingAdmissionPolicyBinding",
            "metadata": {"name": NAME},
            "spec": {"policyName": NAME}
        }),
    ]
}

fn gatekeeper(settings: &Settings) -> Vec<Value> {
    let kind = "K8sPodgroupsStrict";
    let mut out = vec![
        json!({
            "apiVersion": "templates.gatekeeper.sh/v1",
            "kind": "ConstraintTemplate",
            "metadata": {"name": kind.to_lowercase()},
            "spec": {
                "crd": {"spec": {"names": {"kind": kind}}},
                "targets": [{
                    "target": "admission.k8s.gatekeeper.sh",
                    "code": [{
                        "engine": "K8sNativeValidation",
                        "source": {"variables": cel_variables(settings), "validations": cel_checks(settings)}
                    }]
                }]
            }
        }),
        json!({
            "apiVersion": "constraints.gatekeeper.sh/v1beta1",
            "kind": kind,
            "metadata": {"name": NAME},
            "spec": {
                "enforcementAction": "deny",
                "match": {"kinds": RESOURCES.iter().map(|(g, _, k)| json!({"apiGroups": [g], "kinds": k})).collect::<Vec<_>>()}
            }
        }),
    ];
    // Assign cannot be limited to CREATE, and a Pod's security context is immutable: setting Strict on
    // an existing Pod's UPDATE would be refused, so only pod templates are mutated; bare Pods are
    // required to carry Strict by the constraint.
    for (group, kinds, location) in [
        ("apps", kinds_of("apps"), "spec.template.spec"),
        ("batch", vec!["Job"], "spec.template.spec"),
        ("batch", vec!["CronJob"], "spec.jobTemplate.spec.template.spec"),
        ("", vec!["ReplicationController"], "spec.template.spec"),
        ("", vec!["PodTemplate"], "template.spec"),
    ] {
        let field = format!("{location}.securityContext.supplementalGroupsPolicy");
        let name = format!("{NAME}-{}", kinds.join("-").to_lowercase());
        let mut matcher = serde_json::Map::new();
        matcher.insert("scope".into(), json!("Namespaced"));
        matcher.insert("kinds".into(), json!([{"apiGroups": [group], "kinds": kinds}]));
        if !settings.exempt_namespaces.is_empty() {
            matcher.insert("excludedNamespaces".into(), json!(settings.exempt_namespaces));
        }
        out.push(json!({
            "apiVersion": "mutations.gatekeeper.sh/v1",
            "kind": "Assign",
            "metadata": {"name": name},
            "spec": {
                "applyTo": [{"groups": [group], "kinds": kinds, "versions": ["v1"]}],
                "match": matcher,
                "location": field,
                "parameters": {
                    "pathTests": [{"subPath": field, "condition": "MustNotExist"}],
                    "assign": {"value": "Strict"}
                }
            }
        }));
    }
    out
}

fn kyverno(settings: &Settings) -> Vec<Value> {
    let all_kinds: Vec<&str> = RESOURCES.iter().flat_map(|(_, _, k)| k.iter().copied()).collect();
    let exclude = |rule: &mut Value| {
        if let (false, Some(rule)) = (settings.exempt_namespaces.is_empty(), rule.as_object_mut()) {
            rule.insert(
                "exclude".into(),
                json!({"any": [{"resources": {"namespaces": settings.exempt_namespaces}}]}),
            );
        }
    };
    let mut rules = Vec::new();
    // Mutations run before validation in Kyverno; `+()` adds the field only where it is absent.
    for (kinds, path, ops) in [
        (vec!["Pod"], "spec", vec!["CREATE"]),
        (
            ["apps", "batch", ""]
                .iter()
                .flat_map(|g| kinds_of(g))
                .filter(|k| !matches!(*k, "Pod" | "PodTemplate" | "CronJob"))
                .collect(),
            "spec.template.spec",
            vec!["CREATE", "UPDATE"],
        ),
        (
            vec!["CronJob"],
            "spec.jobTemplate.spec.template.spec",
            vec!["CREATE", "UPDATE"],
        ),
        (vec!["PodTemplate"], "template.spec", vec!["CREATE", "UPDATE"]),
    ] {
        let mut patch = json!({"securityContext": {"+(supplementalGroupsPolicy)": "Strict"}});
        for key in path.rsplit('.') {
            patch = json!({ key: patch });
        }
        let mut rule = json!({
            "name": format!("set-strict-{}", kinds.first().copied().unwrap_or("pod").to_lowercase()),
            "match": {"any": [{"resources": {"kinds": kinds, "operations": ops}}]},
            "mutate": {"patchStrategicMerge": patch}
        });
        // As the Wasm policy: Windows pods, and pods whose every container is exempt, are left alone.
        let spec = format!("object.{path}");
        let mut preconditions = vec![json!({
            "name": "not-windows",
            "expression": format!("!(has({spec}.os) && has({spec}.os.name) && {spec}.os.name == 'windows')")
        })];
        if let Some(all) = every_container_exempt(settings, &spec) {
            preconditions.push(json!({"name": "not-every-container-exempt", "expression": format!("!({all})")}));
        }
        if let Some(rule) = rule.as_object_mut() {
            rule.insert("celPreconditions".into(), Value::from(preconditions));
        }
        exclude(&mut rule);
        rules.push(rule);
    }
    let mut validate = json!({
        "name": "require-strict-and-ranges",
        "match": {"any": [{"resources": {"kinds": all_kinds, "operations": ["CREATE", "UPDATE"]}}]},
        "validate": {
            "failureAction": "Enforce",
            "cel": {"variables": cel_variables(settings), "expressions": cel_checks(settings)}
        }
    });
    exclude(&mut validate);
    rules.push(validate);
    vec![json!({
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {
            "name": NAME,
            "annotations": {
                "policies.kyverno.io/title": "supplementalGroupsPolicy Strict and id ranges (podgroups)",
                "pod-policies.kyverno.io/autogen-controllers": "none"
            }
        },
        "spec": {"background": false, "rules": rules}
    })]
}
