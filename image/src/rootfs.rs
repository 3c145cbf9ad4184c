//! The final root filesystem's *metadata* — entry kinds, symlink targets, which layer entry holds each
//! regular file — built by applying layer tars in order, never their contents.
//!
//! Applying follows containerd's applier (`archive/tar.go Apply`) on its default overlayfs snapshotter:
//! - names are cleaned (`..` cannot climb above the root); the parent directory is resolved through
//!   symlinks inside the rootfs, the last component is not; missing parents are created;
//! - `.wh.NAME` removes `NAME` and everything under it; `.wh..wh..opq` hides everything the lower layers
//!   put in that directory (entries of the same layer stay, whatever their order in the tar);
//!   other `.wh..wh.*` entries at the root (AUFS metadata) are ignored;
//! - an entry replaces what was there, except a directory over a directory, which merges;
//! - a hard link (`1`) takes the content the target path has at that moment (parent symlinks resolved).
//!
//! Memory is proportional to the number of paths in the final rootfs (a few dozen bytes each), not to
//! the size of the layers.

use super::provenance::{EtcFile, RemovedBy};
use super::tar::{Entry, Kind as TarKind};
use std::collections::BTreeMap;

/// Symlinks followed in one resolution before giving up, as securejoin / continuity `RootPath` (255).
pub const MAX_SYMLINKS: usize = 255;

/// Where the content of a regular file is: the layer (0 = base) and the entry's ordinal in its tar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub layer: usize,
    pub entry: u64,
    pub size: u64,
}

#[derive(Clone, Debug)]
enum Kind {
    Dir,
    File(Origin),
    Symlink(Box<str>),
    Special(TarKind),
}

#[derive(Clone, Debug)]
struct Node {
    kind: Kind,
    /// The last layer that wrote this path (opaque directories keep only the current layer's entries).
    layer: usize,
}

/// A regular file found in the final rootfs after symlink resolution (Spec 8.11); every other fate
/// (absent, not regular, not a directory, too many links) is the `EtcFile` the lookup returns instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The resolved path.
    pub path: String,
    /// Where its content is.
    pub origin: Origin,
    /// The symlinks followed (`link -> target`).
    pub links: Vec<String>,
}

/// Paths kept at most (real images have up to about a million); bounds memory on hostile input.
pub const MAX_PATHS: usize = 5_000_000;
/// Bytes of path names kept at most.
pub const MAX_PATH_BYTES: usize = 512 * 1024 * 1024;

/// A layer cannot be applied, as containerd would fail to unpack it.
#[derive(Debug, PartialEq, Eq)]
pub struct ApplyError(pub String);

/// Applying stopped: `Broken` as containerd would fail too, `Limit` past [`MAX_PATHS`]/[`MAX_PATH_BYTES`].
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    Broken(ApplyError),
    Limit(String),
}

impl From<ApplyError> for Stop {
    fn from(e: ApplyError) -> Self {
        Stop::Broken(e)
    }
}

pub struct Tree {
    nodes: BTreeMap<String, Node>,
    removals: BTreeMap<String, RemovedBy>,
    /// Bytes of the keys of `nodes` and `removals`.
    path_bytes: usize,
    max_paths: usize,
    max_path_bytes: usize,
    /// Bumped by every change that can alter how a directory path resolves or whether it exists.
    generation: u64,
    /// The last parent directory resolved and created: tars list a directory's entries together, so
    /// most entries reuse it.
    memo: Option<ParentMemo>,
}

struct ParentMemo {
    raw: String,
    resolved: String,
    layer: usize,
    generation: u64,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::with_limits(MAX_PATHS, MAX_PATH_BYTES)
    }
}

/// What applying an entry did, so the caller can keep contents it will need.
pub enum Applied {
    /// A regular file now lives at this path.
    File(String),
    Other,
}

impl Tree {
    pub fn with_limits(max_paths: usize, max_path_bytes: usize) -> Self {
        Tree {
            nodes: BTreeMap::new(),
            removals: BTreeMap::new(),
            path_bytes: 0,
            max_paths,
            max_path_bytes,
            generation: 0,
            memo: None,
        }
    }

    /// Number of paths in the rootfs (for memory reports).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Applies entry number `ordinal` of layer `layer`, within the memory limits.
    pub fn apply(&mut self, layer: usize, ordinal: u64, entry: &Entry) -> Result<Applied, Stop> {
        let applied = self.apply_entry(layer, ordinal, entry)?;
        if self.nodes.len() + self.removals.len() > self.max_paths || self.path_bytes > self.max_path_bytes {
            return Err(Stop::Limit(format!(
                "the image's file system has more than {} paths or {} bytes of path names; podgroups keeps only \
                 their names but refuses more than that",
                self.max_paths, self.max_path_bytes
            )));
        }
        Ok(applied)
    }

    fn apply_entry(&mut self, layer: usize, ordinal: u64, entry: &Entry) -> Result<Applied, ApplyError> {
        let parts = clean_parts(&entry.path);
        let Some((base, dir)) = parts.split_last() else {
            return Ok(Applied::Other);
        };
        if parts.first().is_some_and(|c| c.starts_with(".wh..wh.")) && parts.join("/") != ".wh..wh..opq" {
            return Ok(Applied::Other); // AUFS metadata (e.g. .wh..wh.plnk) is not part of the rootfs
        }
        let parent = self.parent_dir(dir, layer, &entry.path)?;
        if let Some(name) = base.strip_prefix(".wh.") {
            if name == ".wh..opq" {
                self.make_opaque(&parent, layer);
            } else if !name.is_empty() && name != "." && name != ".." {
                let target = join(&parent, name);
                self.remove_tree(&target);
                self.record_removal(RemovedBy {
                    layer,
                    opaque: false,
                    path: target,
                });
            }
            return Ok(Applied::Other);
        }
        let path = join(&parent, base);
        let kind = match entry.kind {
            TarKind::Dir => Kind::Dir,
            TarKind::File => Kind::File(Origin {
                layer,
                entry: ordinal,
                size: entry.size,
            }),
            TarKind::Symlink => Kind::Symlink(entry.link.clone().into_boxed_str()),
            TarKind::HardLink => self.hard_link_target(&entry.link).ok_or_else(|| {
                ApplyError(format!(
                    "hard link {} points at {}, which is not a file in the layers so far",
                    entry.path, entry.link
                ))
            })?,
            other => Kind::Special(other),
        };
        let merge = matches!(kind, Kind::Dir) && matches!(self.nodes.get(&path), Some(Node { kind: Kind::Dir, .. }));
        if !merge {
            self.remove_tree(&path);
        }
        let is_file = matches!(kind, Kind::File(_));
        self.insert(path.clone(), Node { kind, layer });
        Ok(if is_file { Applied::File(path) } else { Applied::Other })
    }

    /// Looks `path` up in the final rootfs, following symlinks (the last one too), as the runtime's
    /// `openUserFile` does (Spec 8.11).
    pub fn lookup(&self, path: &str) -> Result<Found, EtcFile> {
        let (path, links) = match self.resolve(path, true) {
            Resolved::Path { path, links } => (path, links),
            Resolved::TooManyLinks => return Err(EtcFile::TooManyLinks { path: path.to_owned() }),
        };
        let mut prefix = String::new();
        let parts: Vec<&str> = path.split('/').collect();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            prefix = join(&prefix, part);
            match self.nodes.get(&prefix) {
                None => {
                    return Err(EtcFile::Absent {
                        removed_by: self.removal_of(&path),
                        path,
                        links,
                    })
                }
                Some(Node { kind: Kind::Dir, .. }) => {}
                Some(_) => {
                    return Err(EtcFile::NotADirectory {
                        path,
                        component: prefix,
                        links,
                    })
                }
            }
        }
        let (what, layer) = match self.nodes.get(&path) {
            None => {
                return Err(EtcFile::Absent {
                    removed_by: self.removal_of(&path),
                    path,
                    links,
                })
            }
            Some(Node {
                kind: Kind::File(origin),
                ..
            }) => {
                return Ok(Found {
                    origin: *origin,
                    path,
                    links,
                })
            }
            Some(Node { kind: Kind::Dir, layer }) => ("directory".to_owned(), *layer),
            Some(Node {
                kind: Kind::Special(k),
                layer,
            }) => (k.describe(), *layer),
            // Unreachable: resolve follows the last symlink; kept total for safety.
            Some(Node {
                kind: Kind::Symlink(_),
                layer,
            }) => ("symbolic link".to_owned(), *layer),
        };
        Err(EtcFile::NotRegular {
            path,
            what,
            layer,
            links,
        })
    }

    /// The nearest whiteout or opaque marker covering `path`.
    fn removal_of(&self, path: &str) -> Option<RemovedBy> {
        let mut p = path;
        loop {
            if let Some(r) = self.removals.get(p) {
                return Some(r.clone());
            }
            match p.rsplit_once('/') {
                Some((parent, _)) => p = parent,
                None => return None,
            }
        }
    }

    /// Resolves symlinks in `path` inside the rootfs: absolute targets restart at the root, `..` stops
    /// at the root, components that do not exist are kept as they are (securejoin semantics).
    fn resolve(&self, path: &str, follow_last: bool) -> Resolved {
        let mut todo: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
        let mut done: Vec<String> = Vec::new();
        let mut links = Vec::new();
        while let Some(c) = todo.pop() {
            match c.as_str() {
                "" | "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => {}
            }
            let candidate = join(&done.join("/"), &c);
            let last = todo.iter().all(|t| t.is_empty() || t == ".");
            if let Some(Node {
                kind: Kind::Symlink(target),
                ..
            }) = self.nodes.get(&candidate)
            {
                if !last || follow_last {
                    if links.len() >= MAX_SYMLINKS {
                        return Resolved::TooManyLinks;
                    }
                    links.push(format!("{candidate} -> {target}"));
                    if target.starts_with('/') {
                        done.clear();
                    }
                    todo.extend(target.split('/').rev().map(str::to_owned));
                    continue;
                }
            }
            done.push(c);
        }
        Resolved::Path {
            path: done.join("/"),
            links,
        }
    }

    /// A hard link's content: the node at `link` now, parent symlinks resolved, last component not.
    fn hard_link_target(&self, link: &str) -> Option<Kind> {
        let parts = clean_parts(link);
        let (base, dir) = parts.split_last()?;
        let Resolved::Path { path: parent, .. } = self.resolve(&dir.join("/"), true) else {
            return None;
        };
        match self.nodes.get(&join(&parent, base))?.kind.clone() {
            Kind::Dir => None,
            kind => Some(kind),
        }
    }

    /// `mkdir -p` of `dir`, marking each directory as touched by `layer` (it exists in this layer's
    /// overlay upper directory, so an opaque marker of the same layer keeps it).
    fn make_parents(&mut self, dir: &str, layer: usize, name: &str) -> Result<(), ApplyError> {
        let mut prefix = String::new();
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            prefix = join(&prefix, part);
            match self.nodes.get_mut(&prefix) {
                None => self.insert(prefix.clone(), Node { kind: Kind::Dir, layer }),
                Some(node @ Node { kind: Kind::Dir, .. }) => node.layer = layer,
                Some(_) => return Err(ApplyError(format!("cannot create {name}: {prefix} is not a directory"))),
            }
        }
        Ok(())
    }

    /// The entry's parent directory resolved through symlinks and created if missing (containerd does
    /// both before it looks at whiteouts), reusing the previous entry's work when nothing changed.
    fn parent_dir(&mut self, dir: &[&str], layer: usize, name: &str) -> Result<String, ApplyError> {
        let raw = dir.join("/");
        if let Some(m) = &self.memo {
            if m.generation == self.generation && m.layer == layer && m.raw == raw {
                return Ok(m.resolved.clone());
            }
        }
        let resolved = match self.resolve(&raw, true) {
            Resolved::Path { path, .. } => path,
            Resolved::TooManyLinks => {
                return Err(ApplyError(format!(
                    "{name}: too many levels of symbolic links in its parent directory"
                )))
            }
        };
        self.make_parents(&resolved, layer, name)?;
        self.memo = Some(ParentMemo {
            raw,
            resolved: resolved.clone(),
            layer,
            generation: self.generation,
        });
        Ok(resolved)
    }

    fn insert(&mut self, key: String, node: Node) {
        let len = key.len();
        let symlink = matches!(node.kind, Kind::Symlink(_));
        match self.nodes.insert(key, node) {
            None => self.path_bytes += len,
            Some(_) => self.generation += 1,
        }
        if symlink {
            self.generation += 1;
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.nodes.remove(key) {
            self.path_bytes = self.path_bytes.saturating_sub(key.len());
            if matches!(old.kind, Kind::Dir | Kind::Symlink(_)) {
                self.generation += 1;
            }
        }
    }

    fn record_removal(&mut self, removal: RemovedBy) {
        let len = removal.path.len();
        if self.removals.insert(removal.path.clone(), removal).is_none() {
            self.path_bytes += len;
        }
    }

    /// Removes `path` and everything under it.
    fn remove_tree(&mut self, path: &str) {
        self.remove(path);
        let doomed: Vec<String> = self.children(path).map(|(k, _)| k.clone()).collect();
        for k in doomed {
            self.remove(&k);
        }
    }

    /// Removes what lower layers put under `dir` (Spec: opaque whiteout).
    fn make_opaque(&mut self, dir: &str, layer: usize) {
        let doomed: Vec<String> = self
            .children(dir)
            .filter(|(_, n)| n.layer != layer)
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.remove_tree(&k);
        }
        self.record_removal(RemovedBy {
            layer,
            opaque: true,
            path: dir.to_owned(),
        });
    }

    /// Every path strictly under `dir` (`""` is the root).
    fn children<'a>(&'a self, dir: &str) -> Box<dyn Iterator<Item = (&'a String, &'a Node)> + 'a> {
        if dir.is_empty() {
            return Box::new(self.nodes.iter());
        }
        let start = format!("{dir}/");
        let end = format!("{dir}0"); // '0' sorts right after '/'
        Box::new(self.nodes.range(start..end))
    }
}

enum Resolved {
    Path { path: String, links: Vec<String> },
    TooManyLinks,
}

/// Cleans a tar name like Go's `filepath.Clean` joined to the root: no empty or `.` parts, `..` stops
/// at the root.
fn clean_parts(name: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: TarKind, link: &str) -> Entry {
        Entry {
            path: path.into(),
            link: link.into(),
            kind,
            size: 1,
            data_offset: 0,
        }
    }

    fn tree(layers: &[&[(&str, TarKind, &str)]]) -> Tree {
        let mut t = Tree::default();
        for (l, entries) in layers.iter().enumerate() {
            for (i, (p, k, link)) in entries.iter().enumerate() {
                assert!(t.apply(l, i as u64, &entry(p, *k, link)).is_ok(), "{p}");
            }
        }
        t
    }

    fn file_layer(t: &Tree, p: &str) -> Option<usize> {
        t.lookup(p).ok().map(|f| f.origin.layer)
    }

    #[test]
    fn upper_layer_wins_and_whiteout_removes() {
        use TarKind::*;
        let t = tree(&[
            &[("etc/", Dir, ""), ("etc/passwd", File, ""), ("etc/group", File, "")],
            &[("etc/passwd", File, ""), ("etc/.wh.group", File, "")],
        ]);
        assert_eq!(file_layer(&t, "etc/passwd"), Some(1));
        assert!(matches!(
            t.lookup("etc/group"),
            Err(EtcFile::Absent {
                removed_by: Some(RemovedBy {
                    layer: 1,
                    opaque: false,
                    ..
                }),
                ..
            })
        ));
    }

    #[test]
    fn opaque_keeps_same_layer_entries_in_any_order() {
        use TarKind::*;
        let t = tree(&[
            &[("etc/passwd", File, ""), ("etc/group", File, "")],
            &[("etc/passwd", File, ""), ("etc/.wh..wh..opq", File, "")],
        ]);
        assert_eq!(file_layer(&t, "etc/passwd"), Some(1));
        assert!(matches!(
            t.lookup("etc/group"),
            Err(EtcFile::Absent {
                removed_by: Some(RemovedBy { opaque: true, .. }),
                ..
            })
        ));
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        use TarKind::*;
        let t = tree(&[&[
            ("usr/lib/passwd", File, ""),
            ("etc", Symlink, "usr/lib/../../../../usr/lib"),
            ("lib/group", File, ""),
            ("usr/lib/group", Symlink, "/../lib/group"),
        ]]);
        assert!(matches!(t.lookup("etc/passwd"), Ok(ref f) if f.path == "usr/lib/passwd"));
        assert!(matches!(t.lookup("etc/group"), Ok(ref f) if f.path == "lib/group"));
    }

    #[test]
    fn symlink_loops_stop() {
        use TarKind::*;
        let t = tree(&[&[("etc/passwd", Symlink, "passwd")]]);
        assert!(matches!(t.lookup("etc/passwd"), Err(EtcFile::TooManyLinks { .. })));
    }

    #[test]
    fn hard_links_take_the_content_at_link_time() {
        use TarKind::*;
        let t = tree(&[
            &[("base/passwd", File, ""), ("etc/passwd", HardLink, "base/passwd")],
            &[("base/passwd", File, "")],
        ]);
        assert_eq!(file_layer(&t, "etc/passwd"), Some(0));
        assert_eq!(file_layer(&t, "base/passwd"), Some(1));
        let mut t = Tree::default();
        assert!(t.apply(0, 0, &entry("etc/passwd", HardLink, "missing")).is_err());
    }

    #[test]
    fn non_regular_and_not_a_directory() {
        use TarKind::*;
        let t = tree(&[&[("etc/passwd/", Dir, ""), ("etc/group", CharDevice, "")]]);
        assert!(matches!(t.lookup("etc/passwd"), Err(EtcFile::NotRegular { ref what, .. }) if what == "directory"));
        assert!(
            matches!(t.lookup("etc/group"), Err(EtcFile::NotRegular { ref what, .. }) if what == "character device")
        );
        let t = tree(&[&[("etc", File, "")]]);
        assert!(
            matches!(t.lookup("etc/passwd"), Err(EtcFile::NotADirectory { ref component, .. }) if component == "etc")
        );
    }

    #[test]
    fn parent_symlink_redirects_later_entries() {
        use TarKind::*;
        // A later layer writing etc/passwd through a symlinked etc lands in the link's target.
        let t = tree(&[
            &[("real/", Dir, ""), ("etc", Symlink, "real")],
            &[("etc/passwd", File, "")],
        ]);
        assert!(matches!(t.lookup("etc/passwd"), Ok(ref f) if f.path == "real/passwd" && f.origin.layer == 1));
    }

    #[test]
    fn the_parent_memo_notices_changes_within_a_layer() {
        use TarKind::*;
        // Same raw parent "a" before and after "a" becomes a symlink to "b".
        let t = tree(&[&[
            ("b/", Dir, ""),
            ("a/x", File, ""),
            ("a", Symlink, "b"),
            ("a/y", File, ""),
        ]]);
        assert!(t.lookup("b/y").is_ok());
        assert!(matches!(t.lookup("a/x"), Err(EtcFile::Absent { .. })));
        // Parent removed by a whiteout in the next layer, then recreated.
        let t = tree(&[
            &[("d/f1", File, "")],
            &[("d/f0", File, ""), (".wh.d", File, ""), ("d/f2", File, "")],
        ]);
        assert!(t.lookup("d/f2").is_ok());
        assert!(matches!(t.lookup("d/f0"), Err(EtcFile::Absent { .. })));
        // The parent's layer mark is renewed per layer, so an opaque marker keeps this layer's files.
        let t = tree(&[
            &[("e/old", File, ""), ("e/keep", File, "")],
            &[("e/new", File, ""), ("e/.wh..wh..opq", File, "")],
        ]);
        assert!(matches!(t.lookup("e/new"), Ok(ref f) if f.origin.layer == 1));
        assert!(matches!(t.lookup("e/old"), Err(EtcFile::Absent { .. })));
    }

    #[test]
    fn memory_limits_stop_hostile_layers() {
        let mut t = Tree::with_limits(3, 1000);
        let results: Vec<bool> = (0..4)
            .map(|i| t.apply(0, i, &entry(&format!("f{i}"), TarKind::File, "")).is_ok())
            .collect();
        assert_eq!(results, [true, true, true, false]);
        let mut t = Tree::with_limits(100, 10);
        assert!(matches!(
            t.apply(0, 0, &entry("a-very-long-name", TarKind::File, "")),
            Err(Stop::Limit(_))
        ));
        // Replacing a path does not count it twice.
        let mut t = Tree::with_limits(2, 1000);
        for layer in 0..5 {
            assert!(t.apply(layer, 0, &entry("etc/passwd", TarKind::File, "")).is_ok());
        }
    }

    #[test]
    fn replacing_a_directory_drops_its_children() {
        use TarKind::*;
        let t = tree(&[
            &[("etc/passwd", File, "")],
            &[("etc", Symlink, "opt")],
            &[("opt/passwd", File, "")],
        ]);
        assert_eq!(file_layer(&t, "etc/passwd"), Some(2));
    }
}
