//! The audit view's links into the playground (`www/js/audit.js`, drawn from the lazily loaded
//! audit module's answer): a finding names one pod, its node's runtime and Kubernetes version, and
//! the files pasted for its image; here that becomes a share link, and opening one loads it through
//! the reducer like any other link. Only this small bridge is in the app's wasm; the audit is not.

use crate::model::{runtime_from_value, Gate, State};
use crate::url;
use podgroups_core::Image;

/// What the audit view asks to open (the audit module's `PodLink`, playground/audit/src/view.rs),
/// passed field by field: a derived deserializer for it would cost the app's wasm more than the rest
/// of this bridge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodLink {
    pub manifest: String,
    /// A runtime menu value (`containerd-2`, `crio`).
    pub runtime: String,
    pub kubernetes_minor: u32,
    /// `true`: the node's gate is on; `None`: the version's default.
    pub feature_gate: Option<bool>,
    /// A part not given is unknown.
    pub image: Image,
}

impl PodLink {
    /// The playground's state for this pod: its manifest, the node's environment, the image as pasted.
    pub fn state(self) -> Result<State, String> {
        let runtime = runtime_from_value(&self.runtime)
            .ok_or_else(|| format!("runtime {:?} is not one of the playground's runtimes", self.runtime))?;
        let mut state = State {
            manifest: self.manifest,
            ..State::default()
        };
        state.options.runtime = runtime;
        state.options.kubernetes_minor = self.kubernetes_minor;
        state.options.feature_gate = match self.feature_gate {
            Some(true) => Gate::On,
            Some(false) => Gate::Off,
            None => Gate::Default,
        };
        state.set_image(self.image);
        Ok(state)
    }
}

/// The image of a link, as the core's JSON writes it (`{"group": …}`; a missing key is unknown).
pub fn image(json: &str) -> Result<Image, String> {
    serde_json::from_str(json).map_err(|e| format!("the audit link's image: {e}"))
}

/// `v1=…`, the share-link fragment of the pod the audit names.
pub fn fragment(link: PodLink) -> Result<String, String> {
    Ok(url::encode(&link.state()?))
}

/// The state a share-link fragment holds, to load into the app.
pub fn open(fragment: &str) -> Result<State, String> {
    match url::decode(fragment) {
        Ok(Some(state)) => Ok(state),
        Ok(None) => Err("an empty link".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Known;
    use podgroups_core::{ImageFile, RuntimeKind};

    fn link(runtime: &str, image: &str) -> Result<PodLink, String> {
        Ok(PodLink {
            manifest: "{\"kind\":\"Pod\"}".into(),
            runtime: runtime.into(),
            kubernetes_minor: 32,
            feature_gate: Some(true),
            image: super::image(image)?,
        })
    }

    #[test]
    fn a_finding_opens_its_pod_on_its_nodes_environment() {
        let link = link("crio", r#"{"group":"wheel:x:101:app\n"}"#).unwrap();
        let state = open(&fragment(link).unwrap()).unwrap();
        assert_eq!(state.manifest, "{\"kind\":\"Pod\"}");
        assert_eq!(state.options.runtime, RuntimeKind::Crio);
        assert_eq!(state.options.kubernetes_minor, 32);
        assert_eq!(state.options.feature_gate, Gate::On);
        assert_eq!(state.image().group, ImageFile::Present("wheel:x:101:app\n".into()));
        // Parts not pasted stay unknown, never empty.
        assert_eq!((state.passwd_known, state.user_known), (Known::Unknown, Known::Unknown));
    }

    #[test]
    fn bad_links_are_errors() {
        assert!(link("crio", "[1]").unwrap_err().contains("the audit link's image"));
        assert!(fragment(link("docker", "{}").unwrap()).unwrap_err().contains("docker"));
        assert!(open("").is_err());
        assert!(open("v1=%%%").is_err());
    }
}
