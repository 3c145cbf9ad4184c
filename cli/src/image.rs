//! Image archives on the command line: `podgroups image ARCHIVE`, and `--image ARCHIVE` /
//! `--image-for CONTAINER=ARCHIVE` for `explain`, so nobody copies /etc/group out of an image by hand.
//!
//! The archive is read in place (a tar through positioned reads, a directory file by file); nothing is
//! unpacked. The core's `archive` module does the work; this file only opens files and prints.

use crate::args::{ArchiveArgs, Format, ImageArgs, ImageCmdArgs};
use podgroups_core::{explain as engine, Image, Input, Outcome};
use podgroups_image::{self as archive, ArchiveError, ErrorKind, EtcFile, ImageArchive, Layout, ReadAt, Selector};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

/// Reads the archives `explain` was given; refuses mixing `--image` with hand-given files.
pub fn for_explain(a: &ArchiveArgs, by_hand: &ImageArgs) -> Result<FromArchives, String> {
    if a.image.is_some() && !by_hand.is_empty() {
        return Err("--image reads USER, /etc/passwd and /etc/group from the archive: drop --passwd, --group, --no-passwd, --no-group and --image-user, or drop --image".into());
    }
    let mut out = FromArchives {
        image: None,
        images: BTreeMap::new(),
        notes: String::new(),
        default: None,
    };
    if let Some(path) = &a.image {
        let sel = Selector {
            reference: a.image_ref.clone(),
            platform: a.platform.clone(),
            verify_digests: a.verify_digests,
        };
        let found = read(path, &sel)?;
        out.notes.push_str(&summary(path, &found));
        out.image = Some(found.image.clone());
        out.default = Some((path.clone(), found));
    } else if let Some(reference) = &a.image_ref {
        if !by_hand.is_empty() {
            return Err("--image-ref reads USER, /etc/passwd and /etc/group from the registry: drop --passwd, --group, --no-passwd, --no-group and --image-user, or drop --image-ref".into());
        }
        let (name, found) = crate::registry::one(&a.registry, &a.platform, reference)?;
        out.notes.push_str(&summary(Path::new(&name), &found));
        out.image = Some(found.image);
    }
    for spec in &a.image_for {
        let (key, path) = spec
            .split_once('=')
            .filter(|(k, p)| !k.is_empty() && !p.is_empty())
            .ok_or_else(|| format!("--image-for {spec:?}: expected KEY=ARCHIVE, e.g. --image-for web=web.tar"))?;
        let path = Path::new(path);
        let sel = Selector {
            reference: None,
            platform: a.platform.clone(),
            verify_digests: a.verify_digests,
        };
        let found = match read_archive(path, &sel) {
            // Several images: the key names the image (`--image-for nginx:1.27=all.tar`).
            Err(e) if e.kind == ErrorKind::Ambiguous => read_archive(
                path,
                &Selector {
                    reference: Some(key.to_owned()),
                    ..sel
                },
            )
            .map_err(|e2| {
                format!(
                    "{}: {e}\n(--image-for {key}=…: {key:?} is not one of its images either: {})",
                    path.display(),
                    e2.message
                )
            })?,
            other => other.map_err(|e| format!("{}: {e}", path.display()))?,
        };
        let _ = write!(out.notes, "for {key}: ");
        out.notes.push_str(&summary(path, &found));
        out.images.insert(key.to_owned(), found.image);
    }
    Ok(out)
}

/// `podgroups image ARCHIVE`: the image's user, its groups and what Merge adds that no manifest names.
pub fn run(a: &ImageCmdArgs) -> Result<ExitCode, String> {
    let (source, found, again) = locate(a)?;
    let name = found.names.first().cloned().unwrap_or_else(|| "image".to_owned());
    // A pod that leaves the identity to the image, as most do: the engine decides the rest.
    let manifest = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "image"},
        "spec": {"containers": [{"name": "main", "image": name}]}
    });
    let input = Input {
        manifests: manifest.to_string(),
        image: found.image.clone(),
        environment: a.env.environment()?,
        ..Input::default()
    };
    let report = engine(&input).map_err(|e| format!("{}: {e}", source.display()))?;
    let ctr = report
        .workloads
        .first()
        .and_then(|w| w.containers.first())
        .ok_or("the engine returned no container")?;
    match a.output {
        Format::Json | Format::Yaml => {
            #[derive(Serialize)]
            struct Out<'a> {
                archive: &'a ImageArchive,
                merge: &'a Outcome,
                strict: &'a Outcome,
                implicit_gids: &'a [u32],
            }
            let out = Out {
                archive: &found,
                merge: &ctr.merge,
                strict: &ctr.strict,
                implicit_gids: &ctr.implicit_gids,
            };
            if a.output == Format::Json {
                println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
            } else {
                print!("{}", serde_saphyr::to_string(&out).map_err(|e| e.to_string())?);
            }
        }
        Format::Text => {
            let mut t = summary(&source, &found);
            merge_text(&mut t, &ctr.merge, &again);
            print!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The image to read (an archive, else a registry reference): its source, what it holds, and the
/// option that gives it again to `explain`.
fn locate(a: &ImageCmdArgs) -> Result<(PathBuf, ImageArchive, String), String> {
    let sel = Selector {
        reference: a.image_ref.clone(),
        platform: a.platform.clone(),
        verify_digests: a.verify_digests,
    };
    match (&a.archive, &a.image_ref) {
        (Some(path), _) => Ok((path.clone(), read(path, &sel)?, format!("--image {}", path.display()))),
        (None, Some(reference)) => {
            let (name, found) = crate::registry::one(&a.registry, &a.platform, reference)?;
            let again = format!("--image-ref {name}");
            Ok((PathBuf::from(name), found, again))
        }
        (None, None) => Err("give an image archive, or --image-ref REF to read the image from its registry".into()),
    }
}

/// What the image's user gets under Merge: its id, and the groups `/etc/group` adds that no manifest names.
fn merge_text(t: &mut String, merge: &Outcome, again: &str) {
    match merge {
        Outcome::Runs(id) => {
            let _ = writeln!(t, "runs as: {}", id.id_coreutils);
            let implicit: Vec<String> = id
                .gid_origins
                .iter()
                .filter(|g| g.implicit)
                .map(|g| match &g.name {
                    Some(n) => format!("{}({n})", g.gid),
                    None => g.gid.to_string(),
                })
                .collect();
            if implicit.is_empty() {
                let _ = writeln!(
                    t,
                    "risk: none; /etc/group adds no group to this user beyond its primary group."
                );
            } else {
                let _ = writeln!(
                    t,
                    "risk: a container running as this user gets {} from the image's /etc/group, which no manifest names \
                     (supplementalGroupsPolicy unset or Merge). `supplementalGroupsPolicy: Strict` removes them; \
                     `podgroups explain POD.yaml {again}` shows a pod's exact groups.",
                    implicit.join(", "),
                );
            }
        }
        Outcome::DependsOnImage(p) => {
            for u in &p.unknown {
                let _ = writeln!(t, "unknown: {u}");
            }
        }
        Outcome::Refused(r) => {
            let _ = writeln!(t, "the container would not start: {r}");
        }
    }
}

/// Reads one archive, with the path in error messages.
pub fn read(path: &Path, sel: &Selector) -> Result<ImageArchive, String> {
    read_archive(path, sel).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_archive(path: &Path, sel: &Selector) -> Result<ImageArchive, ArchiveError> {
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
