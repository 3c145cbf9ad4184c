//! Random-access input: the archive as bytes that can be read at any offset, so an outer tar is indexed by
//! reading its headers only and a layer is streamed without buffering it.

use std::io::{self, Read};

/// Bytes readable at any offset: a `&[u8]` in memory (wasm), a file on disk (the CLI), a member of an outer tar.
pub trait ReadAt {
    /// Total length in bytes.
    fn len(&self) -> u64;
    /// Reads up to `buf.len()` bytes at `off`; `Ok(0)` only at or past the end.
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize>;
    /// True when there are no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReadAt for [u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = usize::try_from(off).unwrap_or(usize::MAX).min(<[u8]>::len(self));
        let src = self.get(start..).unwrap_or_default();
        let n = src.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
        Ok(n)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn len(&self) -> u64 {
        (**self).len()
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(off, buf)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for Box<T> {
    fn len(&self) -> u64 {
        (**self).len()
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(off, buf)
    }
}

/// A window `[start, start + len)` of another [`ReadAt`]: one member of an outer tar.
pub struct Slice<R> {
    inner: R,
    start: u64,
    len: u64,
}

impl<R: ReadAt> Slice<R> {
    pub fn new(inner: R, start: u64, len: u64) -> Self {
        Slice { inner, start, len }
    }
}

impl<R: ReadAt> ReadAt for Slice<R> {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        if off >= self.len {
            return Ok(0);
        }
        let room = usize::try_from(self.len - off).unwrap_or(usize::MAX).min(buf.len());
        let Some(buf) = buf.get_mut(..room) else {
            return Ok(0);
        };
        let n = self.inner.read_at(self.start.saturating_add(off), buf)?;
        if n == 0 && room > 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends inside this member",
            ));
        }
        Ok(n)
    }
}

/// A byte stream that can skip forward: a tar reader skips file contents through it.
pub trait Skip: Read {
    /// Skips exactly `n` bytes, failing with `UnexpectedEof` if the stream ends first.
    fn skip(&mut self, n: u64) -> io::Result<()>;
}

impl<S: Skip + ?Sized> Skip for Box<S> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        (**self).skip(n)
    }
}

/// A sequential reader over a [`ReadAt`]; skipping is free (no bytes are read).
pub struct Cursor<R> {
    inner: R,
    pos: u64,
}

impl<R: ReadAt> Cursor<R> {
    pub fn new(inner: R) -> Self {
        Cursor { inner, pos: 0 }
    }
}

impl<R: ReadAt> Read for Cursor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read_at(self.pos, buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: ReadAt> Skip for Cursor<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let end = self.pos.saturating_add(n);
        if end > self.inner.len() {
            self.pos = self.inner.len();
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends inside a member",
            ));
        }
        self.pos = end;
        Ok(())
    }
}

/// A decompressed stream: skipping means reading and discarding.
pub struct Stream<R>(pub R);

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Skip for Stream<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let copied = io::copy(&mut (&mut self.0).take(n), &mut io::sink())?;
        if copied < n {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the layer ends inside a file",
            ));
        }
        Ok(())
    }
}
