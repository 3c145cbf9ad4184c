//! The top layer alone decides `/etc/passwd` and `/etc/group` only when that is sound: a layout that
//! knows its layers without opening them (a registry) gets the same answer as reading every layer,
//! and lower layers stay unopened exactly when the top layer wrote both files under directories it
//! created itself.

#[path = "archive_builder.rs"]
mod builder;

use builder::*;
use podgroups_image::{read_layout, Compression, ImageArchive, Layout, ReadAt, Selector};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// An OCI layout directory that, like the registry source, describes layers without opening them
/// and records which blobs were opened.
struct Lazy {
    files: BTreeMap<String, Vec<u8>>,
    opened: RefCell<BTreeSet<String>>,
    hints: bool,
}

impl Layout for Lazy {
    fn open(&self, path: &str) -> std::io::Result<Option<Box<dyn ReadAt + '_>>> {
        self.opened.borrow_mut().insert(path.to_owned());
        Ok(self.files.get(path).map(|v| Box::new(v.as_slice()) as Box<dyn ReadAt>))
    }

    fn layer_hint(&self, path: &str) -> Option<(u64, Compression)> {
        let blob = self.files.get(path).filter(|_| self.hints)?;
        let c = if blob.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else {
            Compression::None
        };
        Some((blob.len() as u64, c))
    }
}

const PASSWD: &[u8] = b"app:x:1000:1000::/:/bin/sh\n";
const GROUP: &[u8] = b"extra:x:50000:app\n";
const OLD: &[u8] = b"old:x:1:1::/:/bin/sh\n";

/// Reads `layers` with and without hints; returns the hinted answer and the layer blobs it opened.
fn read(layers: Vec<Vec<u8>>) -> (ImageArchive, usize) {
    let blobs: Vec<String> = layers
        .iter()
        .map(|l| format!("blobs/sha256/{}", &sha256(l)[7..]))
        .collect();
    let files: BTreeMap<String, Vec<u8>> = oci_files(&[Img::new("app:1", "app", layers)], false)
        .into_iter()
        .collect();
    let lazy = Lazy {
        files: files.clone(),
        opened: RefCell::default(),
        hints: true,
    };
    let hinted = read_layout(&lazy, &Selector::default()).unwrap();
    let full = read_layout(
        &Lazy {
            files,
            opened: RefCell::default(),
            hints: false,
        },
        &Selector::default(),
    )
    .unwrap();
    // Whatever was skipped, the answer is the one every layer gives.
    assert_eq!(hinted.image, full.image);
    assert_eq!(hinted.passwd, full.passwd);
    assert_eq!(hinted.group, full.group);
    assert_eq!(full.layers_skipped, 0);
    let opened = lazy.opened.borrow();
    let layers_opened = blobs.iter().filter(|b| opened.contains(*b)).count();
    assert_eq!(hinted.layers_skipped, blobs.len() - layers_opened);
    (hinted, layers_opened)
}

fn base() -> Vec<u8> {
    gzip(&layer(&[
        E::Dir("etc/"),
        E::File("etc/passwd", OLD),
        E::File("etc/group", b"old:x:1:\n"),
        E::Dir("usr/"),
        E::File("usr/bin/sh", b"ELF"),
    ]))
}

#[test]
fn a_self_contained_top_layer_is_read_alone() {
    let top = layer(&[
        E::Dir("etc/"),
        E::File("etc/passwd", PASSWD),
        E::File("etc/group", GROUP),
        E::Dir("var/"),
        E::File("var/log", b"x"),
    ]);
    let (found, opened) = read(vec![base(), base(), top]);
    assert_eq!(opened, 1, "only the top layer is opened");
    assert_eq!(found.layers_skipped, 2);
    assert_eq!(found.image.group.text(), Some("extra:x:50000:app\n"));
}

#[test]
fn lower_layers_are_read_when_they_can_matter() {
    let etc_symlink = gzip(&layer(&[
        E::Dir("usr/etc/"),
        E::File("usr/etc/passwd", OLD),
        E::Symlink("etc", "usr/etc"),
        E::Symlink("foo", "etc"),
    ]));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // No `etc/` entry: etc/passwd's parent is whatever the lower layers made of /etc (a symlink here).
        (
            "no etc/ entry",
            layer(&[E::File("etc/passwd", PASSWD), E::File("etc/group", GROUP)]),
        ),
        // `etc/` listed after the files: they were written through the lower symlink first.
        (
            "etc/ after its files",
            layer(&[
                E::File("etc/passwd", PASSWD),
                E::File("etc/group", GROUP),
                E::Dir("etc/"),
            ]),
        ),
        // An entry under a lower layer's symlink `foo -> etc` overwrites etc/passwd.
        (
            "write through a lower symlink",
            layer(&[
                E::Dir("etc/"),
                E::File("etc/passwd", PASSWD),
                E::File("etc/group", GROUP),
                E::File("foo/passwd", OLD),
            ]),
        ),
        // /etc/group is only a symlink in the top layer.
        (
            "symlinked group",
            layer(&[
                E::Dir("etc/"),
                E::File("etc/passwd", PASSWD),
                E::Symlink("etc/group", "../usr/etc/group"),
            ]),
        ),
        // /etc/group comes from below.
        ("group below", layer(&[E::Dir("etc/"), E::File("etc/passwd", PASSWD)])),
        // A hard link to a file of a lower layer.
        (
            "hard link down",
            layer(&[
                E::Dir("etc/"),
                E::HardLink("etc/passwd", "usr/etc/passwd"),
                E::File("etc/group", GROUP),
            ]),
        ),
    ];
    for (what, top) in cases {
        let (found, opened) = read(vec![etc_symlink.clone(), top]);
        assert_eq!(opened, 2, "{what}: every layer must be read");
        assert_eq!(found.layers_skipped, 0, "{what}");
    }
}
