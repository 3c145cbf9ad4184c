//! # podgroups-archive-wasm
//!
//! The playground's second wasm module, loaded only when a user drops or picks an image archive:
//! `readImage(bytes, selector)` reads the image's `USER`, `/etc/passwd` and `/etc/group` with
//! `podgroups_image` (Spec 8.11) and answers in JSON. Kept apart from the app's wasm so the
//! archive reader (≈100 KB gzipped) is not part of the page's initial download.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

use podgroups_core::Image;
use podgroups_image::{read_image, Selector};
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;

/// What `readImage` answers, as JSON.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Answer {
    Read {
        ok: bool,
        /// `user`, `passwd`, `group`; `null` for an absent file.
        image: Image,
        /// The chosen image's names.
        names: Vec<String>,
        /// One line each for `USER`, `/etc/passwd`, `/etc/group`: where it came from or why absent.
        provenance: Vec<String>,
    },
    Failed {
        ok: bool,
        error: String,
        /// When several images match: one per image, to choose from and read again.
        choices: Vec<Choice>,
    },
}

/// One image of an archive holding several.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Choice {
    /// As the core lists it: `name digest (platform)`.
    pub label: String,
    /// The reference to read it with (a name, else its digest).
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// `readImage(bytes, selectorJson)`: `selectorJson` is a [`Selector`] (`{"reference": …,
/// "platform": …}`, `""` for the default). Returns the [`Answer`] as a JSON string.
#[wasm_bindgen(js_name = readImage)]
pub fn read_image_js(bytes: &[u8], selector: &str) -> String {
    serde_json::to_string(&read(bytes, selector))
        .unwrap_or_else(|e| format!("{{\"ok\":false,\"error\":\"cannot encode the answer: {e}\",\"choices\":[]}}"))
}

/// Reads the image the selector designates and says where each part came from.
pub fn read(bytes: &[u8], selector: &str) -> Answer {
    let failed = |error: String, choices| Answer::Failed {
        ok: false,
        error,
        choices,
    };
    let selector: Selector = if selector.trim().is_empty() {
        Selector::default()
    } else {
        match serde_json::from_str(selector) {
            Ok(s) => s,
            Err(e) => return failed(format!("bad image selector: {e}"), Vec::new()),
        }
    };
    match read_image(bytes, &selector) {
        Ok(found) => {
            let user = match found.image.user.as_deref() {
                None | Some("") => "USER: unset in the image config".to_owned(),
                Some(user) => format!("USER {user} from the image config"),
            };
            Answer::Read {
                ok: true,
                provenance: vec![
                    user,
                    format!("passwd: {}", found.passwd.describe(&found.layers)),
                    format!("group: {}", found.group.describe(&found.layers)),
                ],
                names: found.names,
                image: found.image,
            }
        }
        Err(e) => {
            // The core lists the images to choose from; those whose blobs the archive lacks cannot be read.
            let choices = e
                .choices
                .iter()
                .filter(|c| !c.missing && !c.reference.is_empty())
                .map(|c| Choice {
                    label: c.label.clone(),
                    reference: c.reference.clone(),
                    platform: c.platform.clone(),
                })
                .collect();
            failed(format!("image archive: {e}"), choices)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar of `(path, bytes)` members.
    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in members {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o644);
            h.set_size(data.len() as u64);
            b.append_data(&mut h, path, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    /// Files of a layer: `(path, bytes)`.
    type Files<'a> = &'a [(&'a str, &'a [u8])];

    /// A `docker save` archive of one-layer images `(tag, USER, layer members)`.
    fn docker_save(images: &[(&str, &str, Files)]) -> Vec<u8> {
        let mut owned: Vec<(String, Vec<u8>)> = Vec::new();
        let mut manifest = Vec::new();
        for (i, (tag, user, files)) in images.iter().enumerate() {
            let diff_id = format!("sha256:{:064x}", i + 1);
            let config = serde_json::json!({
                "architecture": "amd64", "os": "linux", "config": {"User": user},
                "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            });
            let config_name = format!("{:064x}.json", 0xc0f + i);
            let layer_name = format!("{:064x}/layer.tar", 100 + i);
            owned.push((config_name.clone(), serde_json::to_vec(&config).unwrap()));
            owned.push((layer_name.clone(), tar_of(files)));
            manifest.push(serde_json::json!({"Config": config_name, "RepoTags": [tag], "Layers": [layer_name]}));
        }
        owned.push(("manifest.json".into(), serde_json::to_vec(&manifest).unwrap()));
        let members: Vec<(&str, &[u8])> = owned.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        tar_of(&members)
    }

    const GROUP: &[u8] = b"root:x:0:\nextra:x:777:app\n";
    const PASSWD: &[u8] = b"root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";

    #[test]
    fn reads_user_files_and_provenance() {
        let bytes = docker_save(&[("app:1", "app", &[("etc/group", GROUP), ("etc/passwd", PASSWD)])]);
        let json: serde_json::Value = serde_json::from_str(&read_image_js(&bytes, "")).unwrap();
        assert_eq!(json["ok"], true);
        assert_eq!(json["image"]["user"], "app");
        assert_eq!(json["image"]["group"], "root:x:0:\nextra:x:777:app\n");
        assert_eq!(
            json["image"]["passwd"].as_str().unwrap(),
            std::str::from_utf8(PASSWD).unwrap()
        );
        assert_eq!(json["names"][0], "app:1");
        let lines: Vec<&str> = json["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("USER app"), "{lines:?}");
        assert!(lines[1].starts_with("passwd: /etc/passwd from layer 0"), "{lines:?}");
        assert!(lines[2].starts_with("group: /etc/group from layer 0"), "{lines:?}");
    }

    #[test]
    fn absent_files_are_null_with_a_reason() {
        let bytes = docker_save(&[("static:1", "", &[("etc/group", GROUP)])]);
        match read(&bytes, "") {
            Answer::Read { image, provenance, .. } => {
                assert!(image.passwd.is_absent());
                assert!(image.group.text().is_some());
                assert!(provenance[0].contains("unset"), "{provenance:?}");
                assert!(provenance[1].contains("absent"), "{provenance:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn several_images_give_choices_that_read_again() {
        let bytes = docker_save(&[
            ("web:1", "web", &[("etc/passwd", PASSWD)]),
            ("db:2", "db", &[("etc/group", GROUP)]),
        ]);
        let choices = match read(&bytes, "") {
            Answer::Failed { error, choices, .. } => {
                assert!(error.contains("several images"), "{error}");
                choices
            }
            other => panic!("{other:?}"),
        };
        let refs: Vec<&str> = choices.iter().map(|c| c.reference.as_str()).collect();
        assert_eq!(refs, ["web:1", "db:2"]);
        let selector = serde_json::json!({"reference": refs[1]}).to_string();
        match read(&bytes, &selector) {
            Answer::Read { image, .. } => assert_eq!(image.user.as_deref(), Some("db")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_and_bad_selectors_are_errors_not_panics() {
        for (bytes, sel) in [
            (&b"not a tar"[..], ""),
            (&[0u8; 1024][..], ""),
            (&b""[..], "{"),
            (&b""[..], "[1]"),
        ] {
            let json: serde_json::Value = serde_json::from_str(&read_image_js(bytes, sel)).unwrap();
            assert_eq!(json["ok"], false, "{json}");
            assert!(!json["error"].as_str().unwrap().is_empty());
        }
    }
}
