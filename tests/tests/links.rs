//! Every relative link in the repository's Markdown files names a file of the repository, so a clone
//! with nothing beside it has every page the READMEs point to (no `../shared`).

use podgroups_tests::repo_dir;
use std::path::{Path, PathBuf};

/// The Markdown files under `dir`, skipping build output and installed packages.
fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && !["target", "node_modules", "dist", "artifacts"].contains(&name.as_str()) {
                markdown_files(&path, out);
            }
        } else if name.ends_with(".md") {
            out.push(path);
        }
    }
}

/// The targets of everything shaped `[text](target)`, code spans included (a false alarm is cheap).
fn link_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(format!("{}\t{}", i + 1, &after[..end]));
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn relative_links_stay_inside_the_repository() {
    let root = repo_dir().canonicalize().unwrap();
    let mut files = Vec::new();
    markdown_files(&root, &mut files);
    assert!(files.iter().any(|f| f.ends_with("README.md")), "{files:?}");
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for entry in link_targets(&text) {
            let (line, target) = entry.split_once('\t').unwrap();
            let target = target.split_whitespace().next().unwrap_or("");
            let path = target.split('#').next().unwrap_or("");
            if path.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let resolved = file.parent().unwrap().join(path);
            match resolved.canonicalize() {
                Ok(p) if p.starts_with(&root) => {}
                Ok(p) => broken.push(format!(
                    "{}:{line}: {target} leaves the repository ({})",
                    file.display(),
                    p.display()
                )),
                Err(e) => broken.push(format!("{}:{line}: {target}: {e}", file.display())),
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn link_targets_are_found() {
    let t = link_targets("see [a](spec/a.md#x) and `[b](c)` [d](https://e) [f](../shared/g)");
    assert_eq!(t, ["1\tspec/a.md#x", "1\tc", "1\thttps://e", "1\t../shared/g"]);
}
