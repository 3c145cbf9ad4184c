//! The code's shape, checked over the sources: no import circles between the files of one crate, and
//! no function over 80 lines outside tests. Both scans are textual (no parser) and deliberately
//! simple; each has a test proving it catches what it looks for.

use podgroups_tests::repo_dir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every crate's `src/`, in the workspace and the integrations.
const CRATES: &[&str] = &[
    "core",
    "image",
    "audit",
    "cli",
    "policy-wasm",
    "playground",
    "playground/archive",
    "playground/audit",
    "playground/policy",
    "tests",
    "tests/policy-host",
    "xtask",
    "integrations/mdbook-podgroups",
];

const MAX_FN_LINES: usize = 80;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without its inline test module (by convention the file's tail) and without `//` comments.
fn code(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| {
            w[0].trim().starts_with("#[cfg(") && w[0].contains("test") && w[1].trim_start().starts_with("mod ")
        })
        .unwrap_or(lines.len());
    lines[..end]
        .iter()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect()
}

/// `src/a/b.rs` → `["a", "b"]`; `mod.rs`, `lib.rs` and `main.rs` name their directory.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The module paths a file's code names through `crate::`, `super::` and `self::`.
fn references(module: &[String], code: &[&str]) -> Vec<Vec<String>> {
    let text = code.join("\n");
    let mut out = Vec::new();
    for base in ["crate::", "super::", "self::"] {
        for (i, _) in text.match_indices(base) {
            if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let start: Vec<String> = match base {
                "crate::" => Vec::new(),
                "super::" => module[..module.len().saturating_sub(1)].to_vec(),
                _ => module.to_vec(),
            };
            let rest = &text[i + base.len()..];
            let paths: Vec<&str> = match rest.strip_prefix('{') {
                // `crate::{a, b::c}`
                Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
                None => vec![rest
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap_or("")],
            };
            for path in paths {
                let path = path.trim().split("::").filter(|s| !s.is_empty()).map(str::to_owned);
                out.push(start.iter().cloned().chain(path).collect());
            }
        }
    }
    out
}

/// The file-module graph of one crate: module → the other modules it names.
fn graph(crate_dir: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let src = crate_dir.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| !f.strip_prefix(&src).is_ok_and(|r| r.starts_with("bin")));
    let modules: BTreeMap<Vec<String>, PathBuf> = files.iter().map(|f| (module_of(&src, f), f.clone())).collect();
    let mut g = BTreeMap::new();
    for (m, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let mut edges = BTreeSet::new();
        for path in references(m, &code(&text)) {
            let target = (1..=path.len())
                .rev()
                .map(|k| path[..k].to_vec())
                .find(|p| modules.contains_key(p));
            if let Some(t) = target.filter(|t| t != m && !m.starts_with(t) && !t.starts_with(m)) {
                edges.insert(t);
            }
        }
        g.insert(m.clone(), edges);
    }
    g
}

/// A cycle in the graph, if any, as the modules along it.
fn cycle(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        v: &Vec<String>,
        g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == v) {
            return Some(path[i..].iter().chain([v]).map(|m| m.join("::")).collect());
        }
        if !done.insert(v.clone()) {
            return None;
        }
        path.push(v.clone());
        for w in g.get(v).into_iter().flatten() {
            if let Some(c) = visit(w, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|v| visit(v, g, &mut Vec::new(), &mut done))
}

/// Functions longer than the limit: `(line, name, lines)`.
fn long_functions(code: &[&str]) -> Vec<(usize, String, usize)> {
    let mut out = Vec::new();
    for (i, line) in code.iter().enumerate() {
        let t = line.trim_start();
        let Some(after) = [
            "pub fn ",
            "pub(crate) fn ",
            "fn ",
            "pub async fn ",
            "async fn ",
            "const fn ",
            "pub const fn ",
        ]
        .iter()
        .find_map(|p| t.strip_prefix(p)) else {
            continue;
        };
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let (mut depth, mut opened) = (0i64, false);
        for (j, l) in code[i..].iter().enumerate() {
            let l = strip_literals(l);
            depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
            opened |= l.contains('{');
            if !opened && l.trim_end().ends_with(';') {
                break;
            }
            if opened && depth <= 0 {
                if j + 1 > MAX_FN_LINES {
                    out.push((i + 1, name.clone(), j + 1));
                }
                break;
            }
        }
    }
    out
}

/// A line with its string and char literals emptied, so their braces do not count.
fn strip_literals(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        chars.next();
                    }
                    '"' => break,
                    _ => {}
                }
            }
            out.push_str("\"\"");
        } else if c == '\'' && matches!(chars.clone().nth(1), Some('\'')) {
            chars.nth(1);
            out.push_str("''");
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn no_import_circles_between_the_files_of_a_crate() {
    let mut found = Vec::new();
    for c in CRATES {
        if let Some(cycle) = cycle(&graph(&repo_dir().join(c))) {
            found.push(format!("{c}: {}", cycle.join(" → ")));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn no_function_is_over_80_lines_outside_tests() {
    let mut found = Vec::new();
    for c in CRATES {
        let mut files = Vec::new();
        rust_files(&repo_dir().join(c).join("src"), &mut files);
        for f in files.iter().filter(|f| !f.ends_with("tests.rs")) {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            for (line, name, n) in long_functions(&code(&text)) {
                found.push(format!("{}:{line}: fn {name} has {n} lines", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scans_catch_what_they_look_for() {
    let dir = std::env::temp_dir().join(format!("podgroups-seams-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("runtime")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod runtime;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::runtime::b::Thing;\n").unwrap();
    std::fs::write(src.join("runtime/mod.rs"), "pub mod b;\n").unwrap();
    std::fs::write(src.join("runtime/b.rs"), "use crate::{a, other};\npub struct Thing;\n").unwrap();
    let c = cycle(&graph(&dir)).expect("a → runtime::b → a is a circle");
    assert!(
        c.contains(&"a".to_owned()) && c.contains(&"runtime::b".to_owned()),
        "{c:?}"
    );
    std::fs::write(
        src.join("runtime/b.rs"),
        "// crate::a is only mentioned\npub struct Thing;\n",
    )
    .unwrap();
    assert_eq!(cycle(&graph(&dir)), None);
    std::fs::remove_dir_all(&dir).unwrap();

    let body = |n: usize| {
        let mut s = String::from("pub fn long(x: u8) -> u8 {\n");
        s.push_str(&"    let _ = \"}\";\n".repeat(n - 2));
        s.push_str("}\n#[cfg(test)]\nmod tests {\n fn in_test() {\n");
        s.push_str(&"\n".repeat(200));
        s.push_str("}\n}\n");
        s
    };
    assert_eq!(long_functions(&code(&body(MAX_FN_LINES))), vec![]);
    assert_eq!(
        long_functions(&code(&body(MAX_FN_LINES + 1))),
        vec![(1, "long".to_owned(), MAX_FN_LINES + 1)]
    );
}
