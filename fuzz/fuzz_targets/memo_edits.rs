//! `Memo::explain` against `explain` while a stream is edited: a stream of seed manifests
//! (`near.rs`) joined as documents, then one edit after another as the bytes say (YAML tokens,
//! document markers, deletions); after each edit the memo, which keeps what it found per document
//! between calls, must give exactly `explain`'s answer: the same report or the same error.
#![no_main]

mod near;

use libfuzzer_sys::fuzz_target;
use podgroups_core::{explain, Image, Input, Memo};

fuzz_target!(|data: &[u8]| {
    let seeds = near::seeds();
    let (count, rest) = data.split_first().unwrap_or((&0, &[]));
    let count = usize::from(count % 4) + 1;
    let (picks, ops) = rest.split_at(count.min(rest.len()));
    let mut text = Vec::new();
    for (i, pick) in picks.iter().enumerate() {
        if i > 0 {
            text.extend_from_slice(b"---\n");
        }
        text.extend_from_slice(seeds[usize::from(*pick) % seeds.len()].as_bytes());
    }
    let image = Image::known(
        "",
        Some("root:x:0:0::/:/bin/sh\nuser-defined-in-image:x:1000:1000::/:/bin/sh\n".into()),
        Some("group-defined-in-image:x:50000:user-defined-in-image\n".into()),
    );
    let mut memo = Memo::default();
    let mut input = Input { image, ..Input::default() };
    for op in std::iter::once(&[][..]).chain(ops.chunks(3)) {
        if !op.is_empty() {
            near::edit(&mut text, op);
        }
        input.manifests = String::from_utf8_lossy(&text).into_owned();
        let (again, whole) = (memo.explain(&input, None), explain(&input));
        assert!(again == whole, "Memo and explain disagree on {:?}\nmemo: {again:?}\nexplain: {whole:?}", input.manifests);
    }
});
