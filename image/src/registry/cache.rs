//! The content-addressed blob cache: `DIR/blobs/sha256/HEX` written only after the digest and size
//! were verified (a temporary file renamed into place, so concurrent runs and cut downloads never
//! leave a partial blob), and `DIR/refs/HEX` mapping a tag reference to its manifest digest for
//! `--offline`.

use crate::read_at::ReadAt;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// A cache directory.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

impl Cache {
    pub fn new(dir: PathBuf) -> Self {
        Cache { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the blob with this digest lives (only `sha256:` + 64 hex digits are cached).
    pub fn blob_path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:")?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
            .then(|| self.dir.join("blobs").join("sha256").join(hex))
    }

    /// The cached blob, marked as just used (for `--cache-max` eviction).
    pub fn open(&self, digest: &str) -> Option<FileAt> {
        let path = self.blob_path(digest)?;
        let file = File::open(&path).ok()?;
        let _ = file.set_modified(SystemTime::now());
        FileAt::new(file).ok()
    }

    /// A writer for the blob `digest` of `size` bytes; [`BlobWriter::commit`] verifies and publishes it.
    pub fn writer(&self, digest: &str, size: Option<u64>) -> io::Result<BlobWriter> {
        let dest = self
            .blob_path(digest)
            .ok_or_else(|| io::Error::other(format!("{digest:?}: only sha256 digests are supported")))?;
        let tmp_dir = self.dir.join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        let tmp = tmp_dir.join(format!(
            "{}.{}.{}",
            digest.trim_start_matches("sha256:"),
            std::process::id(),
            TMP_SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        Ok(BlobWriter {
            file: Some(File::create(&tmp)?),
            tmp,
            dest,
            digest: digest.to_owned(),
            size,
            written: 0,
            hash: Sha256::new(),
        })
    }

    /// Stores `bytes` as the blob `digest` after checking it.
    pub fn put(&self, digest: &str, bytes: &[u8]) -> io::Result<()> {
        let mut w = self.writer(digest, None)?;
        w.write_all(bytes)?;
        w.commit()
    }

    fn ref_path(&self, key: &str) -> PathBuf {
        let hex: String = Sha256::digest(key.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.dir.join("refs").join(hex)
    }

    /// Records that the tag reference `key` resolved to `digest` (atomically replaced).
    pub fn put_ref(&self, key: &str, digest: &str) -> io::Result<()> {
        let path = self.ref_path(key);
        let dir = self.dir.join("refs");
        fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(
            ".{}.{}",
            std::process::id(),
            TMP_SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        fs::write(&tmp, format!("{digest}\n{key}\n"))?;
        fs::rename(&tmp, &path)
    }

    /// The manifest digest the tag reference `key` last resolved to.
    pub fn get_ref(&self, key: &str) -> Option<String> {
        let text = fs::read_to_string(self.ref_path(key)).ok()?;
        let mut lines = text.lines();
        let digest = lines.next()?.to_owned();
        (lines.next() == Some(key) && self.blob_path(&digest).is_some()).then_some(digest)
    }

    /// Deletes least recently used blobs until the cache holds at most `max` bytes, sparing `keep`.
    /// Returns the bytes freed.
    pub fn prune(&self, max: u64, keep: &[String]) -> io::Result<u64> {
        let dir = self.dir.join("blobs").join("sha256");
        let mut blobs = Vec::new();
        let mut total = 0u64;
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            total += meta.len();
            let name = entry.file_name().to_string_lossy().into_owned();
            if keep.iter().any(|k| k.strip_prefix("sha256:") == Some(name.as_str())) {
                continue;
            }
            blobs.push((
                meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                meta.len(),
                entry.path(),
            ));
        }
        blobs.sort();
        let mut freed = 0;
        for (_, len, path) in blobs {
            if total <= max {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(len);
                freed += len;
            }
        }
        Ok(freed)
    }
}

/// A blob being downloaded into the cache: hashed as it is written, published by [`commit`](Self::commit)
/// only if digest and size match, removed otherwise (also when dropped).
pub struct BlobWriter {
    file: Option<File>,
    tmp: PathBuf,
    dest: PathBuf,
    digest: String,
    size: Option<u64>,
    written: u64,
    hash: Sha256,
}

impl BlobWriter {
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Checks size and digest, then renames the blob into place.
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file.take();
        if let Some(f) = &file {
            f.sync_all()?;
        }
        drop(file);
        if let Some(size) = self.size.filter(|s| *s != self.written) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("got {} bytes where the manifest says {size}", self.written),
            ));
        }
        let got: String = std::mem::take(&mut self.hash)
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let got = format!("sha256:{got}");
        if got != self.digest {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "digest mismatch: the registry sent content with digest {got}, expected {}",
                    self.digest
                ),
            ));
        }
        fs::rename(&self.tmp, &self.dest)
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len() as u64;
        if let Some(size) = self.size.filter(|s| self.written > *s) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the registry sends more than the {size} bytes the manifest says"),
            ));
        }
        self.hash.update(buf);
        match &mut self.file {
            Some(f) => f.write_all(buf).map(|()| buf.len()),
            None => Err(io::Error::other("blob already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), File::flush)
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        // Not committed (or commit failed before the rename): never leave a partial blob behind.
        let _ = fs::remove_file(&self.tmp);
    }
}

/// A cached file read with positioned reads.
pub struct FileAt {
    file: File,
    len: u64,
}

impl FileAt {
    pub fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(FileAt { file, len })
    }
}

impl ReadAt for FileAt {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(&self.file, buf, off)
        }
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(&self.file, buf, off)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(b: &[u8]) -> String {
        let h: String = Sha256::digest(b).iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{h}")
    }

    #[test]
    fn verified_blobs_only() {
        let dir = std::env::temp_dir().join(format!("podgroups-cache-test-{}", std::process::id()));
        let cache = Cache::new(dir.clone());
        let good = b"hello";
        cache.put(&sha(good), good).unwrap();
        assert_eq!(cache.open(&sha(good)).map(|f| f.len()), Some(5));
        // Wrong content under a digest: refused, nothing cached, no temporary file left.
        let other = sha(b"other");
        let err = cache.put(&other, good).unwrap_err();
        assert!(err.to_string().contains("digest mismatch"), "{err}");
        assert!(cache.open(&other).is_none());
        // Cut short: dropped without commit.
        let mut w = cache.writer(&other, Some(5)).unwrap();
        w.write_all(b"ot").unwrap();
        drop(w);
        assert!(cache.open(&other).is_none());
        assert_eq!(fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        // Too long for its descriptor.
        let mut w = cache.writer(&other, Some(2)).unwrap();
        assert!(w.write_all(b"other").is_err());
        // Refs.
        cache.put_ref("localhost:5000/app:1", &sha(good)).unwrap();
        assert_eq!(cache.get_ref("localhost:5000/app:1"), Some(sha(good)));
        assert_eq!(cache.get_ref("localhost:5000/app:2"), None);
        // Pruning spares kept blobs.
        cache.put(&sha(b"x"), b"x").unwrap();
        assert_eq!(cache.prune(0, &[sha(good)]).unwrap(), 1);
        assert!(cache.open(&sha(good)).is_some());
        fs::remove_dir_all(dir).unwrap();
    }
}
