//! Whole-cluster audits of dumps built from the Kubernetes API types, in kubectl's shape.

mod cluster;

use cluster::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use podgroups_audit::{Audit, AuditReport, EnvironmentModel, ImageMatch, Images, PredictedResult, WorkloadAudit};
use podgroups_core::{Environment, Image};

const PASSWD: &str = "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP: &str = "wheel:x:101:app\nappgrp:x:1000:app\n";

fn images() -> Images {
    let app = Image::known("", Some(PASSWD.into()), Some(GROUP.into()));
    let mut images = Images::new();
    images.insert("sha256:aa", app.clone());
    images.insert("app:1", app);
    images
}

fn nodes() -> String {
    list(vec![
        node("n1", "containerd://2.0.5", "v1.33.1", Some(true)),
        node("n2", "cri-o://1.32.1", "v1.32.3", Some(true)),
        node("n3", "containerd://1.7.27", "v1.33.0", None),
        node("n4", "docker://20.10.7", "v1.30.0", None),
    ])
}

fn pods() -> String {
    let app = "docker.io/library/app@sha256:aa";
    list(
        [
            vec![
                web_replica("web-abc12-aaaaa", "n1", app, &[101, 1000, 3000]),
                web_replica("web-abc12-bbbbb", "n2", app, &[3000, 101, 1000]),
                web_replica(
                    "web-abc12-ccccc",
                    "n1",
                    "docker.io/library/app@sha256:bb",
                    &[101, 1000, 2000, 3000],
                ),
                pod(
                    "ops",
                    "legacy",
                    None,
                    None,
                    Some("n4"),
                    pod_spec(security(10, 5000, None), &[("old", "other:1")]),
                    Some(vec![("old", "other:1", "sha256:cc", Some((10, 5000, vec![77, 5000])))]),
                ),
            ],
            nightly(None, None).into(),
            vec![pod(
                "ops",
                "mystery",
                None,
                None,
                Some("n1"),
                pod_spec(security(1, 1, None), &[("m", "unknown:1")]),
                None,
            )],
        ]
        .concat(),
    )
}

fn audit(objects: &[(&str, &str)]) -> AuditReport {
    let mut audit = Audit::new(images(), Environment::default());
    audit.add_nodes("nodes.json", &nodes());
    for (name, text) in objects {
        audit.add_objects(name, text);
    }
    audit.finish()
}

fn workload<'a>(r: &'a AuditReport, kind: &str, name: &str) -> &'a WorkloadAudit {
    r.workloads
        .iter()
        .find(|w| w.kind == kind && w.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {:#?}", r.workloads))
}

#[test]
fn node_environments_from_kubectl_get_nodes() {
    let r = audit(&[("pods.json", &pods())]);
    assert_eq!(r.environments.len(), 4, "{:#?}", r.environments);
    let runtimes: Vec<_> = r.environments.iter().map(|e| e.model.clone()).collect();
    assert_eq!(
        runtimes[..3],
        [
            EnvironmentModel::Modelled {
                runtime: "containerd-2.0.5".into(),
                kubernetes_minor: 33
            },
            EnvironmentModel::Modelled {
                runtime: "crio-1.32".into(),
                kubernetes_minor: 32
            },
            EnvironmentModel::Modelled {
                runtime: "containerd-1.7.27".into(),
                kubernetes_minor: 33
            },
        ]
    );
    assert_eq!(r.environments[2].node_supports_policy, None, "a node without features");
    match &r.environments[3].model {
        EnvironmentModel::Unknown { reason } => assert!(reason.contains("dockershim"), "{reason}"),
        m => panic!("docker node modelled as {m:?}"),
    }
    assert_eq!(r.environments[3].nodes, ["n4"]);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
}

#[test]
fn deployment_pods_fold_with_observed_and_predicted_side_by_side() {
    let r = audit(&[("pods.json", &pods())]);
    let web = workload(&r, "Deployment", "web");
    assert_eq!(
        (web.namespace.as_str(), web.pods, web.already_strict),
        ("shop", 3, false)
    );
    let c = &web.containers[0];
    let gids: Vec<(u32, Option<String>, bool)> = c
        .implicit_groups
        .iter()
        .map(|g| {
            (
                g.gid,
                g.group_line.as_ref().map(|l| format!("{}@{}", l.name, l.line)),
                g.observed,
            )
        })
        .collect();
    assert_eq!(
        gids,
        [
            (101, Some("wheel@1".into()), true),
            (1000, Some("appgrp@2".into()), true),
            (2000, None, true),
        ]
    );
    assert_eq!(c.strict_would_remove, [101, 1000, 2000]);
    // 1000 is the image user's own primary group in /etc/passwd, overridden by runAsGroup.
    assert_eq!(c.would_break.len(), 1);
    assert_eq!(
        (c.would_break[0].gid, c.would_break[0].reasons.as_slice()),
        (1000, ["image-user-primary-group".to_owned()].as_slice())
    );
    // Per node: containerd 2 sorts, CRI-O keeps insertion order; both agree with what was observed.
    let on = |env: &str, m: ImageMatch| {
        c.predictions
            .iter()
            .find(|p| p.environment == env && p.image_match == Some(m))
            .unwrap()
    };
    match &on("env-1", ImageMatch::ImageId).result {
        PredictedResult::Runs {
            supplemental_groups, ..
        } => assert_eq!(supplemental_groups, &[101, 1000, 3000]),
        r => panic!("{r:?}"),
    }
    match &on("env-2", ImageMatch::ImageId).result {
        PredictedResult::Runs {
            supplemental_groups, ..
        } => assert_eq!(supplemental_groups, &[3000, 101, 1000]),
        r => panic!("{r:?}"),
    }
    assert_eq!(
        on("env-1", ImageMatch::Reference).pods,
        1,
        "the pod on another digest was matched by reference"
    );
    assert_eq!(c.observed.len(), 3);
    // The disagreement names the gid and the likely cause, and overrides nothing.
    let differs: Vec<_> = web.findings.iter().filter(|f| f.code == "observed-differs").collect();
    assert_eq!(differs.len(), 1, "{:#?}", web.findings);
    assert_eq!(differs[0].gids, [2000]);
    assert!(
        differs[0].message.contains("sha256:bb") && differs[0].message.contains("image may have changed"),
        "{}",
        differs[0].message
    );
    assert!(web
        .findings
        .iter()
        .any(|f| f.code == "strict-would-break" && f.gids == [1000]));
    assert_eq!(r.summary.disagreements, 1);
}

#[test]
fn templates_and_unscheduled_pods_are_predicted_on_every_environment() {
    let r = audit(&[("pods.json", &pods())]);
    let nightly = workload(&r, "CronJob", "nightly");
    assert_eq!((nightly.pods, nightly.already_strict), (1, true), "pod → Job → CronJob");
    assert!(
        r.workloads.iter().all(|w| w.kind != "Job"),
        "the Job is folded into its CronJob"
    );
    let c = &nightly.containers[0];
    assert!(c.strict_would_remove.is_empty());
    let envs: Vec<&str> = c.predictions.iter().map(|p| p.environment.as_str()).collect();
    assert!(
        envs.contains(&"env-1") && envs.contains(&"env-2") && envs.contains(&"env-3"),
        "{envs:?}"
    );
    // containerd 1.7 with a 1.33 kubelet and no published feature: Strict is refused (Spec 2.2).
    let refused = c.predictions.iter().find(|p| p.environment == "env-3").unwrap();
    assert!(
        matches!(&refused.result, PredictedResult::Refused { reason, .. } if reason == "SupplementalGroupsPolicyNotSupported"),
        "{refused:?}"
    );
    let codes: Vec<&str> = nightly.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"environments-differ") && codes.contains(&"refused"),
        "{codes:?}"
    );
}

#[test]
fn unknown_runtime_and_unknown_image_are_said_not_guessed() {
    let r = audit(&[("pods.json", &pods())]);
    let legacy = workload(&r, "Pod", "legacy");
    let c = &legacy.containers[0];
    assert!(c.predictions.is_empty(), "no model for docker://");
    assert!(c.unknown.iter().any(|u| u.contains("dockershim")), "{:?}", c.unknown);
    // Observed minus manifest-named (5000 is runAsGroup): known without the image.
    assert_eq!(
        c.implicit_groups
            .iter()
            .map(|g| (g.gid, g.observed))
            .collect::<Vec<_>>(),
        [(77, true)]
    );
    assert!(c.implicit_groups_known);
    let mystery = workload(&r, "Pod", "mystery");
    let c = &mystery.containers[0];
    assert!(!c.implicit_groups_known);
    assert!(c.implicit_groups.is_empty() && c.predictions.is_empty());
    assert!(
        c.unknown.iter().any(|u| u.contains("\"unknown:1\" not given")),
        "{:?}",
        c.unknown
    );
    assert!(mystery.findings.iter().any(|f| f.code == "implicit-unknown"));
    let s = &r.summary;
    assert_eq!(
        (
            s.workloads,
            s.pods,
            s.containers_with_implicit_groups,
            s.workloads_already_strict,
            s.containers_that_would_lose_a_needed_group,
            s.containers_unknown
        ),
        (4, 6, 2, 1, 1, 1),
        "{s:#?}"
    );
}

#[test]
fn garbage_and_partial_dumps_name_the_item_and_audit_the_rest() {
    let good = pod(
        "x",
        "good",
        None,
        None,
        Some("n1"),
        pod_spec(security(1000, 3000, None), &[("c", "app:1")]),
        None,
    );
    let garbage = list(vec![
        serde_json::json!("oops"),
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bad", "namespace": "x"}, "spec": {"containers": "nope"}}),
        serde_json::json!({"metadata": {"name": "kindless"}}),
        good,
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "deep", "namespace": "x"},
             "spec": {"containers": [{"name": "c", "securityContext": {"runAsUser": "root"}}]}}
        ]}),
    ]);
    let whole = pods();
    let cut = &whole[..whole.find("web-abc12-ccccc").unwrap()];
    let r = audit(&[("garbage.json", &garbage), ("cut.json", cut)]);
    let errors: Vec<String> = r
        .errors
        .iter()
        .map(|e| format!("{} | {} | {}", e.input, e.item, e.message))
        .collect();
    // Each item is named where it stands in its input, with what is wrong with it.
    for (item, what) in [
        ("garbage.json | items[0]", "not an object"),
        ("garbage.json | items[1] Pod x/bad", "spec.containers"),
        ("garbage.json | items[2]", "without `kind`"),
        ("garbage.json | items[4].items[0] Pod x/deep", "runAsUser"),
        ("cut.json | line ", "items before this point were audited"),
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(item) && e.contains(what)),
            "{item} … {what}: {errors:#?}"
        );
    }
    assert_eq!(
        workload(&r, "Pod", "good").containers[0].strict_would_remove,
        [101, 1000]
    );
    assert_eq!(workload(&r, "Deployment", "web").pods, 2, "the two pods before the cut");
    assert_eq!(r.summary.errors, r.errors.len());
}

#[test]
fn wanted_images_are_the_running_digests_not_yet_given() {
    let mut audit = Audit::new(images(), Environment::default());
    audit.add_nodes("nodes.json", &nodes());
    audit.add_objects("pods.json", &pods());
    let wanted: Vec<(String, Option<String>)> = audit
        .wanted_images()
        .into_iter()
        .map(|w| (w.image, w.image_id))
        .collect();
    // app:1 is given (by digest sha256:aa and by reference); other:1 runs as sha256:cc; unknown:1 has no status.
    assert_eq!(
        wanted,
        [("other:1".into(), Some("sha256:cc".into())), ("unknown:1".into(), None)]
    );
    audit.add_image("sha256:cc", Image::known("", None, Some("old:x:77:\n".into())));
    assert_eq!(audit.wanted_images().len(), 1);
    let r = audit.finish();
    // The image is now read, but the docker node has no model: still no prediction, observed kept.
    let legacy = workload(&r, "Pod", "legacy");
    assert!(legacy.containers[0].predictions.is_empty());
}

#[test]
fn json_report_round_trips_through_the_schema() {
    let r = audit(&[("pods.json", &pods())]);
    let text = serde_json::to_string(&r).unwrap();
    let back: AuditReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.schema, "podgroups.audit/v1");
}

#[test]
fn yaml_dumps_and_no_node_dump() {
    let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: y, namespace: d}\n  spec:\n    nodeName: elsewhere\n    securityContext: {runAsUser: 1000, runAsGroup: 3000}\n    containers: [{name: c, image: app:1}]\n";
    let mut audit = Audit::new(
        images(),
        Environment {
            runtime: "containerd://2.0.5".parse().unwrap(),
            ..Environment::default()
        },
    );
    audit.add_objects("pods.yaml", yaml);
    let r = audit.finish();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert!(r.environments[0].container_runtime_version.starts_with("assumed"));
    assert_eq!(r.environments[0].nodes, ["elsewhere"]);
    assert_eq!(r.workloads[0].containers[0].strict_would_remove, [101, 1000]);
}

#[test]
fn volumes_decide_what_strict_would_break_and_pv_gids_are_manifest_named() {
    let pv = serde_json::json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": "pv-1", "annotations": {"pv.beta.kubernetes.io/gid": "7000"}},
        "spec": {"claimRef": {"kind": "PersistentVolumeClaim", "namespace": "data", "name": "archive"}, "capacity": {"storage": "1Gi"}}
    });
    let mut writer_sc = security(1000, 3000, None);
    writer_sc.fs_group = Some(6000);
    let writer = with_claim(pod_spec(writer_sc, &[("w", "other:1")]), "shared");
    let reader = with_claim(pod_spec(security(1000, 3000, None), &[("r", "other:1")]), "shared");
    let archiver = with_claim(pod_spec(security(1000, 3000, None), &[("a", "other:1")]), "archive");
    let old_strict = pod_spec(security(1000, 3000, Some("Strict")), &[("s", "app:1")]);
    let dump = list(vec![
        pv,
        pod(
            "data",
            "writer",
            None,
            None,
            Some("n1"),
            writer,
            Some(vec![(
                "w",
                "other:1",
                "sha256:ee",
                Some((1000, 3000, vec![3000, 6000])),
            )]),
        ),
        pod(
            "data",
            "reader",
            None,
            None,
            Some("n1"),
            reader,
            Some(vec![(
                "r",
                "other:1",
                "sha256:ee",
                Some((1000, 3000, vec![3000, 6000])),
            )]),
        ),
        pod(
            "data",
            "archiver",
            None,
            None,
            Some("n1"),
            archiver,
            Some(vec![(
                "a",
                "other:1",
                "sha256:ee",
                Some((1000, 3000, vec![3000, 7000])),
            )]),
        ),
        pod(
            "data",
            "old-strict",
            None,
            None,
            Some("old"),
            old_strict,
            Some(vec![("s", "app:1", "sha256:aa", None)]),
        ),
    ]);
    let mut audit = Audit::new(images(), Environment::default());
    audit.add_nodes(
        "nodes.json",
        &list(vec![
            node("n1", "containerd://2.0.5", "v1.33.1", Some(true)),
            node("old", "containerd://1.7.27", "v1.32.4", None),
        ]),
    );
    audit.add_objects("dump.json", &dump);
    let r = audit.finish();
    // The writer's fsGroup is manifest-named; the reader gets 6000 only from /etc/group, and 6000 owns
    // the volume both mount: Strict would break the reader.
    let writer = &workload(&r, "Pod", "writer").containers[0];
    assert!(writer.implicit_groups.is_empty(), "{writer:#?}");
    let reader = workload(&r, "Pod", "reader");
    assert_eq!(reader.containers[0].would_break.len(), 1);
    assert_eq!(reader.containers[0].would_break[0].gid, 6000);
    assert_eq!(reader.containers[0].would_break[0].reasons, ["volume-fs-group"]);
    // The kubelet adds the bound PV's gid annotation: named by the cluster, not implicit.
    assert!(workload(&r, "Pod", "archiver").containers[0].implicit_groups.is_empty());
    // Strict on containerd 1.7 behind a 1.32 kubelet: runs, merged — the written Strict is not applied.
    let old = workload(&r, "Pod", "old-strict");
    let f = old
        .findings
        .iter()
        .find(|f| f.code == "strict-not-applied")
        .unwrap_or_else(|| panic!("{:#?}", old.findings));
    assert_eq!(f.gids, [101, 1000]);
    assert!(old.already_strict && old.containers[0].strict_would_remove.is_empty());
}

#[test]
fn workload_objects_give_replicas_and_fold_their_replica_sets() {
    use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, ReplicaSet, ReplicaSetSpec};
    use k8s_openapi::api::core::v1::PodTemplateSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
    let spec = || pod_spec(security(1000, 3000, None), &[("c", "app:1")]);
    let deployment = to_value(&Deployment {
        metadata: ObjectMeta {
            name: Some("web".into()),
            namespace: Some("shop".into()),
            ..ObjectMeta::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(3),
            selector: LabelSelector::default(),
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(spec()),
            },
            ..DeploymentSpec::default()
        }),
        status: None,
    });
    let replica_set = to_value(&ReplicaSet {
        metadata: ObjectMeta {
            name: Some("web-abc12".into()),
            namespace: Some("shop".into()),
            owner_references: Some(vec![OwnerReference {
                api_version: "apps/v1".into(),
                ..owner("Deployment", "web")
            }]),
            ..ObjectMeta::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(3),
            selector: LabelSelector::default(),
            template: Some(PodTemplateSpec {
                metadata: None,
                spec: Some(spec()),
            }),
            ..ReplicaSetSpec::default()
        }),
        status: None,
    });
    // The pod's template hash does not match the name: folding follows the ReplicaSet object.
    let p = pod(
        "shop",
        "web-abc12-q",
        Some(owner("ReplicaSet", "web-abc12")),
        None,
        Some("n1"),
        spec(),
        None,
    );
    let broken_node = serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n9"}, "status": {}});
    let mut audit = Audit::new(images(), Environment::default());
    audit.add_nodes(
        "nodes.json",
        &list(vec![
            node("n1", "containerd://2.0.5", "v1.33.1", Some(true)),
            broken_node,
        ]),
    );
    audit.add_objects("workloads.json", &list(vec![deployment, replica_set]));
    audit.add_objects("pods.json", &list(vec![p]));
    let r = audit.finish();
    assert_eq!(r.workloads.len(), 1, "{:#?}", r.workloads);
    let web = workload(&r, "Deployment", "web");
    assert_eq!((web.pods, web.replicas), (1, Some(3)));
    let c = &web.containers[0];
    // The template and the running pod get the same answer on the one modelled environment: one row.
    assert_eq!(c.predictions.len(), 1, "{:#?}", c.predictions);
    assert_eq!(
        (c.predictions[0].environment.as_str(), c.predictions[0].pods),
        ("env-1", 1)
    );
    assert_eq!(r.errors.len(), 1);
    assert!(
        r.errors[0]
            .message
            .contains("Node n9 has no status.nodeInfo.containerRuntimeVersion"),
        "{:?}",
        r.errors
    );
}

/// `kubectl get pv,pvc -A -o json` as its own input: pod volume → claim → bound volume (by the
/// claim's `spec.volumeName`) → `pv.beta.kubernetes.io/gid`. The kubelet adds that gid to every
/// container itself (Spec 7.3), so Strict keeps it: never "would break", and said so.
#[test]
fn pv_gid_annotations_resolve_through_claims_and_strict_keeps_them() {
    use k8s_openapi::api::core::v1::{
        ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    let pv = |name: &str, gid: &str, claim: Option<(&str, &str)>| {
        to_value(&PersistentVolume {
            metadata: ObjectMeta {
                name: Some(name.into()),
                annotations: Some([("pv.beta.kubernetes.io/gid".to_owned(), gid.to_owned())].into()),
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeSpec {
                claim_ref: claim.map(|(ns, n)| ObjectReference {
                    kind: Some("PersistentVolumeClaim".into()),
                    namespace: Some(ns.into()),
                    name: Some(n.into()),
                    ..ObjectReference::default()
                }),
                ..PersistentVolumeSpec::default()
            }),
            status: None,
        })
    };
    let pvc = |ns: &str, name: &str, volume: &str| {
        to_value(&PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                volume_name: Some(volume.into()),
                ..PersistentVolumeClaimSpec::default()
            }),
            status: None,
        })
    };
    // 101 is in the image's /etc/group for the user and is also the bound volume's gid.
    let volumes = list(vec![
        pv("pv-media", "101", Some(("data", "media"))),
        // Its claimRef names `media` too, but the claim is bound to pv-media: not this one.
        pv("pv-stale", "5555", Some(("data", "media"))),
        // No claimRef: found only through the claim's volumeName.
        pv("pv-logs", "8000", None),
        pvc("data", "media", "pv-media"),
        pvc("data", "logs", "pv-logs"),
    ]);
    let media = with_claim(pod_spec(security(1000, 3000, None), &[("m", "app:1")]), "media");
    let logs = with_claim(pod_spec(security(1000, 3000, None), &[("l", "other:1")]), "logs");
    let pods = list(vec![
        pod(
            "data",
            "media",
            None,
            None,
            Some("n1"),
            media,
            Some(vec![(
                "m",
                "app:1",
                "sha256:aa",
                Some((1000, 3000, vec![101, 1000, 3000])),
            )]),
        ),
        pod(
            "data",
            "logs",
            None,
            None,
            Some("n1"),
            logs,
            Some(vec![(
                "l",
                "other:1",
                "sha256:ee",
                Some((1000, 3000, vec![3000, 8000])),
            )]),
        ),
    ]);
    let mut audit = Audit::new(images(), Environment::default());
    audit.add_nodes("nodes.json", &nodes());
    // Pods first, volumes after: the order of inputs does not matter.
    audit.add_objects("pods.json", &pods);
    audit.add_objects("pv-pvc.json", &volumes);
    let r = audit.finish();
    let media = workload(&r, "Pod", "media");
    let c = &media.containers[0];
    // 101 comes from the volume (the kubelet's CRI supplemental groups), not implicitly from /etc/group.
    assert_eq!(c.strict_would_remove, [1000], "{c:#?}");
    assert!(c.would_break.iter().all(|b| b.gid != 101), "{c:#?}");
    let kept = media
        .findings
        .iter()
        .find(|f| f.code == "pv-gid-kept")
        .unwrap_or_else(|| panic!("{:#?}", media.findings));
    assert_eq!(kept.gids, [101]);
    assert!(kept.message.contains("PersistentVolume pv-media"), "{}", kept.message);
    match &c.predictions[0].result {
        PredictedResult::Runs {
            supplemental_groups,
            implicit_gids,
            ..
        } => {
            assert!(supplemental_groups.contains(&101) && !supplemental_groups.contains(&5555));
            assert_eq!(implicit_gids, &[1000]);
        }
        other => panic!("{other:?}"),
    }
    let logs = workload(&r, "Pod", "logs");
    assert!(
        logs.containers[0].implicit_groups.is_empty(),
        "8000 is the volume's: named by the cluster"
    );
    let kept = logs
        .findings
        .iter()
        .find(|f| f.code == "pv-gid-kept")
        .expect("pv-gid-kept");
    assert_eq!(kept.gids, [8000]);
    assert!(r.errors.is_empty(), "{:#?}", r.errors);
}

/// Pods of a CronJob's Job fold into the CronJob row, with the Job objects in the dump, or without
/// them through the CronJob controller's `<cronjob>-<scheduled minute>` naming.
#[test]
fn job_pods_fold_into_their_cron_job_with_or_without_the_job_objects() {
    let nightly = || pod_spec(security(1000, 3000, None), &[("job", "app:1")]);
    let run = |job: &str, pod_name: &str| {
        pod(
            "ops",
            pod_name,
            Some(owner("Job", job)),
            None,
            Some("n1"),
            nightly(),
            Some(vec![(
                "job",
                "app:1",
                "sha256:aa",
                Some((1000, 3000, vec![101, 1000, 3000])),
            )]),
        )
    };
    let with_jobs = list(vec![
        cron_job("ops", "nightly", nightly()),
        job("ops", "nightly-29000000", "nightly", nightly()),
        job("ops", "nightly-29001440", "nightly", nightly()),
        run("nightly-29000000", "nightly-29000000-aaaaa"),
        run("nightly-29001440", "nightly-29001440-bbbbb"),
    ]);
    let without_jobs = list(vec![
        cron_job("ops", "nightly", nightly()),
        run("nightly-29000000", "nightly-29000000-aaaaa"),
        run("nightly-29001440", "nightly-29001440-bbbbb"),
        // A Job no CronJob in the dump made stays a Job row.
        run("backfill-1", "backfill-1-ccccc"),
    ]);
    for (what, dump) in [("with the Jobs", with_jobs), ("without the Jobs", without_jobs)] {
        let r = audit(&[("dump.json", &dump)]);
        let nightly = workload(&r, "CronJob", "nightly");
        assert_eq!(nightly.pods, 2, "{what}");
        assert_eq!(nightly.containers[0].strict_would_remove, [101, 1000], "{what}");
        assert!(
            r.workloads
                .iter()
                .all(|w| !(w.kind == "Job" && w.name.starts_with("nightly"))),
            "{what}: {:#?}",
            r.workloads
        );
    }
    let r = audit(&[("dump.json", &list(vec![run("backfill-1", "backfill-1-ccccc")]))]);
    assert_eq!(workload(&r, "Job", "backfill-1").pods, 1);
}
