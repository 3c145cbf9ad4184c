//! Picks one image from an archive by reference (tag, name, digest) and platform (default
//! `linux/amd64` when several platforms remain); ambiguity is an error listing the choices.

use super::error::{ArchiveError, Choice, ErrorKind};
use super::images::{Candidate, Platform};
use serde::{Deserialize, Serialize};

/// Which image of the archive to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selector {
    /// A tag or name (`app`, `app:1.2`, `registry.example/app:1.2`), or a manifest or config digest
    /// (`sha256:…`, or at least 12 hex digits of it). `None`: the archive must hold one image.
    #[serde(default)]
    pub reference: Option<String>,
    /// `os/arch[/variant]`; `None`: `linux/amd64` if the archive holds several platforms.
    #[serde(default)]
    pub platform: Option<String>,
    /// Also check every layer, the config and the manifest against their digests (reads every byte).
    #[serde(default)]
    pub verify_digests: bool,
}

/// The platform chosen when an archive holds several and none was asked for.
pub const DEFAULT_PLATFORM: &str = "linux/amd64";

/// Chooses the one candidate the selector designates.
pub fn select(candidates: Vec<Candidate>, sel: &Selector, missing: &[Candidate]) -> Result<Candidate, ArchiveError> {
    // `head`, then a line for each of `cands` and of the images the index lists but the archive lacks,
    // which are also the error's choices.
    let listed = |kind: ErrorKind, head: &str, cands: &[Candidate]| {
        let present = cands.iter().map(|c| (c, false));
        let absent = missing.iter().map(|c| (c, true));
        let (lines, choices): (Vec<String>, Vec<Choice>) = present
            .chain(absent)
            .map(|(c, missing)| {
                let line = if missing {
                    format!("  {c} [not in the archive]")
                } else {
                    format!("  {c}")
                };
                (line, c.choice(missing))
            })
            .unzip();
        ArchiveError::new(kind, format!("{head}:\n{}", lines.join("\n"))).with_choices(choices)
    };
    if candidates.is_empty() {
        return Err(if missing.is_empty() {
            ArchiveError::new(ErrorKind::NoMatch, "the archive lists no image")
        } else {
            listed(
                ErrorKind::NoMatch,
                "the archive holds none of the images its index lists",
                &[],
            )
        });
    }
    let candidates = merge_duplicates(candidates);
    let mut pool = candidates.clone();
    if let Some(r) = sel.reference.as_deref().filter(|r| !r.is_empty()) {
        pool.retain(|c| matches_reference(c, r));
        if pool.is_empty() {
            let head = format!("no image named {r:?} in the archive; it holds");
            return Err(listed(ErrorKind::NoMatch, &head, &candidates));
        }
    }
    by_platform(&mut pool, sel, &listed)?;
    if pool.len() > 1 {
        return Err(listed(
            ErrorKind::Ambiguous,
            "the archive holds several images; choose one with --image-ref NAME (a tag or digest) or --platform",
            &pool,
        ));
    }
    pool.into_iter()
        .next()
        .ok_or_else(|| ArchiveError::new(ErrorKind::NoMatch, "no image selected"))
}

/// Keeps the candidates for the asked platform; with none asked and several left, linux/amd64 if that
/// settles it.
fn by_platform(
    pool: &mut Vec<Candidate>,
    sel: &Selector,
    listed: &dyn Fn(ErrorKind, &str, &[Candidate]) -> ArchiveError,
) -> Result<(), ArchiveError> {
    match sel.platform.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => {
            let wanted = Platform::parse(p).ok_or_else(|| {
                ArchiveError::new(
                    ErrorKind::NoMatch,
                    format!("platform {p:?} is not of the form os/arch[/variant], e.g. linux/arm64"),
                )
            })?;
            let before = pool.clone();
            pool.retain(|c| c.platform.as_ref().is_some_and(|p| p.satisfies(&wanted)));
            if pool.is_empty() {
                let head = format!(
                    "no image for platform {wanted} in the archive; choose one of these with --platform or --image-ref"
                );
                return Err(listed(ErrorKind::NoMatch, &head, &before));
            }
        }
        // Several images and no platform asked for: linux/amd64 if that settles it.
        None if pool.len() > 1 => {
            if let Some(default) = Platform::parse(DEFAULT_PLATFORM) {
                let amd64: Vec<Candidate> = pool
                    .iter()
                    .filter(|c| c.platform.as_ref().is_some_and(|p| p.satisfies(&default)))
                    .cloned()
                    .collect();
                if !amd64.is_empty() {
                    *pool = amd64;
                }
            }
        }
        None => {}
    }
    Ok(())
}

/// One candidate per image: an index may list the same manifest once per tag (Docker 25+ does).
fn merge_duplicates(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for c in candidates {
        let same = |o: &&mut Candidate| {
            o.manifest_digest == c.manifest_digest
                && o.config_digest == c.config_digest
                && o.layers == c.layers
                && o.platform == c.platform
        };
        match out.iter_mut().find(|o| same(o)) {
            Some(o) => {
                for n in c.names {
                    if !o.names.contains(&n) {
                        o.names.push(n);
                    }
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// Whether the candidate answers to `r`: a digest (prefix of at least 12 hex digits) of its manifest
/// or config, or one of its names, compared the way `docker` normalizes them.
fn matches_reference(c: &Candidate, r: &str) -> bool {
    let hex = r.strip_prefix("sha256:").unwrap_or(r);
    if hex.len() >= 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        let hit = |d: &Option<String>| {
            d.as_deref()
                .and_then(|d| d.strip_prefix("sha256:"))
                .is_some_and(|h| h.starts_with(hex))
        };
        if hit(&c.manifest_digest) || hit(&c.config_digest) {
            return true;
        }
    }
    let r = r.strip_prefix("@").unwrap_or(r);
    c.names.iter().any(|n| {
        n == r
            || normalize(n) == normalize(r)
            // OCI `org.opencontainers.image.ref.name` may be a bare tag ("1.2"): match the query's tag.
            || (!n.contains('/') && !n.contains(':') && tag_of(r) == Some(n.as_str()))
    })
}

impl super::ImageArchive {
    /// Whether a manifest's `image:` (`app:1`, `docker.io/library/app:1`, `app@sha256:…`) names this
    /// image: by name as docker normalizes it, or by manifest/config digest.
    pub fn is_named(&self, reference: &str) -> bool {
        let c = Candidate {
            names: self.names.clone(),
            manifest_digest: self.manifest_digest.clone(),
            config_digest: self.config_digest.clone(),
            config_path: String::new(),
            layers: Vec::new(),
            platform: None,
        };
        let (name, digest) = match reference.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (reference, None),
        };
        (!name.is_empty() && matches_reference(&c, name)) || digest.is_some_and(|d| matches_reference(&c, d))
    }
}

/// `app` → `docker.io/library/app:latest`, `ghcr.io/x/app` → `ghcr.io/x/app:latest`; digests kept.
fn normalize(name: &str) -> String {
    let (repo, suffix) = match name.split_once('@') {
        Some((repo, digest)) => (repo, format!("@{digest}")),
        None => match tag_of(name) {
            Some(tag) => (
                name.get(..name.len().saturating_sub(tag.len() + 1)).unwrap_or(name),
                format!(":{tag}"),
            ),
            None => (name, ":latest".to_owned()),
        },
    };
    let first = repo.split('/').next().unwrap_or("");
    let has_domain = repo.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let repo = if has_domain {
        repo.to_owned()
    } else if repo.contains('/') {
        format!("docker.io/{repo}")
    } else {
        format!("docker.io/library/{repo}")
    };
    format!("{repo}{suffix}")
}

/// The tag of a reference: what follows the last `:` after the last `/`.
fn tag_of(name: &str) -> Option<&str> {
    let name = name.split('@').next().unwrap_or(name);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.rsplit_once(':').map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(names: &[&str], platform: &str, digest: &str) -> Candidate {
        Candidate {
            names: names.iter().map(|s| s.to_string()).collect(),
            manifest_digest: Some(format!("sha256:{digest}")),
            config_digest: None,
            config_path: String::new(),
            layers: Vec::new(),
            platform: Platform::parse(platform),
        }
    }

    #[test]
    fn names_normalize_like_docker() {
        assert_eq!(normalize("app"), "docker.io/library/app:latest");
        assert_eq!(normalize("docker.io/library/app:1"), "docker.io/library/app:1");
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalize("me/app:2"), "docker.io/me/app:2");
    }

    #[test]
    fn default_platform_and_ambiguity() {
        let amd = cand(&["app:1"], "linux/amd64", &"a".repeat(64));
        let arm = cand(&["app:1"], "linux/arm64", &"b".repeat(64));
        let sel = Selector::default();
        let picked = select(vec![amd.clone(), arm.clone()], &sel, &[]);
        assert_eq!(
            picked.ok().and_then(|c| c.platform).map(|p| p.architecture),
            Some("amd64".into())
        );
        let sel = Selector {
            platform: Some("linux/arm64".into()),
            ..Selector::default()
        };
        assert_eq!(
            select(vec![amd.clone(), arm.clone()], &sel, &[])
                .ok()
                .and_then(|c| c.platform)
                .map(|p| p.architecture),
            Some("arm64".into())
        );
        let other = cand(&["other:2"], "linux/amd64", &"c".repeat(64));
        let err = select(vec![amd.clone(), other.clone()], &Selector::default(), &[]).err();
        assert_eq!(err.as_ref().map(|e| e.kind), Some(ErrorKind::Ambiguous));
        assert!(err
            .as_ref()
            .is_some_and(|e| e.message.contains("app:1") && e.message.contains("other:2")));
        let refs: Vec<(String, Option<String>)> = err
            .map(|e| e.choices.into_iter().map(|c| (c.reference, c.platform)).collect())
            .unwrap_or_default();
        let amd64 = Some("linux/amd64".to_owned());
        assert_eq!(
            refs,
            [("app:1".to_owned(), amd64.clone()), ("other:2".to_owned(), amd64)]
        );
        let sel = Selector {
            reference: Some("other:2".into()),
            ..Selector::default()
        };
        assert!(select(vec![amd.clone(), other], &sel, &[]).is_ok());
        let sel = Selector {
            reference: Some("bbbbbbbbbbbb".into()),
            ..Selector::default()
        };
        assert_eq!(
            select(vec![amd, arm], &sel, &[])
                .ok()
                .and_then(|c| c.platform)
                .map(|p| p.architecture),
            Some("arm64".into())
        );
    }

    #[test]
    fn one_image_under_two_tags_is_one_image() {
        let a = cand(&["app:1"], "linux/amd64", &"a".repeat(64));
        let b = cand(&["app:latest"], "linux/amd64", &"a".repeat(64));
        let picked = select(vec![a, b], &Selector::default(), &[]).ok().map(|c| c.names);
        assert_eq!(picked, Some(vec!["app:1".to_owned(), "app:latest".to_owned()]));
    }

    #[test]
    fn bare_tag_annotations_match() {
        let c = cand(&["1.2"], "linux/amd64", "00");
        assert!(matches_reference(&c, "app:1.2"));
        assert!(matches_reference(&c, "1.2"));
        assert!(!matches_reference(&c, "app:1.3"));
    }
}
