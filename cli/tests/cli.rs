//! The `podgroups` binary end to end: every vector through `simulate`, the default `explain`, errors, exit codes.

use podgroups_tests::{mismatches, run_program, vectors};
use std::process::Output;

fn podgroups(args: &[&str], stdin: Option<&str>) -> Output {
    run_program(env!("CARGO_BIN_EXE_podgroups"), args, stdin)
}

/// Runs `podgroups`, checks that it exits with `code`, and returns what it printed.
fn stdout(args: &[&str], stdin: Option<&str>, code: i32) -> String {
    let out = podgroups(args, stdin);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Asserts that `text` says each of `fragments`, naming the first one it lacks.
fn assert_says(text: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(text.contains(f), "{f:?} is missing from:\n{text}");
    }
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("podgroups-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_vector_through_simulate() {
    let mut failures = Vec::new();
    for v in vectors() {
        let id = v["id"].as_str().unwrap().to_owned();
        // The scenario file is the vector itself: `expected` and other keys must be ignored.
        let path = temp_file(&format!("{id}.yaml"), &v.to_string());
        let out = podgroups(&["simulate", "--scenario", path.to_str().unwrap()], None);
        assert!(out.status.success(), "{id}: {}", String::from_utf8_lossy(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for m in mismatches(&v["expected"], &got) {
            failures.push(format!("{id}: {m}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn simulate_reads_stdin_and_rejects_unusable_scenarios() {
    let v = &vectors()[0];
    let out = podgroups(&["simulate", "--scenario", "-"], Some(&v.to_string()));
    assert!(out.status.success());
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["additional_gids"], serde_json::json!([3000, 4000, 50000]));

    let out = podgroups(&["simulate", "--scenario", "-"], Some("runtime: containerd-2\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kubernetes_version"), "{err}");

    let mut bad = v.clone();
    bad["container"] = "nope".into();
    let out = podgroups(&["simulate", "--scenario", "-"], Some(&bad.to_string()));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("its containers are: ctr"));
}

#[test]
fn explain_without_arguments_shows_the_blog_example_and_the_fix() {
    let text = stdout(&["explain"], None, 0);
    assert_says(
        &text,
        &[
            "groups=3000,4000,50000(group-defined-in-image)",
            "groups=3000,4000\n",
            "gid 50000      /etc/group line 4 (group-defined-in-image)",
            "fix: set spec.securityContext.supplementalGroupsPolicy: Strict",
        ],
    );
}

#[test]
fn explain_json_matches_files_given_by_hand() {
    let blog = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/blog/");
    let out = podgroups(
        &[
            "explain",
            &format!("{blog}pod.yaml"),
            "--passwd",
            &format!("{blog}passwd"),
            "--group",
            &format!("{blog}group"),
            "-o",
            "json",
            "--runtime",
            "crio",
            "--kubernetes",
            "1.33",
        ],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v[0]["workloads"][0]["containers"][0];
    assert_eq!(c["merge"]["additional_gids"], serde_json::json!([3000, 50000, 4000]));
    assert_eq!(c["strict"]["additional_gids"], serde_json::json!([3000, 4000]));
    assert_eq!(c["implicit_gids"], serde_json::json!([50000]));
}

#[test]
fn check_exit_code_follows_implicit_groups() {
    assert_eq!(podgroups(&["explain", "--check"], None).status.code(), Some(1));
    let blog = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/blog/");
    let fixed = podgroups(&["fix", &format!("{blog}pod.yaml")], None);
    let fixed = String::from_utf8(fixed.stdout).unwrap();
    let out = podgroups(
        &[
            "explain",
            "-",
            "--passwd",
            &format!("{blog}passwd"),
            "--group",
            &format!("{blog}group"),
            "--check",
        ],
        Some(&fixed),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn bad_input_names_file_line_and_column() {
    let path = temp_file(
        "bad.yaml",
        "kind: Pod\nspec:\n  securityContext:\n    runAsUser: abc\n  containers: [{name: c}]\n",
    );
    let out = podgroups(&["explain", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.yaml:4:16: spec.securityContext.runAsUser: expected an integer"),
        "{err}"
    );

    let path = temp_file("bin.dat", "\u{0}\u{1}binary");
    let err = String::from_utf8_lossy(&podgroups(&["explain", path.to_str().unwrap()], None).stderr).into_owned();
    assert!(err.contains("binary"), "{err}");

    let out = podgroups(&["explain", "--kubernetes", "2.0"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fix_keeps_comments() {
    let out = podgroups(
        &["fix", "-"],
        Some("kind: Pod # a pod\nspec:\n  containers: [{name: c}]\n"),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("# a pod") && text.contains("supplementalGroupsPolicy: Strict"),
        "{text}"
    );
}

#[test]
fn a_manifest_without_its_image_says_what_the_image_decides() {
    let blog = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/blog/pod.yaml");
    let text = stdout(&["explain", blog], None, 0);
    assert_says(
        &text,
        &[
            "image: not given, so the image's USER, the image's /etc/passwd, the image's /etc/group unknown",
            "Merge:\n  DEPENDS ON THE IMAGE",
            "+ any groups the image's /etc/group adds",
            "Strict:\n  id (coreutils): uid=1000 gid=3000 groups=3000,4000\n",
        ],
    );
    assert!(
        !text.contains("fix: set"),
        "nothing implicit is known, so no fix is claimed: {text}"
    );

    let text = stdout(&["explain", blog, "--check"], None, 1);
    assert!(
        text.contains("check: cannot be proven clean: the image decides the groups /etc/group adds"),
        "{text}"
    );

    let out = podgroups(&["explain", blog, "-o", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v[0]["workloads"][0]["containers"][0];
    assert_eq!(c["image_unknown"], serde_json::json!(["user", "passwd", "group"]));
    assert_eq!(c["check"], "unknown");
    assert_eq!(c["merge"]["result"], "depends_on_image");
    assert_eq!(c["merge"]["uid"], 1000);
    assert_eq!(c["merge"]["unknown"][0]["fact"], "image-groups");
    assert_eq!(
        c["merge"]["unknown"][0]["depends_on"],
        serde_json::json!(["passwd", "group"])
    );
    assert_eq!(c["strict"]["result"], "runs");
    assert_eq!(c["strict"]["unknown"][0]["fact"], "names");
    let yaml = podgroups(&["explain", blog, "-o", "yaml"], None);
    assert!(String::from_utf8(yaml.stdout)
        .unwrap()
        .contains("result: depends_on_image"));
}

#[test]
fn no_passwd_and_no_group_say_the_image_lacks_them() {
    let blog = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/blog/pod.yaml");
    let out = podgroups(
        &[
            "explain",
            blog,
            "--no-passwd",
            "--no-group",
            "--image-user",
            "",
            "--check",
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v[0]["workloads"][0]["containers"][0];
    assert_eq!(c["check"], "clean");
    assert!(c.get("image_unknown").is_none());
    assert_eq!(c["merge"]["id_coreutils"], "uid=1000 gid=3000 groups=3000,4000");
    // Without --image-user the USER is unknown, but runAsUser makes it irrelevant here.
    let text = stdout(&["explain", blog, "--no-passwd", "--no-group", "--check"], None, 0);
    assert!(text.contains("image: not given, so the image's USER unknown"), "{text}");
    // A file cannot be both given and absent.
    let passwd = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/blog/passwd");
    let out = podgroups(&["explain", blog, "--passwd", passwd, "--no-passwd"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unknown_user_leaves_the_start_open() {
    let pod = "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true, supplementalGroups: [4000]}\n  containers: [{name: c, image: app}]\n";
    let text = stdout(&["explain", "-", "--no-group", "--check"], Some(pod), 1);
    assert_says(
        &text,
        &[
            "uid unknown",
            "unknown: whether it starts — decided by the image's USER: runAsNonRoot is set",
            "check: cannot be proven clean: the image decides whether it starts",
        ],
    );
    // Knowing the USER decides it.
    let out = podgroups(
        &["explain", "-", "--no-group", "--image-user", "1000", "--check"],
        Some(pod),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// The words of an origin, a container kind, the environment and a refusal are the core's: the text
/// output says exactly what the JSON (read by the playground and the embeds) carries.
#[test]
fn text_and_json_use_the_core_words() {
    let pod = "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 5}\n  initContainers: [{name: i, securityContext: {runAsUser: 0, runAsNonRoot: true}}]\n  containers: [{name: c}]\n";
    let blog = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/blog/");
    let args = |o: &'static str| {
        vec![
            "explain".to_owned(),
            "-".to_owned(),
            "--passwd".to_owned(),
            format!("{blog}passwd"),
            "--group".to_owned(),
            format!("{blog}group"),
            "--image-user".to_owned(),
            String::new(),
            "-o".to_owned(),
            o.to_owned(),
        ]
    };
    let run = |o| {
        let a = args(o);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let out = podgroups(&a, Some(pod));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("text");
    let v: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let report = &v[0];
    let mut words = vec![report["environment_text"].as_str().unwrap().to_owned()];
    for c in report["workloads"][0]["containers"].as_array().unwrap() {
        words.push(c["kind_text"].as_str().unwrap().to_owned());
        for o in ["as_written", "merge", "strict"] {
            if let Some(t) = c[o]["text"].as_str() {
                words.push(t.to_owned());
            }
            if let Some(t) = c[o]["uid_origin"]["text"].as_str() {
                words.push(t.to_owned());
            }
            for g in c[o]["gid_origins"].as_array().into_iter().flatten() {
                for origin in g["origins"].as_array().unwrap() {
                    words.push(origin["text"].as_str().unwrap().to_owned());
                }
            }
        }
    }
    assert!(
        words
            .iter()
            .any(|w| w.starts_with("kubelet-container-config (CreateContainerConfigError)")),
        "{words:?}"
    );
    assert!(
        words.contains(&"init container".to_owned())
            && words.contains(&"spec.securityContext.fsGroup (line 4)".to_owned()),
        "{words:?}"
    );
    for w in &words {
        assert!(
            text.contains(w.as_str()),
            "the text output lacks the core's words {w:?}:\n{text}"
        );
    }
}
