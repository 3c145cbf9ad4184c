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
use super::layout::{blob_path, open_required, read_json, Layout};
use super::provenance::{EtcFile, ImageArchive, LayerInfo};
use super::rootfs::{Applied, Lookup, Origin, Stop, Tree};
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
    let layers = describe_layers(layout, &chosen, &config)?;
    if selector.verify_digests {
        verify_all(layout, &chosen, &layers)?;
    }

    let mut tree = Tree::default();
    let mut kept: [Option<(Origin, Vec<u8>)>; 2] = [None, None];
    for info in &layers {
        scan_layer(layout, info, &mut tree, &mut kept)?;
    }

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
        digests_verified: selector.verify_digests,
    })
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
    let diff_ids = config
        .rootfs
        .as_ref()
        .and_then(|r| r.diff_ids.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (index, (member, digest)) in chosen.layers.iter().enumerate() {
        let what = format!("layer {index}");
        let blob = open_required(layout, member, &what)?;
        let compression = Compression::detect(&*blob).map_err(|e| e.in_member(format!("{what} ({member})")))?;
        out.push(LayerInfo {
            index,
            digest: digest.clone().or_else(|| diff_ids.get(index).cloned()),
            diff_id: diff_ids.get(index).cloned(),
            member: member.clone(),
            size: blob.len(),
            compression,
        });
    }
    Ok(out)
}

/// Pass 1 over one layer: apply every header to the tree, keep `etc/passwd`/`etc/group` contents.
fn scan_layer(
    layout: &dyn Layout,
    info: &LayerInfo,
    tree: &mut Tree,
    kept: &mut [Option<(Origin, Vec<u8>)>; 2],
) -> Result<(), ArchiveError> {
    let label = info.label();
    let blob = open_required(layout, &info.member, &label)?;
    let mut tar = layer::open(blob, info.compression);
    let mut ordinal = 0u64;
    while let Some(entry) = tar
        .next_entry()
        .map_err(|e| ArchiveError::from(e).in_member(label.clone()))?
    {
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
        Lookup::File {
            path,
            origin,
            layer,
            links,
        } if origin.size > MAX_ETC_FILE_BYTES as u64 => (
            EtcFile::TooLarge {
                path,
                layer,
                size: origin.size,
                links,
            },
            None,
        ),
        Lookup::File {
            path,
            origin,
            layer,
            links,
        } => (
            EtcFile::Regular {
                path,
                layer,
                size: origin.size,
                links,
            },
            Some(origin),
        ),
        Lookup::Absent { path, removed, links } => (
            EtcFile::Absent {
                path,
                removed_by: removed,
                links,
            },
            None,
        ),
        Lookup::NotRegular {
            path,
            what,
            layer,
            links,
        } => (
            EtcFile::NotRegular {
                path,
                what,
                layer,
                links,
            },
            None,
        ),
        Lookup::NotADirectory { path, component, links } => (EtcFile::NotADirectory { path, component, links }, None),
        Lookup::TooManyLinks { path } => (EtcFile::TooManyLinks { path }, None),
    }
}
