//! Throughput and peak memory of reading `/etc/passwd`/`/etc/group` from ~1 GB image archives.
//!
//! `cargo bench -p podgroups-image --bench archive` writes three archives to the
//! temp dir (docker save with plain layers and many small files; OCI with gzip layers; OCI with zstd
//! layers), then reads each in a fresh child process and prints MB/s and the child's peak RSS (VmHWM).
//! `PODGROUPS_BENCH_MB` sets the archive size (default 1024); the archives are deleted afterwards.

mod common;

use common::{measured_child_args, peak_rss_kb, size_mb};
use podgroups_image::{read_image_at, ReadAt, Selector};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Disk(File, u64);

impl ReadAt for Disk {
    fn len(&self) -> u64 {
        self.1
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&self.0, buf, off)
    }
}

fn main() {
    if let Some(args) = measured_child_args() {
        measure(Path::new(&args[0]), args.iter().any(|a| a == "--verify"));
        return;
    }
    let mb = size_mb(1024) as u64;
    let dir = std::env::temp_dir().join(format!("podgroups-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("archive                              size MB   paths  wall s   CPU s  MB/s wall  MB/s CPU  peak RSS MB");
    for kind in [Kind::DockerPlain, Kind::OciGzip, Kind::OciZstd] {
        let path = dir.join(kind.file());
        let t = Instant::now();
        build(kind, &path, mb << 20, &dir);
        eprintln!("(built {} in {:.1}s)", path.display(), t.elapsed().as_secs_f64());
        for verify in [false, true] {
            let mut cmd = Command::new(std::env::current_exe().unwrap());
            cmd.arg("--measure").arg(&path);
            if verify {
                cmd.arg("--verify");
            }
            let out = cmd.output().unwrap();
            let label = format!("{}{}", kind.file(), if verify { " --verify" } else { "" });
            print!("{label:<36} {}", String::from_utf8_lossy(&out.stdout));
            if !out.status.success() {
                eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            }
        }
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// In a fresh process: read the archive, check the answer, print size, paths, time, MB/s, VmHWM.
fn measure(path: &Path, verify_digests: bool) {
    let file = File::open(path).unwrap();
    let len = file.metadata().unwrap().len();
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let selector = Selector {
        verify_digests,
        ..Selector::default()
    };
    let found = read_image_at(Disk(file, len), &selector).unwrap();
    assert_eq!(found.digests_verified, verify_digests);
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    assert_eq!(found.image.group.text(), Some(GROUP));
    assert_eq!(found.image.passwd.text(), Some(PASSWD));
    let hwm_kb = peak_rss_kb().map_or(f64::NAN, |kb| kb as f64);
    let mb = len as f64 / 1048576.0;
    println!(
        "{mb:>7.0} {:>7} {secs:>7.2} {cpu:>7.2} {:>10.0} {:>9.0} {:>12.1}",
        found.rootfs_paths,
        mb / secs,
        mb / cpu,
        hwm_kb / 1024.0
    );
}

/// CPU time of this (single-threaded) process, from /proc/self/schedstat: robust when the machine is
/// shared, unlike wall time.
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    s.split_whitespace()
        .next()
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
        / 1e9
}

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP: &str = "root:x:0:\napp:x:1000:\nextra:x:50000:app\n";

#[derive(Clone, Copy)]
enum Kind {
    DockerPlain,
    OciGzip,
    OciZstd,
}

impl Kind {
    fn file(self) -> &'static str {
        match self {
            Kind::DockerPlain => "docker-save-plain-1GB.tar",
            Kind::OciGzip => "oci-gzip-1GB.tar",
            Kind::OciZstd => "oci-zstd-1GB.tar",
        }
    }
}

/// Text-like file contents (compress about 3:1 like real binaries and libraries do).
struct Filler(u64);

impl Filler {
    fn fill(&mut self, buf: &mut [u8]) {
        const WORDS: [&[u8]; 8] = [
            b"lib",
            b"usr ",
            b"share/",
            b"\x7fELF\x02\x01",
            b"0x1f8b ",
            b"GLIBC_2.34\0",
            b"\n",
            b"ZZ",
        ];
        let mut i = 0;
        while i < buf.len() {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let w: &[u8] = if self.0.is_multiple_of(3) {
                &self.0.to_le_bytes()[..5]
            } else {
                WORDS[(self.0 >> 8) as usize % 8]
            };
            let n = w.len().min(buf.len() - i);
            buf[i..i + n].copy_from_slice(&w[..n]);
            i += n;
        }
    }
}

/// Writes the archive: 8 layers of filler files totalling about `target` bytes *in the archive*, with
/// etc/passwd and etc/group in the base layer and a whiteout + re-add of etc/group at the top.
fn build(kind: Kind, path: &Path, target: u64, dir: &Path) {
    let layers = 8;
    let (file_size, ratio) = match kind {
        Kind::DockerPlain => (4 << 10, 1.0),
        Kind::OciGzip => (256 << 10, 1.8),
        Kind::OciZstd => (256 << 10, 1.9),
    };
    let per_layer = (target as f64 * ratio / layers as f64) as u64;
    let mut filler = Filler(0x9e3779b97f4a7c15);
    let mut blobs: Vec<PathBuf> = Vec::new();
    for l in 0..layers {
        let blob = dir.join(format!("layer{l}"));
        let out = BufWriter::new(File::create(&blob).unwrap());
        let sink: Box<dyn Write> = match kind {
            Kind::DockerPlain => Box::new(out),
            Kind::OciGzip => Box::new(flate2::write::GzEncoder::new(out, flate2::Compression::fast())),
            Kind::OciZstd => {
                let mut e = zstd::stream::Encoder::new(out, 3).unwrap();
                e.include_checksum(true).unwrap();
                Box::new(e.auto_finish())
            }
        };
        let mut tar = tar::Builder::new(sink);
        if l == 0 {
            add(&mut tar, "etc/passwd", PASSWD.as_bytes());
            add(&mut tar, "etc/group", b"old:x:1:\n");
        }
        if l == layers - 1 {
            add(&mut tar, "etc/.wh.group", b"");
            add(&mut tar, "etc/group", GROUP.as_bytes());
        }
        let mut buf = vec![0u8; file_size];
        let mut written = 0u64;
        let mut n = 0;
        while written < per_layer {
            filler.fill(&mut buf);
            add(&mut tar, &format!("usr/lib/l{l}/d{}/f{n}.so", n / 64), &buf);
            written += file_size as u64 + 512;
            n += 1;
        }
        tar.into_inner().unwrap().flush().unwrap();
        blobs.push(blob);
    }
    write_outer(kind, path, &blobs);
    for b in blobs {
        std::fs::remove_file(b).unwrap();
    }
}

fn add<W: Write>(tar: &mut tar::Builder<W>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut h, path, data).unwrap();
}

fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    io::copy(&mut File::open(path).unwrap(), &mut h).unwrap();
    hex(&h.finalize())
}

fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The outer tar, with real digests so that `--verify` can check them.
fn write_outer(kind: Kind, path: &Path, blobs: &[PathBuf]) {
    let mut out = tar::Builder::new(BufWriter::new(File::create(path).unwrap()));
    let put = |out: &mut tar::Builder<BufWriter<File>>, name: &str, data: &[u8]| add(out, name, data);
    let add_file = |out: &mut tar::Builder<BufWriter<File>>, name: &str, blob: &Path| {
        let mut f = File::open(blob).unwrap();
        out.append_file(name, &mut f).unwrap();
    };
    let blob_digests: Vec<String> = blobs.iter().map(|b| sha256_file(b)).collect();
    // Plain layers: the blob is the uncompressed tar, so its digest is also its diff_id.
    let diff_ids: Vec<String> = blob_digests.iter().map(|d| format!("sha256:{d}")).collect();
    let config = serde_json::json!({"os": "linux", "architecture": "amd64", "config": {"User": "app"},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}});
    let config = serde_json::to_vec(&config).unwrap();
    let config_hex = sha256(&config);
    match kind {
        Kind::DockerPlain => {
            put(&mut out, &format!("{config_hex}.json"), &config);
            let names: Vec<String> = (0..blobs.len()).map(|i| format!("{i:064x}/layer.tar")).collect();
            for (name, blob) in names.iter().zip(blobs) {
                add_file(&mut out, name, blob);
            }
            let manifest =
                serde_json::json!([{"Config": format!("{config_hex}.json"), "RepoTags": ["bench:1"], "Layers": names}]);
            put(&mut out, "manifest.json", &serde_json::to_vec(&manifest).unwrap());
        }
        Kind::OciGzip | Kind::OciZstd => {
            let media = if matches!(kind, Kind::OciGzip) {
                "tar+gzip"
            } else {
                "tar+zstd"
            };
            put(&mut out, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
            put(&mut out, &format!("blobs/sha256/{config_hex}"), &config);
            let mut layers = Vec::new();
            for (blob, d) in blobs.iter().zip(&blob_digests) {
                add_file(&mut out, &format!("blobs/sha256/{d}"), blob);
                layers.push(
                    serde_json::json!({"mediaType": format!("application/vnd.oci.image.layer.v1.{media}"),
                    "digest": format!("sha256:{d}"), "size": std::fs::metadata(blob).unwrap().len()}),
                );
            }
            let manifest = serde_json::json!({"schemaVersion": 2,
                "config": {"digest": format!("sha256:{config_hex}"), "size": config.len()}, "layers": layers});
            let manifest = serde_json::to_vec(&manifest).unwrap();
            let manifest_hex = sha256(&manifest);
            put(&mut out, &format!("blobs/sha256/{manifest_hex}"), &manifest);
            let index = serde_json::json!({"schemaVersion": 2, "manifests": [{"digest": format!("sha256:{manifest_hex}"),
                "size": manifest.len(), "annotations": {"org.opencontainers.image.ref.name": "bench:1"}}]});
            put(&mut out, "index.json", &serde_json::to_vec(&index).unwrap());
        }
    }
    out.into_inner().unwrap().flush().unwrap();
}
