//! The built Kubewarden artifact in the waPC/wasmtime host: real AdmissionReviews from
//! tests/fixtures/policy/, exact JSON patches, rejection messages, settings validation, garbage.
//!
//! These tests need `cargo xtask policy` to have run, so they are `#[ignore]`d in the plain workspace
//! run and executed by `.ci/test.d/20-policy.sh` with `--include-ignored` (never skipped there: a
//! missing artifact fails them).

use podgroups_policy_host::{artifact, Instance, KubewardenPolicy, KUBEWARDEN_ARTIFACT};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

fn policy() -> &'static KubewardenPolicy {
    static POLICY: OnceLock<KubewardenPolicy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let path = artifact(KUBEWARDEN_ARTIFACT).unwrap_or_else(|e| panic!("{e}"));
        KubewardenPolicy::load(&path).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn instance() -> Instance {
    policy().instance().unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `request` of a stored AdmissionReview.
fn fixture(name: &str) -> Value {
    let path = repo().join("tests/fixtures/policy").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let review: Value = serde_json::from_str(&text).unwrap();
    review["request"].clone()
}

/// The JSON patch Kubewarden's policy-server would send the apiserver for this response.
fn patch(request: &Value, response: &Value) -> Value {
    let mutated = &response["mutated_object"];
    assert!(mutated.is_object(), "no mutated_object in {response}");
    serde_json::to_value(json_patch::diff(&request["object"], mutated)).unwrap()
}

fn rejected(response: &Value) -> &str {
    assert_eq!(response["accepted"], false, "{response}");
    assert!(response["mutated_object"].is_null());
    response["message"].as_str().unwrap()
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn protocol_version_and_embedded_metadata_agree() {
    let version = instance().call_json("protocol_version", b"").unwrap();
    assert_eq!(version, json!("v1"));

    let wasm = std::fs::read(artifact(KUBEWARDEN_ARTIFACT).unwrap()).unwrap();
    let mut sections = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
        if let wasmparser::Payload::CustomSection(reader) = payload.unwrap() {
            if reader.name() == "io.kubewarden.metadata" {
                sections.push(serde_json::from_slice::<Value>(reader.data()).unwrap());
            }
        }
    }
    assert_eq!(sections.len(), 1, "exactly one io.kubewarden.metadata section");
    let yaml = std::fs::read_to_string(repo().join("policy-wasm/metadata.yml")).unwrap();
    let mut expected: Value = serde_saphyr::from_str(&yaml).unwrap();
    expected["protocolVersion"] = version;
    // As `kwctl annotate -u README.md` does: the README is the usage text Artifact Hub shows.
    let readme = std::fs::read_to_string(repo().join("policy-wasm/README.md")).unwrap();
    expected["annotations"]["io.kubewarden.policy.usage"] = Value::from(readme);
    assert_eq!(sections[0], expected);
    assert_eq!(sections[0]["mutating"], true);
    assert_eq!(sections[0]["executionMode"], "kubewarden-wapc");
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn validate_settings_answers_valid_or_a_message() {
    let i = instance();
    let call = |payload: &str| i.call_json("validate_settings", payload.as_bytes()).unwrap();
    assert_eq!(call("{}"), json!({"valid": true, "message": null}));
    let full = json!({"mutate": false, "exempt_images": ["registry.k8s.io/pause*"], "exempt_namespaces": ["kube-system"],
        "run_as_user": {"rule": "MustRunAsNonRoot"}, "run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
        "supplemental_groups": {"rule": "MayRunAs", "ranges": [{"min": 1000, "max": 2000}]},
        "fs_group": {"rule": "RunAsAny"}, "require_run_as_group": true});
    assert_eq!(call(&full.to_string())["valid"], true);
    assert_eq!(
        call(r#"{"mutate": "yes"}"#),
        json!({"valid": false, "message": "mutate must be true or false, got \"yes\""})
    );
    let typo = call(r#"{"runAsGroup": {"rule": "RunAsAny"}}"#);
    assert_eq!(typo["valid"], false);
    assert!(typo["message"]
        .as_str()
        .unwrap()
        .starts_with("unknown setting \"runAsGroup\"; settings are snake_case"));
    let bad = call(r#"{"fs_group": {"rule": "MustRunAs", "ranges": [{"min": 10, "max": 1}]}}"#);
    assert_eq!(bad["message"], "fs_group.ranges[0]: min 10 is greater than max 1");
    let garbage = call("not json");
    assert_eq!(garbage["valid"], false);
    assert!(garbage["message"]
        .as_str()
        .unwrap()
        .starts_with("settings are not JSON"));
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn a_bare_pod_is_patched_to_strict_with_a_warning() {
    let request = fixture("pod-create-bare.json");
    let response = instance().validate(&request, &json!({})).unwrap();
    assert_eq!(response["accepted"], true, "{response}");
    assert_eq!(
        patch(&request, &response),
        json!([{"op": "add", "path": "/spec/securityContext", "value": {"supplementalGroupsPolicy": "Strict"}}])
    );
    let warnings = response["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0]
        .as_str()
        .unwrap()
        .starts_with("spec.securityContext.supplementalGroupsPolicy was set to Strict"));
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn a_bare_pod_is_rejected_when_mutation_is_off_and_the_log_call_is_answered() {
    let i = instance();
    let response = i
        .validate(&fixture("pod-create-bare.json"), &json!({"mutate": false}))
        .unwrap();
    assert_eq!(
        rejected(&response),
        "Pod shop/web: spec.securityContext.supplementalGroupsPolicy is not set, so the image's /etc/group can add groups that no rule sees; set it to \"Strict\""
    );
    let logs = i.logs();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["message"], "rejected");
    assert_eq!(logs[0]["subject"], "Pod shop/web");
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn merge_is_rejected_on_create_and_on_workload_update() {
    let i = instance();
    let msg = rejected(&i.validate(&fixture("pod-create-merge.json"), &json!({})).unwrap()).to_string();
    assert!(
        msg.starts_with("Pod shop/web: spec.securityContext.supplementalGroupsPolicy is \"Merge\""),
        "{msg}"
    );
    let msg = rejected(
        &i.validate(&fixture("statefulset-update-merge.json"), &json!({}))
            .unwrap(),
    )
    .to_string();
    assert!(
        msg.starts_with(
            "StatefulSet shop/db: spec.template.spec.securityContext.supplementalGroupsPolicy is \"Merge\""
        ),
        "{msg}"
    );
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn workloads_get_the_exact_patch_for_strict_and_range_defaults() {
    let settings = json!({
        "run_as_user": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 1999}]},
        "run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 3000, "max": 3999}]},
        "supplemental_groups": {"rule": "MustRunAs", "ranges": [{"min": 4000, "max": 4999}]},
        "fs_group": {"rule": "MustRunAs", "ranges": [{"min": 4000, "max": 4999}]}
    });
    let i = instance();
    let request = fixture("deployment-create-bare.json");
    let response = i.validate(&request, &settings).unwrap();
    assert_eq!(
        patch(&request, &response),
        json!([
            {"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"runAsUser": 1000, "runAsGroup": 3000}},
            {"op": "add", "path": "/spec/template/spec/securityContext",
             "value": {"supplementalGroupsPolicy": "Strict", "fsGroup": 4000, "supplementalGroups": [4000]}}
        ])
    );
    let request = fixture("cronjob-create-bare.json");
    let response = i.validate(&request, &json!({})).unwrap();
    assert_eq!(
        patch(&request, &response),
        json!([{"op": "add", "path": "/spec/jobTemplate/spec/template/spec/securityContext", "value": {"supplementalGroupsPolicy": "Strict"}}])
    );
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn an_in_range_pod_is_accepted_unchanged_whatever_mutate_says() {
    let i = instance();
    for mutate in [true, false] {
        let settings = json!({"mutate": mutate, "require_run_as_group": true,
            "run_as_user": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 1999}]},
            "run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 3000, "max": 3999}]},
            "supplemental_groups": {"rule": "MustRunAs", "ranges": [{"min": 4000, "max": 4999}]},
            "fs_group": {"rule": "MustRunAs", "ranges": [{"min": 4000, "max": 4999}]}});
        let response = i
            .validate(&fixture("pod-create-strict-in-range.json"), &settings)
            .unwrap();
        assert_eq!(response["accepted"], true, "{response}");
        assert!(response["mutated_object"].is_null() && response["warnings"].is_null());
    }
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn pod_updates_are_not_rejected_for_what_they_cannot_change() {
    let i = instance();
    let settings = json!({"mutate": false, "run_as_user": {"rule": "MustRunAsNonRoot"}});
    let response = i.validate(&fixture("pod-update-label.json"), &settings).unwrap();
    assert_eq!(response["accepted"], true, "{response}");
    assert!(response["mutated_object"].is_null());
    let msg = rejected(
        &i.validate(&fixture("pod-update-ephemeral-root.json"), &settings)
            .unwrap(),
    )
    .to_string();
    assert_eq!(
        msg,
        "Pod shop/legacy: ephemeral container \"debugger-x7k2p\": spec.ephemeralContainers[0].securityContext.runAsUser is 0 (root), which run_as_user MustRunAsNonRoot refuses; set a non-zero uid"
    );
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn exemptions_accept_without_patch() {
    let i = instance();
    let by_image = i
        .validate(
            &fixture("pod-create-bare.json"),
            &json!({"mutate": false, "exempt_images": ["ghcr.io/acme/*"]}),
        )
        .unwrap();
    assert_eq!(by_image["accepted"], true, "{by_image}");
    let by_ns = i
        .validate(
            &fixture("deployment-create-bare.json"),
            &json!({"exempt_namespaces": ["shop"]}),
        )
        .unwrap();
    assert_eq!(
        by_ns,
        json!({"accepted": true, "message": null, "code": null, "mutated_object": null, "audit_annotations": null, "warnings": null})
    );
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn garbage_is_a_rejection_never_a_trap() {
    let i = instance();
    let call = |payload: &[u8]| i.call_json("validate", payload).unwrap();
    let msg = |v: &Value| v["message"].as_str().unwrap_or_default().to_string();

    for payload in [&b"\xff\xfe not json"[..], b"", b"[]", b"{\"request\": 7}"] {
        let r = call(payload);
        assert_eq!(r["accepted"], false, "{}: {r}", String::from_utf8_lossy(payload));
    }
    assert!(msg(&call(b"{")).starts_with("podgroups policy: the validate payload is not JSON"));
    assert!(msg(&call(br#"{"request": {"operation": "CREATE"}}"#)).contains("request.object is missing"));
    let wrong_kind = call(
        json!({"request": fixture("configmap-create.json"), "settings": {}})
            .to_string()
            .as_bytes(),
    );
    assert!(msg(&wrong_kind)
        .starts_with("ConfigMap shop/settings: request.kind \"ConfigMap\" is not handled by this policy"));
    let bad_settings = call(
        json!({"request": fixture("pod-create-bare.json"), "settings": {"mutate": 1}})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(
        msg(&bad_settings),
        "podgroups policy: invalid settings: mutate must be true or false, got 1"
    );

    // Absurd numbers and a huge array: a short message listing the first violations.
    let mut request = fixture("pod-create-bare.json");
    request["object"]["spec"]["securityContext"] = json!({"supplementalGroupsPolicy": "Strict", "runAsUser": 1e308,
        "supplementalGroups": (0..200_000).map(|n| n * 7).collect::<Vec<u64>>()});
    let r = i
        .validate(
            &request,
            &json!({"supplemental_groups": {"rule": "MayRunAs", "ranges": [{"min": 0, "max": 0}]}}),
        )
        .unwrap();
    let m = rejected(&r).to_string();
    assert!(
        m.contains(
            "container \"web\": spec.securityContext.runAsUser must be an integer between 0 and 2147483647, got 1e+308"
        ),
        "{m}"
    );
    assert!(m.contains("spec.securityContext.supplementalGroups[1] is 7, outside the allowed ranges 0; set it within them (supplemental_groups); 199998 more entries are invalid or outside the ranges"), "{m}");
    assert!(m.len() < 8192);

    // Nesting deeper than the JSON parser allows is refused with a message.
    let deep = format!("{{\"request\": {}{}}}", "[".repeat(5000), "]".repeat(5000));
    assert!(msg(&call(deep.as_bytes())).contains("recursion limit exceeded"));
    let deep = format!(
        "{{\"request\": {{}}, \"settings\": {}{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert!(msg(&call(deep.as_bytes())).contains("recursion limit exceeded"));

    // The instance is still healthy after all of that.
    assert_eq!(
        i.validate(&fixture("pod-create-bare.json"), &json!({})).unwrap()["accepted"],
        true
    );
}

/// `check_image_user` through the `oci/v1/oci_manifest_config` host capability, answered from the
/// stored configs in tests/fixtures/policy/oci-manifest-config.json.
#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn image_config_user_through_the_oci_host_capability() {
    let path = repo().join("tests/fixtures/policy/oci-manifest-config.json");
    let configs: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let instance = policy().instance_with_image_configs(configs).unwrap();
    let non_root = json!({"check_image_user": true, "run_as_user": {"rule": "MustRunAsNonRoot"}});

    // web:1.4.2 has USER 10001:10001: accepted, with Strict and runAsNonRoot set.
    let request = fixture("pod-create-bare.json");
    let response = instance.validate(&request, &non_root).unwrap();
    assert_eq!(response["accepted"], true, "{response}");
    let ops = patch(&request, &response);
    assert!(ops.to_string().contains("runAsNonRoot"), "{ops}");

    // postgres:17 sets no USER: the kubelet would refuse it under runAsNonRoot, so admission does.
    let mut postgres = request.clone();
    postgres["object"]["spec"]["containers"][0]["image"] = json!("docker.io/library/postgres:17");
    let response = instance.validate(&postgres, &non_root).unwrap();
    let message = rejected(&response);
    assert!(
        message.contains("image \"docker.io/library/postgres:17\" runs as root (its config's USER is \"\")"),
        "{message}"
    );
    // The same image under a pod-level runAsUser (999): the manifest wins, the image is not judged.
    let response = instance
        .validate(&fixture("statefulset-update-merge.json"), &non_root)
        .unwrap();
    let message = rejected(&response);
    assert!(
        message.contains("\"Merge\"") && !message.contains("postgres"),
        "{message}"
    );

    // report:2 has the user name "report": its uid is in the layers, out of reach.
    let response = instance
        .validate(&fixture("cronjob-create-bare.json"), &non_root)
        .unwrap();
    assert!(
        rejected(&response).contains("non-numeric USER \"report\""),
        "{response}"
    );

    // MustRunAs: web's uid 10001 is inside the ranges, so no runAsUser default is written.
    let ranges = json!({"check_image_user": true, "run_as_user": {"rule": "MustRunAs", "ranges": [{"min": 10000, "max": 20000}]}});
    let response = instance.validate(&request, &ranges).unwrap();
    assert_eq!(response["accepted"], true, "{response}");
    assert!(!patch(&request, &response).to_string().contains("runAsUser"));

    // An image the registry does not know: a rejection that says so, not a trap.
    let mut unknown = request.clone();
    unknown["object"]["spec"]["containers"][0]["image"] = json!("ghcr.io/acme/missing:1");
    let response = instance.validate(&unknown, &non_root).unwrap();
    assert!(rejected(&response).contains("could not be read"), "{response}");
}
