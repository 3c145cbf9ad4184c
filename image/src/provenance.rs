//! What was read from the archive and where each piece came from, for explanations.

use super::images::{short, Format, Platform};
use super::layer::Compression;
use podgroups_core::image::MAX_ETC_FILE_BYTES;
use podgroups_core::Image;
use serde::Serialize;

/// The image read from an archive: the engine's [`Image`] plus where each part came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageArchive {
    /// Config `User`, `/etc/passwd`, `/etc/group` as the runtime sees them (`None`: see `passwd`/`group`).
    pub image: Image,
    pub format: Format,
    /// The chosen image's names (docker `RepoTags`, OCI `ref.name` / `io.containerd.image.name`).
    pub names: Vec<String>,
    /// Digest of the chosen image manifest (OCI layouts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Digest of the image config, i.e. the image ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// The layers, base first.
    pub layers: Vec<LayerInfo>,
    pub passwd: EtcFile,
    pub group: EtcFile,
    /// Paths in the final root filesystem (what the metadata pass kept in memory).
    pub rootfs_paths: usize,
    /// Whether the layers, config and manifest were checked against their digests.
    pub digests_verified: bool,
    /// Lower layers not read because the top layer alone decides both files (registry source only;
    /// see `read.rs`); `rootfs_paths` then counts the top layer's paths.
    #[serde(skip_serializing_if = "is_zero")]
    pub layers_skipped: usize,
}

/// One layer of the chosen image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// 0 is the base layer.
    pub index: usize,
    /// The blob's digest (OCI), else its uncompressed `diff_id` from the config (docker save).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The config's `rootfs.diff_ids` entry: the digest of the uncompressed layer tar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    /// The archive member holding it.
    pub member: String,
    /// Compressed size in bytes.
    pub size: u64,
    pub compression: Compression,
}

impl LayerInfo {
    /// `layer 2 (sha256:0123456789ab)`.
    pub fn label(&self) -> String {
        match &self.digest {
            Some(d) => format!("layer {} ({})", self.index, short(d)),
            None => format!("layer {} ({})", self.index, self.member),
        }
    }
}

/// A whiteout or opaque-directory marker that removed a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RemovedBy {
    pub layer: usize,
    /// `true`: `.wh..wh..opq` on the directory `path`; `false`: `.wh.` whiteout of `path`.
    pub opaque: bool,
    pub path: String,
}

/// The fate of `etc/passwd` or `etc/group` in the final root filesystem (Spec 8.11). `path` is the
/// path after symlink resolution; `links` the symlinks followed (`link -> target`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EtcFile {
    /// A regular file from layer `layer`.
    Regular {
        path: String,
        layer: usize,
        size: u64,
        links: Vec<String>,
    },
    /// No such file (distroless, scratch, or removed by a whiteout).
    Absent {
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        removed_by: Option<RemovedBy>,
        links: Vec<String>,
    },
    /// A directory, device or fifo: containerd 1.7.33+, 2.0.10+, 2.1.9+, 2.2.5+ and 2.3.2+ refuse it
    /// (`… is not a regular file`).
    NotRegular {
        path: String,
        what: String,
        layer: usize,
        links: Vec<String>,
    },
    /// A component of the path is a file: opening fails (`not a directory`).
    NotADirectory {
        path: String,
        component: String,
        links: Vec<String>,
    },
    /// Larger than 10 MiB: recent containerd refuses to read it.
    TooLarge {
        path: String,
        layer: usize,
        size: u64,
        links: Vec<String>,
    },
    /// Symlinks loop or chain more than 255 deep.
    TooManyLinks { path: String },
}

impl EtcFile {
    /// What the runtime says when it opens this file, if it fails (containerd's messages, Spec 8.11).
    pub fn runtime_error(&self, name: &str) -> Option<String> {
        match self {
            EtcFile::Regular { .. } | EtcFile::Absent { .. } => None,
            EtcFile::NotRegular { .. } => Some(format!("{name} is not a regular file")),
            EtcFile::NotADirectory { path, .. } => Some(format!("open {path}: not a directory")),
            EtcFile::TooLarge { .. } => Some(format!("\"{name}\" exceeds {MAX_ETC_FILE_BYTES} bytes")),
            EtcFile::TooManyLinks { .. } => Some(format!("{name}: too many levels of symbolic links")),
        }
    }

    /// One line for humans: where the file came from, or why there is none.
    pub fn describe(&self, layers: &[LayerInfo]) -> String {
        let label = |i: usize| layer_label(layers, i);
        match self {
            EtcFile::Regular {
                path,
                layer,
                size,
                links,
            } => format!("/{path} from {}, {size} bytes{}", label(*layer), via(links)),
            EtcFile::Absent {
                path,
                removed_by,
                links,
            } => describe_absent(path, removed_by.as_ref(), links, layers),
            EtcFile::NotRegular {
                path,
                what,
                layer,
                links,
            } => {
                format!(
                    "/{path} is a {what} (from {}), not a regular file{}",
                    label(*layer),
                    via(links)
                )
            }
            EtcFile::NotADirectory { path, component, links } => {
                format!(
                    "/{path} cannot be opened: /{component} is not a directory{}",
                    via(links)
                )
            }
            EtcFile::TooLarge {
                path,
                layer,
                size,
                links,
            } => {
                format!(
                    "/{path} from {} is {size} bytes, over the {MAX_ETC_FILE_BYTES}-byte limit{}",
                    label(*layer),
                    via(links)
                )
            }
            EtcFile::TooManyLinks { path } => format!("/{path}: too many levels of symbolic links"),
        }
    }
}

/// Why a file is absent: hidden by an opaque directory, removed by a whiteout, or in no layer.
fn describe_absent(path: &str, removed_by: Option<&RemovedBy>, links: &[String], layers: &[LayerInfo]) -> String {
    match removed_by {
        Some(r) if r.opaque => format!(
            "absent: /{path} hidden by {} making /{} opaque{}",
            layer_label(layers, r.layer),
            r.path,
            via(links)
        ),
        Some(r) => format!(
            "absent: /{path} removed by a whiteout of /{} in {}{}",
            r.path,
            layer_label(layers, r.layer),
            via(links)
        ),
        None => format!("absent: no layer has /{path}{}", via(links)),
    }
}

/// A layer as the descriptions name it, or its index when the list does not have it.
fn layer_label(layers: &[LayerInfo], i: usize) -> String {
    layers
        .get(i)
        .map(LayerInfo::label)
        .unwrap_or_else(|| format!("layer {i}"))
}

/// The symlinks followed to reach a file, as a suffix of its description.
fn via(links: &[String]) -> String {
    if links.is_empty() {
        String::new()
    } else {
        format!(", via symlink {}", links.join(", "))
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
