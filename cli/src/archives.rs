//! Image archives on disk: a tar read in place through positioned reads, an OCI layout directory file
//! by file (nothing is unpacked), and the text that says where USER and each file came from.
//! `podgroups-image` does the work; this file opens files and words the result.

use podgroups_core::Image;
use podgroups_image::{self as archive, ArchiveError, ErrorKind, EtcFile, ImageArchive, Layout, ReadAt, Selector};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// What `explain` gets from the archive options.
pub struct FromArchives {
    /// The image for every container (from `--image`).
    pub image: Option<Image>,
    /// Images for particular containers or image references (from `--image-for`).
    pub images: BTreeMap<String, Image>,
    /// One paragraph per archive read: where USER and each file came from.
    pub notes: String,
    /// The `--image` archive and what it holds, to notice containers that run another image.
    pub default: Option<(PathBuf, ImageArchive)>,
}

impl FromArchives {
    /// Notes for containers that get the `--image` archive's files although their manifest names
    /// another image: probably a sidecar that wants `--image-for`.
    pub fn unmatched(&self, reports: &[(&str, podgroups_core::Report)]) -> String {
        let Some((path, found)) = &self.default else {
            return String::new();
        };
        let mut out = String::new();
        for c in reports
            .iter()
            .flat_map(|(_, r)| &r.workloads)
            .flat_map(|w| &w.containers)
        {
            if self.images.contains_key(&c.name) || self.images.contains_key(&c.image) || found.is_named(&c.image) {
                continue;
            }
            let _ = writeln!(
                out,
                "podgroups: note: container {:?} runs {:?}, but {} holds {}; it was explained with that archive's \
                 files; give its own with --image-for {}=ARCHIVE",
                c.name,
                c.image,
                path.display(),
                if found.names.is_empty() {
                    "an untagged image".to_owned()
                } else {
                    found.names.join(", ")
                },
                c.name
            );
        }
        out
    }
}

/// Reads one archive, with the path in error messages.
pub fn read(path: &Path, sel: &Selector) -> Result<ImageArchive, String> {
    read_archive(path, sel).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn read_archive(path: &Path, sel: &Selector) -> Result<ImageArchive, ArchiveError> {
    let io_err = |e: io::Error| ArchiveError::other(ErrorKind::Io, e.to_string());
    let meta = std::fs::metadata(path).map_err(io_err)?;
    let found = if meta.is_dir() {
        let root = path.canonicalize().map_err(io_err)?;
        archive::read_layout(&DirLayout { root }, sel)?
    } else {
        archive::read_image_at(FileAt::open(path).map_err(io_err)?, sel)?
    };
    for (name, file) in [("etc/passwd", &found.passwd), ("etc/group", &found.group)] {
        if let Some(err) = file.runtime_error(name) {
            // The releases that refuse such a file come from the core's one release table.
            let runtimes = match file {
                EtcFile::NotRegular { .. } | EtcFile::TooLarge { .. } => {
                    podgroups_core::Runtime::user_file_bounds_releases()
                }
                _ => "containerd".to_owned(),
            };
            eprintln!(
                "podgroups: warning: {}: {}. The runtime may refuse to create the container ({runtimes}: \
                 {err:?}); podgroups predicts as if the file were absent",
                path.display(),
                file.describe(&found.layers)
            );
        }
    }
    Ok(found)
}

/// Where USER and each file came from, for the text output.
pub fn summary(path: &Path, found: &ImageArchive) -> String {
    let mut t = String::new();
    let names = if found.names.is_empty() {
        "untagged".to_owned()
    } else {
        found.names.join(", ")
    };
    let platform = found.platform.as_ref().map(|p| format!(", {p}")).unwrap_or_default();
    let id = found
        .config_digest
        .as_deref()
        .map(|d| format!(", image ID {d}"))
        .unwrap_or_default();
    let _ = writeln!(
        t,
        "image {} ({names}{platform}{id}), {} layers",
        path.display(),
        found.layers.len()
    );
    let user = match found.image.user.as_deref() {
        Some("") => "unset (root)".to_owned(),
        Some(user) => format!("{user:?}"),
        None => "unknown".to_owned(),
    };
    let _ = writeln!(t, "  USER: {user}");
    let _ = writeln!(t, "  /etc/passwd: {}", found.passwd.describe(&found.layers));
    let _ = writeln!(t, "  /etc/group:  {}", found.group.describe(&found.layers));
    if found.layers_skipped > 0 {
        let _ = writeln!(
            t,
            "  (the top layer alone decides both files: {} lower layer(s) not downloaded)",
            found.layers_skipped
        );
    }
    t.push('\n');
    t
}

/// A file read with positioned reads, so layers are streamed without loading the archive.
struct FileAt {
    file: File,
    len: u64,
    #[cfg(not(unix))]
    lock: std::sync::Mutex<()>,
}

impl FileAt {
    fn open(path: &Path) -> io::Result<FileAt> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileAt {
            file,
            len,
            #[cfg(not(unix))]
            lock: std::sync::Mutex::new(()),
        })
    }
}

impl ReadAt for FileAt {
    fn len(&self) -> u64 {
        self.len
    }

    #[cfg(unix)]
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&self.file, buf, off)
    }

    #[cfg(not(unix))]
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        use std::io::{Read, Seek, SeekFrom};
        let _guard = self.lock.lock().map_err(|_| io::Error::other("file lock poisoned"))?;
        let mut f = &self.file;
        f.seek(SeekFrom::Start(off))?;
        f.read(buf)
    }
}

/// An OCI layout (or unpacked docker save) directory; symlinks may not lead out of it.
struct DirLayout {
    root: PathBuf,
}

impl Layout for DirLayout {
    fn open(&self, path: &str) -> io::Result<Option<Box<dyn ReadAt + '_>>> {
        let full = match self.root.join(path).canonicalize() {
            Ok(p) => p,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        if !full.starts_with(&self.root) {
            return Err(io::Error::other(format!("{path} links outside the layout directory")));
        }
        if !full.is_file() {
            return Ok(None);
        }
        Ok(Some(Box::new(FileAt::open(&full)?)))
    }
}
