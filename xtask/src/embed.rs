//! `cargo xtask embed` builds the npm package `podgroups-embed` into `embed/dist/`: the playground's
//! wasm (the JS API `explain`) and `embed/src/index.js` bundled by esbuild into one ES module,
//! `podgroups-embed.js`, which finds `podgroups_bg.wasm` next to itself with
//! `new URL("./podgroups_bg.wasm", import.meta.url)` (so bundlers copy it).
//!
//! The wasm and its glue are the site's (`web::wasm_module`): when `cargo xtask www` already optimized
//! the current build into `www/dist/`, they are reused rather than optimized again.

use crate::web::{bundle, cargo_build_wasm, npm_tools, wasm_module};
use crate::workspace::{ensure_rust_target, Workspace};
use std::path::Path;
use std::time::SystemTime;

/// The package's files besides package.json, README.md and index.d.ts.
const DIST: [&str; 2] = ["podgroups-embed.js", "podgroups_bg.wasm"];

pub fn package() -> Result<(), String> {
    let Workspace { root, target } = Workspace::find()?;
    let www = root.join("www");
    let pkg = root.join("embed");
    let dist = pkg.join("dist");
    ensure_rust_target("embed", "wasm32-unknown-unknown")?;
    check_version(&pkg.join("package.json"))?;
    let bin = npm_tools(&www)?;
    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;

    let glue = target.join("podgroups-www/podgroups/podgroups.js");
    let site_wasm = www.join("dist/podgroups_bg.wasm");
    let built = target.join("wasm32-unknown-unknown/release/podgroups_playground.wasm");
    if glue.is_file() && newer(&site_wasm, &built) && cargo_build_is_fresh(&root, &target)? {
        eprintln!(
            "xtask embed: reusing the site's optimized wasm ({})",
            site_wasm.display()
        );
        std::fs::copy(&site_wasm, dist.join("podgroups_bg.wasm"))
            .map_err(|e| format!("cannot copy {}: {e}", site_wasm.display()))?;
    } else {
        eprintln!("xtask embed: building the playground's wasm for wasm32-unknown-unknown");
        wasm_module(&root, &target, &bin, &dist, "podgroups-playground", "podgroups")?;
    }
    eprintln!("xtask embed: esbuild embed/src/index.js");
    bundle(
        &bin,
        &pkg.join("src/index.js"),
        ("podgroups-wasm", &glue),
        &dist.join("podgroups-embed.js"),
    )?;
    for name in DIST {
        let len = std::fs::metadata(dist.join(name)).map(|m| m.len()).unwrap_or(0);
        eprintln!("  {name:<20} {:>8.1} KB", len as f64 / 1024.0);
    }
    eprintln!(
        "xtask embed: wrote {} (pack it with `npm pack` in embed/)",
        dist.display()
    );
    Ok(())
}

/// The package is versioned with the crates: `embed/package.json`'s version must be the workspace's.
fn check_version(package_json: &Path) -> Result<(), String> {
    let text =
        std::fs::read_to_string(package_json).map_err(|e| format!("cannot read {}: {e}", package_json.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", package_json.display()))?;
    let version = json.get("version").and_then(serde_json::Value::as_str).unwrap_or("");
    let crates = env!("CARGO_PKG_VERSION");
    if version == crates {
        Ok(())
    } else {
        Err(format!(
            "{} has version {version:?}, the crates {crates:?}: the package is versioned with the crates",
            package_json.display()
        ))
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn newer(a: &Path, b: &Path) -> bool {
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

/// Runs the site's cargo build of the playground (a no-op when nothing changed) and says whether it
/// left the wasm as it was, i.e. whether what `www/dist` holds is still current.
fn cargo_build_is_fresh(root: &Path, target: &Path) -> Result<bool, String> {
    let built = target.join("wasm32-unknown-unknown/release/podgroups_playground.wasm");
    let before = modified(&built);
    let after = cargo_build_wasm(root, target, "podgroups-playground")?;
    Ok(before.is_some() && modified(&after) == before)
}
