//! Tars and docker-save archives built in memory, for the tests that give podgroups image archives
//! (the cluster dumps' images here, and the CLI's image tests, which include this file by `#[path]`).
#![allow(dead_code)]

use serde_json::json;

/// A tar of regular files, as `(path, content)`.
pub fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// A docker-save archive of one single-layer image holding `/etc/passwd` and `/etc/group`.
pub fn docker_save(tag: &str, passwd: &str, group: &str) -> Vec<u8> {
    let layer = tar(&[("etc/passwd", passwd.as_bytes()), ("etc/group", group.as_bytes())]);
    let config = json!({"os": "linux", "architecture": "amd64", "config": {}}).to_string();
    let manifest = json!([{"Config": "config.json", "RepoTags": [tag], "Layers": ["l0/layer.tar"]}]).to_string();
    tar(&[
        ("config.json", config.as_bytes()),
        ("l0/layer.tar", &layer),
        ("manifest.json", manifest.as_bytes()),
    ])
}
