//! Errors: the pod's own fate (a [`Refusal`] at a pipeline stage) and unusable input ([`InputError`]).

use serde::Serialize;
use std::fmt;

/// A 1-based position in the input text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Where Kubernetes or the runtime refuses the pod (spec §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// kube-apiserver validation: HTTP 422, reason `Invalid` (Spec 1).
    ApiValidation,
    /// kubelet admission: pod phase `Failed` (Spec 2).
    KubeletAdmission,
    /// Pod sandbox creation: event `FailedCreatePodSandBox` (Spec 3).
    SandboxCreate,
    /// kubelet container config: waiting reason `CreateContainerConfigError` (Spec 6).
    KubeletContainerConfig,
    /// Runtime `CreateContainer`: waiting reason `CreateContainerError` (Spec 8–10).
    RuntimeCreate,
    /// OCI runtime start (`setgroups` in runc): the container never runs (Spec 12).
    RuntimeStart,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::ApiValidation => "api-validation",
            Stage::KubeletAdmission => "kubelet-admission",
            Stage::SandboxCreate => "sandbox-create",
            Stage::KubeletContainerConfig => "kubelet-container-config",
            Stage::RuntimeCreate => "runtime-create",
            Stage::RuntimeStart => "runtime-start",
        }
    }
}

/// Kubernetes or the runtime refuses to run the container: stage, reason and message as the spec gives them.
/// Serialized with its words too (`stage_text`, `text`; see `describe.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub stage: Stage,
    /// The `reason` users see (`Invalid`, `SupplementalGroupsPolicyNotSupported`, `CreateContainerError`…).
    pub reason: String,
    /// The message; for api-validation the first cause (`<field>: <body>`).
    pub message: String,
    /// Every cause, for api-validation (left out of JSON when empty).
    pub all_messages: Vec<String>,
    /// The Warning event's message where it differs from `message`.
    pub event_message: Option<String>,
    /// The line of the image's file the failure comes from, which the component's message does not
    /// name: kept apart so `message` stays the component's text verbatim (Spec 4).
    pub location: Option<Box<FileLine>>,
}

/// A line of one of the image's files (`/etc/passwd`, `/etc/group`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileLine {
    pub file: &'static str,
    pub line: u32,
}

impl fmt::Display for FileLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}", self.file, self.line)
    }
}

impl Refusal {
    pub(crate) fn new(stage: Stage, reason: &str, message: impl Into<String>) -> Self {
        Refusal {
            stage,
            reason: reason.to_owned(),
            message: message.into(),
            all_messages: Vec::new(),
            event_message: None,
            location: None,
        }
    }

    /// kubelet's `rejectPod`: `status.message` is `Pod was rejected: ` + the message, the Warning
    /// event carries the bare message (Spec 2).
    pub(crate) fn rejected_by_kubelet(reason: &str, message: &str) -> Self {
        let mut r = Refusal::new(Stage::KubeletAdmission, reason, format!("Pod was rejected: {message}"));
        r.event_message = Some(message.to_owned());
        r
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.stage.as_str(), self.reason, self.message)?;
        match &self.location {
            Some(at) => write!(f, " (at {at})"),
            None => Ok(()),
        }
    }
}

/// Which input an [`InputError`] is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Manifest,
    Passwd,
    Group,
    ImageUser,
    Scenario,
    Environment,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Manifest => "manifest",
            Source::Passwd => "/etc/passwd",
            Source::Group => "/etc/group",
            Source::ImageUser => "image USER",
            Source::Scenario => "scenario",
            Source::Environment => "environment",
        })
    }
}

/// Input the engine cannot use: says which input, where, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputError {
    pub source: Source,
    /// Field path inside the document, e.g. `spec.securityContext.runAsUser`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    pub message: String,
}

impl InputError {
    pub(crate) fn new(source: Source, message: impl Into<String>) -> Self {
        InputError {
            source,
            path: None,
            location: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(mut self, path: Option<String>, location: Option<Location>) -> Self {
        self.path = path;
        self.location = location;
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(loc) = self.location {
            write!(f, " {}:{}", loc.line, loc.column)?;
        }
        if let Some(path) = &self.path {
            write!(f, " ({path})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}
