//! The audit view's links into the playground (`www/js/audit.js`, drawn from the lazily loaded
//! audit module's answer): a finding names one pod, its node's runtime and Kubernetes version, and
//! the files pasted for its image; here that becomes a share link, and opening one loads it through
//! the reducer like any other link. Only this small bridge is in the app's wasm; the audit is not.

use crate::model::{runtime_from_value, Gate, State};
use crate::url;
use podgroups_core::Image;
use serde::Deserialize;

/// What the audit view asks to open (the audit module's `PodLink`, playground/audit/src/view.rs).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PodLink {
    pub manifest: String,
    /// A runtime menu value (`containerd-2`, `crio`).
    pub runtime: String,
    pub kubernetes_minor: u32,
    /// `true`: the node's gate is on; absent or `null`: the version's default.
    #[serde(default)]
    pub feature_gate: Option<bool>,
    /// A part not given is unknown.
    #[serde(default)]
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

/// `v1=…`, the share-link fragment of the pod the audit's `PodLink` JSON names.
pub fn fragment(json: &str) -> Result<String, String> {
    let link: PodLink = serde_json::from_str(json).map_err(|e| format!("the audit's link: {e}"))?;
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

    #[test]
    fn a_finding_opens_its_pod_on_its_nodes_environment() {
        let json = r#"{"manifest":"{\"kind\":\"Pod\"}","runtime":"crio","kubernetes_minor":32,
            "feature_gate":true,"image":{"group":"wheel:x:101:app\n"},"label":"ignored"}"#;
        let state = open(&fragment(json).unwrap()).unwrap();
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
        assert!(fragment("{}").unwrap_err().contains("the audit's link"));
        let docker = r#"{"manifest":"","runtime":"docker","kubernetes_minor":33}"#;
        assert!(fragment(docker).unwrap_err().contains("docker"));
        assert!(open("").is_err());
        assert!(open("v1=%%%").is_err());
    }
}
