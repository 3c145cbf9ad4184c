//! The krew manifest template (`.krew.yaml`), rendered as krew-release-bot renders it, is a valid
//! `Plugin` that installs the CLI's `kubectl-podgroups` binary, so `kubectl podgroups` works after
//! `kubectl krew install podgroups`.

use podgroups_tests::repo_dir;

const TAG: &str = "v0.1.0";
const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// `{{ .TagName }}` → the tag; `{{addURIAndSha "URL" .TagName }}` → `uri:` and `sha256:` lines at the
/// template line's indentation (the bot downloads URL and hashes it).
fn render(template: &str) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let line = line.replace("{{ .TagName }}", TAG);
        let trimmed = line.trim_start();
        match trimmed
            .strip_prefix("{{addURIAndSha \"")
            .and_then(|rest| rest.strip_suffix("\" .TagName }}"))
        {
            Some(uri) => {
                let indent = &line[..line.len() - trimmed.len()];
                out.push_str(&format!("{indent}uri: {uri}\n{indent}sha256: {SHA}\n"));
            }
            None => {
                assert!(!line.contains("{{"), "unrendered template syntax: {line}");
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn krew_manifest_installs_the_kubectl_plugin_binary() {
    let root = repo_dir();
    let template = std::fs::read_to_string(root.join(".krew.yaml")).unwrap();
    let manifest: serde_json::Value = serde_saphyr::from_str(&render(&template)).unwrap();
    assert_eq!(manifest["apiVersion"], "krew.googlecontainertools.github.com/v1alpha2");
    assert_eq!(manifest["kind"], "Plugin");
    assert_eq!(
        manifest["metadata"]["name"], "podgroups",
        "kubectl podgroups needs the name podgroups"
    );
    let spec = &manifest["spec"];
    assert_eq!(spec["version"], TAG);
    let short = spec["shortDescription"].as_str().unwrap();
    assert!(!short.is_empty() && short.len() <= 50, "{short}");

    let cli = std::fs::read_to_string(root.join("cli/Cargo.toml")).unwrap();
    assert!(
        cli.contains("name = \"kubectl-podgroups\""),
        "the CLI builds the binary krew installs"
    );
    assert!(root.join("LICENSE").is_file());
    let platforms = spec["platforms"].as_array().unwrap();
    let mut seen = Vec::new();
    for p in platforms {
        let labels = &p["selector"]["matchLabels"];
        let (os, arch) = (labels["os"].as_str().unwrap(), labels["arch"].as_str().unwrap());
        assert!(
            ["linux", "darwin"].contains(&os) && ["amd64", "arm64"].contains(&arch),
            "{os}/{arch}"
        );
        seen.push(format!("{os}/{arch}"));
        assert_eq!(p["bin"], "kubectl-podgroups");
        let uri = p["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("https://") && uri.contains(TAG) && uri.ends_with(".tar.gz"),
            "{uri}"
        );
        assert_eq!(p["sha256"], SHA);
        let from: Vec<&str> = p["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["from"].as_str().unwrap())
            .collect();
        assert_eq!(from, ["kubectl-podgroups", "LICENSE"]);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), platforms.len(), "one entry per platform");
}
