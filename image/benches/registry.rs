//! Reading images from a real local registry: first and cached resolution of one image, 100 distinct
//! images 10 at a time, bytes downloaded versus image size, peak memory.
//!
//! `cargo bench -p podgroups-image --features registry --bench registry` starts Debian's
//! `docker-registry` (skipped with a message when it is not installed) on a free 127.0.0.1 port,
//! pushes images built here with `oci-client`, then reads them with `registry::fetch_all` in fresh
//! child processes (wall time, bytes downloaded, the child's peak RSS from VmHWM).
//! `PODGROUPS_BENCH_MB` sets the base layer's size (default 64).

mod common;

use common::{measured_child_args, peak_rss_kb, size_mb};
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::secrets::RegistryAuth;
use podgroups_image::reference::Reference;
use podgroups_image::registry::{fetch_all, Options};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    if let Some(args) = measured_child_args() {
        measure(&args);
        return;
    }
    if Command::new("docker-registry").arg("--version").output().is_err() {
        println!("skipped: docker-registry is not installed (apt-get install docker-registry)");
        return;
    }
    let mb = size_mb(64);
    let dir = std::env::temp_dir().join(format!("podgroups-registry-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let registry = format!("127.0.0.1:{port}");
    std::fs::write(
        dir.join("registry.yml"),
        format!(
            "version: 0.1\nlog: {{level: error}}\nstorage: {{filesystem: {{rootdirectory: {}}}}}\nhttp: {{addr: {registry}}}\n",
            dir.join("store").display()
        ),
    )
    .unwrap();
    let server = Server(
        Command::new("docker-registry")
            .arg("serve")
            .arg(dir.join("registry.yml"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_up(&registry);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = oci_client::Client::new(ClientConfig {
        protocol: ClientProtocol::Http,
        ..ClientConfig::default()
    });
    let push = |name: &str, layers: Vec<Vec<u8>>| -> u64 {
        let diff_ids: Vec<String> = layers.iter().map(|l| sha256(&gunzip(l))).collect();
        let config = serde_json::json!({
            "architecture": "amd64", "os": "linux", "config": {"User": "app"},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        });
        let config = serde_json::to_vec(&config).unwrap();
        let size = layers.iter().map(|l| l.len() as u64).sum::<u64>() + config.len() as u64;
        let layers: Vec<ImageLayer> = layers.into_iter().map(|l| ImageLayer::oci_v1_gzip(l, None)).collect();
        let reference: oci_client::Reference = format!("{registry}/{name}").parse().unwrap();
        runtime
            .block_on(client.push(
                &reference,
                &layers,
                Config::oci_v1(config, None),
                &RegistryAuth::Anonymous,
                None,
            ))
            .unwrap();
        size
    };
    let etc = |with_dir: bool, tag: &str| {
        let mut entries = Vec::new();
        if with_dir {
            entries.push(("etc/".to_owned(), None));
        }
        entries.push((
            "etc/passwd".into(),
            Some(format!("app:x:1000:1000::/:/bin/sh\n# {tag}\n").into_bytes()),
        ));
        entries.push((
            "etc/group".into(),
            Some(format!("app:x:1000:\nx:x:50000:app\n# {tag}\n").into_bytes()),
        ));
        gzip(&tar_of(&entries))
    };
    print!("pushing a {mb} MB base layer and 100 small images… ");
    std::io::stdout().flush().unwrap();
    let base = gzip(&tar_of(&filler_entries(mb)));
    let top_size = push("big:top", vec![base.clone(), etc(true, "top")]);
    let full_size = push("big:full", vec![base.clone(), etc(false, "full")]);
    for i in 0..100 {
        push(&format!("small{i}:1"), vec![etc(true, &format!("small {i}"))]);
    }
    println!("done");

    let run = |cache: &Path, offline: bool, refs: &[String]| -> Measured {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.arg("--measure")
            .arg(cache)
            .arg(if offline { "offline" } else { "online" })
            .arg(&registry);
        cmd.args(refs);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Measured>(&out.stdout).unwrap()
    };
    let refs = |names: &[&str]| names.iter().map(|n| format!("{registry}/{n}")).collect::<Vec<_>>();
    let smalls: Vec<String> = (0..100).map(|i| format!("{registry}/small{i}:1")).collect();
    println!();
    println!("case                                              images  wall s  downloaded   image size  peak RSS MB");
    let row = |what: &str, m: &Measured, size: Option<u64>| {
        println!(
            "{what:<50} {:>6} {:>7.3} {:>11} {:>12} {:>12.1}",
            m.images,
            m.secs,
            m.downloaded,
            size.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
            m.peak_rss_kb as f64 / 1024.0
        )
    };
    let (top, full) = (refs(&["big:top"]), refs(&["big:full"]));
    // In order: each cache is filled by the first row that names it.
    for (what, cache, offline, images, size) in [
        (
            "one image, /etc in its top layer, first",
            "cache-top",
            false,
            &top,
            Some(top_size),
        ),
        (
            "  the same, cached (tag re-resolved online)",
            "cache-top",
            false,
            &top,
            Some(top_size),
        ),
        ("  the same, --offline", "cache-top", true, &top, Some(top_size)),
        (
            "one image, top layer without etc/ entry, first",
            "cache-full",
            false,
            &full,
            Some(full_size),
        ),
        ("  the same, cached", "cache-full", false, &full, Some(full_size)),
        (
            "100 distinct images, 10 at a time, first",
            "cache-small",
            false,
            &smalls,
            None,
        ),
        ("  the same, cached", "cache-small", false, &smalls, None),
        ("  the same, --offline", "cache-small", true, &smalls, None),
    ] {
        row(what, &run(&dir.join(cache), offline, images), size);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Measured {
    images: usize,
    secs: f64,
    downloaded: u64,
    peak_rss_kb: u64,
}

/// Child: `--measure CACHE online|offline REGISTRY REF…`.
fn measure(args: &[String]) {
    let (cache, mode, registry, refs) = (&args[0], &args[1], &args[2], &args[3..]);
    let refs: Vec<Reference> = refs.iter().map(|r| Reference::parse(r).unwrap()).collect();
    let options = Options {
        platform: None,
        cache_dir: PathBuf::from(cache),
        offline: mode == "offline",
        ca_files: Vec::new(),
        insecure: vec![registry.clone()],
        concurrency: 10,
    };
    let start = Instant::now();
    let results = fetch_all(&refs, &options, Arc::new(()));
    let secs = start.elapsed().as_secs_f64();
    let mut downloaded = 0;
    for r in &results {
        match r {
            Ok(f) => {
                assert!(f.archive.image.group.text().is_some());
                downloaded += f.downloaded;
            }
            Err(e) => panic!("{e}"),
        }
    }
    let m = Measured {
        images: results.len(),
        secs,
        downloaded,
        peak_rss_kb: peak_rss_kb().unwrap_or(0),
    };
    println!("{}", serde_json::to_string(&m).unwrap());
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_up(addr: &str) {
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(addr) {
            let _ = s.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n");
            let mut buf = [0u8; 12];
            if s.read(&mut buf).is_ok_and(|n| n > 0) {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("docker-registry did not start on {addr}");
}

/// `mb` MiB of incompressible files of 64 KiB under usr/share/data/.
fn filler_entries(mb: usize) -> Vec<(String, Option<Vec<u8>>)> {
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let mut entries = vec![
        ("usr/".to_owned(), None),
        ("usr/share/".into(), None),
        ("usr/share/data/".into(), None),
    ];
    for i in 0..mb * 16 {
        let data: Vec<u8> = (0..64 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        entries.push((format!("usr/share/data/{i}"), Some(data)));
    }
    entries
}

fn tar_of(entries: &[(String, Option<Vec<u8>>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut h = tar::Header::new_gnu();
        match data {
            Some(d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_size(d.len() as u64);
                b.append_data(&mut h, path, d.as_slice()).unwrap();
            }
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, path, std::io::empty()).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    let h: String = sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{h}")
}
