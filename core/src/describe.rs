//! The words for the report's values — one place for every face (CLI text, the JSON the playground
//! and embeds read, the policy's messages). Each is a `Display` or `describe` here, and the JSON carries
//! the same text beside the value (`text`, `kind_text`, `environment_text`).

use crate::environment::Environment;
use crate::error::{Refusal, Stage};
use crate::report::{Check, ContainerKind, Origin, WorkloadReport};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::fmt;

impl fmt::Display for Origin {
    /// `spec.securityContext.runAsGroup (line 12)`, `/etc/group line 4 (wheel)`, `default: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Field { path, location } => {
                f.write_str(path)?;
                match location {
                    Some(l) => write!(f, " (line {})", l.line),
                    None => Ok(()),
                }
            }
            Origin::ImageUser { user } => write!(f, "image USER {user:?}"),
            Origin::Passwd { line, name } => write!(f, "/etc/passwd line {line} ({name})"),
            Origin::Group { line, name } => write!(f, "/etc/group line {line} ({name})"),
            Origin::PvAnnotation { value } => {
                write!(f, "PersistentVolume annotation pv.beta.kubernetes.io/gid: {value:?}")
            }
            Origin::Default { reason } => write!(f, "default: {reason}"),
        }
    }
}

impl Serialize for Origin {
    /// `{"from": "field", "path": …, "location": …, "text": …}`: the tagged value plus its words.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self {
            Origin::Field { path, location } => {
                m.serialize_entry("from", "field")?;
                m.serialize_entry("path", path)?;
                if let Some(l) = location {
                    m.serialize_entry("location", l)?;
                }
            }
            Origin::ImageUser { user } => {
                m.serialize_entry("from", "image-user")?;
                m.serialize_entry("user", user)?;
            }
            Origin::Passwd { line, name } | Origin::Group { line, name } => {
                let from = if matches!(self, Origin::Passwd { .. }) {
                    "passwd"
                } else {
                    "group"
                };
                m.serialize_entry("from", from)?;
                m.serialize_entry("line", line)?;
                m.serialize_entry("name", name)?;
            }
            Origin::PvAnnotation { value } => {
                m.serialize_entry("from", "pv-annotation")?;
                m.serialize_entry("value", value)?;
            }
            Origin::Default { reason } => {
                m.serialize_entry("from", "default")?;
                m.serialize_entry("reason", reason)?;
            }
        }
        m.serialize_entry("text", &self.to_string())?;
        m.end()
    }
}

impl ContainerKind {
    /// `init container`, `container`, `ephemeral container`.
    pub fn describe(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

impl fmt::Display for ContainerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

impl Stage {
    /// The component and step that refuses, for people: `kube-apiserver validation`, ….
    pub fn describe(self) -> &'static str {
        match self {
            Stage::ApiValidation => "kube-apiserver validation",
            Stage::KubeletAdmission => "kubelet admission",
            Stage::SandboxCreate => "pod sandbox creation",
            Stage::KubeletContainerConfig => "kubelet container config",
            Stage::RuntimeCreate => "runtime CreateContainer",
            Stage::RuntimeStart => "OCI runtime start",
        }
    }
}

impl fmt::Display for Stage {
    /// The stable identifier (`api-validation`), as in the JSON and the conformance vectors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Refusal {
    /// The refusal's fields plus `stage_text` and `text` (its `Display`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("stage", &self.stage)?;
        m.serialize_entry("reason", &self.reason)?;
        m.serialize_entry("message", &self.message)?;
        if !self.all_messages.is_empty() {
            m.serialize_entry("all_messages", &self.all_messages)?;
        }
        if let Some(e) = &self.event_message {
            m.serialize_entry("event_message", e)?;
        }
        if let Some(l) = &self.location {
            m.serialize_entry("location", l)?;
        }
        m.serialize_entry("stage_text", self.stage.describe())?;
        m.serialize_entry("text", &self.to_string())?;
        m.end()
    }
}

impl fmt::Display for Environment {
    /// `containerd 2.x, Kubernetes 1.35, SupplementalGroupsPolicy gate on, node supports Strict`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gate = if self.gate_enabled() { "on" } else { "off" };
        let node = if self.node_supports_policy() {
            "supports"
        } else {
            "does not support"
        };
        write!(
            f,
            "{}, Kubernetes 1.{}, SupplementalGroupsPolicy gate {gate}, node {node} Strict",
            self.runtime.describe(),
            self.kubernetes_minor
        )
    }
}

impl WorkloadReport {
    /// `supplementalGroupsPolicy: Strict`, or `supplementalGroupsPolicy unset (behaves as Merge)`.
    pub fn policy_as_written(&self) -> String {
        match &self.supplemental_groups_policy {
            Some(p) => format!("supplementalGroupsPolicy: {p}"),
            None => "supplementalGroupsPolicy unset (behaves as Merge)".to_owned(),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Check::Clean => "clean: every group the process gets is named by the manifest",
            Check::ImplicitGroups => "the image's /etc/group adds groups no manifest names",
            Check::Refused => "Kubernetes or the runtime refuses the container",
            Check::Unknown => "cannot be proven clean: an image part that was not given decides it",
        })
    }
}
