//! `podgroups fix [-i] [-R] MANIFEST…`: `supplementalGroupsPolicy: Strict` in every pod spec.
//!
//! Files and directories as `kubectl apply -f` takes them (a directory's `.yaml`, `.yml` and `.json`
//! files, its subdirectories too with `-R`). Every file is read and fixed before anything is written,
//! so one unusable file leaves all of them untouched. Without `-i` the results go to standard output
//! as one YAML stream (`---` between files); with `-i` each changed file is replaced atomically
//! (a temporary file beside it, its permissions, then a rename).

use crate::args::FixArgs;
use crate::input::{describe, read_text};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

pub fn run(a: &FixArgs) -> Result<ExitCode, String> {
    let files = collect(&a.manifests, a.recursive)?;
    if files.is_empty() {
        return Err("no .yaml, .yml or .json files in the directories given".into());
    }
    if a.in_place && files.iter().any(|f| f.as_os_str() == "-") {
        return Err("-i cannot write standard input back; give files".into());
    }
    let mut fixed = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        match read_text(path).and_then(|text| {
            let out = podgroups_core::fix::apply_strict(&text).map_err(|e| describe(&name, &e))?;
            Ok((text, out))
        }) {
            Ok((text, out)) => fixed.push((path, text, out)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        let written = if a.in_place { "; no file was changed" } else { "" };
        return Err(format!("{}{written}", errors.join("\npodgroups: error: ")));
    }
    if a.in_place {
        for (path, text, out) in &fixed {
            if text == out {
                eprintln!("unchanged: {}", path.display());
            } else {
                replace(path, out)?;
                eprintln!("fixed: {}", path.display());
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = std::io::stdout().lock();
    for (i, (_, _, out)) in fixed.iter().enumerate() {
        let separator = i > 0 && !out.trim_start().starts_with("---");
        let written = (if separator { stdout.write_all(b"---\n") } else { Ok(()) })
            .and_then(|()| stdout.write_all(out.as_bytes()))
            .and_then(|()| match out.ends_with('\n') || out.is_empty() {
                true => Ok(()),
                false => stdout.write_all(b"\n"),
            });
        written.map_err(|e| format!("standard output: {e}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The files named, directories expanded (sorted, so the output is stable).
fn collect(paths: &[PathBuf], recursive: bool) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, recursive, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if recursive {
                walk(&path, recursive, files)?;
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| MANIFEST_EXTENSIONS.contains(&e))
        {
            files.push(path);
        }
    }
    Ok(())
}

/// Replaces `path`'s content: a temporary file in the same directory with the same permissions,
/// renamed over it, so a crash never leaves half a manifest. A symlink stays a symlink: its target
/// is the file replaced.
fn replace(path: &Path, text: &str) -> Result<(), String> {
    let name = path.display();
    let path = &std::fs::canonicalize(path).map_err(|e| format!("{name}: {e}"))?;
    let permissions = std::fs::metadata(path)
        .map_err(|e| format!("{name}: {e}"))?
        .permissions();
    let file_name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.podgroups-fix.{}", std::process::id()));
    let result = std::fs::write(&tmp, text)
        .and_then(|()| std::fs::set_permissions(&tmp, permissions))
        .and_then(|()| std::fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{name}: cannot write the fixed file: {e}")
    })
}
