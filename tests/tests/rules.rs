//! Further cases of the spec's rules, beyond the vectors: patch-level runtime behaviour, gates and
//! versions, workload kinds, PV gids, limits. Each names the spec step it checks.

use podgroups_core::scenario::{simulate, Scenario, Simulation};

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n";
const GROUP: &str = "root:x:0:root\nwheel:x:10:root\napp:x:1000:app\ndevs:x:600:app\n";

fn pod(security_context: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns}}\nspec:\n  securityContext: {security_context}\n  containers:\n  - name: ctr\n    image: app:1\n"
    )
}

fn sim(runtime: &str, k8s: &str, gate: bool, pod: &str, image_user: &str) -> Simulation {
    sim_files(runtime, k8s, gate, pod, image_user, Some(PASSWD), Some(GROUP))
}

/// The pod written with Strict for uid 1000, on `runtime` and Kubernetes `k8s`.
fn strict_as_1000(runtime: &str, k8s: &str, gate: bool) -> Simulation {
    sim(
        runtime,
        k8s,
        gate,
        &pod("{runAsUser: 1000, supplementalGroupsPolicy: Strict}"),
        "",
    )
}

fn sim_files(
    runtime: &str,
    k8s: &str,
    gate: bool,
    pod: &str,
    image_user: &str,
    passwd: Option<&str>,
    group: Option<&str>,
) -> Simulation {
    let v = serde_json::json!({
        "kubernetes_version": k8s, "runtime": runtime, "feature_gate_on": gate, "pod": pod,
        "container": "ctr", "image_user": image_user, "passwd": passwd, "group": group,
    });
    simulate(&Scenario::from_yaml(&v.to_string()).unwrap()).unwrap()
}

fn codes(s: &Simulation) -> Vec<&str> {
    s.warnings.iter().map(|w| w.code).collect()
}

#[test]
fn containerd_uid_out_of_range_depends_on_patch_release() {
    // Step 8.2: wrap before the CVE-2024-40635 fix, username lookup in between, explicit range error after.
    let p = pod("{}");
    let old = sim("containerd-1.7.26", "1.33", true, &p, "4294967296");
    assert_eq!((old.uid, old.gid), (Some(0), Some(0)), "uint32(4294967296) is root");
    let mid = sim("containerd-2.0.5", "1.33", true, &p, "4294967296");
    assert!(mid.error.unwrap().message.contains("no users found"));
    let new = sim("containerd-2.1.8", "1.33", true, &p, "4294967296");
    assert!(new.error.unwrap().message.contains("uid out of range"));
    let crio = sim("crio", "1.33", true, &p, "4294967296");
    let said = crio.error.unwrap().message;
    assert!(said.contains("uids and gids must be in range 0-2147483647"), "{said}");
}

#[test]
fn alpha_versions_degrade_strict_silently_on_containerd_1_7() {
    // Steps 2.2 and 9.1: no admission check before 1.33; containerd 1.7 drops the unknown field.
    let s = strict_as_1000("containerd-1.7", "1.32", true);
    assert_eq!(s.additional_gids, Some(vec![600, 1000]));
    assert_eq!(s.status_user, None);
    assert!(codes(&s).contains(&"strict-ignored"), "{:?}", codes(&s));
    let beta = strict_as_1000("containerd-1.7", "1.34", true);
    assert_eq!(beta.error.unwrap().reason, "SupplementalGroupsPolicyNotSupported");
}

#[test]
fn gate_off_drops_even_invalid_values() {
    // Step 1.1: dropped before validation, so "strict" is not rejected and Merge applies.
    let s = sim(
        "crio",
        "1.34",
        false,
        &pod("{runAsUser: 1000, supplementalGroupsPolicy: strict}"),
        "",
    );
    assert_eq!(s.error, None);
    assert_eq!(
        s.additional_gids,
        Some(vec![1000, 600]),
        "CRI-O includes the group named like the user"
    );
    assert_eq!(s.status_user, None, "the kubelet copies the user only with the gate on");
    assert!(codes(&s).contains(&"policy-dropped"));
    let old = strict_as_1000("containerd-2", "1.30", false);
    assert_eq!(old.additional_gids, Some(vec![600, 1000]));
    assert!(codes(&old).contains(&"policy-unknown-field"));
}

#[test]
fn gate_is_locked_on_from_1_35() {
    let s = strict_as_1000("containerd-2", "1.35", false);
    assert_eq!(s.additional_gids, Some(vec![1000]));
    assert!(s.status_user.is_some());
    assert!(codes(&s).contains(&"gate-locked"));
}

#[test]
fn crio_keeps_insertion_order_and_applies_run_as_group_after_lookup() {
    // Step 10.4–10.6 with an image username and pod runAsGroup.
    let s = sim(
        "crio",
        "1.33",
        true,
        &pod("{runAsGroup: 3000, fsGroup: 7, supplementalGroups: [5, 600]}"),
        "app",
    );
    assert_eq!((s.uid, s.gid), (Some(1000), Some(3000)));
    assert_eq!(s.additional_gids, Some(vec![3000, 1000, 600, 7, 5]));
    assert_eq!(s.groups_as_kernel_sees, Some(vec![5, 7, 600, 1000, 3000]));
    assert_eq!(s.id_groups_coreutils, Some(vec![3000, 5, 7, 600, 1000]));
    // The same on containerd: the pod's runAsGroup without runAsUser breaks the sandbox (Step 3.2).
    let c = sim("containerd-2", "1.33", true, &pod("{runAsGroup: 3000}"), "app");
    assert_eq!(c.error.unwrap().stage.as_str(), "sandbox-create");
}

#[test]
fn containerd_username_with_run_as_group() {
    // Step 8.2, two parts: the name is looked up for the uid, the numeric gid used as given.
    let p = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: ctr\n    image: app\n    securityContext: {runAsGroup: 4242}\n";
    let s = sim("containerd-2", "1.33", true, p, "app");
    assert_eq!((s.uid, s.gid), (Some(1000), Some(4242)));
    assert_eq!(
        s.additional_gids,
        Some(vec![600, 4242]),
        "group `app` is named like the user: excluded"
    );
}

#[test]
fn workload_kinds_use_their_template_path() {
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          securityContext: {supplementalGroups: [-5]}\n          containers: [{name: ctr, image: x}]\n";
    let s = sim("containerd-2", "1.33", true, cron, "");
    let e = s.error.unwrap();
    assert_eq!(e.message, "spec.jobTemplate.spec.template.spec.securityContext.supplementalGroups[0]: Invalid value: -5: must be between 0 and 2147483647, inclusive");
    let tpl = "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec:\n    securityContext: {runAsUser: 1000, supplementalGroupsPolicy: Strict}\n    containers: [{name: ctr, image: x}]\n";
    assert_eq!(sim("crio", "1.33", true, tpl, "").additional_gids, Some(vec![1000]));
}

#[test]
fn ephemeral_and_init_containers_take_the_same_path() {
    let p = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000}\n  containers: [{name: main, image: x}]\n  ephemeralContainers:\n  - name: ctr\n    image: busybox\n    securityContext: {runAsUser: 0}\n";
    let s = sim("containerd-2", "1.33", true, p, "");
    assert_eq!((s.uid, s.gid), (Some(0), Some(0)));
    assert_eq!(s.additional_gids, Some(vec![0, 10]));
    assert_eq!(s.report.kind, podgroups_core::ContainerKind::Ephemeral);
}

#[test]
fn pv_gids_follow_supplemental_groups_and_skip_duplicates() {
    // Step 7.3: duplicates of supplementalGroups skipped, of fsGroup kept (the runtime dedupes), junk ignored.
    let v = serde_json::json!({
        "kubernetes_version": "1.33", "runtime": "crio", "feature_gate_on": true,
        "pod": pod("{runAsUser: 1000, runAsGroup: 1, fsGroup: 9, supplementalGroups: [8], supplementalGroupsPolicy: Strict}"),
        "container": "ctr", "image_user": "", "passwd": PASSWD, "group": GROUP,
        "pv_gid_annotations": ["8", "9", "x", 77],
    });
    let s = simulate(&Scenario::from_yaml(&v.to_string()).unwrap()).unwrap();
    assert_eq!(s.additional_gids, Some(vec![1, 9, 8, 77]));
    let origins: Vec<String> = s
        .gid_origins
        .iter()
        .map(|g| format!("{}:{}", g.gid, g.origins.len()))
        .collect();
    assert_eq!(
        origins,
        ["1:1", "9:2", "8:1", "77:1"],
        "9 comes from fsGroup and from the PV"
    );
}

#[test]
fn windows_containers_fields_are_forbidden_and_linux_pods_admitted() {
    let p = "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  containers:\n  - name: ctr\n    image: x\n    securityContext: {runAsUser: 5}\n";
    let e = sim("containerd-2", "1.33", true, p, "").error.unwrap();
    assert_eq!(
        e.message,
        "spec.containers[0].securityContext.runAsUser: Forbidden: cannot be set for a windows pod"
    );
    let p = "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  containers: [{name: ctr, image: x}]\n";
    // Spec 2: every kubelet admission rejection goes through rejectPod, which prefixes the status
    // message; the event carries the bare one.
    let e = sim("containerd-2", "1.33", true, p, "").error.unwrap();
    assert_eq!(e.reason, "PodOSNotSupported");
    assert_eq!(
        e.message,
        "Pod was rejected: Failed to admit pod as the OS field doesn't match node OS"
    );
    assert_eq!(
        e.event_message.as_deref(),
        Some("Failed to admit pod as the OS field doesn't match node OS")
    );
    assert!(e.location.is_none());
}

#[test]
fn non_root_image_uid_range_is_checked_from_1_33() {
    // Step 6.5: kubelet 1.33+ refuses; older kubelets pass the uid to the runtime.
    let p = pod("{runAsNonRoot: true}");
    let new = sim("containerd-2", "1.33", true, &p, "4294967296");
    let said = new.error.unwrap().message;
    assert!(
        said.starts_with("container has runAsNonRoot and image has an invalid user id (4294967296)"),
        "{said}"
    );
    let old = sim("containerd-2", "1.32", true, &p, "4294967296");
    assert_eq!(old.error.unwrap().stage.as_str(), "runtime-create");
}

#[test]
fn numeric_uid_gid_never_reads_the_files_under_strict() {
    // Step 8.2: both numeric → no passwd read; Strict → no group read. A broken passwd does not matter.
    let long = format!("root:x:0:0::/:/bin/sh\n{}\n", "x".repeat(70_000));
    let p = pod("{runAsUser: 1000, runAsGroup: 3000, supplementalGroupsPolicy: Strict}");
    let s = sim_files("containerd-2", "1.33", true, &p, "", Some(&long), Some(GROUP));
    assert_eq!(s.additional_gids, Some(vec![3000]));
    let merge = sim_files(
        "containerd-2",
        "1.33",
        true,
        &pod("{runAsUser: 1000, runAsGroup: 3000}"),
        "",
        Some(&long),
        Some(GROUP),
    );
    // Spec 4: the message is the runtime's text verbatim; the line is a separate field.
    let e = merge.error.unwrap();
    assert_eq!(
        e.message,
        "failed to create containerd container: bufio.Scanner: token too long"
    );
    let at = e.location.expect("the passwd line is reported apart");
    assert_eq!((at.file, at.line), ("/etc/passwd", 2));
    let crio = sim_files(
        "crio",
        "1.33",
        true,
        &pod("{runAsUser: 1000}"),
        "",
        Some(&long),
        Some(GROUP),
    );
    let e = crio.error.unwrap();
    assert_eq!(
        e.message,
        "get exec user: unable to find user 1000: bufio.Scanner: token too long"
    );
    assert_eq!(e.location.map(|l| l.line), Some(2));
}

#[test]
fn too_many_groups_fail_setgroups() {
    // Step 12.2: more than NGROUPS_MAX (65536) gids → EINVAL.
    let mut group = String::new();
    for gid in 1..=65_537 {
        group.push_str(&format!("g{gid}:x:{gid}:app\n"));
    }
    let s = sim_files(
        "crio",
        "1.33",
        true,
        &pod("{runAsUser: 1000}"),
        "",
        Some(PASSWD),
        Some(&group),
    );
    assert!(s.error.unwrap().message.contains("setgroups: invalid argument"));
    let strict = sim_files(
        "crio",
        "1.33",
        true,
        &pod("{runAsUser: 1000, supplementalGroupsPolicy: Strict}"),
        "",
        Some(PASSWD),
        Some(&group),
    );
    assert_eq!(strict.additional_gids, Some(vec![1000]));
}

#[test]
fn node_support_override() {
    use podgroups_core::{explain, Environment, Image, Input, Runtime};
    let input = |node| Input {
        manifests: pod("{runAsUser: 1000, supplementalGroupsPolicy: Strict}"),
        image: Image::known("", Some(PASSWD.into()), Some(GROUP.into())),
        environment: Environment {
            runtime: Runtime::CONTAINERD_2,
            kubernetes_minor: 33,
            feature_gate: None,
            node_supports_policy: node,
        },
        ..Input::default()
    };
    let refused = explain(&input(Some(false))).unwrap();
    assert!(refused.workloads[0].containers[0].as_written.refusal().is_some());
    let runs = explain(&input(None)).unwrap();
    assert_eq!(
        runs.workloads[0].containers[0]
            .as_written
            .identity()
            .unwrap()
            .additional_gids,
        [1000]
    );
}

#[test]
fn gid_zero_fallback_and_image_group_warnings() {
    let s = sim("containerd-2", "1.33", true, &pod("{runAsUser: 4321}"), "4321:4321");
    assert_eq!((s.uid, s.gid), (Some(4321), Some(0)));
    let c = codes(&s);
    assert!(
        c.contains(&"gid-zero-fallback") && c.contains(&"image-user-group-ignored"),
        "{c:?}"
    );
}
