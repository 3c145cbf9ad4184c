//! The files of an image archive by path (`manifest.json`, `index.json`, `blobs/sha256/…`), whether they
//! live in a tar (docker save, oci-archive) or in a directory (OCI image layout from crane, oras, skopeo).

use super::error::{ArchiveError, ErrorKind};
use super::read_at::{Cursor, ReadAt, Slice};
use super::tar::{Kind, TarError, TarReader};
use std::collections::BTreeMap;
use std::io;

/// JSON members (manifest.json, index.json, manifests, configs) larger than this are refused.
pub const MAX_JSON_BYTES: u64 = 4 * 1024 * 1024;
/// Outer archives with more members than this are not image archives (a root filesystem tar, say).
const MAX_MEMBERS: usize = 1_000_000;
/// Symbolic links followed between outer members (old `docker save` links duplicate `layer.tar`s).
const MAX_MEMBER_LINKS: usize = 16;

/// Opens the files of an image archive by their path relative to the archive's root.
///
/// Paths given to [`Layout::open`] are already checked: relative, `/`-separated, without `.` or `..`
/// components. The CLI implements this for a directory with `std::fs`; [`TarLayout`] for a tar.
pub trait Layout {
    /// The file at `path`, or `Ok(None)` when there is none.
    fn open(&self, path: &str) -> io::Result<Option<Box<dyn ReadAt + '_>>>;

    /// The size and compression of the blob at `path` when known without opening it. A layout that
    /// answers (a registry, where opening a layer downloads it) lets the reader try the top layer alone
    /// first ([`crate::read_layout`]); archives answer `None` and are always read whole.
    fn layer_hint(&self, _path: &str) -> Option<(u64, crate::Compression)> {
        None
    }
}

/// An outer tar (docker save, oci-archive) indexed by scanning its headers once; contents are not read.
pub struct TarLayout<R> {
    data: R,
    members: BTreeMap<String, Member>,
}

enum Member {
    File { offset: u64, size: u64 },
    Link(String),
}

impl<R: ReadAt> TarLayout<R> {
    /// Indexes the members of the tar `data`.
    pub fn index(data: R) -> Result<Self, ArchiveError> {
        let mut head = [0u8; 4];
        let n = data
            .read_at(0, &mut head)
            .map_err(|e| ArchiveError::new(ErrorKind::Io, e.to_string()))?;
        if n >= 2 && head.starts_with(&[0x1f, 0x8b]) || n == 4 && head == [0x28, 0xb5, 0x2f, 0xfd] {
            return Err(ArchiveError::new(
                ErrorKind::Unsupported,
                "the archive itself is compressed; decompress it first (gunzip / zstd -d), e.g. `docker save IMAGE -o app.tar`",
            ));
        }
        if data.is_empty() {
            return Err(ArchiveError::new(ErrorKind::NotAnImageArchive, "the file is empty"));
        }
        let mut tar = TarReader::new(Cursor::new(&data));
        let mut members = BTreeMap::new();
        loop {
            let entry = match tar.next_entry() {
                Ok(Some(entry)) => entry,
                Ok(None) => break,
                // The very first header is unreadable or shorter than a tar block: not a tar at all.
                Err(TarError::Corrupt { offset: 0, .. }) | Err(TarError::Truncated { offset: 0..=511 }) => {
                    return Err(ArchiveError::new(
                        ErrorKind::NotAnImageArchive,
                        "not a tar archive; give the file written by `docker save`, `podman save` or `skopeo copy … oci-archive:`, or an OCI layout directory",
                    ));
                }
                Err(e) => return Err(ArchiveError::from(e).in_member("the archive's tar headers")),
            };
            let Some(path) = clean(&entry.path) else {
                continue;
            };
            let member = match entry.kind {
                Kind::File => Member::File {
                    offset: entry.data_offset,
                    size: entry.size,
                },
                Kind::Symlink => {
                    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                    let target = if entry.link.starts_with('/') {
                        entry.link.clone()
                    } else {
                        format!("{dir}/{}", entry.link)
                    };
                    match clean_lexical(&target) {
                        Some(t) => Member::Link(t),
                        None => continue,
                    }
                }
                Kind::HardLink => match clean(&entry.link) {
                    Some(t) => Member::Link(t),
                    None => continue,
                },
                _ => continue,
            };
            members.insert(path, member);
            if members.len() > MAX_MEMBERS {
                return Err(ArchiveError::new(
                    ErrorKind::NotAnImageArchive,
                    format!("more than {MAX_MEMBERS} files: this looks like a file-system tar, not an image archive (use `docker save`, `podman save` or `skopeo copy … oci-archive:`)"),
                ));
            }
        }
        Ok(TarLayout { data, members })
    }
}

impl<R: ReadAt> Layout for TarLayout<R> {
    fn open(&self, path: &str) -> io::Result<Option<Box<dyn ReadAt + '_>>> {
        let mut path = path.to_owned();
        for _ in 0..MAX_MEMBER_LINKS {
            match self.members.get(&path) {
                None => return Ok(None),
                Some(Member::File { offset, size }) => {
                    return Ok(Some(Box::new(Slice::new(&self.data, *offset, *size))));
                }
                Some(Member::Link(target)) => path = target.clone(),
            }
        }
        Err(io::Error::other(format!(
            "{path}: too many levels of links between archive members"
        )))
    }
}

/// A member path as written in a tar or in manifest.json, cleaned: `./a//b/` → `a/b`; `None` for
/// paths that climb out (`..`) and for the root itself.
pub fn clean(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

/// Like [`clean`] but resolves `..` lexically; `None` if it climbs above the root.
fn clean_lexical(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The blob path of an OCI digest, `sha256:abc…` → `blobs/sha256/abc…`, refusing digests that are not
/// `algorithm:hex` (they would otherwise name arbitrary paths).
pub fn blob_path(digest: &str) -> Result<String, ArchiveError> {
    let ok = digest.split_once(':').filter(|(alg, hex)| {
        !alg.is_empty()
            && alg
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
            && !hex.is_empty()
            && hex.bytes().all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b))
    });
    match ok {
        Some((alg, hex)) => Ok(format!("blobs/{alg}/{hex}")),
        None => Err(ArchiveError::new(
            ErrorKind::Corrupt,
            format!("{digest:?} is not a valid digest (algorithm:hex)"),
        )),
    }
}

/// Opens `path`, failing with a clear error when it is missing.
pub fn open_required<'a>(layout: &'a dyn Layout, path: &str, what: &str) -> Result<Box<dyn ReadAt + 'a>, ArchiveError> {
    match layout.open(path) {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(ArchiveError::new(
            ErrorKind::MissingMember,
            format!("{what} is missing from the archive; it is incomplete: save or copy the image again"),
        )
        .in_member(path)),
        Err(e) => Err(ArchiveError::new(ErrorKind::Io, e.to_string()).in_member(path)),
    }
}

/// Reads a whole JSON member, at most [`MAX_JSON_BYTES`].
pub fn read_json<T: serde::de::DeserializeOwned>(
    layout: &dyn Layout,
    path: &str,
    what: &str,
) -> Result<T, ArchiveError> {
    let r = open_required(layout, path, what)?;
    let bytes = read_small(&*r, MAX_JSON_BYTES)
        .map_err(|e| e.in_member(path))?
        .ok_or_else(|| {
            ArchiveError::new(
                ErrorKind::TooLarge,
                format!("{what} is {} bytes, more than the {MAX_JSON_BYTES}-byte limit: this is not an image archive podgroups can read", r.len()),
            )
            .in_member(path)
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ArchiveError::new(
            ErrorKind::Corrupt,
            format!("{what} is not valid JSON of the expected shape: {e}"),
        )
        .in_member(path)
    })
}

/// All bytes of `r` if it has at most `limit`; `None` when it is larger.
pub fn read_small(r: &dyn ReadAt, limit: u64) -> Result<Option<Vec<u8>>, ArchiveError> {
    if r.len() > limit {
        return Ok(None);
    }
    let mut out = vec![0u8; usize::try_from(r.len()).unwrap_or(0)];
    let mut got = 0usize;
    while got < out.len() {
        let Some(rest) = out.get_mut(got..) else {
            break;
        };
        match r.read_at(got as u64, rest) {
            Ok(0) => {
                return Err(ArchiveError::new(
                    ErrorKind::Truncated,
                    "the member ends early: the archive is truncated",
                ));
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(ArchiveError::new(
                    ErrorKind::Truncated,
                    "the member ends early: the archive is truncated",
                ));
            }
            Err(e) => return Err(ArchiveError::new(ErrorKind::Io, e.to_string())),
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        assert_eq!(clean("./blobs//sha256/ab/"), Some("blobs/sha256/ab".into()));
        assert_eq!(clean("../etc/passwd"), None);
        assert_eq!(clean_lexical("abc/../def/layer.tar"), Some("def/layer.tar".into()));
        assert_eq!(clean_lexical("../x"), None);
    }

    #[test]
    fn digests() {
        assert_eq!(blob_path("sha256:0af1").ok(), Some("blobs/sha256/0af1".into()));
        assert!(blob_path("sha256:../../etc").is_err());
        assert!(blob_path("nocolon").is_err());
    }
}
