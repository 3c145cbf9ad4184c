//! A larger archive read correctly: big members skipped by seeking (plain layers) or streamed through
//! the decompressor (gzip), with the answer in the last layer. Throughput and peak memory for ~1 GB
//! archives are measured by `benches/archive.rs`, not here.

#[path = "archive_builder.rs"]
mod builder;

use builder::*;
use podgroups_image::{read_image, EtcFile, Selector};

/// Deterministic, mildly compressible filler.
fn filler(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i % 4 == 0 {
                b'a' + (x % 26) as u8
            } else {
                (x >> 8) as u8
            }
        })
        .collect()
}

#[test]
fn a_large_archive_is_read_correctly() {
    let big = filler(32 << 20, 7);
    let medium = filler(6 << 20, 11);
    let group = b"root:x:0:\nbig:x:4242:app\n";
    let plain = layer(&[
        E::File("etc/passwd", b"app:x:1000:1000::/:/bin/sh\n"),
        E::File("opt/big.bin", &big),
    ]);
    let gz = gzip(&layer(&[
        E::File("opt/medium.bin", &medium),
        E::File("etc/group", group),
        E::File("opt/tail.bin", &medium),
    ]));
    let many: Vec<(String, Vec<u8>)> = (0..20_000)
        .map(|i| (format!("usr/share/doc/p{}/f{i}", i % 300), vec![b'x'; i % 700]))
        .collect();
    let many_entries: Vec<E> = many.iter().map(|(p, d)| E::File(p, d)).collect();
    let small_files = zstd(&layer(&many_entries));
    let archive = docker_save(&[Img::new("big:1", "app", vec![plain, gz, small_files])]);
    assert!(archive.len() > 40 << 20);
    let found = read_image(&archive, &Selector::default()).unwrap();
    assert_eq!(found.image.user.as_deref(), Some("app"));
    assert_eq!(found.image.group.text(), Some("root:x:0:\nbig:x:4242:app\n"));
    assert!(matches!(found.group, EtcFile::Regular { layer: 1, .. }));
    assert!(found.rootfs_paths > 20_000);
}
