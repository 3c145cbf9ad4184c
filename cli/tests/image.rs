//! `podgroups explain --image ARCHIVE` gives the same answer as pasting the image's files by hand;
//! `podgroups image` prints the user, groups and risk; `--image-for` maps containers to archives.

#[path = "../../audit/tests/cluster/archive.rs"]
mod archive;

use archive::tar;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP: &str = "root:x:0:\napp:x:1000:\nwheel:x:10:app\nextra:x:50000:app\n";
const POD: &str = "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {supplementalGroups: [4000]}\n  containers:\n  - {name: web, image: web:1, securityContext: {runAsUser: 1000, runAsGroup: 3000}}\n  - {name: db, image: db:2}\n";

fn podgroups(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_podgroups"))
        .args(args)
        // Never the network: images named by the manifests are looked up only in an empty cache.
        .env("PODGROUPS_OFFLINE", "1")
        .env(
            "PODGROUPS_CACHE_DIR",
            std::env::temp_dir().join("podgroups-cli-tests-empty-cache"),
        )
        .output()
        .unwrap()
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("podgroups-cli-image-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(name: &str, data: &[u8]) -> String {
    let p = dir().join(name);
    std::fs::write(&p, data).unwrap();
    p.to_str().unwrap().to_owned()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A docker-save archive: /etc/passwd in the base layer, /etc/group in a gzip layer.
fn docker_save(tag: &str, user: &str, passwd: &str, group: &str) -> Vec<u8> {
    let l0 = tar(&[("etc/passwd", passwd.as_bytes()), ("bin/sh", b"ELF")]);
    let l1 = gzip(&tar(&[("etc/group", group.as_bytes())]));
    let config = serde_json::json!({"os": "linux", "architecture": "amd64", "config": {"User": user}}).to_string();
    let manifest =
        serde_json::json!([{"Config": "config.json", "RepoTags": [tag], "Layers": ["l0/layer.tar", "l1/layer.tar"]}])
            .to_string();
    tar(&[
        ("config.json", config.as_bytes()),
        ("l0/layer.tar", &l0),
        ("l1/layer.tar", &l1),
        ("manifest.json", manifest.as_bytes()),
    ])
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn explain_with_an_archive_equals_explain_with_the_files_by_hand() {
    let pod = write("pod.yaml", POD.as_bytes());
    let archive = write("app.tar", &docker_save("app:1", "app", PASSWD, GROUP));
    let (passwd, group) = (write("passwd", PASSWD.as_bytes()), write("group", GROUP.as_bytes()));
    let from_archive = json(&podgroups(&["explain", &pod, "--image", &archive, "-o", "json"]));
    let by_hand = json(&podgroups(&[
        "explain",
        &pod,
        "--passwd",
        &passwd,
        "--group",
        &group,
        "--image-user",
        "app",
        "-o",
        "json",
    ]));
    assert_eq!(from_archive, by_hand);
    // And the answer is the interesting one: db runs as the image user and gets wheel and extra.
    let db = &from_archive[0]["workloads"][0]["containers"][1];
    assert_eq!(db["implicit_gids"], serde_json::json!([10, 50000]));

    let out = podgroups(&["explain", &pod, "--image", &archive]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("/etc/group from layer 1"), "{text}");
    // The pod's containers run web:1 and db:2, the archive holds app:1: say so.
    let notes = String::from_utf8(out.stderr).unwrap();
    assert!(notes.contains("container \"db\" runs \"db:2\", but"), "{notes}");
    assert!(notes.contains("--image-for web=ARCHIVE"), "{notes}");
    let web = write("web-only.tar", &docker_save("web:1", "app", PASSWD, GROUP));
    let out = podgroups(&["explain", &pod, "--image", &web]);
    let notes = String::from_utf8(out.stderr).unwrap();
    assert!(!notes.contains("\"web\""), "{notes}");
    assert!(notes.contains("\"db\""), "{notes}");
}

#[test]
fn image_command_prints_user_groups_and_risk() {
    let archive = write("risk.tar", &docker_save("app:1", "app", PASSWD, GROUP));
    let out = podgroups(&["image", &archive]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("USER: \"app\""), "{text}");
    assert!(
        text.contains("runs as: uid=1000(app) gid=1000(app) groups=1000(app),10(wheel),50000(extra)"),
        "{text}"
    );
    assert!(text.contains("gets 10(wheel), 50000(extra)"), "{text}");
    let j = json(&podgroups(&["image", &archive, "-o", "json"]));
    assert_eq!(j["implicit_gids"], serde_json::json!([10, 50000]));
    assert_eq!(j["archive"]["group"]["layer"], 1);
}

#[test]
fn image_for_maps_each_container_to_its_archive() {
    let pod = write("pod2.yaml", POD.as_bytes());
    let db_group = "root:x:0:\ndb:x:999:\ndocker:x:998:db\n";
    let db_passwd = "db:x:999:999::/var/lib/db:/bin/sh\n";
    let web = write("web.tar", &docker_save("web:1", "app", PASSWD, GROUP));
    let db = write("db.tar", &docker_save("db:2", "db", db_passwd, db_group));
    let mapped = json(&podgroups(&[
        "explain",
        &pod,
        "--image-for",
        &format!("web={web}"),
        "--image-for",
        &format!("db:2={db}"),
        "-o",
        "json",
    ]));
    let (p, g) = (write("dbp", db_passwd.as_bytes()), write("dbg", db_group.as_bytes()));
    let db_by_hand = json(&podgroups(&[
        "explain",
        &pod,
        "--passwd",
        &p,
        "--group",
        &g,
        "--image-user",
        "db",
        "-o",
        "json",
    ]));
    let ctrs = |v: &serde_json::Value| v[0]["workloads"][0]["containers"].clone();
    assert_eq!(ctrs(&mapped)[1], ctrs(&db_by_hand)[1]);
    assert_eq!(ctrs(&mapped)[1]["implicit_gids"], serde_json::json!([998]));

    // One archive holding both images: the image key picks the image inside it.
    let both = {
        let a = docker_save("web:1", "app", PASSWD, GROUP);
        let b = docker_save("db:2", "db", db_passwd, db_group);
        merge_docker_saves(&a, &b)
    };
    let both = write("both.tar", &both);
    let out = json(&podgroups(&[
        "explain",
        &pod,
        "--image-for",
        &format!("db:2={both}"),
        "-o",
        "json",
    ]));
    assert_eq!(ctrs(&out)[1], ctrs(&db_by_hand)[1]);
}

/// Two docker-save archives as one (`docker save web:1 db:2`), members renamed apart.
fn merge_docker_saves(a: &[u8], b: &[u8]) -> Vec<u8> {
    let read = |bytes: &[u8], prefix: &str| -> (Vec<(String, Vec<u8>)>, serde_json::Value) {
        let mut members = Vec::new();
        let mut manifest = serde_json::Value::Null;
        for e in tar::Archive::new(bytes).entries().unwrap() {
            let mut e = e.unwrap();
            let path = e.path().unwrap().display().to_string();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            if path == "manifest.json" {
                let mut m: serde_json::Value = serde_json::from_slice(&data).unwrap();
                m[0]["Config"] = format!("{prefix}{}", m[0]["Config"].as_str().unwrap()).into();
                let layers: Vec<String> = m[0]["Layers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| format!("{prefix}{}", l.as_str().unwrap()))
                    .collect();
                m[0]["Layers"] = layers.into();
                manifest = m[0].clone();
            } else {
                members.push((format!("{prefix}{path}"), data));
            }
        }
        (members, manifest)
    };
    let (mut members, ma) = read(a, "a-");
    let (mb_members, mb) = read(b, "b-");
    members.extend(mb_members);
    let manifest = serde_json::json!([ma, mb]).to_string();
    members.push(("manifest.json".into(), manifest.into_bytes()));
    let refs: Vec<(&str, &[u8])> = members.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
    tar(&refs)
}

#[test]
fn oci_layout_directories_are_read_in_place() {
    let root = dir().join("layout");
    let blob = |data: &[u8], name: &str| {
        let p = root.join("blobs/sha256").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
        format!("sha256:{name}")
    };
    let layer = blob(
        &gzip(&tar(&[
            ("etc/passwd", PASSWD.as_bytes()),
            ("etc/group", GROUP.as_bytes()),
        ])),
        &"1".repeat(64),
    );
    let config = blob(
        serde_json::json!({"os": "linux", "architecture": "amd64", "config": {"User": "1000"}})
            .to_string()
            .as_bytes(),
        &"2".repeat(64),
    );
    let manifest = serde_json::json!({"schemaVersion": 2, "config": {"digest": config, "size": 1}, "layers": [{"digest": layer, "size": 1}]});
    let m = blob(manifest.to_string().as_bytes(), &"3".repeat(64));
    std::fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(
        root.join("index.json"),
        serde_json::json!({"schemaVersion": 2, "manifests": [{"digest": m, "size": 1}]}).to_string(),
    )
    .unwrap();
    let j = json(&podgroups(&["image", root.to_str().unwrap(), "-o", "json"]));
    assert_eq!(j["archive"]["image"]["user"], "1000");
    assert_eq!(j["implicit_gids"], serde_json::json!([10, 50000]));
}

#[test]
fn broken_archives_and_misuse_exit_2_with_a_message() {
    let pod = write("pod3.yaml", POD.as_bytes());
    let mut cut = docker_save("app:1", "app", PASSWD, GROUP);
    cut.truncate(cut.len() / 2);
    let cut = write("cut.tar", &cut);
    let out = podgroups(&["explain", &pod, "--image", &cut]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cut.tar: image archive") && err.contains("truncated"),
        "{err}"
    );

    let archive = write("ok.tar", &docker_save("app:1", "app", PASSWD, GROUP));
    let out = podgroups(&["explain", &pod, "--image", &archive, "--passwd", &archive]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("drop --passwd"));

    let out = podgroups(&["image", Path::new(&pod).to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a tar archive"));
}

#[test]
fn a_non_regular_etc_group_is_warned_about_and_treated_as_absent() {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(PASSWD.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, "etc/passwd", PASSWD.as_bytes()).unwrap();
    let mut d = tar::Header::new_gnu();
    d.set_entry_type(tar::EntryType::Directory);
    d.set_size(0);
    d.set_mode(0o755);
    b.append_data(&mut d, "etc/group/", &[][..]).unwrap();
    let l0 = b.into_inner().unwrap();
    let config = serde_json::json!({"os": "linux", "architecture": "amd64", "config": {"User": "app"}}).to_string();
    let manifest = serde_json::json!([{"Config": "c.json", "RepoTags": ["odd:1"], "Layers": ["l0.tar"]}]).to_string();
    let archive = write(
        "odd.tar",
        &tar(&[
            ("c.json", config.as_bytes()),
            ("l0.tar", &l0),
            ("manifest.json", manifest.as_bytes()),
        ]),
    );
    let out = podgroups(&["image", &archive, "-o", "json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("containerd 1.7.33+, 2.0.10+, 2.1.9+, 2.2.5+ and 2.3.2+: \"etc/group is not a regular file\""),
        "{err}"
    );
    let j = json(&out);
    assert_eq!(j["archive"]["group"]["state"], "not-regular");
    assert_eq!(j["archive"]["image"]["group"], serde_json::Value::Null);
}

/// With no image option, each container's image is looked up in the registry cache (offline here):
/// not cached means explained without the image's files, with a note naming the normalized reference.
#[test]
fn offline_without_a_cached_image_says_so() {
    let pod = write("offline-pod.yaml", POD.as_bytes());
    let out = podgroups(&["explain", &pod, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("docker.io/library/web:1 is not in the cache (--offline)"),
        "{err}"
    );
    assert!(err.contains("docker.io/library/db:2 is not in the cache"), "{err}");
    // Never an empty image: each container's image is unknown.
    let report = json(&out);
    for c in report[0]["workloads"][0]["containers"].as_array().unwrap() {
        assert_eq!(
            c["image_unknown"],
            serde_json::json!(["user", "passwd", "group"]),
            "{c}"
        );
    }
}

#[test]
fn registry_options_are_checked() {
    let pod = write("reg-pod.yaml", POD.as_bytes());
    let passwd = write("reg-passwd", PASSWD.as_bytes());
    let out = podgroups(&["explain", &pod, "--image-ref", "app:1", "--passwd", &passwd]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("drop --passwd"));
    let out = podgroups(&["explain", &pod, "--image-ref", "Bad/Name:x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("repository name must be lowercase"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = podgroups(&[
        "explain",
        &pod,
        "--image-ref",
        "localhost:5000/app:1",
        "--cache-max",
        "lots",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = podgroups(&["image"]);
    assert_eq!(out.status.code(), Some(2), "an archive or --image-ref is required");
    let out = podgroups(&["image", "--image-ref", "localhost:5000/app:1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the cache"));
    // An uncached --image-ref offline is an error: it was asked for explicitly.
    let out = podgroups(&["explain", &pod, "--image-ref", "localhost:5000/app:1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("localhost:5000/app:1") && err.contains("not in the cache"),
        "{err}"
    );
}
