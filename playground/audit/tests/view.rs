//! The audit view's model for a pasted dump, built from the Kubernetes API types in kubectl's shape
//! (the audit crate's builders): summary first, rows, findings, and each finding's single-pod link.

#[path = "../../../audit/tests/cluster/mod.rs"]
mod cluster;

use cluster::*;
use podgroups_audit_wasm::view::{audit, AuditView, Paste, PastedImage};
use podgroups_core::{Image, ImageFile};

const PASSWD: &str = "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP: &str = "wheel:x:101:app\nappgrp:x:1000:app\n";

fn nodes() -> String {
    list(vec![
        node("n1", "containerd://2.0.5", "v1.33.1", Some(true)),
        node("n2", "cri-o://1.32.1", "v1.32.3", None),
    ])
}

/// A Deployment's two pods observed with 101 merged in, a Strict CronJob pod, and a pod whose image
/// nobody pasted and whose status has no user.
fn pods() -> String {
    let observed = Some(vec![("job", "app:1", "sha256:aa", Some((1000, 3000, vec![3000])))]);
    list(
        [
            vec![
                web_replica("web-abc12-aaaaa", "n1", "sha256:aa", &[101, 1000, 3000]),
                web_replica("web-abc12-bbbbb", "n2", "sha256:aa", &[101, 1000, 3000]),
            ],
            nightly(Some("n1"), observed).into(),
            vec![pod(
                "misc",
                "mystery",
                None,
                None,
                Some("n2"),
                pod_spec(security(10, 10, None), &[("m", "registry.example/unknown:1")]),
                None,
            )],
        ]
        .concat(),
    )
}

fn app_image() -> PastedImage {
    PastedImage {
        image: "docker.io/library/app:1".into(),
        files: Image {
            user: Some(String::new()),
            passwd: ImageFile::Present(PASSWD.into()),
            group: ImageFile::Present(GROUP.into()),
        },
    }
}

fn run(images: Vec<PastedImage>) -> AuditView {
    audit(&Paste {
        pods: pods(),
        nodes: nodes(),
        images,
    })
}

#[test]
fn summary_first_with_the_four_numbers() {
    let v = run(vec![app_image()]);
    assert_eq!(
        v.summary.headline,
        "3 workloads, 1 container with implicit groups, 1 already Strict, 1 that would lose a group they may need; 1 container unknown (no pasted image files and no observed user)"
    );
    assert_eq!(
        (v.summary.workloads, v.summary.pods, v.summary.workloads_already_strict),
        (3, 4, 1)
    );
    assert_eq!(v.environments.len(), 2);
    assert!(
        v.environments[0].starts_with("env-1: containerd://2.0.5, kubelet v1.33.1"),
        "{:?}",
        v.environments
    );
    assert_eq!(v.unknown_images, ["registry.example/unknown:1"]);
    assert!(v.errors.is_empty(), "{:?}", v.errors);
}

#[test]
fn rows_fold_owners_and_say_where_each_gid_comes_from() {
    let v = run(vec![app_image()]);
    let titles: Vec<&str> = v.workloads.iter().map(|w| w.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Pod misc/mystery", "CronJob ops/nightly", "Deployment shop/web"]
    );
    let web = &v.workloads[2];
    assert_eq!((web.pods.as_str(), web.policy.as_str()), ("2 pods", "unset (Merge)"));
    let c = &web.containers[0];
    // 1000 is the image user's own primary group, which runAsGroup 3000 overrode: Strict would break it.
    assert_eq!(
        c.implicit,
        [
            "101 (wheel, /etc/group line 1; observed)",
            "1000 (appgrp, /etc/group line 2; observed)"
        ]
    );
    assert_eq!(c.strict_would_remove, [101, 1000]);
    assert_eq!(c.would_break, ["1000 (image-user-primary-group)"]);
    let nightly = &v.workloads[1];
    assert!(nightly.already_strict && nightly.containers[0].strict_would_remove.is_empty());
    assert_eq!(nightly.pods, "1 pod", "pod → Job → CronJob");
    let mystery = &v.workloads[0].containers[0];
    assert!(!mystery.known && mystery.implicit.is_empty());
    assert!(
        mystery.unknown.iter().any(|u| u.contains("registry.example/unknown:1")),
        "{mystery:?}"
    );
}

#[test]
fn each_finding_links_to_its_pod_on_its_nodes_environment() {
    let v = run(vec![app_image()]);
    let web = &v.workloads[2];
    let f = web
        .findings
        .iter()
        .find(|f| f.code == "implicit-groups")
        .expect("implicit-groups finding");
    assert_eq!(f.gids, [101, 1000]);
    let link = f.link.as_ref().expect("a link");
    assert_eq!(
        (link.runtime.as_str(), link.kubernetes_minor, link.feature_gate),
        ("containerd-2", 33, Some(true))
    );
    assert_eq!(
        link.label,
        "Pod shop/web-abc12-aaaaa on containerd://2.0.5, kubelet v1.33.1"
    );
    let manifest: serde_json::Value = serde_json::from_str(&link.manifest).unwrap();
    assert_eq!(manifest["kind"], "Pod");
    assert_eq!(manifest["spec"]["securityContext"]["runAsGroup"], 3000);
    assert_eq!(manifest["spec"]["containers"][0]["image"], "app:1");
    // The container's image files go with it, as pasted.
    assert_eq!(link.image.group, ImageFile::Present(GROUP.into()));
    // A finding about the CRI-O node (no features published, so no user reported) opens the pod there.
    let f = web
        .findings
        .iter()
        .find(|f| f.code == "observed-differs")
        .expect("observed-differs finding");
    let link = f.link.as_ref().expect("a link");
    assert_eq!(
        (link.runtime.as_str(), link.kubernetes_minor, link.feature_gate),
        ("crio", 32, None)
    );
    // The CronJob's Strict is not applied on CRI-O 1.32 without the gate: that finding opens it there.
    let f = v.workloads[1]
        .findings
        .iter()
        .find(|f| f.code == "strict-not-applied")
        .expect("strict-not-applied");
    assert_eq!(f.link.as_ref().map(|l| l.runtime.as_str()), Some("crio"));
    assert_eq!(f.gids, [101, 1000]);
    // The pod on the CRI-O node opens there.
    let mystery = &v.workloads[0];
    let link = mystery.findings[0].link.as_ref().expect("a link");
    assert_eq!(
        (link.runtime.as_str(), link.kubernetes_minor, link.feature_gate),
        ("crio", 32, None)
    );
    assert_eq!(link.image, Image::unknown(), "no files pasted: the image stays unknown");
}

#[test]
fn without_pasted_images_observed_groups_still_count_and_images_are_unknown() {
    let v = run(Vec::new());
    let c = &v.workloads[2].containers[0];
    assert_eq!(c.implicit, ["101 (observed)", "1000 (observed)"]);
    assert!(
        c.would_break.is_empty(),
        "the primary gid is known only from /etc/passwd"
    );
    assert_eq!(v.unknown_images, ["app:1", "registry.example/unknown:1"]);
    assert!(
        v.summary
            .headline
            .starts_with("3 workloads, 1 container with implicit groups"),
        "{}",
        v.summary.headline
    );
}

#[test]
fn nothing_pasted_garbage_and_no_nodes_say_so() {
    let v = audit(&Paste::default());
    assert_eq!(v.summary.workloads, 0);
    assert_eq!(v.errors.len(), 1);
    assert!(v.errors[0].contains("kubectl get pods"), "{:?}", v.errors);
    let v = audit(&Paste {
        pods: "{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\",".into(),
        ..Paste::default()
    });
    assert!(v.errors.iter().any(|e| e.starts_with("pods: line 1")), "{:?}", v.errors);
    // No node dump: pods are predicted on the assumed environment, and their links open there.
    let v = audit(&Paste {
        pods: pods(),
        ..Paste::default()
    });
    assert!(v.environments[0].contains("assumed"), "{:?}", v.environments);
    let link = v.workloads[2].findings[0].link.as_ref().expect("a link");
    assert_eq!(link.runtime, "containerd-2");
}

#[test]
fn the_wasm_entry_answers_json_and_refuses_a_bad_paste() {
    let paste = serde_json::json!({"pods": pods(), "nodes": nodes(), "images": [{"image": "app:1", "group": GROUP}]});
    let answer: serde_json::Value =
        serde_json::from_str(&podgroups_audit_wasm::audit_dump(&paste.to_string())).unwrap();
    assert_eq!(answer["ok"], true);
    assert_eq!(answer["view"]["summary"]["workloads"], 3);
    let link = &answer["view"]["workloads"][2]["findings"][0]["link"];
    assert_eq!(link["image"]["group"], GROUP);
    assert!(link["image"].get("passwd").is_none(), "not pasted: unknown, not empty");
    let answer: serde_json::Value = serde_json::from_str(&podgroups_audit_wasm::audit_dump("[1]")).unwrap();
    assert_eq!(answer["ok"], false);
}
