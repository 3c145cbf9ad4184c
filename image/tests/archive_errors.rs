//! Broken input gives a clear error naming the member, never a panic: not archives, truncation at every
//! point, flipped bytes, bad JSON, missing members, broken layers, oversized JSON.

#[path = "archive_builder.rs"]
mod builder;

use builder::*;
use podgroups_image::{read_image, ArchiveError, ErrorKind, Selector};

fn read(bytes: &[u8]) -> Result<podgroups_image::ImageArchive, ArchiveError> {
    read_image(bytes, &Selector::default())
}

fn sample(compress: fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let l = layer(&[
        E::Dir("etc/"),
        E::File("etc/passwd", b"app:x:1000:1000::/:/bin/sh\n"),
        E::File("etc/group", b"g:x:5:app\n"),
    ]);
    docker_save(&[Img::new("app:1", "app", vec![compress(&l)])])
}

#[test]
fn things_that_are_not_image_archives() {
    let cases: Vec<(&str, Vec<u8>, ErrorKind, &str)> = vec![
        ("empty", vec![], ErrorKind::NotAnImageArchive, "empty"),
        (
            "text",
            b"hello, this is not a tar archive at all".repeat(20),
            ErrorKind::NotAnImageArchive,
            "not a tar archive",
        ),
        (
            "gzipped archive",
            gzip(&sample(|b| b.to_vec())),
            ErrorKind::Unsupported,
            "decompress it first",
        ),
        (
            "a layer, not an image",
            layer(&[E::File("etc/passwd", b"x")]),
            ErrorKind::NotAnImageArchive,
            "docker save",
        ),
    ];
    for (name, bytes, kind, says) in cases {
        let err = read(&bytes).unwrap_err();
        assert_eq!(err.kind, kind, "{name}: {err}");
        assert!(err.to_string().contains(says), "{name}: {err}");
    }
}

#[test]
fn truncation_anywhere_is_an_error_not_a_panic() {
    for compress in [(|b: &[u8]| b.to_vec()) as fn(&[u8]) -> Vec<u8>, gzip, zstd] {
        let full = sample(compress);
        assert!(read(&full).is_ok());
        // The outer tar ends with two zero blocks plus padding: cuts inside them still read fine.
        let last_data = full.len() - 1024;
        for cut in (0..last_data).step_by(37) {
            let err = read(&full[..cut]).err();
            let err = err.unwrap_or_else(|| panic!("cut at {cut} of {} read as a whole archive", full.len()));
            assert!(!err.message.is_empty());
        }
    }
}

#[test]
fn a_cut_inside_a_layer_says_truncated_and_names_the_layer() {
    let full = sample(gzip);
    // Find the layer member's data and cut in its middle.
    let mut a = tar::Archive::new(full.as_slice());
    let (off, len) = a
        .entries()
        .unwrap()
        .map(|e| e.unwrap())
        .find(|e| e.path().unwrap().ends_with("layer.tar"))
        .map(|e| (e.raw_file_position() as usize, e.size() as usize))
        .unwrap();
    // Rewrite the outer tar with the layer member cut short but its header intact: a truncated download.
    let cut = &full[..off + len / 2];
    let err = read(cut).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Truncated, "{err}");
    assert!(
        err.to_string().contains("truncated") || err.to_string().contains("ends early"),
        "{err}"
    );
}

#[test]
fn flipped_bytes_never_panic() {
    for compress in [(|b: &[u8]| b.to_vec()) as fn(&[u8]) -> Vec<u8>, gzip, zstd] {
        let full = sample(compress);
        for pos in (0..full.len()).step_by(13) {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut bad = full.clone();
                bad[pos] ^= mask;
                // Either still readable (a byte nobody checks) or a clear error.
                if let Err(e) = read(&bad) {
                    assert!(!e.message.is_empty());
                }
            }
        }
    }
}

#[test]
fn corrupt_compressed_layer_names_the_layer() {
    let l = layer(&[E::File("etc/passwd", &b"app:x:1000:1000::/:/bin/sh\n".repeat(50))]);
    for mut blob in [gzip(&l), zstd(&l)] {
        let mid = blob.len() / 2;
        for b in &mut blob[mid..mid + 8] {
            *b ^= 0x55;
        }
        let err = read(&docker_save(&[Img::new("a", "", vec![blob])])).unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Corrupt | ErrorKind::Truncated), "{err}");
        assert!(err.member.as_deref().is_some_and(|m| m.starts_with("layer 0")), "{err}");
    }
}

#[test]
fn unreadable_manifests_name_the_member() {
    let bad_json = outer_tar(&[("manifest.json".into(), b"[{\"Config\": 1}]".to_vec())]);
    let err = read(&bad_json).unwrap_err();
    assert_eq!(
        (err.kind, err.member.as_deref()),
        (ErrorKind::Corrupt, Some("manifest.json")),
        "{err}"
    );

    let missing_layer = outer_tar(&[
        (
            "cfg.json".into(),
            br#"{"os":"linux","architecture":"amd64","config":{"User":"1"}}"#.to_vec(),
        ),
        (
            "manifest.json".into(),
            br#"[{"Config":"cfg.json","RepoTags":["a:1"],"Layers":["gone/layer.tar"]}]"#.to_vec(),
        ),
    ]);
    let err = read(&missing_layer).unwrap_err();
    assert_eq!(
        (err.kind, err.member.as_deref()),
        (ErrorKind::MissingMember, Some("gone/layer.tar")),
        "{err}"
    );
    assert!(err.message.contains("layer 0 is missing"), "{err}");

    let escaping = outer_tar(&[(
        "manifest.json".into(),
        br#"[{"Config":"../../etc/shadow","Layers":[]}]"#.to_vec(),
    )]);
    let err = read(&escaping).unwrap_err();
    assert!(err.message.contains("outside the archive"), "{err}");

    let bad_digest = outer_tar(&[
        ("oci-layout".into(), b"{}".to_vec()),
        (
            "index.json".into(),
            br#"{"manifests":[{"digest":"sha256:../../x","size":1}]}"#.to_vec(),
        ),
    ]);
    assert!(read(&bad_digest).unwrap_err().message.contains("not a valid digest"));

    let huge = outer_tar(&[("manifest.json".into(), vec![b' '; 5 * 1024 * 1024])]);
    let err = read(&huge).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooLarge, "{err}");
}

#[test]
fn null_config_and_missing_user_mean_no_user() {
    let bytes = outer_tar(&[
        (
            "c.json".into(),
            br#"{"os":"linux","architecture":"amd64","config":null}"#.to_vec(),
        ),
        ("l.tar".into(), layer(&[E::File("etc/group", b"g:x:1:\n")])),
        (
            "manifest.json".into(),
            br#"[{"Config":"c.json","RepoTags":null,"Layers":["l.tar"]}]"#.to_vec(),
        ),
    ]);
    let found = read(&bytes).unwrap();
    assert_eq!(found.image.user.as_deref(), Some(""));
    assert_eq!(found.image.group.text(), Some("g:x:1:\n"));
}

#[test]
fn broken_hard_links_fail_like_the_runtime() {
    let bytes = docker_save(&[Img::new("a", "", vec![layer(&[E::HardLink("etc/passwd", "nowhere")])])]);
    let err = read(&bytes).unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadLayer, "{err}");
    assert!(err.message.contains("hard link etc/passwd points at nowhere"), "{err}");
}

#[test]
fn bzip2_layers_are_refused_clearly() {
    let bytes = docker_save(&[Img::new("a", "", vec![b"BZh91AY&SY fake".to_vec()])]);
    let err = read(&bytes).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err}");
}

#[test]
fn digest_verification_catches_what_checksums_cannot() {
    let passwd = b"app:x:1000:1000::/:/bin/sh\n";
    let img = Img::new("app:1", "app", vec![layer(&[E::File("etc/passwd", passwd)])]);
    let verify = Selector {
        verify_digests: true,
        ..Selector::default()
    };
    for good in [
        docker_save_real(std::slice::from_ref(&img)),
        oci_archive(std::slice::from_ref(&img), false),
    ] {
        let found = read_image(&good, &verify).unwrap();
        assert!(found.digests_verified);
        // A flipped byte inside the file's content: tar has no checksum for contents.
        let at = good.windows(passwd.len()).position(|w| w == passwd).unwrap() + 4;
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        let unverified = read(&bad).unwrap();
        assert_ne!(unverified.image.passwd.text(), Some("app:x:1000:1000::/:/bin/sh\n"));
        let err = read_image(&bad, &verify).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Corrupt, "{err}");
        assert!(err.member.as_deref().is_some_and(|m| m.starts_with("layer 0")), "{err}");
        assert!(err.message.contains("does not match its digest"), "{err}");
    }
    // The made-up config names of `docker_save` are not the configs' digests.
    let err = read_image(&docker_save(&[img]), &verify).unwrap_err();
    assert!(err.member.as_deref().is_some_and(|m| m.ends_with(".json")), "{err}");
}
