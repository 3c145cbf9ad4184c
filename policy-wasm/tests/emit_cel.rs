//! Every CEL expression `podgroups policy emit` prints, evaluated with cel-rust (a maintained CEL
//! implementation) against the policy's own AdmissionReview fixtures and generated objects: each
//! emitted form's allow/deny verdict must equal the Wasm policy's ([`evaluate`], validate-only), and the
//! MutatingAdmissionPolicy's patch must give the object the policy's own mutation gives.
//!
//! The expressions are read back from the emitted resources (not from the generator's functions), so
//! what is tested is what a cluster would load.

use cel::common::types::Type;
use cel::common::value::{CowVal, Val};
use cel::objects::Key;
use cel::{Context, Env, ExecutionError, Program, StructType};
use podgroups_policy::emit::{emit, Form};
use podgroups_policy::{evaluate, Settings};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// Kubernetes' `JSONPatch{op, path, value}` (MutatingAdmissionPolicy), built as a map here.
struct JsonPatchType(Type);

impl StructType for JsonPatchType {
    fn get_type(&self) -> &Type {
        &self.0
    }

    fn new_value<'b, 'v>(&self, fields: BTreeMap<String, CowVal<'b, 'v>>) -> Result<Box<dyn Val + 'v>, ExecutionError> {
        let mut map: HashMap<Key, cel::Value> = HashMap::new();
        for (k, v) in fields {
            let value: cel::Value = (&*v).try_into()?;
            map.insert(Key::String(Arc::new(k)), value);
        }
        Box::<dyn Val>::try_from(cel::Value::from(map))
    }
}

fn env() -> Arc<Env> {
    let mut env = Env::stdlib();
    env.add_type(JsonPatchType(Type::new_struct("JSONPatch".into())))
        .unwrap();
    Arc::new(env)
}

/// JSON as the apiserver hands it to CEL: integers are `int`.
fn to_cel(v: &Value) -> cel::Value {
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap()),
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(a) => cel::Value::List(Arc::new(a.iter().map(to_cel).collect())),
        Value::Object(o) => {
            let map: HashMap<Key, cel::Value> = o
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            cel::Value::from(map)
        }
    }
}

fn from_cel(v: &cel::Value) -> Value {
    v.json().unwrap_or_else(|e| panic!("not JSON: {e:?}"))
}

fn eval(ctx: &Context, expression: &str) -> cel::Value {
    let program = Program::compile(expression).unwrap_or_else(|e| panic!("does not compile: {expression}\n{e}"));
    program
        .execute(ctx)
        .unwrap_or_else(|e| panic!("evaluation failed: {e:?}\nin: {expression}"))
}

/// An emitted CEL program: its variables in order, and the expressions that must all be true.
struct Cel {
    variables: Vec<(String, String)>,
    checks: Vec<String>,
}

impl Cel {
    fn from(variables: &Value, checks: &Value) -> Cel {
        let variables = variables
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_string(),
                    v["expression"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let checks = checks
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["expression"].as_str().unwrap().to_string())
            .collect();
        Cel { variables, checks }
    }

    /// The context of one admission request with the variables evaluated in order.
    fn context(&self, request: &Value, object: &Value) -> Context<'static, 'static> {
        let mut ctx = Context::with_env(env());
        ctx.add_variable_from_value("object", to_cel(object));
        ctx.add_variable_from_value("oldObject", to_cel(&request["oldObject"]));
        ctx.add_variable_from_value("request", to_cel(request));
        let mut vars: HashMap<Key, cel::Value> = HashMap::new();
        for (name, expression) in &self.variables {
            ctx.add_variable_from_value("variables", cel::Value::from(vars.clone()));
            let value = eval(&ctx, expression);
            vars.insert(Key::String(Arc::new(name.clone())), value);
        }
        ctx.add_variable_from_value("variables", cel::Value::from(vars));
        ctx
    }

    /// Whether every check is true for this request.
    fn allows(&self, request: &Value, object: &Value) -> bool {
        let ctx = self.context(request, object);
        self.checks.iter().all(|c| match eval(&ctx, c) {
            cel::Value::Bool(b) => b,
            other => panic!("{c} gave {other:?}, not a bool"),
        })
    }
}

/// The kinds an emitted resource's match rules select.
fn resource_kind(resource: &str) -> &'static str {
    match resource {
        "pods" | "pods/ephemeralcontainers" => "Pod",
        "replicationcontrollers" => "ReplicationController",
        "podtemplates" => "PodTemplate",
        "deployments" => "Deployment",
        "replicasets" => "ReplicaSet",
        "statefulsets" => "StatefulSet",
        "daemonsets" => "DaemonSet",
        "jobs" => "Job",
        "cronjobs" => "CronJob",
        other => panic!("unexpected resource {other}"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The validating program of a form and the kinds it matches.
fn validating(form: Form, settings: &Settings) -> (Cel, Vec<String>) {
    let docs = emit(form, settings);
    match form {
        Form::Vap => {
            let spec = &docs[0]["spec"];
            let kinds = spec["matchConstraints"]["resourceRules"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| strings(&r["resources"]))
                .map(|r| resource_kind(&r).to_string())
                .collect();
            (Cel::from(&spec["variables"], &spec["validations"]), kinds)
        }
        Form::Gatekeeper => {
            let source = &docs[0]["spec"]["targets"][0]["code"][0]["source"];
            let kinds = docs[1]["spec"]["match"]["kinds"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|k| strings(&k["kinds"]))
                .collect();
            (Cel::from(&source["variables"], &source["validations"]), kinds)
        }
        Form::Kyverno => {
            let rules = docs[0]["spec"]["rules"].as_array().unwrap();
            let rule = rules.iter().find(|r| r.get("validate").is_some()).unwrap();
            let cel = &rule["validate"]["cel"];
            let kinds = strings(&rule["match"]["any"][0]["resources"]["kinds"]);
            (Cel::from(&cel["variables"], &cel["expressions"]), kinds)
        }
        Form::Map => unreachable!("the MAP only mutates"),
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The policy's fixtures (AdmissionRequests) plus generated requests for every kind and case.
fn requests() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let dir = repo().join("tests/fixtures/policy");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let review: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if review["kind"] == "AdmissionReview" {
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                review["request"].clone(),
            ));
        }
    }
    let specs = [
        json!({"containers": [{"name": "app", "image": "ghcr.io/acme/app:1"}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict"}, "containers": [{"name": "app", "image": "ghcr.io/acme/app:1"}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Merge"}, "containers": [{"name": "app", "image": "ghcr.io/acme/app:1"}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsUser": 1500, "runAsGroup": 1500, "fsGroup": 1500, "supplementalGroups": [1500, 1600]},
            "containers": [{"name": "app", "image": "ghcr.io/acme/app:1"}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsUser": 1500, "runAsGroup": 1500, "fsGroup": 500, "supplementalGroups": [1500, 7]},
            "containers": [{"name": "app", "image": "ghcr.io/acme/app:1", "securityContext": {"runAsUser": 0, "runAsGroup": 99}}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsGroup": 1500},
            "initContainers": [{"name": "init", "image": "registry.k8s.io/pause:3.10", "securityContext": {"runAsUser": 0}}],
            "containers": [{"name": "app", "image": "ghcr.io/acme/app:1", "securityContext": {"runAsUser": 1200, "runAsNonRoot": true}}]}),
        json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "image": "registry.k8s.io/pause:3.10"}, {"name": "b", "image": "ghcr.io/tools/x:1"}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsNonRoot": false}, "containers": [{"name": "a", "image": "ghcr.io/acme/app:1", "securityContext": {"runAsNonRoot": true}}, {"name": "b", "image": "ghcr.io/acme/b:1"}]}),
        // Range edges: every min and one past a max.
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 1000, "supplementalGroups": [1000, 1]},
            "containers": [{"name": "app", "image": "ghcr.io/acme/app:1"}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "runAsUser": 2001, "runAsGroup": 2001, "fsGroup": 2001, "supplementalGroups": [2001]},
            "containers": [{"name": "app", "image": "ghcr.io/acme/app:1"}]}),
        json!({"os": {"name": "windows"}, "containers": [{"name": "win", "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022"}]}),
        json!({"securityContext": {"supplementalGroupsPolicy": "Strict", "supplementalGroups": []}, "containers": [{"name": "app", "image": "ghcr.io/acme/app:1", "securityContext": {"runAsGroup": 2000}}]}),
    ];
    for (i, spec) in specs.iter().enumerate() {
        for kind in ["Pod", "Deployment", "CronJob", "PodTemplate", "Job"] {
            for namespace in ["prod", "kube-system"] {
                let meta = json!({"name": format!("w{i}"), "namespace": namespace});
                let object = match kind {
                    "Pod" => json!({"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}),
                    "PodTemplate" => {
                        json!({"apiVersion": "v1", "kind": kind, "metadata": meta, "template": {"spec": spec}})
                    }
                    "CronJob" => json!({"apiVersion": "batch/v1", "kind": kind, "metadata": meta,
                        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": spec}}}}}),
                    _ => {
                        json!({"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": {"template": {"spec": spec}}})
                    }
                };
                let request = json!({"uid": "u", "kind": {"group": "", "version": "v1", "kind": kind},
                    "operation": "CREATE", "namespace": namespace, "name": format!("w{i}"), "object": object});
                out.push((format!("{kind} {namespace} spec #{i}"), request));
            }
        }
    }
    out
}

fn settings() -> Vec<(String, Settings)> {
    [
        json!({}),
        json!({"exempt_images": ["registry.k8s.io/pause:3.10", "ghcr.io/tools/*"], "exempt_namespaces": ["kube-system"]}),
        json!({"run_as_user": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
               "run_as_group": {"rule": "MayRunAs", "ranges": [{"min": 1000, "max": 2000}, {"min": 3000, "max": 3000}]},
               "fs_group": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
               "supplemental_groups": {"rule": "MayRunAs", "ranges": [{"min": 1000, "max": 2000}]}}),
        json!({"run_as_user": {"rule": "MustRunAsNonRoot"}, "require_run_as_group": true,
               "supplemental_groups": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 65535}]},
               "fs_group": {"rule": "MayRunAs", "ranges": [{"min": 1000, "max": 2000}]},
               "exempt_images": ["registry.k8s.io/pause:3.10"]}),
    ]
    .into_iter()
    .map(|v| (v.to_string(), Settings::from_json(&v).unwrap()))
    .collect()
}

/// The settings default nothing but Strict, so the policy's mutation is exactly the emitted one's.
fn strict_is_the_only_default(settings: &Settings) -> bool {
    [
        &settings.run_as_user,
        &settings.run_as_group,
        &settings.fs_group,
        &settings.supplemental_groups,
    ]
    .iter()
    .all(|r| r.default_id().is_none() && **r != podgroups_policy::rules::Rule::MustRunAsNonRoot)
}

fn kind_of(request: &Value) -> String {
    request["kind"]["kind"].as_str().unwrap_or_default().to_string()
}

#[test]
fn every_validating_form_gives_the_wasm_policys_verdicts() {
    let requests = requests();
    let mut compared = 0;
    for (label, settings) in settings() {
        for form in [Form::Vap, Form::Gatekeeper, Form::Kyverno] {
            let (cel, kinds) = validating(form, &settings);
            for (name, request) in &requests {
                let policy = evaluate(request, &settings, false);
                if !kinds.contains(&kind_of(request)) {
                    // Neither engine is sent this request: the policy's own rules do not list the kind.
                    assert!(!policy.accepted(), "{name}: the policy would accept an unlisted kind");
                    continue;
                }
                let verdict = cel.allows(request, &request["object"]);
                assert_eq!(
                    verdict,
                    policy.accepted(),
                    "{} with settings {label} on {name}: CEL says {verdict}, the policy says {:?}",
                    form.name(),
                    policy.message()
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 500, "only {compared} comparisons");
}

#[test]
fn the_mutating_policy_sets_strict_as_the_policy_does() {
    let requests = requests();
    let mut mutated = 0;
    for (label, settings) in settings() {
        let docs = emit(Form::Map, &settings);
        let spec = &docs[0]["spec"];
        let cel = Cel::from(&spec["variables"], &json!([]));
        let condition = spec["matchConditions"][0]["expression"].as_str().unwrap();
        let patch = spec["mutations"][0]["jsonPatch"]["expression"].as_str().unwrap();
        let (vap, _) = validating(Form::Vap, &settings);
        let strict_only = strict_is_the_only_default(&settings);
        for (name, request) in &requests {
            let kind = kind_of(request);
            if podgroups_core::manifest::pod_spec_pointer(&kind).is_none() {
                continue;
            }
            let ctx = cel.context(request, &request["object"]);
            let applies = match eval(&ctx, condition) {
                cel::Value::Bool(b) => b,
                other => panic!("{condition} gave {other:?}"),
            };
            let mut object = request["object"].clone();
            if applies {
                let ops = from_cel(&eval(&ctx, patch));
                let ops: json_patch::Patch = serde_json::from_value(ops).unwrap();
                json_patch::patch(&mut object, &ops).unwrap_or_else(|e| panic!("{name}: {e}"));
                mutated += 1;
            }
            let policy = evaluate(request, &settings, true);
            let mut after = request.clone();
            after["object"] = object.clone();
            // MAP then VAP: accepted exactly when the policy (mutating) accepts, if Strict is the only
            // default; otherwise the VAP refuses what the policy would have defaulted.
            if strict_only {
                assert_eq!(vap.allows(&after, &object), policy.accepted(), "{label} {name}");
                if policy.accepted() {
                    let expected = policy.mutated.clone().unwrap_or_else(|| request["object"].clone());
                    assert_eq!(object, expected, "{label} {name}: MAP and policy mutate differently");
                }
            } else if vap.allows(&after, &object) {
                assert!(
                    policy.accepted(),
                    "{label} {name}: MAP+VAP accept what the policy refuses"
                );
            }
        }
    }
    assert!(mutated > 50, "only {mutated} mutations");
}

/// Kyverno's `+(field): value` strategic-merge anchor at a dotted path: set only where absent.
fn add_if_absent(object: &mut Value, path: &[&str], field: &str, value: &str) {
    let mut at = object;
    for key in path.iter().chain(["securityContext"].iter()) {
        if !at.get(*key).is_some_and(Value::is_object) {
            at[*key] = json!({});
        }
        at = &mut at[*key];
    }
    if at.get(field).is_none() {
        at[field] = json!(value);
    }
}

#[test]
fn kyvernos_mutate_rules_set_strict_as_the_policy_does() {
    let requests = requests();
    let (mut mutated, mut exempt) = (0, 0);
    for (label, settings) in settings() {
        if !strict_is_the_only_default(&settings) {
            continue;
        }
        let docs = emit(Form::Kyverno, &settings);
        let rules: Vec<&Value> = docs[0]["spec"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r.get("mutate").is_some())
            .collect();
        for (name, request) in &requests {
            let kind = kind_of(request);
            let operation = request["operation"].as_str().unwrap_or_default();
            let namespace = request["namespace"].as_str().unwrap_or_default();
            let mut object = request["object"].clone();
            for rule in &rules {
                let resources = &rule["match"]["any"][0]["resources"];
                let excluded = match &rule["exclude"]["any"][0]["resources"]["namespaces"] {
                    Value::Null => Vec::new(),
                    namespaces => strings(namespaces),
                };
                if !strings(&resources["kinds"]).contains(&kind)
                    || !strings(&resources["operations"]).iter().any(|o| o == operation)
                    || excluded.iter().any(|n| n == namespace)
                {
                    continue;
                }
                let ctx = Cel::from(&json!([]), &json!([])).context(request, &request["object"]);
                let preconditions = rule["celPreconditions"].as_array().cloned().unwrap_or_default();
                let hold = preconditions
                    .iter()
                    .all(|p| matches!(eval(&ctx, p["expression"].as_str().unwrap()), cel::Value::Bool(true)));
                if !hold {
                    exempt += 1;
                    continue;
                }
                // The patch's nesting is the pod spec's path.
                let mut path = Vec::new();
                let mut patch = &rule["mutate"]["patchStrategicMerge"];
                while let Some((key, inner)) = patch.as_object().and_then(|m| m.iter().next()) {
                    if key == "securityContext" {
                        break;
                    }
                    path.push(key.as_str());
                    patch = inner;
                }
                add_if_absent(&mut object, &path, "supplementalGroupsPolicy", "Strict");
            }
            let policy = evaluate(request, &settings, true);
            if policy.accepted() && podgroups_core::manifest::pod_spec_pointer(&kind).is_some() {
                let expected = policy.mutated.clone().unwrap_or_else(|| request["object"].clone());
                assert_eq!(
                    object, expected,
                    "{label} {name}: Kyverno and the policy mutate differently"
                );
                mutated += usize::from(object != request["object"]);
            }
        }
    }
    assert!(mutated > 20, "only {mutated} mutations compared");
    assert!(exempt > 0, "no request had every container exempt");
}
