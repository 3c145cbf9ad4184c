//! The optional image-config check (`check_image_user`): when the manifest sets no `runAsUser`, the
//! process runs as the image config's `USER` (Spec 5). Kubewarden's `oci/v1/oci_manifest_config` host
//! capability gives that config; the image's layers (its `/etc/passwd` and `/etc/group`) stay out of
//! reach of any admission policy, so a user *name* cannot be resolved here.

#![forbid(unsafe_code)]

use podgroups_core::image::{image_user, ImageUser};
use serde_json::Value;

/// Where image configs come from.
pub trait ImageConfigs {
    /// The image config's `config.User` (`""` when it sets none), or why it could not be read.
    fn user(&mut self, image: &str) -> Result<String, String>;
}

/// A host without the capability (the OPA ABI): `check_image_user` cannot be honoured.
pub struct NoImageConfigs;

impl ImageConfigs for NoImageConfigs {
    fn user(&mut self, _image: &str) -> Result<String, String> {
        Err("this host has no image-config capability".into())
    }
}

/// Reads `config.config.User` from the `oci/v1/oci_manifest_config` answer
/// (`{"manifest": …, "digest": …, "config": <OCI image config>}`); a config without `User` runs as root.
pub fn user_of_manifest_config(answer: &Value) -> Result<String, String> {
    let config = answer
        .get("config")
        .filter(|c| c.is_object())
        .ok_or("the host's oci_manifest_config answer has no config object")?;
    match config.pointer("/config/User") {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(user)) => Ok(user.clone()),
        Some(_) => Err("the image config's config.User is not a string".into()),
    }
}

/// What the image's USER means for a container that sets no `runAsUser` (Spec 5.1–5.2).
pub fn uid_of(user: &str) -> ImageUser {
    image_user(user)
}
