//! `podgroups audit` end to end on dumps built from the Kubernetes API types (kubectl's shape).

#[path = "../../audit/tests/cluster/mod.rs"]
mod cluster;

use cluster::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn podgroups(args: &[&str], stdin: &str) -> Output {
    // Offline with an empty cache of its own: no test reaches a registry (not even a DNS lookup).
    let cache = std::env::temp_dir().join(format!("podgroups-cli-audit-cache-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_podgroups"))
        .args(args)
        .env("PODGROUPS_OFFLINE", "1")
        .env("PODGROUPS_CACHE_DIR", &cache)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses its arguments exits before reading: a closed pipe is then expected.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn write(name: &str, text: &str) -> String {
    let d = std::env::temp_dir().join(format!("podgroups-cli-audit-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

/// Running image digests as the kubelet reports them (`imageID`).
const D1: &str = "sha256:d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
const D2: &str = "sha256:d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2";

/// The pod `prod/strict` on n1, written with Strict, observed as `status` says.
fn strict(status: Option<Vec<Observed<'_>>>) -> serde_json::Value {
    pod(
        "prod",
        "strict",
        None,
        None,
        Some("n1"),
        pod_spec(security(1000, 3000, Some("Strict")), &[("s", "s:1")]),
        status,
    )
}

fn dumps() -> (String, String) {
    let nodes = list(vec![
        node("n1", "containerd://2.0.5", "v1.33.1", Some(true)),
        node("n2", "containerd://1.7.27", "v1.33.0", None),
    ]);
    let rs = || Some(owner("ReplicaSet", "api-7f9c8"));
    let spec = || pod_spec(security(1000, 3000, None), &[("api", "api:2")]);
    // Two replicas of one ReplicaSet, both observed with 4242 merged in.
    let replica = |name: &str| {
        pod(
            "prod",
            name,
            rs(),
            Some("7f9c8"),
            Some("n1"),
            spec(),
            Some(vec![("api", "api:2", D1, Some((1000, 3000, vec![3000, 4242])))]),
        )
    };
    let pods = list(vec![
        replica("api-7f9c8-aaaaa"),
        replica("api-7f9c8-bbbbb"),
        strict(Some(vec![("s", "s:1", D2, Some((1000, 3000, vec![3000])))])),
    ]);
    (nodes, pods)
}

#[test]
fn stdin_dump_with_nodes_prints_summary_then_table() {
    let (nodes, pods) = dumps();
    let nodes = write("nodes.json", &nodes);
    let out = podgroups(&["audit", "-", "--nodes", &nodes], &pods);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(
            "2 workloads (3 pods, 2 containers): 1 containers with implicit groups, 1 workloads already Strict"
        ),
        "{first}"
    );
    assert!(text.contains("containerd://2.0.5"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("prod/Deployment/api"))
        .expect(&text);
    assert!(
        row.contains("4242(observed)") && row.split_whitespace().nth(2) == Some("2"),
        "{row}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("podgroups: read"),
        "no progress in a pipe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn json_output_follows_the_schema_and_check_fails_on_implicit_groups() {
    let (nodes, pods) = dumps();
    let (nodes, pods) = (write("n.json", &nodes), write("p.json", &pods));
    let out = podgroups(&["audit", &pods, "--nodes", &nodes, "-o", "json", "--check"], "");
    assert_eq!(out.status.code(), Some(1));
    let report: podgroups_audit::AuditReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.schema, "podgroups.audit/v1");
    let api = report.workloads.iter().find(|w| w.name == "api").unwrap();
    assert_eq!((api.kind.as_str(), api.pods), ("Deployment", 2));
    assert_eq!(api.containers[0].strict_would_remove, [4242]);
    let yaml = podgroups(&["audit", &pods, "--nodes", &nodes, "-o", "yaml"], "");
    assert_eq!(yaml.status.code(), Some(0));
    assert!(String::from_utf8(yaml.stdout)
        .unwrap()
        .contains("schema: podgroups.audit/v1"));
}

#[test]
fn garbage_is_named_and_an_empty_audit_exits_2() {
    let out = podgroups(
        &["audit", "-"],
        "{\"items\": [42, {\"kind\": \"Pod\", \"metadata\": {\"name\": \"x\"}, \"spec\": {\"containers\": 5}}]}",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("standard input: items[0]") && text.contains("Pod default/x"),
        "{text}"
    );
    let out = podgroups(&["audit", "-", "--runtime", "docker://20.10"], "{}");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dockershim"));
}

#[test]
fn image_for_the_running_digest_predicts_and_agrees_with_the_observed_user() {
    let (nodes, pods) = dumps();
    let (nodes, pods) = (write("n2.json", &nodes), write("p2.json", &pods));
    let archive = std::env::temp_dir().join(format!("podgroups-cli-audit-{}/api.tar", std::process::id()));
    std::fs::write(
        &archive,
        archive::docker_save("api:2", "app:x:1000:1000::/home/app:/bin/sh\n", "ops:x:4242:app\n"),
    )
    .unwrap();
    let key = format!("{D1}={}", archive.display());
    let out = podgroups(
        &["audit", &pods, "--nodes", &nodes, "--image-for", &key, "-o", "json"],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: podgroups_audit::AuditReport = serde_json::from_slice(&out.stdout).unwrap();
    let api = report.workloads.iter().find(|w| w.name == "api").unwrap();
    let c = &api.containers[0];
    let g = &c.implicit_groups[0];
    assert_eq!(
        (
            g.gid,
            g.group_line.as_ref().map(|l| (l.line, l.name.as_str())),
            g.observed
        ),
        (4242, Some((1, "ops")), true)
    );
    assert_eq!(c.predictions[0].image_match, Some(podgroups_audit::ImageMatch::ImageId));
    assert_eq!(c.predictions[0].pods, 2);
    assert!(
        api.findings.iter().all(|f| f.code != "observed-differs"),
        "{:#?}",
        api.findings
    );
    assert_eq!(report.summary.disagreements, 0);
}

#[test]
fn check_fails_when_a_written_strict_is_refused_on_some_node() {
    let nodes = write(
        "n3.json",
        &list(vec![node("n1", "containerd://1.7.27", "v1.33.0", None)]),
    );
    let pods = list(vec![strict(None)]);
    let given = write("p3.json", &pods);
    let out = podgroups(&["audit", &given, "--nodes", &nodes], "");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("refused: on env-1: SupplementalGroupsPolicyNotSupported"),
        "{text}"
    );
    let out = podgroups(&["audit", &given, "--nodes", &nodes, "--check"], "");
    assert_eq!(out.status.code(), Some(1));
}

/// Progress goes to a terminal only: run under `script` (bsdutils, essential on Debian) for a pty.
#[test]
fn progress_shows_on_a_terminal_and_not_with_quiet() {
    let spec = || pod_spec(security(1000, 3000, None), &[("c", "c:1")]);
    let pods = write(
        "many.json",
        &list(
            (0..600)
                .map(|i| pod("p", &format!("p{i}"), None, None, None, spec(), None))
                .collect(),
        ),
    );
    let bin = env!("CARGO_BIN_EXE_podgroups");
    let run = |extra: &str| {
        let out = Command::new("script")
            .env("PODGROUPS_OFFLINE", "1")
            .env(
                "PODGROUPS_CACHE_DIR",
                std::env::temp_dir().join("podgroups-cli-audit-cache-pty"),
            )
            .args([
                "-qec",
                &format!("{bin} audit {pods} -o json {extra} >/dev/null"),
                "/dev/null",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = run("");
    assert!(shown.contains("podgroups: read 512 objects"), "{shown:?}");
    assert!(!run("-q").contains("podgroups: read"));
}

#[test]
fn images_not_given_are_looked_up_by_the_running_digest_and_stay_unknown_when_not_cached() {
    let (nodes, pods) = dumps();
    let (nodes, pods) = (write("n4.json", &nodes), write("p4.json", &pods));
    let out = podgroups(&["audit", &pods, "--nodes", &nodes, "-o", "json"], "");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    // The imageID is a bare digest: the spec's repository at that digest is what runs.
    assert!(
        err.contains(&format!("docker.io/library/api@{D1} is not in the cache (--offline)")),
        "{err}"
    );
    let report: podgroups_audit::AuditReport = serde_json::from_slice(&out.stdout).unwrap();
    let api = report.workloads.iter().find(|w| w.name == "api").unwrap();
    assert!(api.containers[0].predictions.is_empty(), "never an empty image");
    assert_eq!(
        api.containers[0].strict_would_remove,
        [4242],
        "observed, without the image"
    );
}

#[test]
fn why_an_image_is_unknown_is_worded_for_every_face() {
    let (nodes, pods) = dumps();
    let (nodes, pods) = (write("n5.json", &nodes), write("p5.json", &pods));
    // The report's reasons are the audit crate's words, which the playground shows too: no CLI flags.
    let out = podgroups(&["audit", &pods, "--nodes", &nodes, "-o", "json"], "");
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("not given (no image for its imageID digest"), "{json}");
    assert!(!json.contains("--image-for"), "{json}");
}
