//! The images the caller could read, and which one a container runs: by the status's `imageID`
//! digest (the image actually running) first, then by the `image` reference, then by container name.

use podgroups_core::Image;
use serde::{Deserialize, Serialize};

/// Images keyed by digest (`sha256:…`), reference (`nginx:1.27`, `docker.io/library/nginx:1.27`) or
/// container name.
#[derive(Clone, Debug, Default)]
pub struct Images {
    entries: Vec<(String, Image)>,
}

/// How a container's image was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageMatch {
    /// By the digest of `status.containerStatuses[].imageID`: the image that is running.
    ImageId,
    /// By the `image` reference of the spec: the image the tag names now, maybe not the one running.
    Reference,
    /// By container name.
    ContainerName,
}

impl Images {
    pub fn new() -> Self {
        Images::default()
    }

    /// Adds an image under `key` (a digest, a reference or a container name). A later key wins.
    pub fn insert(&mut self, key: impl Into<String>, image: Image) {
        let key = key.into();
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, image));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &Image)> {
        self.entries.iter().map(|(k, i)| (k.as_str(), i))
    }

    /// The index of the image for a container, and how it was found.
    pub(crate) fn find(&self, container: &str, image: &str, image_id: Option<&str>) -> Option<(usize, ImageMatch)> {
        let position = |pred: &dyn Fn(&str) -> bool| self.entries.iter().position(|(k, _)| pred(k));
        if let Some(digest) = image_id.and_then(digest_of) {
            if let Some(i) = position(&|k| digest_of(k) == Some(digest)) {
                return Some((i, ImageMatch::ImageId));
            }
        }
        if !image.is_empty() {
            let want = normalize(image);
            if let Some(i) = position(&|k| k == image || normalize(k) == want) {
                return Some((i, ImageMatch::Reference));
            }
        }
        position(&|k| k == container).map(|i| (i, ImageMatch::ContainerName))
    }
}

/// `sha256:…` out of `sha256:…`, `docker.io/library/nginx@sha256:…` or `docker-pullable://…@sha256:…`.
pub(crate) fn digest_of(s: &str) -> Option<&str> {
    let d = s.rsplit_once('@').map_or(s, |(_, d)| d);
    let (algo, hex) = d.split_once(':')?;
    (matches!(algo, "sha256" | "sha512") && !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(d)
}

/// A reference the way containerd names it: `nginx` → `docker.io/library/nginx:latest`.
pub fn normalize(reference: &str) -> String {
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let first = name.split('/').next().unwrap_or("");
    let has_registry = name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut full = if has_registry {
        name.to_owned()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    let last = full.rsplit('/').next().unwrap_or("");
    if digest.is_none() && !last.contains(':') {
        full.push_str(":latest");
    }
    if let Some(d) = digest {
        full.push('@');
        full.push_str(d);
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_digests() {
        assert_eq!(normalize("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(normalize("bitnami/redis:7"), "docker.io/bitnami/redis:7");
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalize("ghcr.io/o/a@sha256:ab"), "ghcr.io/o/a@sha256:ab");
        assert_eq!(digest_of("docker.io/library/nginx@sha256:abc1"), Some("sha256:abc1"));
        assert_eq!(digest_of("sha256:abc1"), Some("sha256:abc1"));
        assert_eq!(digest_of("nginx:1.27"), None);
        let mut images = Images::new();
        images.insert("sha256:aa", Image::default());
        images.insert("nginx:1.27", Image::default());
        images.insert("side", Image::default());
        assert_eq!(
            images.find("c", "nginx:1.27", Some("docker.io/library/nginx@sha256:aa")),
            Some((0, ImageMatch::ImageId))
        );
        assert_eq!(
            images.find("c", "docker.io/library/nginx:1.27", Some("sha256:bb")),
            Some((1, ImageMatch::Reference))
        );
        assert_eq!(
            images.find("side", "busybox", None),
            Some((2, ImageMatch::ContainerName))
        );
        assert_eq!(images.find("x", "busybox", None), None);
    }
}
