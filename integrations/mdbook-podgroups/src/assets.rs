//! The widget's script and wasm (the `podgroups-embed` npm package's `dist/`), copied into the site.

use std::path::Path;

/// The files the widget needs, as the npm package ships them.
pub const FILES: [&str; 2] = ["podgroups-embed.js", "podgroups_bg.wasm"];

/// Copies the package's files from `from` into `to`, writing only what changed (so `mdbook serve`
/// does not see its own copy as an edit). Returns how many files were written.
pub fn install(from: &Path, to: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let mut written = 0;
    for name in FILES {
        let src = from.join(name);
        let bytes = std::fs::read(&src).map_err(|e| {
            format!(
                "cannot read {}: {e} (install the npm package podgroups-embed, or point the assets option at its dist/ directory)",
                src.display()
            )
        })?;
        let dest = to.join(name);
        if std::fs::read(&dest).ok().as_deref() != Some(&bytes[..]) {
            std::fs::write(&dest, &bytes).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

/// Installs from `from` when it exists; otherwise checks the files are already in `to`.
pub fn ensure(from: &Path, to: &Path) -> Result<(), String> {
    if from.is_dir() {
        return install(from, to).map(|_| ());
    }
    match FILES.iter().find(|n| !to.join(n).is_file()) {
        None => Ok(()),
        Some(missing) => Err(format!(
            "the widget's {missing} is neither in {} nor in {}: run `npm install podgroups-embed` there, or set the assets option to the package's dist/ directory",
            to.display(),
            from.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_once_and_reports_missing_files() {
        let dir = std::env::temp_dir().join(format!("mdbook-podgroups-assets-{}", std::process::id()));
        let (from, to) = (dir.join("dist"), dir.join("out"));
        std::fs::create_dir_all(&from).unwrap();
        assert!(ensure(&dir.join("none"), &to)
            .unwrap_err()
            .contains("podgroups-embed.js"));
        for n in FILES {
            std::fs::write(from.join(n), n).unwrap();
        }
        assert_eq!(install(&from, &to).unwrap(), 2);
        assert_eq!(install(&from, &to).unwrap(), 0);
        ensure(&dir.join("none"), &to).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
