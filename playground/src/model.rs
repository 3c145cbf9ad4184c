//! The playground's whole state: the four inputs and the environment options. It is what a share
//! link carries, so every field has a serde default (old links keep opening as fields are added).
//! The default is neutral — nothing typed, no example: the page opens on an example by choosing
//! it (`crate::examples`), so a link that lacks a field never gets an example's value for it.

use podgroups_core::{Environment, Image, Input, Runtime, RuntimeKind};
use serde::{Deserialize, Serialize};

/// The runtimes the selector offers, in menu order.
pub const RUNTIMES: [Runtime; 3] = [Runtime::CONTAINERD_2, Runtime::CONTAINERD_1_7, Runtime::CRIO];

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
    /// The core's default environment.
    fn default() -> Self {
        let env = Environment::default();
        Options {
            runtime: env.runtime.kind,
            kubernetes_minor: env.kubernetes_minor,
            feature_gate: Gate::Default,
            view: PolicyView::AsWritten,
        }
    }
}

impl Default for State {
    /// Nothing typed; the image's files exist and are empty; the environment's defaults.
    fn default() -> Self {
        State {
            manifest: String::new(),
            group: String::new(),
            passwd: String::new(),
            group_present: true,
            passwd_present: true,
            image_user: String::new(),
            options: Options::default(),
        }
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

/// Value used in `<select>` options: the core's name of the runtime (`containerd-2`).
pub fn runtime_value(kind: RuntimeKind) -> String {
    Runtime { kind, release: None }.to_string()
}

/// The runtime a `<select>` value names; a pinned release is not a menu value.
pub fn runtime_from_value(v: &str) -> Option<RuntimeKind> {
    v.parse::<Runtime>()
        .ok()
        .filter(|r| r.release.is_none())
        .map(|r| r.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_neutral() {
        let s = State::default();
        assert_eq!((s.manifest.as_str(), s.group.as_str(), s.passwd.as_str()), ("", "", ""));
        assert_eq!(s.image_user, "");
        assert_eq!(s.options.environment(), Environment::default());
    }

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
        for r in RUNTIMES {
            assert_eq!(runtime_from_value(&runtime_value(r.kind)), Some(r.kind));
        }
        assert_eq!(runtime_from_value("docker"), None);
        assert_eq!(runtime_from_value("containerd-2.0.5"), None);
    }
}
