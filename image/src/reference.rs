//! Image references normalized as the kubelet and containerd do (docker's `ParseDockerRef`, from
//! `github.com/distribution/reference`): `nginx` → `docker.io/library/nginx:latest`,
//! `index.docker.io/x/y` → `docker.io/x/y:latest`, `localhost:5000/app` keeps its registry, a digest
//! is kept (and no `:latest` added to it). Pure; used by the registry source and for matching names.

use std::fmt;

/// The registry of references without one.
pub const DOCKER_HUB: &str = "docker.io";
/// The longest name (registry and repository) the grammar allows.
const MAX_NAME: usize = 255;

/// A fully qualified image reference.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    /// `docker.io`, `registry.example:5000`, `localhost`, `[::1]:5000`.
    pub registry: String,
    /// `library/nginx`, `team/app`.
    pub repository: String,
    /// `latest` when neither a tag nor a digest was given.
    pub tag: Option<String>,
    /// `sha256:…`; when present the image is pulled by digest (a tag beside it is informative).
    pub digest: Option<String>,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl Reference {
    /// Parses and normalizes `image` as a Pod's `image:` field is read (docker's `ParseDockerRef`).
    pub fn parse(image: &str) -> Result<Reference, String> {
        let bad = |why: &str| format!("invalid image reference {image:?}: {why}");
        if image.is_empty() {
            return Err(bad("empty"));
        }
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image, None),
        };
        let last = name.rsplit('/').next().unwrap_or(name);
        let (name, tag) = match last.rsplit_once(':') {
            Some((_, t)) => (name.get(..name.len() - t.len() - 1).unwrap_or(name), Some(t)),
            None => (name, None),
        };
        if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err(bad(
                "cannot be a 64-character hexadecimal string (give sha256:… or name@sha256:…)",
            ));
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.')
                    || first.contains(':')
                    || first == "localhost"
                    || first != first.to_lowercase() =>
            {
                (first, rest.to_owned())
            }
            _ => (DOCKER_HUB, name.to_owned()),
        };
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB
        } else {
            registry
        };
        if !valid_registry(registry) {
            return Err(bad("the registry part is not a host name with an optional :port"));
        }
        if path != path.to_lowercase() {
            return Err(bad("repository name must be lowercase"));
        }
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if !repository.split('/').all(valid_component) {
            return Err(bad(
                "each repository path component is lowercase letters and digits, separated by '.', '_', '__' or '-'",
            ));
        }
        if registry.len() + 1 + repository.len() > MAX_NAME {
            return Err(bad("repository name must not be longer than 255 characters"));
        }
        if let Some(t) = tag {
            if !valid_tag(t) {
                return Err(bad(
                    "a tag is at most 128 letters, digits, '_', '.', '-', not starting with '.' or '-'",
                ));
            }
        }
        if let Some(d) = digest {
            if !valid_digest(d) {
                return Err(bad(
                    "a digest is algorithm:hex, e.g. sha256: and 64 lowercase hex digits",
                ));
            }
        }
        let tag = match (tag, digest) {
            (None, None) => Some("latest".to_owned()),
            (t, _) => t.map(str::to_owned),
        };
        Ok(Reference {
            registry: registry.to_owned(),
            repository,
            tag,
            digest: digest.map(str::to_owned),
        })
    }

    /// The key docker's `config.json` uses for this registry (`https://index.docker.io/v1/` for Hub).
    pub fn credential_key(&self) -> &str {
        if self.registry == DOCKER_HUB {
            "https://index.docker.io/v1/"
        } else {
            &self.registry
        }
    }
}

fn valid_registry(r: &str) -> bool {
    let port_ok = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = r.strip_prefix('[') {
        // An IPv6 address: `[::1]` or `[::1]:5000`.
        return match rest.split_once(']') {
            Some((v6, port)) => {
                !v6.is_empty()
                    && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
                    && (port.is_empty() || port.strip_prefix(':').is_some_and(port_ok))
            }
            None => false,
        };
    }
    let (host, port) = match r.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (r, None),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !host.is_empty() && host.split('.').all(label_ok) && port.is_none_or(port_ok)
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: &u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if !b.first().is_some_and(alnum) || !b.last().is_some_and(alnum) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b.get(i).is_some_and(alnum) {
            i += 1;
            continue;
        }
        let sep_end = b
            .get(i..)
            .map(|rest| rest.iter().take_while(|x| !alnum(x)).count())
            .unwrap_or(0);
        let sep = c.get(i..i + sep_end).unwrap_or("");
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-')) {
            return false;
        }
        i += sep_end;
    }
    true
}

/// `[\w][\w.-]{0,127}`
fn valid_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    t.len() <= 128 && t.bytes().next().is_some_and(word) && t.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

/// `algorithm:hex`, with sha256/sha512 lengths checked as the OCI spec requires.
fn valid_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = !alg.is_empty()
        && alg.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && alg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_+.".contains(&b));
    let hex_ok = hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    let len_ok = match alg {
        "sha256" => hex.len() == 64 && !hex.bytes().any(|b| b.is_ascii_uppercase()),
        "sha512" => hex.len() == 128 && !hex.bytes().any(|b| b.is_ascii_uppercase()),
        _ => true,
    };
    alg_ok && hex_ok && len_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Reference::parse(s)
            .map(|r| r.to_string())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// The cases of distribution/reference's `normalize_test.go` (`TestParseDockerRef`) and
    /// containerd's documented examples.
    #[test]
    fn normalizes_like_docker_and_containerd() {
        assert_eq!(norm("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(norm("nginx:1.27"), "docker.io/library/nginx:1.27");
        assert_eq!(norm("docker.io/app"), "docker.io/library/app:latest");
        assert_eq!(norm("docker.io/library/app:1"), "docker.io/library/app:1");
        assert_eq!(norm("index.docker.io/app"), "docker.io/library/app:latest");
        assert_eq!(norm("index.docker.io/team/app:2"), "docker.io/team/app:2");
        assert_eq!(norm("team/app"), "docker.io/team/app:latest");
        assert_eq!(norm("localhost/app"), "localhost/app:latest");
        assert_eq!(norm("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(norm("localhost:5000/team/app:v1"), "localhost:5000/team/app:v1");
        assert_eq!(norm("127.0.0.1:5000/app:1"), "127.0.0.1:5000/app:1");
        assert_eq!(norm("gcr.io/distroless/static"), "gcr.io/distroless/static:latest");
        assert_eq!(norm("registry.k8s.io/pause:3.10"), "registry.k8s.io/pause:3.10");
        assert_eq!(norm("[::1]:5000/app"), "[::1]:5000/app:latest");
        // Digests: kept, no :latest added; a tag beside a digest is kept (the digest wins when pulling).
        assert_eq!(norm(&format!("nginx@{D}")), format!("docker.io/library/nginx@{D}"));
        assert_eq!(
            norm(&format!("nginx:1.27@{D}")),
            format!("docker.io/library/nginx:1.27@{D}")
        );
        assert_eq!(
            norm(&format!("localhost:5000/app@{D}")),
            format!("localhost:5000/app@{D}")
        );
        // A first component with upper case is a registry (docker's rule), never a Hub user.
        assert_eq!(norm("Foo/bar"), "Foo/bar:latest");
        assert_eq!(norm("foo_bar.com:8080/app"), "ERR invalid image reference \"foo_bar.com:8080/app\": the registry part is not a host name with an optional :port");
    }

    #[test]
    fn refuses_what_docker_refuses() {
        for bad in [
            "",
            "Nginx",
            "docker.io/Library/app",
            "nginx:",
            "nginx:-x",
            &format!("nginx:{}", "a".repeat(129)),
            "nginx@sha256:abc",
            "nginx@sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "a//b",
            "app-",
            "a..b",
            "reg:port/app",
            &format!("{}/app", "a".repeat(260)),
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} was accepted: {}", norm(bad));
        }
        for good in ["a__b", "a--b", "a-b.c_d", "a/b/c/d", "ubuntu:22.04", "x:V1_A.b-c"] {
            assert!(Reference::parse(good).is_ok(), "{good:?}: {}", norm(good));
        }
    }

    #[test]
    fn credential_keys() {
        assert_eq!(
            Reference::parse("nginx").map(|r| r.credential_key().to_owned()),
            Ok("https://index.docker.io/v1/".into())
        );
        assert_eq!(
            Reference::parse("localhost:5000/a").map(|r| r.credential_key().to_owned()),
            Ok("localhost:5000".into())
        );
    }
}
