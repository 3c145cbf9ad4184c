//! The audit's answer. Serialized as the stable `-o json|yaml` schema documented in `audit/README.md`
//! (`schema: podgroups.audit/v1`); fields are only ever added.

use crate::images::ImageMatch;
use serde::{Deserialize, Serialize};

/// The schema name written in every report.
pub const SCHEMA: &str = "podgroups.audit/v1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub schema: String,
    pub summary: Summary,
    /// Distinct node environments (runtime, Kubernetes minor, node feature), with their nodes.
    pub environments: Vec<EnvironmentReport>,
    pub workloads: Vec<WorkloadAudit>,
    /// Items that could not be read, each named; everything else was still audited.
    pub errors: Vec<ItemError>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub workloads: usize,
    pub pods: usize,
    pub containers: usize,
    /// Containers that get groups no manifest names (predicted from `/etc/group` or observed).
    pub containers_with_implicit_groups: usize,
    /// Workloads whose pod spec already sets `supplementalGroupsPolicy: Strict`.
    pub workloads_already_strict: usize,
    /// Containers that would lose, under Strict, a group they plausibly need.
    pub containers_that_would_lose_a_needed_group: usize,
    /// Containers whose implicit groups are not known: no image given and no observed user.
    pub containers_unknown: usize,
    /// Observed identities that differ from the prediction.
    pub disagreements: usize,
    pub findings: usize,
    pub errors: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentReport {
    /// `env-1`, `env-2`… referenced by predictions.
    pub id: String,
    /// `status.nodeInfo.containerRuntimeVersion` as the nodes report it (`containerd://2.0.5`).
    pub container_runtime_version: String,
    /// `status.nodeInfo.kubeletVersion` (`v1.33.2`).
    pub kubelet_version: String,
    /// `status.features.supplementalGroupsPolicy` (`null`: the node does not publish it).
    pub node_supports_policy: Option<bool>,
    /// The modelled environment, or why it cannot be modelled (then pods there get no prediction).
    #[serde(flatten)]
    pub model: EnvironmentModel,
    pub nodes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentModel {
    /// The runtime model (`containerd-2.0.5`) and Kubernetes minor used for predictions.
    Modelled {
        runtime: String,
        kubernetes_minor: u32,
    },
    Unknown {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadAudit {
    /// The owner pods are folded into: `Deployment`, `StatefulSet`, `DaemonSet`, `CronJob`, `Job`, or `Pod`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// Pods of this workload in the dump.
    pub pods: usize,
    /// `spec.replicas` of the workload object, when it was in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i64>,
    /// `supplementalGroupsPolicy` as written (`null`: unset, which is Merge).
    pub supplemental_groups_policy: Option<String>,
    pub already_strict: bool,
    pub containers: Vec<ContainerAudit>,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContainerAudit {
    pub name: String,
    /// `init`, `regular`, `ephemeral`.
    pub kind: String,
    pub images: Vec<String>,
    /// Groups no manifest names, each with where it is known from.
    pub implicit_groups: Vec<ImplicitGroup>,
    /// Whether the implicit groups are known for every pod and template (else see `unknown`).
    pub implicit_groups_known: bool,
    /// What `Strict` would remove (empty when already Strict).
    pub strict_would_remove: Vec<u32>,
    /// Removed gids the workload plausibly needs.
    pub would_break: Vec<WouldBreak>,
    pub predictions: Vec<Prediction>,
    pub observed: Vec<Observed>,
    /// Why part of the answer is unknown (image not given, node environment unknown).
    pub unknown: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImplicitGroup {
    pub gid: u32,
    /// The image's `/etc/group` line that adds it, when the image was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_line: Option<GroupLine>,
    /// Seen in `status.containerStatuses[].user.linux.supplementalGroups` of a running pod.
    pub observed: bool,
}

impl ImplicitGroup {
    /// `101 (wheel, /etc/group line 4; observed)`, `101 (wheel, /etc/group line 4)` or `101 (observed)`.
    pub fn describe(&self) -> String {
        match (&self.group_line, self.observed) {
            (Some(l), true) => format!("{} ({}, /etc/group line {}; observed)", self.gid, l.name, l.line),
            (Some(l), false) => format!("{} ({}, /etc/group line {})", self.gid, l.name, l.line),
            (None, _) => format!("{} (observed)", self.gid),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLine {
    pub line: u32,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WouldBreak {
    pub gid: u32,
    /// `image-user-primary-group`, `volume-fs-group`. (A PV's gid annotation is never one: the kubelet
    /// adds it itself and Strict keeps it, Spec 7.3; see the `pv-gid-kept` finding.)
    pub reasons: Vec<String>,
}

/// The engine's answer for some pods (or the template) on one node environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub environment: String,
    /// Pods predicted with this answer (0: the workload template, predicted for every environment).
    pub pods: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_match: Option<ImageMatch>,
    #[serde(flatten)]
    pub result: PredictedResult,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum PredictedResult {
    Runs {
        uid: u32,
        gid: u32,
        supplemental_groups: Vec<u32>,
        implicit_gids: Vec<u32>,
        applied_policy: String,
    },
    Refused {
        reason: String,
        message: String,
    },
}

/// `status.containerStatuses[].user.linux`, with how many pods reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    pub uid: u32,
    pub gid: u32,
    pub supplemental_groups: Vec<u32>,
    /// Observed minus what the manifest names (and the primary gid): known without the image.
    pub implicit_gids: Vec<u32>,
    pub pods: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `implicit-groups`, `strict-would-break`, `observed-differs`, `environments-differ`,
    /// `implicit-unknown`, `strict-not-applied`, `refused`, `pv-gid-kept`.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gids: Vec<u32>,
    pub message: String,
    /// The environment (`env-2`) the finding is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

/// An item that could not be read: which input, which item, what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemError {
    pub input: String,
    /// `items[12] Pod shop/web-7d9` or `line 40, column 3`.
    pub item: String,
    pub message: String,
}
