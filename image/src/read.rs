//! The two passes over the chosen image's layers.
//!
//! Which layer entry ends up as `/etc/passwd` is only known once every layer is applied: a later layer
//! may replace `/etc` by a symlink, white the file out, or hard-link it elsewhere. So:
//! 1. **Metadata pass**: stream every layer (decompressing on the fly), apply each entry's *header* to a
//!    [`Tree`] of the final rootfs. Contents are skipped, except the latest entry named exactly
//!    `etc/passwd` / `etc/group`, kept speculatively (at most 10 MiB each) since that is almost always
//!    the answer.
//! 2. **Content pass**, only when symlinks or hard links point elsewhere: re-stream just the layer(s)
//!    holding the resolved files and read those entries.
//!
//! Memory: the path tree (proportional to the rootfs's number of paths), two files of at most
//! [`MAX_ETC_FILE_BYTES`], JSON members of at most [`super::MAX_JSON_BYTES`], decompressor windows.

use super::error::{ArchiveError, ErrorKind};
use super::images::{self, Candidate};
use super::layer::{self, Compression};
use super::layout::{blob_path, clean, open_required, read_json, Layout};
use super::provenance::{EtcFile, ImageArchive, LayerInfo};
use super::rootfs::{Applied, Found, Origin, Stop, Tree};
use super::select::{select, Selector};
use super::verify;
use podgroups_core::image::MAX_ETC_FILE_BYTES;
use podgroups_core::Image;
use serde::Deserialize;

/// The two files the runtime reads (Spec 8.11), as rootfs paths.
const WANTED: [&str; 2] = ["etc/passwd", "etc/group"];

#[derive(Deserialize, Default)]
struct Config {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    config: Option<RunConfig>,
    #[serde(default)]
    rootfs: Option<RootFs>,
}

#[derive(Deserialize, Default)]
struct RunConfig {
    #[serde(rename = "User", default)]
    user: Option<String>,
}

#[derive(Deserialize, Default)]
struct RootFs {
    #[serde(default)]
    diff_ids: Option<Vec<String>>,
}

impl Config {
    fn platform(&self) -> Option<images::Platform> {
        Some(images::Platform {
            os: self.os.clone().filter(|s| !s.is_empty())?,
            architecture: self.architecture.clone().filter(|s| !s.is_empty())?,
            variant: self.variant.clone().filter(|s| !s.is_empty()),
        })
    }
}

/// Reads the selected image of `layout` (see the module docs of [`super`]).
pub fn read_layout(layout: &dyn Layout, selector: &Selector) -> Result<ImageArchive, ArchiveError> {
    let (format, mut candidates, missing) = images::find(layout)?;
    for c in candidates.iter_mut().filter(|c| c.platform.is_none()) {
        // Platforms of docker-save images live in their configs; an unreadable one is reported later,
        // and only if that image is chosen.
        if let Ok(cfg) = read_json::<Config>(layout, &c.config_path, "the image config") {
            c.platform = cfg.platform();
        }
    }
    let chosen = select(candidates, selector, &missing)?;
    let config: Config = read_json(layout, &chosen.config_path, "the image config")?;
    if !selector.verify_digests {
        if let Some((layers, tree, kept)) = top_layer_alone(layout, &chosen, &config)? {
            let skipped = layers.len().saturating_sub(1);
            return finish(layout, format, chosen, config, layers, tree, kept, false, skipped);
        }
    }
    let layers = describe_layers(layout, &chosen, &config)?;
    if selector.verify_digests {
        verify_all(layout, &chosen, &layers)?;
    }

    let mut tree = Tree::default();
    let mut kept: Kept = [None, None];
    for info in &layers {
        scan_layer(layout, info, &mut tree, &mut kept, None)?;
    }
    finish(
        layout,
        format,
        chosen,
        config,
        layers,
        tree,
        kept,
        selector.verify_digests,
        0,
    )
}

/// The speculatively kept contents of `etc/passwd` and `etc/group`, with the entry they came from.
type Kept = [Option<(Origin, Vec<u8>)>; 2];

/// Reads both files' contents and assembles the answer.
#[allow(clippy::too_many_arguments)]
fn finish(
    layout: &dyn Layout,
    format: images::Format,
    chosen: Candidate,
    config: Config,
    layers: Vec<LayerInfo>,
    tree: Tree,
    mut kept: Kept,
    digests_verified: bool,
    layers_skipped: usize,
) -> Result<ImageArchive, ArchiveError> {
    let mut files = Vec::new();
    let mut contents: Vec<Option<String>> = Vec::new();
    for (slot, name) in WANTED.iter().enumerate() {
        let (file, origin) = fate(&tree, name);
        let content = match origin {
            Some(origin) => {
                let bytes = match kept.get_mut(slot).and_then(Option::take) {
                    Some((o, bytes)) if o == origin => bytes,
                    _ => read_entry(layout, &layers, origin)?,
                };
                Some(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
            }
            None => None,
        };
        files.push(file);
        contents.push(content);
    }
    let mut files = files.into_iter();
    let mut contents = contents.into_iter();
    let user = config.config.as_ref().and_then(|c| c.user.clone()).unwrap_or_default();
    Ok(ImageArchive {
        image: Image::known(user, contents.next().flatten(), contents.next().flatten()),
        format,
        names: chosen.names,
        manifest_digest: chosen.manifest_digest,
        config_digest: chosen.config_digest,
        platform: chosen.platform.or_else(|| config.platform()),
        layers,
        passwd: files.next().unwrap_or(EtcFile::TooManyLinks { path: String::new() }),
        group: files.next().unwrap_or(EtcFile::TooManyLinks { path: String::new() }),
        rootfs_paths: tree.len(),
        digests_verified,
        layers_skipped,
    })
}

/// The top layer alone, when it decides both files whatever the layers below hold: only for layouts
/// that know each layer's size and compression without opening it ([`Layout::layer_hint`], a
/// registry, where opening downloads). Sound when every entry of the top layer — and every hard
/// link's target — has only parent directories that the top layer itself created as directories
/// earlier in its tar ([`SelfContained`]): then no entry's parent resolves through a lower layer's
/// symlink, so applying the top layer over any lower layers writes what it writes alone, and both
/// `etc/passwd` and `etc/group` must be regular files it wrote, reached without symlinks. Anything
/// else (or any error) returns `None`: every layer is then read as for an archive.
fn top_layer_alone(
    layout: &dyn Layout,
    chosen: &Candidate,
    config: &Config,
) -> Result<Option<(Vec<LayerInfo>, Tree, Kept)>, ArchiveError> {
    let Some((_, lower)) = chosen.layers.split_last() else {
        return Ok(None);
    };
    let hinted = layer_infos(chosen, config, |_, member| Ok(layout.layer_hint(member)))?;
    let Some(layers) = hinted else {
        return Ok(None);
    };
    let top = lower.len();
    let Some(info) = layers.get(top) else {
        return Ok(None);
    };
    let mut tree = Tree::default();
    let mut kept: Kept = [None, None];
    let mut guard = SelfContained::default();
    if scan_layer(layout, info, &mut tree, &mut kept, Some(&mut guard)).is_err() || !guard.ok {
        return Ok(None);
    }
    let decided = WANTED.iter().all(|name| {
        matches!(tree.lookup(name), Ok(Found { path, origin, links })
            if path == *name && links.is_empty() && origin.layer == top)
    });
    Ok(decided.then_some((layers, tree, kept)))
}

/// Whether every entry of a layer (and every hard link's target) sits under directories the layer
/// itself created earlier, so applying it never resolves a parent through a lower layer.
struct SelfContained {
    /// Paths whose latest entry in this layer is a directory.
    dirs: std::collections::BTreeSet<String>,
    ok: bool,
}

impl Default for SelfContained {
    fn default() -> Self {
        SelfContained {
            dirs: Default::default(),
            ok: true,
        }
    }
}

impl SelfContained {
    /// The cleaned components of `path`; `None` if it climbs with `..`.
    fn parts(path: &str) -> Option<Vec<String>> {
        if path.split('/').any(|c| c == "..") {
            return None;
        }
        Some(
            clean(path)
                .map(|p| p.split('/').map(str::to_owned).collect())
                .unwrap_or_default(),
        )
    }

    /// Whether every proper ancestor of `parts` is a directory this layer made.
    fn parents_ok(&self, parts: &[String]) -> bool {
        (1..parts.len()).all(|n| parts.get(..n).is_some_and(|p| self.dirs.contains(&p.join("/"))))
    }

    fn forget(&mut self, path: &str) {
        let prefix = format!("{path}/");
        self.dirs.retain(|d| d != path && !d.starts_with(&prefix));
    }

    fn observe(&mut self, entry: &crate::tar::Entry) {
        use crate::tar::Kind as K;
        let Some(parts) = Self::parts(&entry.path) else {
            self.ok = false;
            return;
        };
        let Some((base, dir)) = parts.split_last() else {
            return;
        };
        if !self.parents_ok(&parts) {
            self.ok = false;
            return;
        }
        if let Some(name) = base.strip_prefix(".wh.") {
            if name != ".wh..opq" {
                let mut target = dir.to_vec();
                target.push(name.to_owned());
                self.forget(&target.join("/"));
            }
            return;
        }
        let path = parts.join("/");
        match entry.kind {
            K::Dir => {
                self.dirs.insert(path);
            }
            K::HardLink => {
                match Self::parts(&entry.link) {
                    Some(target) if self.parents_ok(&target) => {}
                    _ => self.ok = false,
                }
                self.forget(&path);
            }
            _ => self.forget(&path),
        }
    }
}

/// Checks the manifest, the config and every layer against their digests.
fn verify_all(layout: &dyn Layout, chosen: &Candidate, layers: &[LayerInfo]) -> Result<(), ArchiveError> {
    if let Some(d) = &chosen.manifest_digest {
        let path = blob_path(d)?;
        verify::blob(&*open_required(layout, &path, "the image manifest")?, d).map_err(|e| e.in_member(path))?;
    }
    match &chosen.config_digest {
        Some(d) => verify::blob(&*open_required(layout, &chosen.config_path, "the image config")?, d)
            .map_err(|e| e.in_member(chosen.config_path.clone()))?,
        None => return Err(unverifiable(&chosen.config_path)),
    }
    for (info, (_, blob_digest)) in layers.iter().zip(&chosen.layers) {
        let blob = open_required(layout, &info.member, &info.label())?;
        let checked = match (blob_digest, &info.diff_id) {
            (Some(d), _) => verify::blob(&*blob, d),
            (None, Some(diff_id)) => verify::stream(layer::decompressed(blob, info.compression), diff_id),
            (None, None) => Err(unverifiable(&info.member)),
        };
        checked.map_err(|e| e.in_member(info.label()))?;
    }
    Ok(())
}

fn unverifiable(member: &str) -> ArchiveError {
    ArchiveError::new(
        ErrorKind::Unsupported,
        format!("{member} has no digest to verify against (neither in the manifest nor in the config); read it without digest verification"),
    )
}

fn describe_layers(layout: &dyn Layout, chosen: &Candidate, config: &Config) -> Result<Vec<LayerInfo>, ArchiveError> {
    let described = layer_infos(chosen, config, |index, member| {
        let what = format!("layer {index}");
        let blob = open_required(layout, member, &what)?;
        let compression = Compression::detect(&*blob).map_err(|e| e.in_member(format!("{what} ({member})")))?;
        Ok(Some((blob.len(), compression)))
    })?;
    Ok(described.unwrap_or_default())
}

/// Each layer's [`LayerInfo`], with size and compression from `describe(index, member)`; `None` as
/// soon as `describe` has no answer.
fn layer_infos(
    chosen: &Candidate,
    config: &Config,
    mut describe: impl FnMut(usize, &str) -> Result<Option<(u64, Compression)>, ArchiveError>,
) -> Result<Option<Vec<LayerInfo>>, ArchiveError> {
    let diff_ids = config
        .rootfs
        .as_ref()
        .and_then(|r| r.diff_ids.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (index, (member, digest)) in chosen.layers.iter().enumerate() {
        let Some((size, compression)) = describe(index, member)? else {
            return Ok(None);
        };
        out.push(LayerInfo {
            index,
            digest: digest.clone().or_else(|| diff_ids.get(index).cloned()),
            diff_id: diff_ids.get(index).cloned(),
            member: member.clone(),
            size,
            compression,
        });
    }
    Ok(Some(out))
}

/// Pass 1 over one layer: apply every header to the tree, keep `etc/passwd`/`etc/group` contents.
fn scan_layer(
    layout: &dyn Layout,
    info: &LayerInfo,
    tree: &mut Tree,
    kept: &mut Kept,
    mut guard: Option<&mut SelfContained>,
) -> Result<(), ArchiveError> {
    let label = info.label();
    let blob = open_required(layout, &info.member, &label)?;
    let mut tar = layer::open(blob, info.compression);
    let mut ordinal = 0u64;
    while let Some(entry) = tar
        .next_entry()
        .map_err(|e| ArchiveError::from(e).in_member(label.clone()))?
    {
        if let Some(g) = guard.as_deref_mut() {
            g.observe(&entry);
        }
        let applied = tree.apply(info.index, ordinal, &entry).map_err(|e| {
            match e {
                Stop::Broken(e) => ArchiveError::new(
                    ErrorKind::BadLayer,
                    format!("{}; containerd could not unpack this layer either", e.0),
                ),
                Stop::Limit(why) => ArchiveError::new(ErrorKind::TooLarge, why),
            }
            .in_member(label.clone())
        })?;
        if let Applied::File(path) = applied {
            let slot = WANTED.iter().position(|w| *w == path).and_then(|i| kept.get_mut(i));
            if let Some(slot) = slot {
                *slot = None;
                if entry.size <= MAX_ETC_FILE_BYTES as u64 {
                    let bytes = tar
                        .read_content()
                        .map_err(|e| ArchiveError::from(e).in_member(label.clone()))?;
                    *slot = Some((
                        Origin {
                            layer: info.index,
                            entry: ordinal,
                            size: entry.size,
                        },
                        bytes,
                    ));
                }
            }
        }
        ordinal += 1;
    }
    tar.drain().map_err(|e| ArchiveError::from(e).in_member(label))
}

/// Pass 2: the content of one entry, re-streaming its layer up to it.
fn read_entry(layout: &dyn Layout, layers: &[LayerInfo], origin: Origin) -> Result<Vec<u8>, ArchiveError> {
    let info = layers
        .get(origin.layer)
        .ok_or_else(|| ArchiveError::new(ErrorKind::BadLayer, format!("layer {} does not exist", origin.layer)))?;
    let label = info.label();
    let blob = open_required(layout, &info.member, &label)?;
    let mut tar = layer::open(blob, info.compression);
    let mut ordinal = 0u64;
    while tar
        .next_entry()
        .map_err(|e| ArchiveError::from(e).in_member(label.clone()))?
        .is_some()
    {
        if ordinal == origin.entry {
            return tar
                .read_content()
                .map_err(|e| ArchiveError::from(e).in_member(label.clone()));
        }
        ordinal += 1;
    }
    Err(ArchiveError::new(ErrorKind::Corrupt, "the layer changed between two reads").in_member(label))
}

/// The fate of one file and, when it must be read, where its content is.
fn fate(tree: &Tree, name: &str) -> (EtcFile, Option<Origin>) {
    match tree.lookup(name) {
        Ok(Found { path, origin, links }) if origin.size > MAX_ETC_FILE_BYTES as u64 => (
            EtcFile::TooLarge {
                path,
                layer: origin.layer,
                size: origin.size,
                links,
            },
            None,
        ),
        Ok(Found { path, origin, links }) => (
            EtcFile::Regular {
                path,
                layer: origin.layer,
                size: origin.size,
                links,
            },
            Some(origin),
        ),
        Err(other) => (other, None),
    }
}
