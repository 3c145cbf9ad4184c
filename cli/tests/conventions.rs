//! Command-line conventions: `fix -i` and directories with `-R`, shell completions and the man page
//! generated from the clap definitions, and the kubectl plugin binary found by `PATH` lookup.

use podgroups_tests::run_program as run;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn podgroups(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_podgroups"), args, None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("podgroups-conventions-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

const POD: &str = "# the app\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: app:1}]  # main\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: app:1}]\n";
const JSON_POD: &str = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c"}, "spec": {"containers": [{"name": "c", "image": "app:1"}]}}"#;
const STRICT: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: d}\nspec:\n  securityContext:\n    supplementalGroupsPolicy: Strict\n  containers: [{name: c, image: app:1}]\n";

/// dir/a.yaml, dir/d.yaml (already Strict), dir/notes.txt, dir/sub/b.yml, dir/sub/deeper/c.json.
fn tree(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(&dir.join("a.yaml"), POD);
    write(&dir.join("d.yaml"), STRICT);
    write(&dir.join("notes.txt"), "not a manifest: kind: Pod\n");
    write(&dir.join("sub/b.yml"), DEPLOYMENT);
    write(&dir.join("sub/deeper/c.json"), JSON_POD);
    dir
}

fn strict_count(text: &str) -> usize {
    text.matches("Strict").count()
}

#[test]
fn fix_reads_a_directory_and_its_subdirectories_with_r() {
    let dir = tree("dir");
    let d = dir.to_str().unwrap();
    // Without -R: the directory's own manifest files only, as one YAML stream.
    let out = podgroups(&["fix", d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(strict_count(&text), 2, "{text}");
    assert!(text.contains("# the app") && text.contains("name: d"), "{text}");
    assert!(!text.contains("name: b") && !text.contains("not a manifest"), "{text}");
    // With -R: every manifest below it, each pod spec fixed; the stream parses as YAML documents.
    let out = podgroups(&["fix", "-R", d]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(strict_count(&text), 4, "{text}");
    assert_eq!(
        text.matches("\n---\n").count() + usize::from(text.starts_with("---\n")),
        3,
        "{text}"
    );
    // What `fix -R` printed is what `explain --check` accepts: no implicit groups left.
    let explained = run(
        env!("CARGO_BIN_EXE_podgroups"),
        &["explain", "-", "--check", "--image-user", "1000"],
        Some(&text),
    );
    assert_eq!(explained.status.code(), Some(0), "{}", stdout(&explained));
    // Nothing was written.
    assert_eq!(read(&dir.join("a.yaml")), POD);
}

#[test]
fn fix_in_place_rewrites_only_what_changes_and_keeps_comments_and_mode() {
    let dir = tree("in-place");
    let a = dir.join("a.yaml");
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("a.yaml", dir.join("link.yaml")).unwrap();
    let out = podgroups(&["fix", "-i", "-R", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "-i prints no manifests");
    let log = stderr(&out);
    assert!(log.contains(&format!("fixed: {}", a.display())), "{log}");
    assert!(
        log.contains(&format!("unchanged: {}", dir.join("d.yaml").display())),
        "{log}"
    );

    let fixed = read(&a);
    assert!(fixed.contains("# the app") && fixed.contains("# main"), "{fixed}");
    assert!(fixed.contains("supplementalGroupsPolicy: Strict"), "{fixed}");
    assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o640);
    assert!(std::fs::symlink_metadata(dir.join("link.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(read(&dir.join("sub/b.yml")).contains("supplementalGroupsPolicy: Strict"));
    let json: serde_json::Value = serde_json::from_str(&read(&dir.join("sub/deeper/c.json"))).unwrap();
    assert_eq!(json["spec"]["securityContext"]["supplementalGroupsPolicy"], "Strict");
    assert_eq!(read(&dir.join("d.yaml")), STRICT);
    assert_eq!(read(&dir.join("notes.txt")), "not a manifest: kind: Pod\n");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("podgroups-fix"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // A second run has nothing to do.
    let again = podgroups(&["fix", "-i", "-R", dir.to_str().unwrap()]);
    assert!(again.status.success());
    assert!(!stderr(&again).contains("fixed:"), "{}", stderr(&again));
}

#[test]
fn fix_in_place_writes_nothing_when_one_file_is_unusable() {
    let dir = scratch("unusable");
    write(&dir.join("a.yaml"), POD);
    write(
        &dir.join("z.yaml"),
        "kind: Pod\nspec:\n  securityContext:\n    runAsUser: abc\n  containers: [{name: c}]\n",
    );
    let out = podgroups(&["fix", "-i", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("z.yaml:4:16: spec.securityContext.runAsUser"), "{err}");
    assert!(err.contains("no file was changed"), "{err}");
    assert_eq!(read(&dir.join("a.yaml")), POD, "the good file must be untouched");

    let out = podgroups(&["fix", "-i", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("standard input"), "{}", stderr(&out));

    let empty = scratch("empty");
    write(&empty.join("sub/a.yaml"), POD);
    let out = podgroups(&["fix", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "a directory of directories needs -R");
    assert!(podgroups(&["fix", "-R", empty.to_str().unwrap()]).status.success());
}

#[test]
fn completions_come_from_the_clap_definitions() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = podgroups(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in [
            "explain",
            "simulate",
            "fix",
            "image",
            "in-place",
            "kubernetes",
            "verify-digests",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // bash parses the script it would source.
    let script = stdout(&podgroups(&["completions", "bash"]));
    let checked = run("bash", &["-n"], Some(&script));
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(
        script.contains("complete -F _podgroups"),
        "registers for the podgroups command"
    );
    let plugin = stdout(&run(
        env!("CARGO_BIN_EXE_kubectl-podgroups"),
        &["completions", "bash"],
        None,
    ));
    assert!(
        plugin.contains("-o default kubectl-podgroups\n"),
        "the plugin completes its own executable"
    );
    assert_eq!(podgroups(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_has_every_subcommand_and_option() {
    let out = podgroups(&["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH podgroups 1"), "{page}");
    for section in [
        "PODGROUPS EXPLAIN",
        "PODGROUPS FIX",
        "PODGROUPS IMAGE",
        "PODGROUPS SIMULATE",
    ] {
        assert!(page.contains(&format!(".SH \"{section}\"")), "no section {section}");
    }
    for option in [
        r"\-\-in\-place",
        r"\-\-recursive",
        r"\-\-verify\-digests",
        r"\-\-pv\-gid",
    ] {
        assert!(page.contains(option), "no {option}");
    }
    assert!(page.contains("Exit codes"), "the exit codes are part of the page");
    // Rendered by man(1) where it is installed.
    let rendered = Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(page.as_bytes())?;
            child.wait_with_output()
        });
    match rendered {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(text.contains("--in-place"), "{text}");
        }
        _ => println!("note: man(1) is not installed; the roff source was checked, not its rendering"),
    }
}

/// kubectl runs a plugin by finding `kubectl-<name>` on `PATH` and executing it with the remaining
/// arguments: the binary is found by that name alone, and, where kubectl is installed, through it.
#[test]
fn kubectl_plugin_is_found_on_path() {
    let bin = scratch("path");
    // A link, not a copy: the binary is ~100 MB in debug builds and every run would leave one behind.
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kubectl-podgroups"), bin.join("kubectl-podgroups")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let by_name = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .env("PATH", &path)
            .env("KUBECONFIG", bin.join("no-kubeconfig"))
            .output()
    };
    let direct = by_name("kubectl-podgroups", &["explain", "-o", "json"]).unwrap();
    assert!(direct.status.success(), "{}", stderr(&direct));
    let report: serde_json::Value = serde_json::from_slice(&direct.stdout).unwrap();
    let expected: serde_json::Value = serde_json::from_slice(&podgroups(&["explain", "-o", "json"]).stdout).unwrap();
    assert_eq!(report, expected, "the plugin is the same command");
    let help = stdout(&by_name("kubectl-podgroups", &["--help"]).unwrap());
    assert!(help.contains("Usage: kubectl podgroups <COMMAND>"), "{help}");

    match by_name("kubectl", &["podgroups", "explain", "-o", "json"]) {
        Ok(through) => {
            assert!(through.status.success(), "kubectl podgroups: {}", stderr(&through));
            let report: serde_json::Value = serde_json::from_slice(&through.stdout).unwrap();
            assert_eq!(report, expected);
            let listed = stdout(&by_name("kubectl", &["plugin", "list"]).unwrap());
            assert!(listed.contains("kubectl-podgroups"), "{listed}");
        }
        Err(_) => println!("note: kubectl is not installed; the plugin was run by PATH lookup only"),
    }
    let _ = std::fs::remove_dir_all(&bin);
}
