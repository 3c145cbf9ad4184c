//! Builds real image archives in memory for the archive tests: layer tars written by the `tar` crate,
//! compressed by flate2 (gzip) and the reference zstd library, wrapped as `docker save` or OCI layouts.
//! Included by the other `archive*.rs` tests with `#[path]`; its own test checks the layers it writes.
#![allow(dead_code)]

use std::io::Write;

/// One entry of a layer tar.
#[derive(Clone)]
pub enum E<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    CharDevice(&'a str),
    /// `.wh.NAME` next to `path`'s base name.
    Whiteout(&'a str),
    /// `.wh..wh..opq` in the directory.
    Opaque(&'a str),
}

pub fn layer(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_mtime(0);
        let (path, kind, link, data): (String, tar::EntryType, Option<&str>, &[u8]) = match e {
            E::File(p, d) => (p.to_string(), tar::EntryType::Regular, None, d),
            E::Dir(p) => (p.to_string(), tar::EntryType::Directory, None, b""),
            E::Symlink(p, t) => (p.to_string(), tar::EntryType::Symlink, Some(t), b""),
            E::HardLink(p, t) => (p.to_string(), tar::EntryType::Link, Some(t), b""),
            E::CharDevice(p) => (p.to_string(), tar::EntryType::Char, None, b""),
            E::Whiteout(p) => {
                let (dir, base) = p.rsplit_once('/').unwrap_or(("", p));
                let wh = if dir.is_empty() {
                    format!(".wh.{base}")
                } else {
                    format!("{dir}/.wh.{base}")
                };
                (wh, tar::EntryType::Regular, None, b"")
            }
            E::Opaque(d) => (format!("{d}/.wh..wh..opq"), tar::EntryType::Regular, None, b""),
        };
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        match link {
            Some(t) => b.append_link(&mut h, &path, t).unwrap(),
            None => b.append_data(&mut h, &path, data).unwrap(),
        }
    }
    b.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// zstd with frame checksums, as the zstd CLI and containerd's encoder write them.
pub fn zstd(data: &[u8]) -> Vec<u8> {
    let mut e = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
    e.include_checksum(true).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The real `sha256:…` digest of `data`.
pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(data);
    format!("sha256:{}", hash.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The layer tar inside a possibly compressed blob (the blob itself when it does not decompress: the
/// tests of corrupt layers).
pub fn uncompressed(blob: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let ok = if blob.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(blob).read_to_end(&mut out).is_ok()
    } else if blob.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        zstd::stream::read::Decoder::new(blob)
            .and_then(|mut d| d.read_to_end(&mut out))
            .is_ok()
    } else {
        false
    };
    if ok {
        out
    } else {
        blob.to_vec()
    }
}

/// A fake but well-formed sha256 digest, unique per `n`, for names the reader does not check unless
/// asked to verify digests.
pub fn digest(n: usize) -> String {
    format!("sha256:{n:064x}")
}

/// An image to put in an archive.
#[derive(Clone)]
pub struct Img {
    pub names: Vec<String>,
    pub user: String,
    pub platform: (&'static str, &'static str, Option<&'static str>),
    /// Layer blobs, base first (already compressed if wanted).
    pub layers: Vec<Vec<u8>>,
}

impl Img {
    pub fn new(name: &str, user: &str, layers: Vec<Vec<u8>>) -> Img {
        Img {
            names: vec![name.to_string()],
            user: user.to_string(),
            platform: ("linux", "amd64", None),
            layers,
        }
    }

    pub fn on(mut self, os: &'static str, arch: &'static str, variant: Option<&'static str>) -> Img {
        self.platform = (os, arch, variant);
        self
    }

    fn config(&self) -> Vec<u8> {
        let mut c = serde_json::json!({
            "architecture": self.platform.1,
            "os": self.platform.0,
            "config": {"User": self.user, "Env": ["PATH=/usr/bin"]},
            "rootfs": {"type": "layers", "diff_ids": self.layers.iter().map(|l| sha256(&uncompressed(l))).collect::<Vec<_>>()},
        });
        if let Some(v) = self.platform.2 {
            c["variant"] = v.into();
        }
        serde_json::to_vec(&c).unwrap()
    }
}

/// Writes members into an outer tar (in the given order).
pub fn outer_tar(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in members {
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

/// `docker save` before Docker 25: `<id>/layer.tar`, `<config-hex>.json`, `manifest.json`. Config names
/// are made up (`c0f0…`, `c100…`) so tests can name them; [`docker_save_real`] uses the real image IDs.
pub fn docker_save(images: &[Img]) -> Vec<u8> {
    docker_save_named(images, false)
}

/// `docker save` with configs named by their real digest, as Docker does.
pub fn docker_save_real(images: &[Img]) -> Vec<u8> {
    docker_save_named(images, true)
}

fn docker_save_named(images: &[Img], real: bool) -> Vec<u8> {
    let mut members = Vec::new();
    let mut manifest = Vec::new();
    for (i, img) in images.iter().enumerate() {
        let config_name = if real {
            format!("{}.json", &sha256(&img.config())[7..])
        } else {
            format!("{:0<64x}.json", 0xc0f + i)
        };
        members.push((config_name.clone(), img.config()));
        let mut layer_paths = Vec::new();
        for (j, l) in img.layers.iter().enumerate() {
            let dir = format!("{:064x}", 1000 * (i + 1) + j);
            members.push((format!("{dir}/VERSION"), b"1.0".to_vec()));
            members.push((format!("{dir}/layer.tar"), l.clone()));
            layer_paths.push(format!("{dir}/layer.tar"));
        }
        manifest.push(serde_json::json!({"Config": config_name, "RepoTags": img.names, "Layers": layer_paths}));
    }
    members.push(("manifest.json".into(), serde_json::to_vec(&manifest).unwrap()));
    outer_tar(&members)
}

/// An OCI layout's files (path, bytes). With `multi`, all images go under one image index named after
/// the first image (a multi-platform image); otherwise each image is its own index.json entry.
pub fn oci_files(images: &[Img], multi: bool) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![("oci-layout".to_string(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec())];
    let mut descs = Vec::new();
    let blob = |files: &mut Vec<(String, Vec<u8>)>, data: Vec<u8>| {
        let d = sha256(&data);
        files.push((format!("blobs/sha256/{}", &d[7..]), data));
        d
    };
    for img in images {
        let config = blob(&mut files, img.config());
        let layers: Vec<_> = img
            .layers
            .iter()
            .map(|l| {
                let media = if l.starts_with(&[0x1f, 0x8b]) {
                    "application/vnd.oci.image.layer.v1.tar+gzip"
                } else if l.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                    "application/vnd.oci.image.layer.v1.tar+zstd"
                } else {
                    "application/vnd.oci.image.layer.v1.tar"
                };
                serde_json::json!({"mediaType": media, "digest": blob(&mut files, l.clone()), "size": l.len()})
            })
            .collect();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 1},
            "layers": layers,
        });
        let md = blob(&mut files, serde_json::to_vec(&manifest).unwrap());
        let mut platform = serde_json::json!({"os": img.platform.0, "architecture": img.platform.1});
        if let Some(v) = img.platform.2 {
            platform["variant"] = v.into();
        }
        let mut d = serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": 1, "platform": platform});
        if !multi {
            d["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": img.names[0]});
        }
        descs.push(d);
    }
    let index_entries = if multi {
        // A BuildKit-style attestation manifest, which must be ignored.
        descs.push(serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(7777), "size": 1,
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}));
        let inner = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descs});
        let id = blob(&mut files, serde_json::to_vec(&inner).unwrap());
        vec![
            serde_json::json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": id, "size": 1,
            "annotations": {"io.containerd.image.name": images[0].names[0], "org.opencontainers.image.ref.name": "latest"}}),
        ]
    } else {
        descs
    };
    let index = serde_json::json!({"schemaVersion": 2, "manifests": index_entries});
    files.push(("index.json".into(), serde_json::to_vec(&index).unwrap()));
    files
}

pub fn oci_archive(images: &[Img], multi: bool) -> Vec<u8> {
    outer_tar(&oci_files(images, multi))
}

#[test]
fn layers_written_here_read_back_with_the_tar_crate() {
    let l = layer(&[
        E::Dir("etc/"),
        E::File("etc/passwd", b"root:x:0:0::/:/bin/sh\n"),
        E::Whiteout("etc/group"),
        E::Opaque("var"),
    ]);
    let mut a = tar::Archive::new(l.as_slice());
    let names: Vec<String> = a
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["etc/", "etc/passwd", "etc/.wh.group", "var/.wh..wh..opq"]);
}
