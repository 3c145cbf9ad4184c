//! What every task needs from its surroundings, found one way: the workspace root and cargo's target
//! directory (from `cargo metadata`, so `CARGO_TARGET_DIR` and `.cargo/config.toml` are honoured the
//! way cargo honours them; `.ci/` asks through `cargo xtask target-dir`), and the Rust targets a task
//! builds for, installed with rustup when missing, so a fresh machine needs no step the README skips.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root and the directory cargo builds into.
pub struct Workspace {
    pub root: PathBuf,
    pub target: PathBuf,
}

impl Workspace {
    /// Asks cargo (`cargo metadata --no-deps`, run from the current directory).
    pub fn find() -> Result<Workspace, String> {
        let out = stdout(
            Command::new(cargo()).args(["metadata", "--format-version", "1", "--no-deps"]),
            (
                "cargo metadata",
                "cargo metadata failed (run xtask inside the podgroups repository)",
            ),
        )?;
        let meta: Value = serde_json::from_slice(&out).map_err(|e| format!("cargo metadata output: {e}"))?;
        let dir = |key: &str| {
            meta.get(key)
                .and_then(Value::as_str)
                .map(PathBuf::from)
                .ok_or_else(|| format!("cargo metadata has no {key}"))
        };
        Ok(Workspace {
            root: dir("workspace_root")?,
            target: dir("target_directory")?,
        })
    }
}

/// What `cmd` prints. `names`: the program, for "cannot run …", and the start of the message when it
/// fails, which its stderr follows.
fn stdout(cmd: &mut Command, names: (&str, &str)) -> Result<Vec<u8>, String> {
    let (program, failed) = names;
    let out = cmd.output().map_err(|e| format!("cannot run {program}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{failed}: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(out.stdout)
}

/// The cargo that started xtask (`cargo run` sets `CARGO`), else the one on `PATH`.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Makes sure the standard library for `target` is installed for the toolchain cargo uses; when it is
/// not, says so and runs `rustup target add` (rustup passes its `RUSTUP_TOOLCHAIN` to xtask, so the
/// target lands in the same toolchain). Without rustup it says what to install instead.
pub fn ensure_rust_target(task: &str, target: &str) -> Result<(), String> {
    if rust_target_installed(target)? {
        return Ok(());
    }
    println!("xtask {task}: the Rust target {target} is not installed; running `rustup target add {target}`");
    let status = Command::new("rustup")
        .args(["target", "add", target])
        .status()
        .map_err(|e| {
            format!(
                "the Rust target {target} is missing and rustup cannot be run ({e}); install the \
                 {target} standard library for your toolchain"
            )
        })?;
    if !status.success() {
        return Err(format!("`rustup target add {target}` failed ({status})"));
    }
    if !rust_target_installed(target)? {
        return Err(format!(
            "`rustup target add {target}` ran, but rustc still has no {target} standard library"
        ));
    }
    println!("xtask {task}: installed the Rust target {target}");
    Ok(())
}

/// Whether rustc's sysroot holds the standard library for `target`.
fn rust_target_installed(target: &str) -> Result<bool, String> {
    let out = stdout(
        Command::new(rustc()).args(["--print", "sysroot"]),
        ("rustc", "`rustc --print sysroot` failed"),
    )?;
    let sysroot = String::from_utf8_lossy(&out).trim().to_owned();
    Ok(has_std(
        &Path::new(&sysroot).join("lib/rustlib").join(target).join("lib"),
    ))
}

/// A target's library directory counts as installed when it holds the `std` rlib.
fn has_std(lib: &Path) -> bool {
    std::fs::read_dir(lib).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libstd-") && name.ends_with(".rlib")
        })
    })
}

fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_target_is_installed_and_a_made_up_one_is_not() {
        let out = Command::new(rustc()).arg("-vV").output().unwrap();
        let info = String::from_utf8(out.stdout).unwrap();
        let host = info.lines().find_map(|l| l.strip_prefix("host: ")).unwrap();
        assert!(rust_target_installed(host).unwrap(), "{host}");
        assert!(!rust_target_installed("no-such-arch-unknown-none").unwrap());
    }

    #[test]
    fn std_is_what_counts() {
        let dir = std::env::temp_dir().join(format!("xtask-has-std-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!has_std(&dir));
        std::fs::write(dir.join("libcore-0123.rlib"), b"").unwrap();
        assert!(!has_std(&dir));
        std::fs::write(dir.join("libstd-0123.rlib"), b"").unwrap();
        assert!(has_std(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(!has_std(&dir.join("missing")));
    }

    #[test]
    fn finds_this_workspace() {
        let ws = Workspace::find().unwrap();
        assert!(ws.root.join("xtask/Cargo.toml").is_file(), "{}", ws.root.display());
        assert!(ws.target.is_absolute());
    }
}
