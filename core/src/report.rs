//! What the engine answers: per workload, per container, Merge and Strict side by side.

use crate::environment::Environment;
use crate::error::{Location, Refusal};
use crate::image::ImagePart;
use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// The environment in words (its `Display`).
    pub environment_text: String,
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
    /// [`ContainerKind::describe`].
    pub kind_text: &'static str,
    pub image: String,
    /// Path of the container in the object, e.g. `spec.containers[0]`.
    pub path: String,
    /// The parts of this container's image nobody gave; results they decide are reported as open.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub image_unknown: Vec<ImagePart>,
    /// What `--check` concludes about the manifest as written.
    pub check: Check,
    /// The manifest exactly as written.
    pub as_written: Outcome,
    /// With `supplementalGroupsPolicy` unset or `Merge`.
    pub merge: Outcome,
    /// With `supplementalGroupsPolicy: Strict`.
    pub strict: Outcome,
    /// Groups that come only from the image's `/etc/group` under Merge (those certain, when the image is
    /// partly unknown: see the Merge outcome's open facts).
    pub implicit_gids: Vec<u32>,
    /// The implicit groups of the manifest as written.
    pub implicit_as_written: Vec<u32>,
    /// The implicit groups that setting Strict removes here (empty where Strict is not applied).
    pub strict_removes: Vec<u32>,
    pub warnings: Vec<Warning>,
}

/// The verdict on the manifest as written: does the process get only groups the manifest names?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// It runs, and every group it gets is named by the manifest.
    Clean,
    /// It runs with groups that only the image's `/etc/group` adds.
    ImplicitGroups,
    /// Kubernetes or the runtime refuses it.
    Refused,
    /// An unknown part of the image decides whether it starts or which groups it gets: not provably clean.
    Unknown,
}

impl Check {
    pub(crate) fn of(as_written: &Outcome, implicit_as_written: &[u32]) -> Check {
        if as_written.refusal().is_some() {
            Check::Refused
        } else if !implicit_as_written.is_empty() {
            Check::ImplicitGroups
        } else if as_written.is_open(Fact::Runs) || as_written.is_open(Fact::ImageGroups) {
            Check::Unknown
        } else {
            Check::Clean
        }
    }

    /// Whether `--check` fails.
    pub fn fails(self) -> bool {
        self != Check::Clean
    }
}

/// The result of running one container through the pipeline: an identity, a refusal, or — when part of
/// the image is unknown and decides the result — what is certain and what depends on the image.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Outcome {
    Runs(Identity),
    Refused(Refusal),
    DependsOnImage(Partial),
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
            _ => None,
        }
    }

    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Outcome::Refused(r) => Some(r),
            _ => None,
        }
    }

    pub fn partial(&self) -> Option<&Partial> {
        match self {
            Outcome::DependsOnImage(p) => Some(p),
            _ => None,
        }
    }

    /// What this outcome leaves open because part of the image is unknown (empty when it is exact).
    pub fn unknown(&self) -> &[Unknown] {
        match self {
            Outcome::Runs(id) => &id.unknown,
            Outcome::Refused(_) => &[],
            Outcome::DependsOnImage(p) => &p.unknown,
        }
    }

    /// Whether an unknown part of the image leaves this fact open.
    pub fn is_open(&self, fact: Fact) -> bool {
        self.unknown().iter().any(|u| u.fact == fact)
    }

    /// The gids certain to be in `additionalGids`, each with its origins.
    pub fn gid_origins(&self) -> &[GidOrigins] {
        match self {
            Outcome::Runs(id) => &id.gid_origins,
            Outcome::Refused(_) => &[],
            Outcome::DependsOnImage(p) => &p.gid_origins,
        }
    }
}

/// A fact of an [`Outcome`] that an unknown part of the image decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// Whether the container starts at all: the image can make the kubelet or the runtime refuse it.
    Runs,
    /// The uid.
    Uid,
    /// The primary gid.
    Gid,
    /// Which groups the image's `/etc/group` adds under Merge (and so, on CRI-O, the order of the list).
    ImageGroups,
    /// The user and group names `id` prints.
    Names,
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fact::Runs => "whether it starts",
            Fact::Uid => "the uid",
            Fact::Gid => "the primary gid",
            Fact::ImageGroups => "the groups /etc/group adds",
            Fact::Names => "the names `id` prints",
        })
    }
}

/// One open fact, the image parts that decide it, and why, in a sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unknown {
    pub fact: Fact,
    pub depends_on: Vec<ImagePart>,
    pub reason: String,
}

impl fmt::Display for Unknown {
    /// `the uid — decided by the image's USER: runAsUser is not set, …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.depends_on.iter().map(ToString::to_string).collect();
        write!(f, "{} — decided by {}: {}", self.fact, parts.join(" and "), self.reason)
    }
}

/// What is certain about a container whose result depends on an unknown part of the image.
///
/// Every value given holds for any image that could be supplied (whose files a runtime can read);
/// `None` and [`Partial::unknown`] say what the image decides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Partial {
    /// The open facts; [`Fact::Runs`] among them when the image may make the container fail to start.
    pub unknown: Vec<Unknown>,
    /// The uid, if the container runs.
    pub uid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_origin: Option<Origin>,
    /// The primary gid, if the container runs.
    pub gid: Option<u32>,
    /// Gids certain to be in `additionalGids` if the container runs (ascending; the image may add more
    /// when [`Fact::ImageGroups`] is open). Origins are the ones every image shares.
    pub gid_origins: Vec<GidOrigins>,
    /// The policy the runtime applies.
    pub applied_policy: SupplementalGroupsPolicy,
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
    /// What the unknown parts of the image leave open; only [`Fact::Names`] can be open here, and then
    /// the `id` lines carry numbers only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<Unknown>,
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

/// Where a uid or gid came from. In JSON: `{"from": "<kebab-case variant>", …fields, "text": …}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A manifest field, e.g. `spec.securityContext.runAsGroup` or `spec.containers[0].securityContext.runAsUser`.
    Field { path: String, location: Option<Location> },
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
