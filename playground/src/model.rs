//! The playground's whole state: the four inputs and the environment options. It is what a share
//! link carries, so every field has a serde default (old links keep opening as fields are added).

use podgroups_core::{Environment, Image, Input, Runtime, RuntimeKind};
use serde::{Deserialize, Serialize};

/// The Kubernetes minor versions the selector offers (the spec's range).
pub const KUBERNETES_MINORS: [u32; 6] = [30, 31, 32, 33, 34, 35];

/// Everything the user typed or chose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// Manifests: YAML or JSON, several documents allowed.
    #[serde(rename = "m")]
    pub manifest: String,
    /// The image's `/etc/group`.
    #[serde(rename = "g")]
    pub group: String,
    /// The image's `/etc/passwd`.
    #[serde(rename = "p")]
    pub passwd: String,
    /// Whether the image has `/etc/group` at all (distroless and scratch images may not).
    #[serde(rename = "gp")]
    pub group_present: bool,
    /// Whether the image has `/etc/passwd` at all.
    #[serde(rename = "pp")]
    pub passwd_present: bool,
    /// The image config's `USER` (empty when unset).
    #[serde(rename = "u")]
    pub image_user: String,
    #[serde(rename = "o")]
    pub options: Options,
}

/// The environment controls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    #[serde(rename = "rt")]
    pub runtime: RuntimeKind,
    /// Kubernetes minor version (`33` for 1.33).
    #[serde(rename = "k8s")]
    pub kubernetes_minor: u32,
    #[serde(rename = "gate")]
    pub feature_gate: Gate,
    /// Which policy the detail view (what `id` prints, the status) follows.
    #[serde(rename = "view")]
    pub view: PolicyView,
}

/// The `SupplementalGroupsPolicy` feature gate as the user sets it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// The version's default (off before 1.33, on from 1.33, locked on from 1.35).
    #[default]
    Default,
    On,
    Off,
}

impl Gate {
    pub fn as_option(self) -> Option<bool> {
        match self {
            Gate::Default => None,
            Gate::On => Some(true),
            Gate::Off => Some(false),
        }
    }
}

/// The Merge/Strict switch: which outcome the detail view shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyView {
    /// Whatever the manifest says (unset behaves as Merge).
    #[default]
    AsWritten,
    Merge,
    Strict,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runtime: RuntimeKind::Containerd2,
            kubernetes_minor: 35,
            feature_gate: Gate::Default,
            view: PolicyView::AsWritten,
        }
    }
}

impl Default for State {
    /// The Kubernetes blog's Merge example: what `/` opens on.
    fn default() -> Self {
        crate::examples::blog_merge()
    }
}

impl State {
    /// The core's input for this state.
    pub fn to_input(&self) -> Input {
        let present = |on: bool, text: &str| on.then(|| text.to_owned());
        Input {
            manifests: self.manifest.clone(),
            image: Image::known(
                self.image_user.clone(),
                present(self.passwd_present, &self.passwd),
                present(self.group_present, &self.group),
            ),
            environment: self.options.environment(),
            ..Input::default()
        }
    }
}

impl Options {
    pub fn environment(&self) -> Environment {
        Environment {
            runtime: Runtime {
                kind: self.runtime,
                release: None,
            },
            kubernetes_minor: self.kubernetes_minor,
            feature_gate: self.feature_gate.as_option(),
            node_supports_policy: None,
        }
    }
}

/// The name the runtime selector shows and stores.
pub fn runtime_label(kind: RuntimeKind) -> &'static str {
    match kind {
        RuntimeKind::Containerd2 => "containerd 2.x",
        RuntimeKind::Containerd17 => "containerd 1.7",
        RuntimeKind::Crio => "CRI-O",
    }
}

/// Value used in `<select>` options (the core's serde names).
pub fn runtime_value(kind: RuntimeKind) -> &'static str {
    match kind {
        RuntimeKind::Containerd2 => "containerd-2",
        RuntimeKind::Containerd17 => "containerd-1.7",
        RuntimeKind::Crio => "crio",
    }
}

pub fn runtime_from_value(v: &str) -> Option<RuntimeKind> {
    [RuntimeKind::Containerd2, RuntimeKind::Containerd17, RuntimeKind::Crio]
        .into_iter()
        .find(|k| runtime_value(*k) == v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_files_become_none() {
        let s = State {
            passwd_present: false,
            ..State::default()
        };
        let input = s.to_input();
        assert!(input.image.passwd.is_absent());
        assert!(input.image.group.text().is_some());
    }

    #[test]
    fn options_map_to_environment() {
        let o = Options {
            runtime: RuntimeKind::Crio,
            kubernetes_minor: 32,
            feature_gate: Gate::On,
            view: PolicyView::Strict,
        };
        let env = o.environment();
        assert_eq!(env.runtime.kind, RuntimeKind::Crio);
        assert_eq!(env.kubernetes_minor, 32);
        assert_eq!(env.feature_gate, Some(true));
    }

    #[test]
    fn runtime_values_round_trip() {
        for k in [RuntimeKind::Containerd2, RuntimeKind::Containerd17, RuntimeKind::Crio] {
            assert_eq!(runtime_from_value(runtime_value(k)), Some(k));
        }
        assert_eq!(runtime_from_value("docker"), None);
    }
}
