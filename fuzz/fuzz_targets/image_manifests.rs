//! Untrusted registry and archive documents: any bytes split into an OCI `index.json`, the manifest or
//! index it points at, an image config and a layer, read by `podgroups_image::read_layout` (the code a
//! registry's documents go through); plus image references as a Pod's `image:` field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podgroups_image::reference::Reference;
use podgroups_image::{read_layout, Layout, ReadAt, Selector};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// `index.json` is the first part; each distinct blob path asked for gets the next part (manifest,
/// config, layer…), whatever its digest, so documents reach the parsers without valid digests.
struct Parts<'a> {
    parts: Vec<&'a [u8]>,
    blobs: RefCell<BTreeMap<String, usize>>,
}

impl Layout for Parts<'_> {
    fn open(&self, path: &str) -> std::io::Result<Option<Box<dyn ReadAt + '_>>> {
        let i = if path == "index.json" {
            0
        } else if path.starts_with("blobs/") {
            let mut blobs = self.blobs.borrow_mut();
            let next = blobs.len() + 1;
            *blobs.entry(path.to_owned()).or_insert(next)
        } else {
            return Ok(None);
        };
        Ok(self.parts.get(i).map(|p| Box::new(*p) as Box<dyn ReadAt>))
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if text.len() < 512 {
            let _ = Reference::parse(text);
        }
    }
    let layout = Parts {
        parts: data.split(|b| *b == 0xff).collect(),
        blobs: RefCell::default(),
    };
    for platform in [None, Some("linux/arm64".to_owned())] {
        let _ = read_layout(
            &layout,
            &Selector {
                platform,
                ..Selector::default()
            },
        );
    }
});
