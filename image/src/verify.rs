//! Optional digest checks ([`super::Selector::verify_digests`]): layer blobs against their OCI digests,
//! docker-save layers against the config's `diff_ids` (digests of the uncompressed tar), configs against
//! their digest. Off by default: it reads every byte, where the normal pass skips file contents by seeking.

use super::error::{ArchiveError, ErrorKind};
use super::read_at::{Cursor, ReadAt};
use sha2::{Digest, Sha256, Sha512};
use std::io::{self, Read};

const CHUNK: usize = 256 * 1024;

enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    fn for_digest(digest: &str) -> Result<(Hasher, &str), ArchiveError> {
        match digest.split_once(':') {
            Some(("sha256", hex)) => Ok((Hasher::Sha256(Sha256::new()), hex)),
            Some(("sha512", hex)) => Ok((Hasher::Sha512(Sha512::new()), hex)),
            _ => Err(ArchiveError::new(
                ErrorKind::Unsupported,
                format!("cannot verify digest {digest:?}: only sha256 and sha512 are supported"),
            )),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn hex(self) -> String {
        let bytes: Vec<u8> = match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Checks that the bytes of `blob` have `digest`.
pub fn blob(blob: &dyn ReadAt, digest: &str) -> Result<(), ArchiveError> {
    stream(Cursor::new(blob), digest)
}

/// Checks that everything `r` yields has `digest`.
pub fn stream(mut r: impl Read, digest: &str) -> Result<(), ArchiveError> {
    let (mut hasher, want) = Hasher::for_digest(digest)?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(ArchiveError::new(
                    ErrorKind::Truncated,
                    format!("{e}; the archive is truncated"),
                ));
            }
            Err(e) => return Err(ArchiveError::new(ErrorKind::Corrupt, e.to_string())),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    let got = hasher.hex();
    if got.eq_ignore_ascii_case(want) {
        Ok(())
    } else {
        Err(ArchiveError::new(
            ErrorKind::Corrupt,
            format!("content does not match its digest {digest} (it hashes to {got}): the archive is damaged or was altered; save or copy the image again"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let (none, x): (&[u8], &[u8]) = (b"", b"x");
        assert!(blob(&none, empty).is_ok());
        assert_eq!(blob(&x, empty).map_err(|e| e.kind), Err(ErrorKind::Corrupt));
        assert_eq!(blob(&none, "md5:00").map_err(|e| e.kind), Err(ErrorKind::Unsupported));
    }
}
