//! Images read from their registries: `explain pod.yaml` with no image given reads each container's
//! `image:` from its registry, `--image-ref REF` (without `--image`) one image for every container.
//! `podgroups_image::registry` does the work (cache, credentials, verification); this file maps the
//! flags and shows progress.

use crate::archives::{summary, FromArchives};
use crate::args::{ArchiveArgs, ImageArgs, RegistryArgs};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use podgroups_core::{explain as engine, Environment, Input};
use podgroups_image::reference::Reference;
use podgroups_image::registry::{fetch_all, Fetched, Options, Progress, RegistryError, RegistryErrorKind};
use podgroups_image::ImageArchive;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl RegistryArgs {
    fn options(&self, platform: &Option<String>) -> Result<Options, String> {
        let offline = self.offline || std::env::var_os("PODGROUPS_OFFLINE").is_some_and(|v| !v.is_empty() && v != "0");
        let cache_dir = match &self.cache_dir {
            Some(d) => d.clone(),
            None => default_cache_dir().ok_or("no cache directory: set HOME or give --cache-dir DIR")?,
        };
        Ok(Options {
            platform: platform.clone(),
            cache_dir,
            offline,
            ca_files: self.registry_ca.clone(),
            insecure: self.insecure_registry.clone(),
            concurrency: 10,
        })
    }
}

fn default_cache_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("PODGROUPS_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("podgroups")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("podgroups")))
}

/// `2G`, `500M`, `64K`, `1000` → bytes.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("--cache-max {s:?}: use a number of bytes or K, M, G, T")),
            };
            (t.get(..i).unwrap_or(""), mult)
        }
        _ => (t, 1),
    };
    num.parse::<u64>()
        .map(|n| n.saturating_mul(mult))
        .map_err(|_| format!("--cache-max {s:?}: use a number of bytes or K, M, G, T"))
}

/// Progress on standard error while blobs download, only when it is a terminal and not `-q`.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, size: Option<u64>) {
        if let Some(s) = size {
            self.0.inc_length(s);
        }
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// Fetches `images`, then prunes the cache to `--cache-max`.
fn fetch(
    r: &RegistryArgs,
    platform: &Option<String>,
    images: &[Reference],
) -> Result<Vec<Result<Fetched, RegistryError>>, String> {
    let options = r.options(platform)?;
    let cache_max = r.cache_max.as_deref().map(parse_size).transpose()?;
    let bar = if r.quiet || !std::io::stderr().is_terminal() || options.offline {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} pulling {msg} {bytes}/{total_bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("{} image(s)", images.len()));
        bar
    };
    let progress = Arc::new(Bar(bar.clone()));
    let results = fetch_all(images, &options, progress);
    bar.finish_and_clear();
    if let Some(max) = cache_max {
        let keep: Vec<String> = results
            .iter()
            .flatten()
            .flat_map(|f| {
                let a = &f.archive;
                let layers = a.layers.iter().filter_map(|l| l.digest.clone());
                layers.chain(a.manifest_digest.clone()).chain(a.config_digest.clone())
            })
            .collect();
        let _ = podgroups_image::registry::Cache::new(options.cache_dir.clone()).prune(max, &keep);
    }
    Ok(results)
}

/// `--image-ref REF` without an archive: that image from its registry (for every container of `explain`).
pub fn one(
    registry: &RegistryArgs,
    platform: &Option<String>,
    reference: &str,
) -> Result<(String, ImageArchive), String> {
    let r = Reference::parse(reference)?;
    let name = r.to_string();
    match fetch(registry, platform, std::slice::from_ref(&r))?.into_iter().next() {
        Some(Ok(f)) => Ok((name, f.archive)),
        Some(Err(e)) => Err(message(&e)),
        None => Err(format!("{name}: not read")),
    }
}

fn message(e: &RegistryError) -> String {
    format!("{e}")
}

/// `explain` with no image given: each container's `image:` read from its registry (containers that
/// `--image-for` covers excepted). Images are fetched once each, distinct ones concurrently. An image
/// that cannot be read stays unknown (the engine reports what depends on it), with the reason on
/// standard error.
pub fn for_containers(
    a: &ArchiveArgs,
    by_hand: &ImageArgs,
    sources: &[(String, String)],
    environment: &Environment,
    out: &mut FromArchives,
) -> Result<(), String> {
    if out.image.is_some() || !by_hand.is_empty() || a.image.is_some() {
        return Ok(());
    }
    // The containers and their images, as the engine reads the manifests.
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for (_, text) in sources {
        let input = Input {
            manifests: text.clone(),
            environment: environment.clone(),
            ..Input::default()
        };
        // A manifest the engine refuses is reported by the real run that follows.
        let Ok(report) = engine(&input) else { continue };
        for c in report.workloads.iter().flat_map(|w| &w.containers) {
            if !out.images.contains_key(&c.name) && !out.images.contains_key(&c.image) && !c.image.is_empty() {
                wanted.insert(c.image.clone());
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut refs: Vec<Reference> = Vec::new();
    let mut as_written: Vec<(String, Reference)> = Vec::new();
    for image in &wanted {
        let r = Reference::parse(image)?;
        if !refs.contains(&r) {
            refs.push(r.clone());
        }
        as_written.push((image.clone(), r));
    }
    let results = fetch(&a.registry, &a.platform, &refs)?;
    for (r, result) in refs.iter().zip(results) {
        match result {
            Ok(f) => {
                out.notes.push_str(&summary(Path::new(&r.to_string()), &f.archive));
                for (written, _) in as_written.iter().filter(|(_, n)| n == r) {
                    out.images.insert(written.clone(), f.archive.image.clone());
                }
            }
            // Never an empty image: the containers' image stays unknown, and the answer says what
            // depends on it; the reason goes to standard error.
            Err(e) if e.kind == RegistryErrorKind::NotCached => eprintln!(
                "podgroups: note: {r} is not in the cache (--offline); its containers are explained with the image unknown"
            ),
            Err(e) => eprintln!(
                "podgroups: warning: {}\n  its containers are explained with the image unknown; give it another way: \
                 --image ARCHIVE, --image-for CONTAINER=ARCHIVE, or --passwd/--group/--image-user",
                message(&e)
            ),
        }
    }
    Ok(())
}

/// `audit`: the images no `--image-for` covers, read from their registries — by the running `imageID`
/// digest when the kubelet reported one (the image actually running), else by the `image` reference —
/// keyed as `podgroups_audit::Images` looks them up (the digest, or the reference). Each is fetched
/// once, distinct ones concurrently. An image that cannot be read stays unknown, the reason on stderr.
pub fn for_audit(
    r: &RegistryArgs,
    platform: &Option<String>,
    wanted: &[podgroups_audit::WantedImage],
) -> Result<Vec<(String, podgroups_core::Image)>, String> {
    let mut refs: Vec<Reference> = Vec::new();
    let mut keyed: Vec<(String, Reference)> = Vec::new();
    for w in wanted {
        let by_digest = w.image_id.as_deref().and_then(|id| {
            let id = id.strip_prefix("docker-pullable://").unwrap_or(id);
            match id.rsplit_once('@') {
                Some(_) => Some((id.rsplit_once('@').map_or(id, |(_, d)| d).to_owned(), id.to_owned())),
                // A bare digest: the spec's repository at that digest.
                None if id.starts_with("sha256:") => {
                    let repo = w.image.split('@').next().unwrap_or(&w.image);
                    let repo = match repo.rsplit_once(':') {
                        Some((name, tag)) if !tag.contains('/') => name,
                        _ => repo,
                    };
                    Some((id.to_owned(), format!("{repo}@{id}")))
                }
                None => None,
            }
        });
        let (key, text) = by_digest.unwrap_or_else(|| (w.image.clone(), w.image.clone()));
        match Reference::parse(&text) {
            Ok(reference) => {
                if !refs.contains(&reference) {
                    refs.push(reference.clone());
                }
                keyed.push((key, reference));
            }
            Err(e) => {
                eprintln!("podgroups: warning: image {text:?}: {e}; its containers are audited with the image unknown")
            }
        }
    }
    let mut out = Vec::new();
    if refs.is_empty() {
        return Ok(out);
    }
    for (reference, result) in refs.iter().zip(fetch(r, platform, &refs)?) {
        match result {
            Ok(f) => {
                for (key, _) in keyed.iter().filter(|(_, k)| k == reference) {
                    out.push((key.clone(), f.archive.image.clone()));
                }
            }
            Err(e) if e.kind == RegistryErrorKind::NotCached => eprintln!(
                "podgroups: note: {reference} is not in the cache (--offline); its containers are audited with the image unknown"
            ),
            Err(e) => eprintln!(
                "podgroups: warning: {}\n  its containers are audited with the image unknown; give it with --image-for DIGEST=ARCHIVE",
                message(&e)
            ),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("500m"), Ok(500 << 20));
        assert!(parse_size("x").is_err());
        assert!(parse_size("5Q").is_err());
    }
}
