//! Properties over generated pod specs, garbage included: no panic; what validate-only mode accepts
//! really complies; and whatever mutation produces is accepted by validate-only mode (idempotence).

#![forbid(unsafe_code)]

use crate::{evaluate, Settings};
use proptest::prelude::*;
use serde_json::{json, Value};

/// An id-ish value: valid, out of range, negative, fractional, or the wrong type.
fn id() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (1000u64..2001).prop_map(Value::from),
        3 => (0u64..5000).prop_map(Value::from),
        1 => Just(json!(2147483648u64)),
        1 => Just(json!(-1)),
        1 => Just(json!(1.5)),
        1 => Just(json!("1000")),
        1 => Just(Value::Null),
    ]
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Option<T>> {
    prop_oneof![1 => Just(None), 2 => s.prop_map(Some)]
}

fn security_context(pod: bool) -> impl Strategy<Value = Value> {
    (
        maybe(id()),
        maybe(id()),
        maybe(prop_oneof![Just(json!(true)), Just(json!(false)), Just(json!("yes"))]),
        maybe(prop_oneof![
            Just(json!("Strict")),
            Just(json!("Merge")),
            Just(json!("strict")),
            Just(json!(3))
        ]),
        maybe(id()),
        maybe(proptest::collection::vec(id(), 0..4)),
    )
        .prop_map(move |(user, group, non_root, policy, fs, sg)| {
            let mut sc = serde_json::Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    sc.insert(k.into(), v);
                }
            };
            put("runAsUser", user);
            put("runAsGroup", group);
            put("runAsNonRoot", non_root);
            if pod {
                put("supplementalGroupsPolicy", policy);
                put("fsGroup", fs);
                put("supplementalGroups", sg.map(Value::from));
            }
            Value::Object(sc)
        })
}

fn container() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("ghcr.io/acme/app:1"), Just("registry.k8s.io/pause:3.10")],
        maybe(security_context(false)),
    )
        .prop_map(|(image, sc)| {
            let mut c = json!({"name": "c", "image": image});
            if let Some(sc) = sc {
                c["securityContext"] = sc;
            }
            c
        })
}

fn pod_spec() -> impl Strategy<Value = Value> {
    (
        maybe(security_context(true)),
        proptest::collection::vec(container(), 1..4),
    )
        .prop_map(|(sc, containers)| {
            let mut spec = json!({"containers": containers});
            if let Some(sc) = sc {
                spec["securityContext"] = sc;
            }
            spec
        })
}

fn settings(mutate: bool) -> Settings {
    Settings::from_json(&json!({
        "mutate": mutate,
        "run_as_user": {"rule": "MustRunAsNonRoot"},
        "run_as_group": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
        "supplemental_groups": {"rule": "MayRunAs", "ranges": [{"min": 1000, "max": 3000}]},
        "fs_group": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 3000}]},
        "exempt_images": ["registry.k8s.io/pause*"]
    }))
    .unwrap_or_default()
}

fn request(spec: Value) -> Value {
    json!({"kind": {"kind": "Deployment"}, "operation": "CREATE", "namespace": "ns",
        "object": {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}})
}

fn all_exempt(spec: &Value) -> bool {
    spec["containers"]
        .as_array()
        .is_some_and(|c| c.iter().all(|c| c["image"] == "registry.k8s.io/pause:3.10"))
}

proptest! {
    #[test]
    fn validate_only_acceptance_means_compliance(spec in pod_spec()) {
        let d = evaluate(&request(spec.clone()), &settings(false), true);
        prop_assert!(d.mutated.is_none());
        if d.accepted() && !all_exempt(&spec) {
            prop_assert_eq!(&spec["securityContext"]["supplementalGroupsPolicy"], "Strict");
            let fs = spec["securityContext"]["fsGroup"].as_u64();
            prop_assert!(fs.is_some_and(|g| (1000..=3000).contains(&g)), "fsGroup {:?}", fs);
            // Every non-exempt container's effective runAsGroup (container, else pod) is in range,
            // and its effective runAsUser is non-zero or runAsNonRoot is true.
            for c in spec["containers"].as_array().into_iter().flatten() {
                if c["image"] == "registry.k8s.io/pause:3.10" {
                    continue;
                }
                let eff = |k: &str| {
                    let v = &c["securityContext"][k];
                    if v.is_null() { spec["securityContext"][k].clone() } else { v.clone() }
                };
                let group = eff("runAsGroup").as_u64();
                prop_assert!(group.is_some_and(|g| (1000..=2000).contains(&g)), "runAsGroup {:?}", group);
                match eff("runAsUser").as_u64() {
                    Some(uid) => prop_assert!(uid > 0),
                    None => prop_assert_eq!(eff("runAsNonRoot"), json!(true)),
                }
            }
        }
        if !d.accepted() {
            prop_assert!(d.message().is_some_and(|m| m.starts_with("Deployment ns/d: ")));
        }
    }

    #[test]
    fn what_mutation_produces_passes_validate_only(spec in pod_spec()) {
        let d = evaluate(&request(spec), &settings(true), true);
        if let Some(mutated) = d.mutated {
            let again = json!({"kind": {"kind": "Deployment"}, "operation": "CREATE", "object": mutated});
            let v = evaluate(&again, &settings(false), true);
            prop_assert!(v.accepted(), "{:?}", v.message());
        }
    }
}
