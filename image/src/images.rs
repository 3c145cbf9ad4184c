//! The images an archive holds: docker-save `manifest.json` entries, or OCI `index.json` descriptors
//! followed through nested indexes (multi-platform images) down to image manifests.

use super::error::{ArchiveError, Choice, ErrorKind};
use super::layout::{blob_path, clean, read_json, Layout};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Nested indexes followed at most this deep (real archives use 2).
const MAX_INDEX_DEPTH: usize = 4;

/// The archive's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `docker save` / `podman save` (manifest.json).
    DockerSave,
    /// OCI image layout (index.json), as a tar (oci-archive) or a directory.
    Oci,
    /// `skopeo copy … dir:DIR`: one image manifest as manifest.json, blobs named by their hex digest.
    SkopeoDir,
}

/// An OS/architecture pair as in OCI descriptors and image configs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch[/variant]`, e.g. `linux/arm64/v8`.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut it = s.split('/');
        let os = it.next().filter(|p| !p.is_empty())?.to_owned();
        let architecture = it.next().filter(|p| !p.is_empty())?.to_owned();
        let variant = it.next().filter(|p| !p.is_empty()).map(str::to_owned);
        if it.next().is_some() {
            return None;
        }
        Some(Platform {
            os,
            architecture,
            variant,
        })
    }

    /// Whether this platform satisfies a requested one: same os and architecture, and the requested
    /// variant if any (`arm64` without a variant is `arm64/v8`).
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        let norm = |p: &Platform| match (p.architecture.as_str(), p.variant.as_deref()) {
            ("arm64", None) => Some("v8".to_owned()),
            _ => p.variant.clone(),
        };
        self.os == wanted.os
            && self.architecture == wanted.architecture
            && (wanted.variant.is_none() || norm(self) == norm(wanted))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// One image found in the archive, before its layers are read.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub names: Vec<String>,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    pub config_path: String,
    /// Layer blobs, base first: (member path, digest if known).
    pub layers: Vec<(String, Option<String>)>,
    pub platform: Option<Platform>,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.names.first().map(String::as_str).unwrap_or("(untagged)");
        f.write_str(name)?;
        if let Some(d) = self.manifest_digest.as_ref().or(self.config_digest.as_ref()) {
            write!(f, " {}", short(d))?;
        }
        if let Some(p) = &self.platform {
            write!(f, " ({p})")?;
        }
        Ok(())
    }
}

impl Candidate {
    /// This image as a choice to offer (`missing`: the index names it, the archive lacks its blobs).
    pub fn choice(&self, missing: bool) -> Choice {
        let digest = self.manifest_digest.as_ref().or(self.config_digest.as_ref());
        Choice {
            label: self.to_string(),
            reference: self.names.first().or(digest).cloned().unwrap_or_default(),
            platform: self.platform.as_ref().map(Platform::to_string),
            missing,
        }
    }
}

/// `sha256:0123456789ab…` shortened for messages.
pub fn short(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) if hex.len() > 12 => format!("{alg}:{}", hex.get(..12).unwrap_or(hex)),
        _ => digest.to_owned(),
    }
}

/// The images of a docker-save archive, or of an OCI layout; also says which images the index names
/// but the archive lacks (e.g. other platforms of a multi-platform image).
pub fn find(layout: &dyn Layout) -> Result<(Format, Vec<Candidate>, Vec<Candidate>), ArchiveError> {
    let has = |p: &str| {
        layout
            .open(p)
            .map(|r| r.is_some())
            .map_err(|e| ArchiveError::new(ErrorKind::Io, e.to_string()).in_member(p))
    };
    if has("index.json")? {
        let (found, missing) = oci(layout)?;
        Ok((Format::Oci, found, missing))
    } else if has("manifest.json")? {
        let manifest: serde_json::Value = read_json(layout, "manifest.json", "manifest.json")?;
        if manifest.get("config").is_some() {
            Ok((Format::SkopeoDir, vec![skopeo_dir(manifest)?], Vec::new()))
        } else {
            Ok((Format::DockerSave, docker(manifest)?, Vec::new()))
        }
    } else {
        Err(ArchiveError::new(
            ErrorKind::NotAnImageArchive,
            "neither manifest.json (docker save, skopeo dir:) nor index.json (OCI layout) found: is this a layer or a file-system tar? Use `docker save IMAGE -o app.tar`, `podman save`, or `skopeo copy … oci-archive:app.tar`",
        ))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

fn docker(manifest: serde_json::Value) -> Result<Vec<Candidate>, ArchiveError> {
    let entries: Vec<DockerEntry> = serde_json::from_value(manifest).map_err(|e| {
        ArchiveError::new(
            ErrorKind::Corrupt,
            format!("the docker-save manifest is not valid JSON of the expected shape: {e}"),
        )
        .in_member("manifest.json")
    })?;
    let path = |p: &str| {
        clean(p).ok_or_else(|| {
            ArchiveError::new(ErrorKind::Corrupt, format!("path {p:?} points outside the archive"))
                .in_member("manifest.json")
        })
    };
    entries
        .into_iter()
        .map(|e| {
            let config_path = path(&e.config)?;
            Ok(Candidate {
                names: e.repo_tags.unwrap_or_default(),
                manifest_digest: None,
                config_digest: config_digest_from_path(&config_path),
                layers: e
                    .layers
                    .iter()
                    .map(|l| Ok((path(l)?, None)))
                    .collect::<Result<_, ArchiveError>>()?,
                config_path,
                platform: None,
            })
        })
        .collect()
}

/// The image of a `skopeo copy … dir:` directory: blobs are files named by the digest's hex.
fn skopeo_dir(manifest: serde_json::Value) -> Result<Candidate, ArchiveError> {
    let doc: Document = serde_json::from_value(manifest).map_err(|e| {
        ArchiveError::new(ErrorKind::Corrupt, format!("not an image manifest: {e}")).in_member("manifest.json")
    })?;
    let hex_path = |digest: &str| -> Result<String, ArchiveError> {
        let path = blob_path(digest)?;
        Ok(path.rsplit('/').next().unwrap_or(&path).to_owned())
    };
    let config = doc.config.ok_or_else(|| {
        ArchiveError::new(ErrorKind::Corrupt, "the manifest has no config").in_member("manifest.json")
    })?;
    manifest_blobs(config, doc.layers, &hex_path)
}

/// An image manifest's config and layers, as the archive members `path` names by digest (no names,
/// manifest digest or platform yet).
fn manifest_blobs(
    config: Descriptor,
    layers: Option<Vec<Descriptor>>,
    path: &dyn Fn(&str) -> Result<String, ArchiveError>,
) -> Result<Candidate, ArchiveError> {
    Ok(Candidate {
        names: Vec::new(),
        manifest_digest: None,
        config_path: path(&config.digest)?,
        config_digest: Some(config.digest),
        layers: layers
            .unwrap_or_default()
            .into_iter()
            .map(|l| Ok((path(&l.digest)?, Some(l.digest))))
            .collect::<Result<_, ArchiveError>>()?,
        platform: None,
    })
}

/// `blobs/sha256/HEX` or `HEX.json` (docker save before 25) → `sha256:HEX`: the config digest is the image ID.
fn config_digest_from_path(p: &str) -> Option<String> {
    if let Some(hex) = p.strip_prefix("blobs/sha256/") {
        return Some(format!("sha256:{hex}"));
    }
    let hex = p.strip_suffix(".json")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("sha256:{hex}"))
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: Option<String>,
    digest: String,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

/// An index or a manifest: which one is told by the fields present.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
}

fn oci(layout: &dyn Layout) -> Result<(Vec<Candidate>, Vec<Candidate>), ArchiveError> {
    let index: Document = read_json(layout, "index.json", "the OCI index")?;
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for d in index.manifests.unwrap_or_default() {
        walk(
            layout,
            &d,
            &names_of(&d),
            d.platform.clone(),
            0,
            &mut found,
            &mut missing,
        )?;
    }
    Ok((found, missing))
}

fn names_of(d: &Descriptor) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(a) = &d.annotations {
        for key in ["io.containerd.image.name", "org.opencontainers.image.ref.name"] {
            if let Some(v) = a.get(key) {
                if !names.contains(v) {
                    names.push(v.clone());
                }
            }
        }
    }
    names
}

fn is_attestation(d: &Descriptor) -> bool {
    let attest = d
        .annotations
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|t| t == "attestation-manifest");
    attest || d.platform.as_ref().is_some_and(|p| p.os == "unknown")
}

fn walk(
    layout: &dyn Layout,
    d: &Descriptor,
    names: &[String],
    platform: Option<Platform>,
    depth: usize,
    found: &mut Vec<Candidate>,
    missing: &mut Vec<Candidate>,
) -> Result<(), ArchiveError> {
    if is_attestation(d) {
        return Ok(());
    }
    if depth > MAX_INDEX_DEPTH {
        return Err(
            ArchiveError::new(ErrorKind::Unsupported, "image indexes nested too deep").in_member(d.digest.clone()),
        );
    }
    let path = blob_path(&d.digest)?;
    let present = layout
        .open(&path)
        .map_err(|e| ArchiveError::new(ErrorKind::Io, e.to_string()).in_member(path.clone()))?
        .is_some();
    if !present {
        missing.push(Candidate {
            names: names.to_vec(),
            manifest_digest: Some(d.digest.clone()),
            config_digest: None,
            config_path: String::new(),
            layers: Vec::new(),
            platform,
        });
        return Ok(());
    }
    let doc: Document = read_json(layout, &path, d.media_type.as_deref().unwrap_or("a manifest"))?;
    if let Some(children) = doc.manifests {
        for c in children {
            let mut child_names = names.to_vec();
            for n in names_of(&c) {
                if !child_names.contains(&n) {
                    child_names.push(n);
                }
            }
            walk(
                layout,
                &c,
                &child_names,
                c.platform.clone().or(platform.clone()),
                depth + 1,
                found,
                missing,
            )?;
        }
        return Ok(());
    }
    let Some(config) = doc.config else {
        return Err(ArchiveError::new(
            ErrorKind::Corrupt,
            "neither an image manifest (config) nor an index (manifests)",
        )
        .in_member(path));
    };
    found.push(Candidate {
        names: names.to_vec(),
        manifest_digest: Some(d.digest.clone()),
        platform,
        ..manifest_blobs(config, doc.layers, &blob_path)?
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms() {
        let arm = Platform::parse("linux/arm64").unwrap_or_else(|| Platform {
            os: String::new(),
            architecture: String::new(),
            variant: None,
        });
        assert!(arm.satisfies(&Platform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into())
        }));
        assert!(!arm.satisfies(&Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None
        }));
        assert_eq!(
            Platform::parse("linux/arm/v7").map(|p| p.to_string()),
            Some("linux/arm/v7".into())
        );
        assert_eq!(Platform::parse("linux"), None);
    }

    #[test]
    fn docker_config_digests() {
        let hex = "a".repeat(64);
        assert_eq!(
            config_digest_from_path(&format!("{hex}.json")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(config_digest_from_path("blobs/sha256/abc"), Some("sha256:abc".into()));
        assert_eq!(config_digest_from_path("config.json"), None);
    }
}
