//! Reading USER, /etc/passwd and /etc/group from real image archives built here (docker save and OCI,
//! plain/gzip/zstd layers): layer order, whiteouts, opaque directories, symlinks, hard links,
//! multi-platform indexes, image selection, and the engine's answer compared with files given by hand.

#[path = "archive_builder.rs"]
mod builder;

use builder::*;
use podgroups_core::{explain, Image, ImageFile, Input};
use podgroups_image::{
    read_image, read_layout, ArchiveError, Compression, ErrorKind, EtcFile, Format, ImageArchive, Layout, ReadAt,
    RemovedBy, Selector,
};
use std::collections::BTreeMap;

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP: &[u8] = b"root:x:0:\napp:x:1000:\nextra:x:50000:app\n";

fn base() -> Vec<u8> {
    layer(&[
        E::Dir("etc/"),
        E::File("etc/passwd", PASSWD),
        E::File("etc/group", GROUP),
        E::Dir("usr/"),
        E::File("usr/bin/sh", b"ELF"),
    ])
}

fn read(bytes: &[u8]) -> ImageArchive {
    read_with(bytes, None, None).unwrap_or_else(|e| panic!("{e}"))
}

fn read_with(bytes: &[u8], reference: Option<&str>, platform: Option<&str>) -> Result<ImageArchive, ArchiveError> {
    read_image(
        bytes,
        &Selector {
            reference: reference.map(Into::into),
            platform: platform.map(Into::into),
            verify_digests: false,
        },
    )
}

fn text(b: &[u8]) -> ImageFile {
    Some(String::from_utf8(b.to_vec()).unwrap()).into()
}

/// An image without a name or USER, of `layers` (base first).
fn unnamed(layers: Vec<Vec<u8>>) -> Img {
    Img::new("a", "", layers)
}

/// Both formats hold the same single image.
fn both(img: Img) -> [Vec<u8>; 2] {
    [docker_save(std::slice::from_ref(&img)), oci_archive(&[img], false)]
}

#[test]
fn docker_save_gives_user_and_files_from_the_base_layer() {
    let found = read(&docker_save(&[Img::new("app:1", "app", vec![base()])]));
    assert_eq!(
        found.image,
        Image {
            user: Some("app".into()),
            passwd: text(PASSWD),
            group: text(GROUP)
        }
    );
    assert_eq!(found.format, Format::DockerSave);
    assert_eq!(found.names, ["app:1"]);
    assert_eq!(
        found.config_digest.as_deref(),
        Some(format!("sha256:{:0<64x}", 0xc0f).as_str())
    );
    assert_eq!(
        found.platform.as_ref().map(|p| p.to_string()).as_deref(),
        Some("linux/amd64")
    );
    assert!(
        matches!(&found.passwd, EtcFile::Regular { path, layer: 0, size, links } if path == "etc/passwd" && *size == PASSWD.len() as u64 && links.is_empty())
    );
    // docker save layers are named by their diff_id from the config.
    assert_eq!(found.layers[0].digest.as_deref(), Some(sha256(&base()).as_str()));
    let said = found.passwd.describe(&found.layers);
    assert!(said.starts_with("/etc/passwd from layer 0 (sha256:"), "{said}");
}

#[test]
fn oci_archive_gives_the_same_image() {
    let found = read(&oci_archive(
        &[Img::new("app:1", "1000:1000", vec![gzip(&base())])],
        false,
    ));
    assert_eq!(found.format, Format::Oci);
    assert_eq!(
        found.image,
        Image {
            user: Some("1000:1000".into()),
            passwd: text(PASSWD),
            group: text(GROUP)
        }
    );
    assert_eq!(found.layers[0].compression, Compression::Gzip);
    assert!(found.manifest_digest.is_some());
}

#[test]
fn upper_layers_replace_files() {
    let new_group = b"root:x:0:\napp:x:1000:\nwheel:x:10:app\n";
    for bytes in both(Img::new(
        "app",
        "",
        vec![base(), layer(&[E::File("etc/group", new_group)])],
    )) {
        let found = read(&bytes);
        assert_eq!(found.image.group, text(new_group));
        assert_eq!(found.image.passwd, text(PASSWD));
        assert!(matches!(found.group, EtcFile::Regular { layer: 1, .. }));
        assert!(matches!(found.passwd, EtcFile::Regular { layer: 0, .. }));
    }
}

#[test]
fn whiteouts_remove_files_and_directories() {
    let wh_file = unnamed(vec![base(), layer(&[E::Whiteout("etc/group")])]);
    for bytes in both(wh_file) {
        let found = read(&bytes);
        assert_eq!(found.image.group, ImageFile::Absent);
        assert_eq!(found.image.passwd, text(PASSWD));
        assert_eq!(
            found.group,
            EtcFile::Absent {
                path: "etc/group".into(),
                removed_by: Some(RemovedBy {
                    layer: 1,
                    opaque: false,
                    path: "etc/group".into()
                }),
                links: vec![],
            }
        );
    }
    // Whiting out /etc removes both; a later layer can bring one back.
    let wh_dir = unnamed(vec![
        base(),
        layer(&[E::Whiteout("etc")]),
        layer(&[E::File("etc/passwd", b"x:x:1:1::/:/bin/sh\n")]),
    ]);
    let found = read(&docker_save(&[wh_dir]));
    assert_eq!(found.image.passwd, text(b"x:x:1:1::/:/bin/sh\n"));
    assert_eq!(found.image.group, ImageFile::Absent);
    let said = found.group.describe(&found.layers);
    assert!(said.contains("whiteout of /etc in layer 1"), "{said}");
}

#[test]
fn opaque_directories_hide_lower_layers_but_not_their_own_layer() {
    let upper = b"root:x:0:0::/root:/bin/sh\n";
    // The marker comes after the layer's own etc/passwd: order within a layer does not matter.
    let img = unnamed(vec![
        base(),
        layer(&[E::Dir("etc/"), E::File("etc/passwd", upper), E::Opaque("etc")]),
    ]);
    for bytes in both(img) {
        let found = read(&bytes);
        assert_eq!(found.image.passwd, text(upper));
        assert_eq!(found.image.group, ImageFile::Absent);
        assert!(
            matches!(&found.group, EtcFile::Absent { removed_by: Some(RemovedBy { opaque: true, layer: 1, path }), .. } if path == "etc")
        );
    }
}

#[test]
fn symlinked_passwd_resolves_inside_the_rootfs() {
    let real = b"real:x:7:7::/:/bin/sh\n";
    // /usr/lib/passwd, and /etc/passwd a symlink to it written as `target`.
    let to_usr_lib = |target| vec![E::File("usr/lib/passwd", real), E::Symlink("etc/passwd", target)];
    let cases: Vec<(&str, Vec<E>)> = vec![
        ("relative", to_usr_lib("../usr/lib/passwd")),
        ("absolute", to_usr_lib("/usr/lib/passwd")),
        // `..` cannot climb out of the root: /../../usr/lib/passwd is /usr/lib/passwd.
        ("escaping", to_usr_lib("../../../../usr/lib/passwd")),
        // The whole /etc is a symlink to a directory of another layer.
        (
            "etc-dir",
            vec![
                E::Whiteout("etc"),
                E::File("usr/etc/passwd", real),
                E::Symlink("etc", "usr/etc"),
            ],
        ),
        // A chain: etc/passwd -> /alt/passwd, alt -> usr/lib.
        (
            "chain",
            vec![
                E::File("usr/lib/passwd", real),
                E::Symlink("alt", "usr/lib"),
                E::Symlink("etc/passwd", "/alt/passwd"),
            ],
        ),
    ];
    for (name, entries) in cases {
        for bytes in both(unnamed(vec![base(), gzip(&layer(&entries))])) {
            let found = read(&bytes);
            assert_eq!(found.image.passwd, text(real), "{name}");
            let EtcFile::Regular { path, layer, links, .. } = &found.passwd else {
                panic!("{name}: {:?}", found.passwd)
            };
            let expected = if name == "etc-dir" {
                "usr/etc/passwd"
            } else {
                "usr/lib/passwd"
            };
            assert_eq!((path.as_str(), *layer), (expected, 1), "{name}");
            assert!(!links.is_empty(), "{name}");
        }
    }
}

#[test]
fn a_symlink_into_a_lower_layer_reads_that_layer_again() {
    // Layer 2 points /etc/group at a file of layer 0 that is not etc/group: the second pass reads it.
    let alt = b"alt:x:42:app\n";
    let img = unnamed(vec![
        zstd(&layer(&[E::File("etc/passwd", PASSWD), E::File("opt/group.alt", alt)])),
        gzip(&layer(&[E::File("etc/group", GROUP)])),
        layer(&[E::Symlink("etc/group", "/opt/group.alt")]),
    ]);
    for bytes in both(img) {
        let found = read(&bytes);
        assert_eq!(found.image.group, text(alt));
        assert_eq!(
            found.group,
            EtcFile::Regular {
                path: "opt/group.alt".into(),
                layer: 0,
                size: alt.len() as u64,
                links: vec!["etc/group -> /opt/group.alt".into()],
            }
        );
        let said = found.group.describe(&found.layers);
        assert!(said.contains("via symlink etc/group -> /opt/group.alt"), "{said}");
    }
}

#[test]
fn hard_links_keep_the_content_they_were_made_with() {
    let master = b"m:x:5:5::/:/bin/sh\n";
    let img = unnamed(vec![
        layer(&[
            E::File("usr/share/base-passwd/passwd.master", master),
            E::HardLink("etc/passwd", "usr/share/base-passwd/passwd.master"),
        ]),
        layer(&[E::File("usr/share/base-passwd/passwd.master", b"changed later\n")]),
    ]);
    for bytes in both(img) {
        let found = read(&bytes);
        assert_eq!(found.image.passwd, text(master));
        assert!(matches!(&found.passwd, EtcFile::Regular { path, layer: 0, .. } if path == "etc/passwd"));
    }
}

#[test]
fn missing_group_file_is_absent() {
    let img = Img::new(
        "distroless",
        "65532",
        vec![layer(&[E::File(
            "etc/passwd",
            b"nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n",
        )])],
    );
    let found = read(&docker_save(&[img]));
    assert_eq!(found.image.group, ImageFile::Absent);
    assert_eq!(
        found.group,
        EtcFile::Absent {
            path: "etc/group".into(),
            removed_by: None,
            links: vec![]
        }
    );
    assert_eq!(found.group.runtime_error("etc/group"), None);
    // Scratch: no files at all, no USER.
    let found = read(&docker_save(&[Img::new(
        "scratch",
        "",
        vec![layer(&[E::File("app", b"bin")])],
    )]));
    assert_eq!(found.image, Image::known("", None, None));
}

#[test]
fn non_regular_files_are_reported_not_read() {
    let img = unnamed(vec![
        base(),
        layer(&[
            E::Whiteout("etc/group"),
            E::Dir("etc/group/"),
            E::Whiteout("etc/passwd"),
            E::CharDevice("etc/passwd"),
        ]),
    ]);
    let found = read(&docker_save(&[img]));
    assert_eq!(found.image.passwd, ImageFile::Absent);
    assert!(matches!(&found.group, EtcFile::NotRegular { what, layer: 1, .. } if what == "directory"));
    assert!(matches!(&found.passwd, EtcFile::NotRegular { what, .. } if what == "character device"));
    assert_eq!(
        found.group.runtime_error("etc/group").as_deref(),
        Some("etc/group is not a regular file")
    );
    // /etc itself a file: opening /etc/passwd fails with ENOTDIR.
    let found = read(&docker_save(&[unnamed(vec![base(), layer(&[E::File("etc", b"")])])]));
    assert!(matches!(&found.passwd, EtcFile::NotADirectory { component, .. } if component == "etc"));
}

#[test]
fn symlink_loops_are_reported() {
    let img = unnamed(vec![layer(&[
        E::Symlink("etc/passwd", "/etc/pw"),
        E::Symlink("etc/pw", "passwd"),
    ])]);
    let found = read(&docker_save(&[img]));
    assert_eq!(
        found.passwd,
        EtcFile::TooManyLinks {
            path: "etc/passwd".into()
        }
    );
    assert_eq!(found.image.passwd, ImageFile::Absent);
}

#[test]
fn oversized_files_are_refused_like_containerd() {
    let big = vec![b'#'; podgroups_core::image::MAX_ETC_FILE_BYTES + 1];
    let found = read(&docker_save(&[unnamed(vec![
        base(),
        gzip(&layer(&[E::File("etc/group", &big)])),
    ])]));
    assert!(matches!(found.group, EtcFile::TooLarge { size, .. } if size == big.len() as u64));
    assert_eq!(found.image.group, ImageFile::Absent);
    assert_eq!(
        found.group.runtime_error("etc/group").as_deref(),
        Some("\"etc/group\" exceeds 10485760 bytes")
    );
}

#[test]
fn long_names_and_pax_headers_are_read() {
    let deep = format!("usr/{}/passwd", "d".repeat(150));
    let target = format!("/{deep}");
    let found = read(&docker_save(&[unnamed(vec![layer(&[
        E::File(&deep, b"long:x:9:9::/:/bin/sh\n"),
        E::Symlink("etc/passwd", &target),
    ])])]));
    assert_eq!(found.image.passwd, text(b"long:x:9:9::/:/bin/sh\n"));
}

#[test]
fn zstd_and_gzip_multi_frame_layers() {
    let l = base();
    let (a, b) = l.split_at(1000);
    let two_frames = [zstd(a), zstd(b)].concat();
    let two_members = [gzip(a), gzip(b)].concat();
    for blob in [two_frames, two_members] {
        let found = read(&oci_archive(&[unnamed(vec![blob])], false));
        assert_eq!(found.image.group, text(GROUP));
    }
}

fn multi() -> Vec<Img> {
    let amd = Img::new("example.com/app:2", "1000", vec![gzip(&base())]);
    let arm = Img::new("example.com/app:2", "2000", vec![zstd(&base())]).on("linux", "arm64", Some("v8"));
    let armv7 = Img::new("example.com/app:2", "3000", vec![base()]).on("linux", "arm", Some("v7"));
    vec![amd, arm, armv7]
}

#[test]
fn multi_platform_index_defaults_to_linux_amd64() {
    let bytes = oci_archive(&multi(), true);
    let found = read(&bytes);
    assert_eq!(found.image.user.as_deref(), Some("1000"));
    assert_eq!(found.names, ["example.com/app:2", "latest"]);
    assert!(found.is_named("example.com/app:2") && !found.is_named("app:2") && !found.is_named("example.com/app:3"));
    let pinned = format!("example.com/app:2@{}", found.manifest_digest.clone().unwrap());
    assert!(found.is_named(&pinned) && found.is_named(&format!("other@{}", found.manifest_digest.clone().unwrap())));
    let arm = read_with(&bytes, Some("example.com/app:2"), Some("linux/arm64")).unwrap();
    assert_eq!(
        (arm.image.user.as_deref().unwrap_or_default(), arm.layers[0].compression),
        ("2000", Compression::Zstd)
    );
    let v7 = read_with(&bytes, None, Some("linux/arm/v7")).unwrap();
    assert_eq!(v7.image.user.as_deref(), Some("3000"));
    let err = read_with(&bytes, None, Some("linux/s390x")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoMatch);
    for listed in ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"] {
        assert!(err.message.contains(listed), "{}", err.message);
    }
    assert!(
        !err.message.contains("unknown"),
        "attestation manifests are not images: {}",
        err.message
    );
}

#[test]
fn without_amd64_several_platforms_are_ambiguous() {
    let bytes = oci_archive(&multi()[1..], true);
    let err = read_with(&bytes, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Ambiguous);
    assert!(
        err.message.contains("linux/arm64/v8")
            && err.message.contains("linux/arm/v7")
            && err.message.contains("--platform"),
        "{}",
        err.message
    );
}

#[test]
fn platforms_missing_from_the_archive_are_listed() {
    // docker save of a multi-platform image keeps only the local platform's blobs.
    let files = oci_files(&multi(), true);
    let manifest_of_arm = {
        let index: serde_json::Value =
            serde_json::from_slice(&files.iter().find(|(p, _)| p == "index.json").unwrap().1).unwrap();
        let inner_digest = index["manifests"][0]["digest"].as_str().unwrap().to_string();
        let inner: serde_json::Value =
            serde_json::from_slice(&files.iter().find(|(p, _)| p.ends_with(&inner_digest[7..])).unwrap().1).unwrap();
        inner["manifests"][1]["digest"].as_str().unwrap().to_string()
    };
    let kept: Vec<_> = files
        .into_iter()
        .filter(|(p, _)| !p.ends_with(&manifest_of_arm[7..]))
        .collect();
    let bytes = outer_tar(&kept);
    let err = read_with(&bytes, None, Some("linux/arm64")).unwrap_err();
    assert!(err.message.contains("[not in the archive]"), "{}", err.message);
    assert_eq!(
        read_with(&bytes, None, None).unwrap().image.user.as_deref(),
        Some("1000")
    );
}

#[test]
fn several_images_need_a_reference() {
    let bytes = docker_save(&[
        Img::new("web:1", "web", vec![base()]),
        Img::new("db:2", "db", vec![base()]),
    ]);
    let err = read_with(&bytes, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Ambiguous);
    assert!(
        err.message.contains("web:1") && err.message.contains("db:2") && err.message.contains("--image-ref"),
        "{}",
        err.message
    );
    assert_eq!(
        read_with(&bytes, Some("db:2"), None).unwrap().image.user.as_deref(),
        Some("db")
    );
    assert_eq!(
        read_with(&bytes, Some("docker.io/library/web:1"), None)
            .unwrap()
            .image
            .user
            .as_deref(),
        Some("web")
    );
    // By image ID (config digest), full or abbreviated.
    let id = format!("{:0<64x}", 0xc0f + 1);
    assert_eq!(
        read_with(&bytes, Some(&format!("sha256:{id}")), None)
            .unwrap()
            .image
            .user
            .as_deref(),
        Some("db")
    );
    assert_eq!(
        read_with(&bytes, Some(&id[..12]), None).unwrap().image.user.as_deref(),
        Some("db")
    );
    let err = read_with(&bytes, Some("cache:3"), None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoMatch);
    assert!(err.message.contains("web:1"), "{}", err.message);
    // OCI with bare-tag ref names.
    let bytes = oci_archive(
        &[
            Img::new("1.0", "one", vec![base()]),
            Img::new("2.0", "two", vec![base()]),
        ],
        false,
    );
    assert_eq!(
        read_with(&bytes, Some("app:2.0"), None).unwrap().image.user.as_deref(),
        Some("two")
    );
}

/// An OCI layout directory, as the CLI sees it: files by path.
struct Dir(BTreeMap<String, Vec<u8>>);

impl Layout for Dir {
    fn open(&self, path: &str) -> std::io::Result<Option<Box<dyn ReadAt + '_>>> {
        Ok(self.0.get(path).map(|v| Box::new(v.as_slice()) as Box<dyn ReadAt>))
    }
}

#[test]
fn oci_layout_directories_read_through_the_layout_trait() {
    let dir = Dir(oci_files(&multi(), true).into_iter().collect());
    let found = read_layout(
        &dir,
        &Selector {
            platform: Some("linux/arm64/v8".into()),
            ..Selector::default()
        },
    )
    .unwrap();
    assert_eq!(found.image.user.as_deref(), Some("2000"));
    assert_eq!(found.image.group, text(GROUP));
}

#[test]
fn explain_on_the_archive_equals_explain_on_files_pasted_by_hand() {
    let manifest = "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, supplementalGroups: [4000]}\n  containers: [{name: c, image: app}]\n";
    let by_hand = Image {
        user: Some("app".into()),
        passwd: text(PASSWD),
        group: text(GROUP),
    };
    let archive = docker_save(&[Img::new(
        "app:1",
        "app",
        vec![
            layer(&[E::File("etc/passwd", PASSWD)]),
            gzip(&layer(&[E::File("etc/group", GROUP)])),
        ],
    )]);
    let found = read(&archive);
    assert_eq!(found.image, by_hand);
    let report = |image: Image| {
        explain(&Input {
            manifests: manifest.into(),
            image,
            ..Input::default()
        })
        .unwrap()
    };
    let (from_archive, pasted) = (report(found.image), report(by_hand));
    assert_eq!(from_archive, pasted);
    let ctr = &from_archive.workloads[0].containers[0];
    assert_eq!(ctr.implicit_gids, [50000]);
}

/// A layer tar written with POSIX headers: a ustar prefix/name split and a PAX `path` record.
fn posix_layer(long_ustar: &str, long_pax: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, long_ustar, data).unwrap();
    b.append_pax_extensions([("path", long_pax.as_bytes())]).unwrap();
    let mut h = tar::Header::new_ustar();
    h.set_path("placeholder").unwrap();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, data).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn ustar_prefixes_and_pax_paths_are_read() {
    let ustar = format!("{}/etc/passwd", "p".repeat(120));
    let pax = format!("{}/group", "q".repeat(300));
    let l = posix_layer(&ustar, &pax, b"x:x:1:\n");
    let links = layer(&[
        E::Symlink("etc/passwd", &format!("/{ustar}")),
        E::Symlink("etc/group", &format!("/{pax}")),
    ]);
    let found = read(&docker_save(&[unnamed(vec![l, links])]));
    assert_eq!(found.image.passwd, text(b"x:x:1:\n"));
    assert_eq!(found.image.group, text(b"x:x:1:\n"));
}

#[test]
fn symlinked_layer_members_of_old_docker_save_are_followed() {
    // Old `docker save` writes a repeated layer once and links the other directory's layer.tar to it.
    let l = base();
    let mut b = tar::Builder::new(Vec::new());
    let put = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data).unwrap();
    };
    put(
        &mut b,
        "c.json",
        br#"{"os":"linux","architecture":"amd64","config":{"User":"app"}}"#,
    );
    put(&mut b, "aaa/layer.tar", &l);
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    b.append_link(&mut h, "bbb/layer.tar", "../aaa/layer.tar").unwrap();
    put(
        &mut b,
        "manifest.json",
        br#"[{"Config":"c.json","RepoTags":["a:1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]"#,
    );
    let found = read(&b.into_inner().unwrap());
    assert_eq!(found.layers.len(), 2);
    assert!(matches!(found.passwd, EtcFile::Regular { layer: 1, .. }));
    assert_eq!(found.image.group, text(GROUP));
}

#[test]
fn an_opaque_marker_in_a_new_directory_creates_it() {
    // etc as a file is replaced by the directory the marker needs; etc/passwd is then simply absent.
    let img = unnamed(vec![
        layer(&[E::File("etc", b"")]),
        layer(&[E::Whiteout("etc"), E::Opaque("etc")]),
    ]);
    let found = read(&docker_save(&[img]));
    assert!(matches!(found.passwd, EtcFile::Absent { .. }), "{:?}", found.passwd);
}

#[test]
fn docker_25_archives_with_both_index_and_manifest_json_are_read_as_oci() {
    // Docker 25+ writes an OCI layout plus a manifest.json pointing into blobs/, and names the image
    // with io.containerd.image.name; the same manifest may be listed once per tag.
    let img = Img::new("docker.io/library/app:1", "app", vec![gzip(&base())]);
    let mut files = oci_files(std::slice::from_ref(&img), false);
    let index_at = files.iter().position(|(p, _)| p == "index.json").unwrap();
    let mut index: serde_json::Value = serde_json::from_slice(&files[index_at].1).unwrap();
    let desc = index["manifests"][0].clone();
    let manifest: serde_json::Value = serde_json::from_slice(
        &files
            .iter()
            .find(|(p, _)| p.ends_with(&desc["digest"].as_str().unwrap()[7..]))
            .unwrap()
            .1,
    )
    .unwrap();
    let tagged = |name: &str, tag: &str| {
        let mut d = desc.clone();
        d["annotations"] =
            serde_json::json!({"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag});
        d
    };
    index["manifests"] = serde_json::json!([
        tagged("docker.io/library/app:1", "1"),
        tagged("docker.io/library/app:latest", "latest")
    ]);
    files[index_at].1 = serde_json::to_vec(&index).unwrap();
    let blob = |d: &serde_json::Value| format!("blobs/sha256/{}", &d["digest"].as_str().unwrap()[7..]);
    let legacy = serde_json::json!([{"Config": blob(&manifest["config"]), "RepoTags": ["app:1", "app:latest"],
        "Layers": manifest["layers"].as_array().unwrap().iter().map(blob).collect::<Vec<_>>()}]);
    files.push(("manifest.json".into(), serde_json::to_vec(&legacy).unwrap()));
    let bytes = outer_tar(&files);
    let found = read(&bytes);
    assert_eq!(found.format, Format::Oci);
    assert_eq!(found.image.group, text(GROUP));
    assert!(
        found.names.contains(&"docker.io/library/app:latest".to_owned()),
        "{:?}",
        found.names
    );
    assert_eq!(
        read_with(&bytes, Some("app:latest"), None)
            .unwrap()
            .image
            .user
            .as_deref(),
        Some("app")
    );
    let verified = read_image(
        &bytes,
        &Selector {
            verify_digests: true,
            ..Selector::default()
        },
    )
    .unwrap();
    assert!(verified.digests_verified);
}

#[test]
fn skopeo_dir_copies_are_read() {
    // `skopeo copy … dir:DIR`: manifest.json is the image manifest itself, blobs are named by hex.
    let img = Img::new("app:1", "app", vec![zstd(&base()), layer(&[E::Whiteout("etc/group")])]);
    let files = oci_files(std::slice::from_ref(&img), false);
    let index: serde_json::Value =
        serde_json::from_slice(&files.iter().find(|(p, _)| p == "index.json").unwrap().1).unwrap();
    let manifest_hex = index["manifests"][0]["digest"].as_str().unwrap()[7..].to_owned();
    let mut dir: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (path, data) in files {
        if let Some(hex) = path.strip_prefix("blobs/sha256/") {
            if hex == manifest_hex {
                dir.insert("manifest.json".into(), data.clone());
            }
            dir.insert(hex.to_owned(), data);
        }
    }
    dir.insert("version".into(), b"Directory Transport Version: 1.1\n".to_vec());
    let found = read_layout(
        &Dir(dir),
        &Selector {
            verify_digests: true,
            ..Selector::default()
        },
    )
    .unwrap();
    assert_eq!(found.format, Format::SkopeoDir);
    assert_eq!(found.image.user.as_deref(), Some("app"));
    assert_eq!(found.image.passwd, text(PASSWD));
    assert!(matches!(
        found.group,
        EtcFile::Absent {
            removed_by: Some(RemovedBy { layer: 1, .. }),
            ..
        }
    ));
}
