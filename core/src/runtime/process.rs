//! The runtime models' shared vocabulary: the CRI security context they receive (Spec 7), the image's
//! files as they read them, and the OCI `process.user` they build (Spec 8–10).

use crate::environment::Runtime;
use crate::error::{FileLine, Refusal, Stage};
use crate::etc::{Group, Passwd};
use crate::report::{Origin, SupplementalGroupsPolicy};
use std::collections::HashMap;

/// An id with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SourcedId {
    pub value: i128,
    pub origin: Origin,
}

/// CRI `LinuxContainerSecurityContext` identity fields (Spec 7).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CriSecurityContext {
    pub run_as_user: Option<SourcedId>,
    pub run_as_username: String,
    pub run_as_group: Option<SourcedId>,
    pub supplemental_groups: Vec<SourcedId>,
    pub supplemental_groups_policy: SupplementalGroupsPolicy,
}

/// The image's files as the runtime reads them from the rootfs; parsed once per image.
pub(crate) struct Rootfs<'a> {
    /// `None`: absent. `Err((line, message))`: the scanner fails (a passwd line over 64 KiB).
    pub passwd: Option<Result<Passwd<'a>, (u32, String)>>,
    pub group: Option<Group<'a>>,
}

/// OCI `process.user`, with origins.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProcessUser {
    pub uid: u32,
    pub uid_origin: Origin,
    pub gid: u32,
    pub gid_origin: Origin,
    /// `additionalGids` in the runtime's order; each gid with every origin that put it there.
    pub additional_gids: Vec<(u32, Vec<Origin>)>,
    pub applied_policy: SupplementalGroupsPolicy,
    /// Position of each gid in `additional_gids` once the list is long, so adding stays linear for
    /// huge `/etc/group` files (short lists are searched: most processes have a handful of gids).
    index: Option<HashMap<u32, usize>>,
}

impl ProcessUser {
    pub(crate) fn new(uid: u32, uid_origin: Origin, gid: u32, gid_origin: Origin) -> Self {
        ProcessUser {
            uid,
            uid_origin,
            gid,
            gid_origin,
            additional_gids: Vec::new(),
            applied_policy: SupplementalGroupsPolicy::Merge,
            index: None,
        }
    }

    /// Adds origins to a gid already in the list, or appends it (runtime-tools' `AddProcessAdditionalGid`).
    pub(super) fn add(&mut self, gid: u32, origin: Origin) {
        let at = match &self.index {
            Some(index) => index.get(&gid).copied(),
            None => self.additional_gids.iter().position(|(g, _)| *g == gid),
        };
        match at.and_then(|i| self.additional_gids.get_mut(i)) {
            Some((_, origins)) => {
                if !origins.contains(&origin) {
                    origins.push(origin)
                }
            }
            None => {
                if let Some(index) = self.index.as_mut() {
                    index.insert(gid, self.additional_gids.len());
                }
                self.additional_gids.push((gid, vec![origin]));
                if self.index.is_none() && self.additional_gids.len() > 16 {
                    self.reindex();
                }
            }
        }
    }

    fn reindex(&mut self) {
        self.index = Some(
            self.additional_gids
                .iter()
                .enumerate()
                .map(|(i, (g, _))| (*g, i))
                .collect(),
        );
    }

    /// `ensureAdditionalGids` / the first `AddProcessAdditionalGid`: the list starts with the primary gid.
    pub(super) fn start_with_primary_gid(&mut self) {
        self.additional_gids.clear();
        self.index = None;
        self.add(self.gid, self.gid_origin.clone());
    }

    /// containerd's `mergeGids`: a sorted set.
    pub(super) fn sort(&mut self) {
        self.additional_gids.sort_by_key(|(g, _)| *g);
        if self.index.is_some() {
            self.reindex();
        }
    }
}

/// The policy the runtime applies: containerd 1.7 does not know the field and always merges (Spec 9.1).
pub(crate) fn applied_policy(policy: SupplementalGroupsPolicy, runtime: Runtime) -> SupplementalGroupsPolicy {
    if runtime.supports_policy() {
        policy
    } else {
        SupplementalGroupsPolicy::Merge
    }
}

pub(super) fn create_error(message: String) -> Refusal {
    Refusal::new(Stage::RuntimeCreate, "CreateContainerError", message)
}

/// A runtime's error text, and the line of `/etc/passwd` it comes from when the text does not say
/// (the scanner's `bufio.Scanner: token too long` names no line): Spec 4 keeps the two apart.
pub(crate) struct CreateError {
    pub message: String,
    pub location: Option<Box<FileLine>>,
}

impl From<String> for CreateError {
    fn from(message: String) -> Self {
        CreateError {
            message,
            location: None,
        }
    }
}

impl CreateError {
    /// The refusal, the runtime's `prefix` in front of the message.
    pub(super) fn refusal(self, prefix: &str) -> Refusal {
        let mut r = create_error(format!("{prefix}{}", self.message));
        r.location = self.location;
        r
    }
}

impl<'a> Rootfs<'a> {
    /// The parsed `/etc/passwd` (`None` when absent), or the scanner's error and where it stopped.
    pub(super) fn passwd(&self) -> Result<Option<&Passwd<'a>>, CreateError> {
        match &self.passwd {
            None => Ok(None),
            Some(Ok(p)) => Ok(Some(p)),
            Some(Err((line, message))) => Err(CreateError {
                message: message.clone(),
                location: Some(Box::new(FileLine {
                    file: "/etc/passwd",
                    line: *line,
                })),
            }),
        }
    }
}

/// A CRI context for the runtime models' unit tests: every id from one field, one supplemental gid 5.
#[cfg(test)]
pub(crate) fn test_cri(
    user: Option<i128>,
    name: &str,
    group: Option<i128>,
    policy: SupplementalGroupsPolicy,
) -> CriSecurityContext {
    let origin = Origin::Field {
        path: "x".into(),
        location: None,
    };
    let id = |value| SourcedId {
        value,
        origin: origin.clone(),
    };
    CriSecurityContext {
        run_as_user: user.map(id),
        run_as_username: name.to_owned(),
        run_as_group: group.map(id),
        supplemental_groups: vec![id(5)],
        supplemental_groups_policy: policy,
    }
}
