//! What the engine answers: per workload, per container, Merge and Strict side by side.

use crate::environment::Environment;
use crate::error::{Location, Refusal};
use serde::{Deserialize, Serialize};

/// `spec.securityContext.supplementalGroupsPolicy` (KEP-3619).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SupplementalGroupsPolicy {
    Merge,
    Strict,
}

impl SupplementalGroupsPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SupplementalGroupsPolicy::Merge => "Merge",
            SupplementalGroupsPolicy::Strict => "Strict",
        }
    }
}

/// The whole answer for one set of manifests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub environment: Environment,
    pub workloads: Vec<WorkloadReport>,
    /// Documents that hold no pod template (Services, ConfigMaps…), named so nothing is silently lost.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
}

/// A document without a pod template.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    pub kind: String,
    pub name: String,
    pub document: usize,
}

/// One Pod or workload, with the containers of its pod template.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkloadReport {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// 0-based index of the YAML/JSON document (items of a `List` share their list's index).
    pub document: usize,
    /// Path of the pod spec inside the object: `spec`, `spec.template.spec`, `spec.jobTemplate.spec.template.spec`.
    pub pod_spec_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// `spec.securityContext.supplementalGroupsPolicy` as written (`None`: unset, which behaves as Merge).
    pub supplemental_groups_policy: Option<String>,
    pub containers: Vec<ContainerReport>,
}

/// Init, regular or ephemeral container (all take the same identity path, Spec 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

/// One container's identity under the manifest as written and under each policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContainerReport {
    pub name: String,
    pub kind: ContainerKind,
    pub image: String,
    /// Path of the container in the object, e.g. `spec.containers[0]`.
    pub path: String,
    /// The manifest exactly as written.
    pub as_written: Outcome,
    /// With `supplementalGroupsPolicy` unset or `Merge`.
    pub merge: Outcome,
    /// With `supplementalGroupsPolicy: Strict`.
    pub strict: Outcome,
    /// Groups that come only from the image's `/etc/group` under Merge: what Strict removes.
    pub implicit_gids: Vec<u32>,
    pub warnings: Vec<Warning>,
}

/// The result of running one container through the pipeline: an identity or a refusal.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Outcome {
    Runs(Identity),
    Refused(Refusal),
}

impl From<Result<Identity, Refusal>> for Outcome {
    fn from(r: Result<Identity, Refusal>) -> Self {
        match r {
            Ok(id) => Outcome::Runs(id),
            Err(refusal) => Outcome::Refused(refusal),
        }
    }
}

impl Outcome {
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Outcome::Runs(id) => Some(id),
            Outcome::Refused(_) => None,
        }
    }

    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Outcome::Runs(_) => None,
            Outcome::Refused(r) => Some(r),
        }
    }
}

/// The container process's identity (OCI `process.user` and what follows from it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Identity {
    pub uid: u32,
    pub gid: u32,
    /// OCI `process.user.additionalGids` in the order the runtime writes them.
    pub additional_gids: Vec<u32>,
    /// `getgroups(2)`: the kernel sorts, never de-duplicates (Spec 12.2).
    pub groups_as_kernel_sees: Vec<u32>,
    /// GNU coreutils `id` `groups=` order: egid first (Spec 12.3).
    pub id_groups_coreutils: Vec<u32>,
    /// BusyBox `id` `groups=` order: the raw kernel list (Spec 12.3).
    pub id_groups_busybox: Vec<u32>,
    /// The line GNU coreutils `id` prints, with names from the image's files.
    pub id_coreutils: String,
    /// The line BusyBox `id` prints.
    pub id_busybox: String,
    /// `status.containerStatuses[].user`, or `None` where it is not reported (Spec 13).
    pub status_user: Option<ContainerUser>,
    /// The policy the runtime actually applied (containerd 1.7 always merges).
    pub applied_policy: SupplementalGroupsPolicy,
    /// Where the uid came from.
    pub uid_origin: Origin,
    /// Where each gid came from, in `additional_gids` order (the primary gid is always among them).
    pub gid_origins: Vec<GidOrigins>,
}

/// `status.containerStatuses[].user`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerUser {
    pub linux: LinuxContainerUser,
}

/// `status.containerStatuses[].user.linux`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinuxContainerUser {
    pub uid: u32,
    pub gid: u32,
    pub supplemental_groups: Vec<u32>,
}

/// One gid and every reason it is in the process's groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GidOrigins {
    pub gid: u32,
    /// Group name in the image's `/etc/group`, if any (the first line with that gid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub origins: Vec<Origin>,
    /// Only `/etc/group` membership put it there: Strict removes it.
    pub implicit: bool,
}

/// Where a uid or gid came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Origin {
    /// A manifest field, e.g. `spec.securityContext.runAsGroup` or `spec.containers[0].securityContext.runAsUser`.
    Field {
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<Location>,
    },
    /// The image config's `USER`.
    ImageUser { user: String },
    /// A line of the image's `/etc/passwd` (the primary gid of the matched user).
    Passwd { line: u32, name: String },
    /// A line of the image's `/etc/group` that lists the user as a member.
    Group { line: u32, name: String },
    /// A `pv.beta.kubernetes.io/gid` annotation of a mounted PersistentVolume.
    PvAnnotation { value: String },
    /// Nothing set it: the runtime's default of 0 (root's group).
    Default { reason: String },
}

/// A trap the spec lists, found in this container's inputs (not an error: the pod runs, perhaps not as meant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable identifier, e.g. `gid-zero-fallback`.
    pub code: &'static str,
    pub message: String,
}
