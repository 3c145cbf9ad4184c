//! A small read-only streaming tar reader: ustar/POSIX headers, GNU long names (`L`/`K`), PAX
//! `path`/`linkpath`/`size` records. Only headers are kept; contents are skipped unless asked for, so a
//! multi-GB layer streams through in constant memory.

use super::read_at::Skip;
use std::io::{self, Read};

const BLOCK: u64 = 512;
/// GNU long names and PAX headers larger than this are refused (real ones are a few hundred bytes).
const MAX_META_BYTES: u64 = 1024 * 1024;

/// The kind of a tar entry, from its type flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    HardLink,
    Symlink,
    Dir,
    CharDevice,
    BlockDevice,
    Fifo,
    /// Any other type flag (GNU sparse `S`, vendor types): kept only as "not a regular file".
    Other(u8),
}

impl Kind {
    /// Entry types whose header carries no content, whatever its size field says (as Go's archive/tar).
    fn header_only(self) -> bool {
        matches!(
            self,
            Kind::HardLink | Kind::Symlink | Kind::Dir | Kind::CharDevice | Kind::BlockDevice | Kind::Fifo
        )
    }

    /// How `ls -l` would call it, for "not a regular file" explanations.
    pub fn describe(self) -> String {
        match self {
            Kind::File => "regular file".into(),
            Kind::HardLink => "hard link".into(),
            Kind::Symlink => "symbolic link".into(),
            Kind::Dir => "directory".into(),
            Kind::CharDevice => "character device".into(),
            Kind::BlockDevice => "block device".into(),
            Kind::Fifo => "named pipe".into(),
            Kind::Other(t) => format!("tar entry of type {:?}", char::from(t)),
        }
    }
}

/// One entry's header.
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: String,
    pub link: String,
    pub kind: Kind,
    /// Content length in bytes (0 for header-only kinds).
    pub size: u64,
    /// Offset of the content from the start of the stream.
    pub data_offset: u64,
}

/// Why a tar stream cannot be read.
#[derive(Debug)]
pub enum TarError {
    /// The stream ended inside a header or a file's content.
    Truncated {
        offset: u64,
    },
    /// A header failed its checksum or has an unreadable field.
    Corrupt {
        offset: u64,
        why: String,
    },
    Io(io::Error),
}

impl std::fmt::Display for TarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TarError::Truncated { offset } => {
                write!(f, "the tar data ends early (at byte {offset}): the file is truncated")
            }
            TarError::Corrupt { offset, why } => {
                write!(f, "corrupt tar header at byte {offset}: {why}")
            }
            TarError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Streams the entries of a tar archive.
pub struct TarReader<S> {
    src: S,
    /// Bytes consumed from `src` so far.
    pos: u64,
    /// Content bytes of the current entry not yet consumed, then its padding.
    remaining: u64,
    padding: u64,
    done: bool,
}

impl<S: Skip> TarReader<S> {
    pub fn new(src: S) -> Self {
        TarReader {
            src,
            pos: 0,
            remaining: 0,
            padding: 0,
            done: false,
        }
    }

    /// The next entry, or `None` at the end of the archive.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, TarError> {
        self.skip_rest()?;
        let mut ext = Extended::default();
        loop {
            let header_offset = self.pos;
            let Some(h) = self.read_header()? else {
                return Ok(None);
            };
            let size = ext.size.take().unwrap_or(h.size);
            match h.typeflag {
                b'L' | b'K' | b'x' => {
                    self.read_extended(&h, size, header_offset, &mut ext)?;
                    continue;
                }
                b'g' => {
                    // Global PAX header: ignored, as containerd does.
                    self.start_content(size);
                    self.skip_rest()?;
                    continue;
                }
                _ => {}
            }
            let mut kind = Kind::of(h.typeflag);
            let path = ext.path.take().or(ext.long_name.take()).unwrap_or(h.name);
            if h.typeflag == b'\0' && path.ends_with('/') {
                kind = Kind::Dir; // old V7 archives mark directories by a trailing slash only
            }
            let link = ext.link.take().or(ext.long_link.take()).unwrap_or(h.link);
            let size = if kind.header_only() { 0 } else { size };
            self.start_content(size);
            return Ok(Some(Entry {
                path,
                link,
                kind,
                size,
                data_offset: self.pos,
            }));
        }
    }

    /// The next header block, or `None` at the end of the archive (two zero blocks, or the stream's end
    /// at a block boundary).
    fn read_header(&mut self) -> Result<Option<Header>, TarError> {
        if self.done {
            return Ok(None);
        }
        let header_offset = self.pos;
        let mut block = [0u8; 512];
        let got = self.fill(&mut block)?;
        if got == 0 {
            // A stream that stops at a block boundary without the end-of-archive blocks (as Go accepts).
            self.done = true;
            return Ok(None);
        }
        if got < block.len() {
            return Err(TarError::Truncated { offset: self.pos });
        }
        if block.iter().all(|&b| b == 0) {
            self.done = true;
            return Ok(None);
        }
        Header::parse(&block).map(Some).map_err(|why| TarError::Corrupt {
            offset: header_offset,
            why,
        })
    }

    /// Reads a GNU long name/link (`L`, `K`) or a PAX extended header (`x`) into `ext`, for the next entry.
    fn read_extended(&mut self, h: &Header, size: u64, header_offset: u64, ext: &mut Extended) -> Result<(), TarError> {
        if size > MAX_META_BYTES {
            return Err(TarError::Corrupt {
                offset: header_offset,
                why: format!("a {size}-byte long-name/PAX header (more than {MAX_META_BYTES} bytes)"),
            });
        }
        let data = self.read_meta(size)?;
        match h.typeflag {
            b'L' => ext.long_name = Some(c_string(&data)),
            b'K' => ext.long_link = Some(c_string(&data)),
            _ => {
                let records = parse_pax(&data).map_err(|why| TarError::Corrupt {
                    offset: header_offset,
                    why,
                })?;
                for (key, value) in records {
                    match key.as_str() {
                        "path" => ext.path = Some(value),
                        "linkpath" => ext.link = Some(value),
                        "size" => {
                            ext.size = Some(value.parse().map_err(|_| TarError::Corrupt {
                                offset: header_offset,
                                why: format!("PAX size {value:?} is not a number"),
                            })?)
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads the current entry's whole content (call right after [`Self::next_entry`]).
    pub fn read_content(&mut self) -> Result<Vec<u8>, TarError> {
        let n = self.remaining;
        let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(16 << 20));
        let got = (&mut self.src).take(n).read_to_end(&mut out).map_err(TarError::Io)? as u64;
        self.pos += got;
        self.remaining -= got.min(self.remaining);
        if got < n {
            return Err(TarError::Truncated { offset: self.pos });
        }
        Ok(out)
    }

    /// Reads the stream to its end after the last entry, so that decompressors verify their trailing
    /// checksums (gzip CRC-32, zstd frame checksum): corruption is caught even past the tar's end.
    pub fn drain(&mut self) -> Result<(), TarError> {
        self.skip_rest()?;
        let n = io::copy(&mut self.src, &mut io::sink()).map_err(|e| self.io_error(e))?;
        self.pos = self.pos.saturating_add(n);
        Ok(())
    }

    fn start_content(&mut self, size: u64) {
        self.remaining = size;
        self.padding = (BLOCK - size % BLOCK) % BLOCK;
    }

    fn skip_rest(&mut self) -> Result<(), TarError> {
        let n = self.remaining.saturating_add(self.padding);
        if n > 0 {
            self.src.skip(n).map_err(|e| self.io_error(e))?;
            self.pos = self.pos.saturating_add(n);
            self.remaining = 0;
            self.padding = 0;
        }
        Ok(())
    }

    fn read_meta(&mut self, size: u64) -> Result<Vec<u8>, TarError> {
        self.start_content(size);
        let data = self.read_content()?;
        self.skip_rest()?;
        Ok(data)
    }

    /// Reads up to a full block; returns how many bytes arrived before the end of the stream.
    fn fill(&mut self, block: &mut [u8; 512]) -> Result<usize, TarError> {
        let mut got = 0;
        while got < block.len() {
            let Some(rest) = block.get_mut(got..) else {
                break;
            };
            match self.src.read(rest) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
        self.pos += got as u64;
        Ok(got)
    }

    fn io_error(&self, e: io::Error) -> TarError {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            TarError::Truncated { offset: self.pos }
        } else {
            TarError::Io(e)
        }
    }
}

/// What GNU long-name and PAX headers say about the entry that follows them.
#[derive(Default)]
struct Extended {
    long_name: Option<String>,
    long_link: Option<String>,
    path: Option<String>,
    link: Option<String>,
    size: Option<u64>,
}

impl Kind {
    /// The entry kind a header's typeflag names.
    fn of(typeflag: u8) -> Kind {
        match typeflag {
            b'0' | b'\0' | b'7' => Kind::File,
            b'1' => Kind::HardLink,
            b'2' => Kind::Symlink,
            b'3' => Kind::CharDevice,
            b'4' => Kind::BlockDevice,
            b'5' => Kind::Dir,
            b'6' => Kind::Fifo,
            t => Kind::Other(t),
        }
    }
}

struct Header {
    name: String,
    link: String,
    size: u64,
    typeflag: u8,
}

impl Header {
    fn parse(b: &[u8; 512]) -> Result<Header, String> {
        let field = |start: usize, len: usize| b.get(start..start + len).unwrap_or_default();
        let stored = parse_number(field(148, 8)).map_err(|e| format!("checksum field: {e}"))?;
        let (mut unsigned, mut signed) = (0u64, 0i64);
        for (i, &byte) in b.iter().enumerate() {
            let byte = if (148..156).contains(&i) { b' ' } else { byte };
            unsigned += u64::from(byte);
            signed += i64::from(byte as i8);
        }
        if stored != unsigned && i64::try_from(stored).ok() != Some(signed) {
            return Err("header checksum mismatch (not a tar archive, or corrupt data)".into());
        }
        let size = parse_number(field(124, 12)).map_err(|e| format!("size field: {e}"))?;
        let typeflag = b.get(156).copied().unwrap_or(0);
        let mut name = c_string(field(0, 100));
        let link = c_string(field(157, 100));
        // POSIX ustar (magic "ustar\0") splits long names into prefix + name; GNU ("ustar  ") has no prefix.
        if field(257, 6) == b"ustar\0" {
            let prefix = c_string(field(345, 155));
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        Ok(Header {
            name,
            link,
            size,
            typeflag,
        })
    }
}

/// Octal (NUL/space padded) or GNU base-256 (high bit set) numeric field.
fn parse_number(field: &[u8]) -> Result<u64, String> {
    if let Some((&first, rest)) = field.split_first() {
        if first & 0x80 != 0 {
            if first & 0x40 != 0 {
                return Err("negative base-256 number".into());
            }
            let mut n: u64 = u64::from(first & 0x3f);
            for &b in rest {
                n = n
                    .checked_mul(256)
                    .and_then(|n| n.checked_add(u64::from(b)))
                    .ok_or("number too large")?;
            }
            return Ok(n);
        }
    }
    let text: Vec<u8> = field.iter().copied().take_while(|&b| b != 0).collect();
    let text = String::from_utf8_lossy(&text);
    let text = text.trim_matches(' ');
    if text.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(text, 8).map_err(|_| format!("{text:?} is not an octal number"))
}

fn c_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(b.get(..end).unwrap_or_default()).into_owned()
}

/// PAX records: `"<len> <key>=<value>\n"` repeated, `<len>` counting the whole record.
fn parse_pax(mut data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let space = data
            .iter()
            .position(|&b| b == b' ')
            .ok_or("PAX record without a length")?;
        let len: usize = std::str::from_utf8(data.get(..space).unwrap_or_default())
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("PAX record length is not a number")?;
        let record = data.get(space + 1..len).ok_or("PAX record longer than its header")?;
        let record = record
            .strip_suffix(b"\n")
            .ok_or("PAX record does not end with a newline")?;
        let eq = record.iter().position(|&b| b == b'=').ok_or("PAX record without '='")?;
        let key = String::from_utf8_lossy(record.get(..eq).unwrap_or_default()).into_owned();
        let value = String::from_utf8_lossy(record.get(eq + 1..).unwrap_or_default()).into_owned();
        out.push((key, value));
        data = data.get(len..).unwrap_or_default();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"0000644\0").ok(), Some(0o644));
        assert_eq!(parse_number(b"  17 \0").ok(), Some(0o17));
        assert_eq!(parse_number(&[0x80, 0, 0, 1, 0]).ok(), Some(256));
        assert!(parse_number(b"9\0").is_err());
    }

    #[test]
    fn pax_records() {
        let recs = parse_pax(b"29 path=etc/a-very-long-name\n").ok();
        assert_eq!(recs, Some(vec![("path".into(), "etc/a-very-long-name".into())]));
        assert!(parse_pax(b"99 path=x\n").is_err());
        assert!(parse_pax(b"x").is_err());
    }
}
