//! Opens a layer blob as a tar stream, decompressing gzip or zstd on the fly. The compression is taken
//! from the blob's first bytes, not its media type: docker-save, OCI and foreign tools disagree on names,
//! the magic numbers do not lie.

use super::error::{ArchiveError, ErrorKind};
use super::read_at::{Cursor, ReadAt, Skip, Stream};
use super::tar::TarReader;
use flate2::bufread::MultiGzDecoder;
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use serde::Serialize;
use std::io::{self, BufRead, BufReader, Read};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// Input buffer for the decompressors.
const BUF: usize = 64 * 1024;

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Sniffs the first bytes of a blob; errors for formats runtimes do not accept either.
    pub fn detect(blob: &dyn ReadAt) -> Result<Compression, ArchiveError> {
        let mut head = [0u8; 6];
        let n = read_full_at(blob, &mut head)?;
        let head = head.get(..n).unwrap_or_default();
        if head.starts_with(&GZIP_MAGIC) {
            Ok(Compression::Gzip)
        } else if head.starts_with(&ZSTD_MAGIC) {
            Ok(Compression::Zstd)
        } else if head.starts_with(b"BZh") || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Err(ArchiveError::new(
                ErrorKind::Unsupported,
                "the layer is bzip2- or xz-compressed, which container runtimes do not accept either",
            ))
        } else {
            Ok(Compression::None)
        }
    }
}

/// The layer's tar entries, streamed.
pub type LayerTar<'a> = TarReader<Box<dyn Skip + 'a>>;

/// Opens `blob` as a tar stream with the given compression.
pub fn open<'a>(blob: Box<dyn ReadAt + 'a>, compression: Compression) -> LayerTar<'a> {
    TarReader::new(decompressed(blob, compression))
}

/// The uncompressed bytes of `blob`, streamed.
pub fn decompressed<'a>(blob: Box<dyn ReadAt + 'a>, compression: Compression) -> Box<dyn Skip + 'a> {
    match compression {
        Compression::None => Box::new(Cursor::new(blob)),
        Compression::Gzip => Box::new(Stream(MultiGzDecoder::new(BufReader::with_capacity(
            BUF,
            Cursor::new(blob),
        )))),
        Compression::Zstd => Box::new(Stream(Zstd::new(BufReader::with_capacity(BUF, Cursor::new(blob))))),
    }
}

fn read_full_at(blob: &dyn ReadAt, buf: &mut [u8]) -> Result<usize, ArchiveError> {
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..) {
        if rest.is_empty() {
            break;
        }
        match blob.read_at(got as u64, rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(ArchiveError::new(ErrorKind::Io, e.to_string())),
        }
    }
    Ok(got)
}

/// A zstd stream of one or more frames (skippable frames skipped), each frame's checksum verified.
/// Windows above ruzstd's default 128 MiB are refused, which bounds memory.
struct Zstd<R> {
    src: R,
    dec: FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> Zstd<R> {
    fn new(src: R) -> Self {
        Zstd {
            src,
            dec: FrameDecoder::new(),
            in_frame: false,
        }
    }

    /// Starts the next frame; `false` at the end of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.src.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.dec.reset(&mut self.src) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame { length, .. })) => {
                    let skipped = io::copy(&mut (&mut self.src).take(u64::from(length)), &mut io::sink())?;
                    if skipped < u64::from(length) {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "zstd data ends early"));
                    }
                }
                Err(e) => return Err(zstd_error(e)),
            }
        }
    }
}

fn zstd_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

impl<R: BufRead> Read for Zstd<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if !self.next_frame()? {
                    return Ok(0);
                }
                self.in_frame = true;
            }
            let n = self.dec.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if !self.dec.is_finished() {
                self.dec
                    .decode_blocks(&mut self.src, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(zstd_error)?;
                continue;
            }
            if let (Some(stored), Some(computed)) =
                (self.dec.get_checksum_from_data(), self.dec.get_calculated_checksum())
            {
                if stored != computed {
                    return Err(zstd_error("frame checksum mismatch (corrupt data)"));
                }
            }
            self.in_frame = false;
        }
    }
}
