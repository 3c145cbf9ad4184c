//! `cargo xtask www` builds the static site into `www/dist/`; `cargo xtask serve` builds it and
//! serves it on http://127.0.0.1:8080/ (std only: a small static file server).
//!
//! Pipeline: `cargo build -p podgroups-playground --target wasm32-unknown-unknown --release` →
//! `wasm-bindgen-cli-support` (same version as the app's `wasm-bindgen`) → `wasm-opt -Oz`
//! (npm `binaryen`) → `esbuild` (npm) bundles and minifies the page scripts → static files copied.
//! The image-archive reader (`playground/archive`) goes through the same steps into its own wasm and
//! `archive.js`, which the page imports only when a file is dropped or picked; the cluster audit
//! (`playground/audit`) likewise into `audit.js`, imported only when an audit is run.
//! npm tools come from `www/package-lock.json` (`npm ci`); nothing downloads anything else.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::workspace::{cargo, ensure_rust_target, Workspace};

fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Installs the site's npm build tools if `www/node_modules` lacks them (`npm ci`, pinned by the lock file).
pub(crate) fn npm_tools(www: &Path) -> Result<PathBuf, String> {
    let bin = www.join("node_modules").join(".bin");
    if !bin.join("wasm-opt").exists() || !bin.join("esbuild").exists() {
        eprintln!("xtask www: installing the site's build tools with `npm ci` in www/");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(www))
        .map_err(|e| format!("{e}; npm (Node.js ≥ 18) is needed to build the site"))?;
    }
    Ok(bin)
}

/// A wasm module the page imports only when it is first needed, so it is not part of the first
/// download: its own wasm and page script, built like the playground's.
struct LazyModule {
    /// For the progress line.
    what: &'static str,
    package: &'static str,
    /// wasm-bindgen's output name (`<out_name>_bg.wasm`).
    out_name: &'static str,
    /// The page script in `www/js/` that imports it, written to `dist/` under the same name.
    script: &'static str,
    /// The module specifier the script imports the wasm glue by.
    glue_import: &'static str,
}

const LAZY_MODULES: [LazyModule; 3] = [
    // Imported when an image archive is dropped or picked.
    LazyModule {
        what: "the image-archive reader",
        package: "podgroups-archive-wasm",
        out_name: "podgroups_archive",
        script: "archive.js",
        glue_import: "podgroups-archive-wasm",
    },
    // Imported when the admission-policy tab is first shown.
    LazyModule {
        what: "the admission-policy tab",
        package: "podgroups-policy-tab",
        out_name: "podgroups_policytab",
        script: "policy.js",
        glue_import: "podgroups-policy-wasm",
    },
    // Imported only when the user runs a cluster audit.
    LazyModule {
        what: "the cluster audit",
        package: "podgroups-audit-wasm",
        out_name: "podgroups_audit",
        script: "audit.js",
        glue_import: "podgroups-audit-wasm",
    },
];

/// `cargo xtask www`: writes the whole site to `www/dist/`.
pub fn www() -> Result<(), String> {
    let Workspace { root, target } = Workspace::find()?;
    let www = root.join("www");
    let dist = www.join("dist");
    ensure_rust_target("www", "wasm32-unknown-unknown")?;
    let bin = npm_tools(&www)?;

    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|e| format!("cannot clear {}: {e}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist).map_err(|e| format!("cannot create {}: {e}", dist.display()))?;

    eprintln!("xtask www: building the playground for wasm32-unknown-unknown");
    let glue = wasm_module(&root, &target, &bin, &dist, "podgroups-playground", "podgroups")?;
    eprintln!("xtask www: esbuild (app.js, embed.js)");
    for entry in ["app.js", "embed.js"] {
        bundle(
            &bin,
            &www.join("js").join(entry),
            ("podgroups-wasm", &glue),
            &dist.join(entry),
        )?;
    }
    for lazy in LAZY_MODULES {
        eprintln!(
            "xtask www: building {} (lazily loaded) for wasm32-unknown-unknown",
            lazy.what
        );
        let glue = wasm_module(&root, &target, &bin, &dist, lazy.package, lazy.out_name)?;
        let script = www.join("js").join(lazy.script);
        bundle(&bin, &script, (lazy.glue_import, &glue), &dist.join(lazy.script))?;
    }

    copy_dir(&www.join("site"), &dist)?;
    include_partials(&www, &dist)?;
    for css in ["playground.css", "site.css"] {
        run(Command::new(bin.join("esbuild"))
            .arg(www.join("site").join(css))
            .args(["--minify", "--log-level=warning"])
            .arg(format!("--outfile={}", dist.join(css).display())))?;
    }
    copy_policy_artifacts(&target, &dist)?;
    report_sizes(&dist)?;
    eprintln!("xtask www: wrote {}", dist.display());
    Ok(())
}

/// Every page's `<!--PARTIAL name-->` line becomes `www/partials/<name>.html` (the head's common
/// lines, the site header, the top of a text page), so what all pages share is written once. A partial
/// may include others.
fn include_partials(www: &Path, dist: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot list {}: {e}", dist.display()))?;
    for page in entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
    {
        let html = std::fs::read_to_string(&page).map_err(|e| format!("cannot read {}: {e}", page.display()))?;
        if !html.contains("<!--PARTIAL ") {
            continue;
        }
        let out = expand_partials(www, &html, 0).map_err(|e| format!("{}: {e}", page.display()))?;
        std::fs::write(&page, out).map_err(|e| format!("cannot write {}: {e}", page.display()))?;
    }
    Ok(())
}

/// `html` with each `<!--PARTIAL name-->` line replaced by that partial, itself expanded (`depth`
/// levels down already: a partial that includes itself stops at the eighth).
fn expand_partials(www: &Path, html: &str, depth: usize) -> Result<String, String> {
    let mut out = String::with_capacity(html.len() + 1024);
    for line in html.split_inclusive('\n') {
        match line
            .trim()
            .strip_prefix("<!--PARTIAL ")
            .and_then(|l| l.strip_suffix("-->"))
        {
            Some(name) if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                if depth >= 8 {
                    return Err(format!(
                        "partials nested too deep at {name}.html (does it include itself?)"
                    ));
                }
                let partial = www.join("partials").join(format!("{name}.html"));
                let text =
                    std::fs::read_to_string(&partial).map_err(|e| format!("cannot read {}: {e}", partial.display()))?;
                out.push_str(&expand_partials(www, &text, depth + 1)?);
            }
            _ => out.push_str(line),
        }
    }
    Ok(out)
}

/// One wasm crate for the page: `cargo build` for wasm32, wasm-bindgen's web glue, then `wasm-opt -Oz`
/// into `dist/<out_name>_bg.wasm`. Returns the glue's path, for esbuild to bundle.
pub(crate) fn wasm_module(
    root: &Path,
    target: &Path,
    bin: &Path,
    dist: &Path,
    package: &str,
    out_name: &str,
) -> Result<PathBuf, String> {
    let wasm = cargo_build_wasm(root, target, package)?;
    let pkg = target.join("podgroups-www").join(out_name);
    std::fs::create_dir_all(&pkg).map_err(|e| format!("cannot create {}: {e}", pkg.display()))?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e}"))?
        .typescript(false)
        .out_name(out_name)
        .generate(&pkg)
        .map_err(|e| format!("wasm-bindgen on {}: {e}", wasm.display()))?;
    eprintln!("xtask www: wasm-opt -Oz {out_name}_bg.wasm");
    run(Command::new(bin.join("wasm-opt"))
        .arg(pkg.join(format!("{out_name}_bg.wasm")))
        // --low-memory-unused: Rust never touches addresses below 1024 (wasm-ld's data starts
        // above them), which lets wasm-opt fold more address arithmetic (−3 KB gzipped).
        .args([
            "-Oz",
            "--converge",
            "--low-memory-unused",
            "--strip-debug",
            "--strip-producers",
            "--strip-target-features",
        ])
        .args(WASM_FEATURES)
        .arg("-o")
        .arg(dist.join(format!("{out_name}_bg.wasm"))))?;
    Ok(pkg.join(format!("{out_name}.js")))
}

/// `cargo build` of a wasm crate for the page (size-optimized); returns the built `.wasm`.
pub(crate) fn cargo_build_wasm(root: &Path, target: &Path, package: &str) -> Result<PathBuf, String> {
    run(Command::new(cargo())
        .args([
            "build",
            "-p",
            package,
            "--target",
            "wasm32-unknown-unknown",
            "--release",
        ])
        .args(["--config", &format!("profile.release.opt-level={}", wasm_opt_level())])
        .current_dir(root))?;
    Ok(target.join(format!(
        "wasm32-unknown-unknown/release/{}.wasm",
        package.replace('-', "_")
    )))
}

/// esbuild: `entry` bundled and minified as an ES module, with `alias.0` resolved to the wasm glue `alias.1`.
pub(crate) fn bundle(bin: &Path, entry: &Path, alias: (&str, &Path), outfile: &Path) -> Result<(), String> {
    run(Command::new(bin.join("esbuild"))
        .arg(entry)
        .args([
            "--bundle",
            "--minify",
            "--format=esm",
            "--target=es2020",
            "--log-level=warning",
        ])
        .arg(format!("--alias:{}={}", alias.0, alias.1.display()))
        .arg(format!("--outfile={}", outfile.display())))
}

/// rustc's opt-level for the site's wasm, overriding the workspace's release `3` for this build
/// only: size matters more than speed here (see the budgets in playground/README.md).
/// `PODGROUPS_WASM_OPT_LEVEL=3 cargo xtask www` trades size for engine speed.
fn wasm_opt_level() -> String {
    let level = std::env::var("PODGROUPS_WASM_OPT_LEVEL").unwrap_or_else(|_| "z".to_owned());
    // Cargo wants numbers bare (`3`) and letters quoted (`"z"`).
    if level.bytes().all(|b| b.is_ascii_digit()) {
        level
    } else {
        format!("{level:?}")
    }
}

/// Features rustc enables by default for wasm32-unknown-unknown, which wasm-opt must accept.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-mutable-globals",
];

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest).map_err(|e| format!("cannot copy to {}: {e}", dest.display()))?;
        }
    }
    Ok(())
}

/// The policy modules of `cargo xtask policy`, for download: built now if missing; the site
/// still builds (saying how to get them) when that fails.
fn copy_policy_artifacts(target: &Path, dist: &Path) -> Result<(), String> {
    let missing = ["podgroups-policy.wasm", "podgroups-policy-opa.wasm"]
        .iter()
        .any(|n| !target.join("policy").join(n).is_file());
    if missing {
        eprintln!("xtask www: building the policy modules for download (`cargo xtask policy`)");
        if let Err(e) = crate::policy::run(&[]) {
            eprintln!("xtask www: warning: the policy modules could not be built, the site will not offer them: {e}");
        }
    }
    let dir = dist.join("downloads");
    let mut found = Vec::new();
    for name in ["podgroups-policy.wasm", "podgroups-policy-opa.wasm"] {
        let src = target.join("policy").join(name);
        if src.is_file() {
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            std::fs::copy(&src, dir.join(name)).map_err(|e| format!("cannot copy {}: {e}", src.display()))?;
            found.push(name);
        }
    }
    if found.is_empty() {
        eprintln!(
            "xtask www: no policy modules in {}/policy (run `cargo xtask policy` first to offer them for download)",
            target.display()
        );
    }
    fill_downloads(&dist.join("policy.html"), &found)
}

/// Replaces `<!--DOWNLOADS-->` in the policy page with links to the modules, or with how to build them.
fn fill_downloads(page: &Path, found: &[&str]) -> Result<(), String> {
    let html = std::fs::read_to_string(page).map_err(|e| format!("cannot read {}: {e}", page.display()))?;
    let section = if found.is_empty() {
        "<p>This build of the site has no policy modules. Build them with <code>cargo xtask policy</code> \
         (they land in <code>target/policy/</code>), then rebuild the site with <code>cargo xtask www</code>.</p>"
            .to_owned()
    } else {
        let items: String = found
            .iter()
            .map(|n| {
                format!("<li><a href=\"downloads/{n}\" download data-testid=\"download\"><code>{n}</code></a></li>")
            })
            .collect();
        format!("<ul>{items}</ul>")
    };
    std::fs::write(page, html.replace("<!--DOWNLOADS-->", &section))
        .map_err(|e| format!("cannot write {}: {e}", page.display()))
}

fn report_sizes(dist: &Path) -> Result<(), String> {
    for name in [
        "podgroups_bg.wasm",
        "app.js",
        "embed.js",
        "playground.css",
        "podgroups_archive_bg.wasm",
        "archive.js",
        "podgroups_audit_bg.wasm",
        "audit.js",
        "podgroups_policytab_bg.wasm",
        "policy.js",
        "policy.css",
    ] {
        let len = std::fs::metadata(dist.join(name)).map(|m| m.len()).unwrap_or(0);
        eprintln!("  {name:<28} {:>8.1} KB", len as f64 / 1024.0);
    }
    Ok(())
}

/// `cargo xtask serve [--port N] [--no-build] [--no-serve]`: builds the site, then serves `www/dist/`
/// on 127.0.0.1. `--no-serve` stops after the build (CI's fresh-machine check runs it so).
pub fn serve(args: &[String]) -> Result<(), String> {
    let mut port: u16 = 8080;
    let mut build = true;
    let mut serve = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                let v = it.next().ok_or("--port needs a number")?;
                port = v.parse().map_err(|_| format!("--port {v:?}: expected a port number"))?;
            }
            "--no-build" => build = false,
            "--no-serve" => serve = false,
            other => {
                return Err(format!(
                    "unknown option {other:?}; use --port N, --no-build, --no-serve"
                ))
            }
        }
    }
    if build {
        www()?;
    }
    if !serve {
        return Ok(());
    }
    let dist = Workspace::find()?.root.join("www").join("dist");
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run `cargo xtask www` first",
            dist.display()
        ));
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e} (is another server running? try --port)"))?;
    println!(
        "Serving {} on http://127.0.0.1:{port}/  (Ctrl-C to stop)",
        dist.display()
    );
    for stream in listener.incoming().flatten() {
        let dist = dist.clone();
        std::thread::spawn(move || {
            // Browsers open spare connections and may never use them: their timeouts are not errors.
            if let Err(e) = handle(stream, &dist) {
                if e.kind() != std::io::ErrorKind::WouldBlock && e.kind() != std::io::ErrorKind::TimedOut {
                    eprintln!("serve: {e}");
                }
            }
        });
    }
    Ok(())
}

/// Serves one request (GET or HEAD of a file under `dist`), then closes the connection.
fn handle(stream: TcpStream, dist: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.take(16 * 1024));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them changes the answer.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut stream = reader.into_inner().into_inner();
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, content_type, body) = match method {
        "GET" | "HEAD" => match resolve(dist, target) {
            Some(path) => match std::fs::read(&path) {
                Ok(bytes) => ("200 OK", content_type(&path), bytes),
                Err(_) => not_found(),
            },
            None => not_found(),
        },
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n".to_vec(),
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

fn not_found() -> (&'static str, &'static str, Vec<u8>) {
    ("404 Not Found", "text/plain; charset=utf-8", b"not found\n".to_vec())
}

/// Maps a request target to a file under `dist`: no `..`, directories serve their `index.html`.
fn resolve(dist: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = dist.join(rel);
    let file = if full.is_dir() { full.join("index.html") } else { full };
    file.is_file().then_some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_gets_the_shared_partials() {
        let dir = std::env::temp_dir().join(format!("xtask-partials-{}", std::process::id()));
        let (www, dist) = (dir.join("www"), dir.join("dist"));
        std::fs::create_dir_all(www.join("partials")).unwrap();
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(www.join("partials/site-header.html"), "<header>nav</header>\n").unwrap();
        std::fs::write(www.join("partials/top.html"), "<body>\n<!--PARTIAL site-header-->\n").unwrap();
        std::fs::write(www.join("partials/loop.html"), "<!--PARTIAL loop-->\n").unwrap();
        let pages = [
            (
                "<body>\n<!--PARTIAL site-header-->\n<main>",
                "<body>\n<header>nav</header>\n<main>",
            ),
            ("<body>\n<main>", "<body>\n<main>"),
            // A partial may include another.
            (
                "<title>t</title>\n<!--PARTIAL top-->\n<main>",
                "<title>t</title>\n<body>\n<header>nav</header>\n<main>",
            ),
        ];
        for (i, (page, _)) in pages.iter().enumerate() {
            std::fs::write(dist.join(format!("{i}.html")), page).unwrap();
        }
        include_partials(&www, &dist).unwrap();
        for (i, (_, expanded)) in pages.iter().enumerate() {
            assert_eq!(
                &std::fs::read_to_string(dist.join(format!("{i}.html"))).unwrap(),
                expanded
            );
        }
        // A missing partial, and one that includes itself, are refused naming the page and the partial.
        for (page, partial) in [("c", "missing"), ("e", "loop")] {
            std::fs::write(dist.join(format!("{page}.html")), format!("<!--PARTIAL {partial}-->\n")).unwrap();
            let err = include_partials(&www, &dist).unwrap_err();
            assert!(
                err.contains(&format!("{page}.html")) && err.contains(&format!("{partial}.html")),
                "{err}"
            );
            std::fs::remove_file(dist.join(format!("{page}.html"))).unwrap();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn resolve_refuses_to_leave_dist() {
        let dir = std::env::temp_dir().join(format!("xtask-web-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(dir.join("index.html"), "i").unwrap();
        std::fs::write(dir.join("docs/index.html"), "d").unwrap();
        assert_eq!(resolve(&dir, "/"), Some(dir.join("index.html")));
        assert_eq!(resolve(&dir, "/?embed=1#v1=abc"), Some(dir.join("index.html")));
        assert_eq!(resolve(&dir, "/docs/"), Some(dir.join("docs/index.html")));
        assert_eq!(resolve(&dir, "/../etc/passwd"), None);
        assert_eq!(resolve(&dir, "/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(&dir, "/missing.js"), None);
        assert_eq!(resolve(&dir, "/%zz"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wasm_is_served_as_wasm() {
        assert_eq!(content_type(Path::new("a/podgroups_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("x.unknown")), "application/octet-stream");
    }
}
