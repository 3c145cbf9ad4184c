//! What an unknown part of the image leaves open, fact by fact, so that nothing is guessed.
//!
//! The image enters the pipeline in three places: the kubelet reads its `USER` when `runAsUser` is
//! unset (Steps 5–7), the runtime looks the user up in `/etc/passwd` (Steps 8.2–8.4, 10.3), and under
//! Merge adds the groups `/etc/group` lists for the user (Steps 8.8, 10.5); `id` prints names from both
//! files (Step 12.3). A fact is open exactly when one of these reads meets an unknown part; everything
//! else is computed as for a known image, with an unknown file standing in as absent and then the
//! values it decided removed. Certain facts assume files a runtime can use (no `/etc/passwd` line
//! over 64 KiB, no id 4294967295, at most 65536 groups): such files fail the container in ways no
//! manifest can show.

use crate::context::ContainerContext;
use crate::environment::{RuntimeKind, UidRangeHandling};
use crate::etc::go_uint32;
use crate::image::ImagePart;
use crate::kubelet::ImageUser;
use crate::limits::MAX_ID;
use crate::report::{Fact, GidOrigins, Identity, Origin, Outcome, Partial, SupplementalGroupsPolicy, Unknown};
use crate::runtime::{self, CriSecurityContext, SourcedId};

/// The open facts of one outcome.
#[derive(Default)]
pub(crate) struct Open(Vec<Unknown>);

impl Open {
    fn add(&mut self, fact: Fact, depends_on: Vec<ImagePart>, reason: impl Into<String>) {
        if !depends_on.is_empty() && !self.0.iter().any(|u| u.fact == fact) {
            self.0.push(Unknown {
                fact,
                depends_on,
                reason: reason.into(),
            });
        }
    }

    fn is_open(&self, fact: Fact) -> bool {
        self.0.iter().any(|u| u.fact == fact)
    }

    pub(crate) fn names_known(&self) -> bool {
        !self.is_open(Fact::Names)
    }

    /// The identity computed with unknown files standing in as absent, with what they decided removed.
    pub(crate) fn apply(mut self, mut id: Identity, stand_in_gid_origin: &Origin) -> Outcome {
        self.0.sort_by_key(|u| u.fact);
        if self.0.iter().all(|u| u.fact == Fact::Names) {
            id.unknown = self.0;
            return Outcome::Runs(id);
        }
        let gid_open = self.is_open(Fact::Gid);
        let mut gids: Vec<GidOrigins> = id
            .gid_origins
            .into_iter()
            .filter_map(|mut g| {
                if gid_open && g.gid == id.gid {
                    g.origins.retain(|o| o != stand_in_gid_origin);
                }
                (!g.origins.is_empty()).then_some(g)
            })
            .collect();
        gids.sort_by_key(|g| g.gid);
        Outcome::DependsOnImage(Partial {
            unknown: self.0,
            uid: Some(id.uid),
            uid_origin: Some(id.uid_origin),
            gid: (!gid_open).then_some(id.gid),
            gid_origins: gids,
            applied_policy: id.applied_policy,
        })
    }
}

/// The unknown ones among `parts`.
fn unknown_among(ctx: &ContainerContext<'_, '_>, parts: &[ImagePart]) -> Vec<ImagePart> {
    let unknown = ctx.image.unknown_parts();
    parts.iter().copied().filter(|p| unknown.contains(p)).collect()
}

/// `runAsUser` is unset and the image's USER is unknown: it decides whether the container starts
/// (runAsNonRoot, Step 6; a name missing from `/etc/passwd`, Steps 8.4 and 10.3) and who it runs as.
pub(crate) fn user_decides_runs(ctx: &ContainerContext<'_, '_>) -> Open {
    let mut open = Open::default();
    let reason = if ctx.effective.run_as_non_root.is_some_and(|f| f.value) {
        "runAsNonRoot is set without runAsUser, so the kubelet checks the image's USER, which is not known"
    } else {
        "runAsUser is not set, so the image's USER decides the user, and a USER name that /etc/passwd \
         does not list stops the container; the USER is not known"
    };
    open.add(Fact::Runs, vec![ImagePart::User], reason);
    open
}

/// A USER looked up in an unknown `/etc/passwd`: a name (Steps 8.4, 10.3), or an out-of-range number that
/// containerd's middle patch releases and CRI-O look up too (Steps 8.2, 10.3).
pub(crate) fn passwd_decides_runs(ctx: &ContainerContext<'_, '_>, user: &ImageUser) -> Option<Open> {
    if ctx.effective.run_as_user.is_some() || !ctx.image.passwd.is_unknown() {
        return None;
    }
    let runtime = ctx.env.runtime;
    let reason = match user {
        ImageUser::Name(name) => format!(
            "the runtime looks up the image's USER {name:?} in /etc/passwd, which is not known; \
             a missing entry stops the container"
        ),
        ImageUser::Uid(uid)
            if !(0..=i64::from(MAX_ID)).contains(uid)
                && (runtime.kind == RuntimeKind::Crio
                    || runtime.uid_range_handling() == UidRangeHandling::AsUsername) =>
        {
            format!("{runtime} looks up the out-of-range USER {uid} in /etc/passwd, which is not known")
        }
        ImageUser::Uid(_) => return None,
    };
    let mut open = Open::default();
    open.add(Fact::Runs, vec![ImagePart::Passwd], reason);
    Some(open)
}

/// The uid as the runtimes turn a CRI id into `uint32` (Steps 8.9, 10.5).
fn as_gid(id: &SourcedId) -> u32 {
    go_uint32(i64::try_from(id.value).unwrap_or(-1))
}

/// What the manifest alone decides when the image decides whether the container starts: the uid from
/// `runAsUser`, the gid from `runAsGroup`, and the gids every runtime adds (Steps 8.5, 8.9, 10.4–10.5).
pub(crate) fn from_manifest(ctx: &ContainerContext<'_, '_>, cri: &CriSecurityContext, mut open: Open) -> Outcome {
    let applied = runtime::applied_policy(cri.supplemental_groups_policy, ctx.env.runtime);
    let user_parts = unknown_among(ctx, &[ImagePart::User, ImagePart::Passwd]);
    let uid = cri.run_as_user.as_ref().filter(|_| ctx.effective.run_as_user.is_some());
    if uid.is_none() {
        open.add(
            Fact::Uid,
            user_parts.clone(),
            "runAsUser is not set, so the uid comes from the image's USER and /etc/passwd",
        );
    }
    if cri.run_as_group.is_none() {
        open.add(
            Fact::Gid,
            user_parts,
            "runAsGroup is not set, so the primary gid is the one /etc/passwd gives the image's user (or 0)",
        );
    }
    if applied == SupplementalGroupsPolicy::Merge && !ctx.image.group.is_absent() {
        open.add(
            Fact::ImageGroups,
            ctx.image.unknown_parts(),
            "under Merge the runtime adds the groups /etc/group lists for the image's user",
        );
    }
    add_names(ctx, &mut open);
    open.0.sort_by_key(|u| u.fact);
    let group = ctx.rootfs.group.as_ref().filter(|_| open.names_known());
    let mut gids: Vec<GidOrigins> = Vec::new();
    for id in cri.run_as_group.iter().chain(&cri.supplemental_groups) {
        let gid = as_gid(id);
        match gids.iter_mut().find(|g| g.gid == gid) {
            Some(g) if !g.origins.contains(&id.origin) => g.origins.push(id.origin.clone()),
            Some(_) => {}
            None => gids.push(GidOrigins {
                gid,
                name: group.and_then(|g| g.by_gid(gid)).map(|e| e.name.to_owned()),
                origins: vec![id.origin.clone()],
                implicit: false,
            }),
        }
    }
    gids.sort_by_key(|g| g.gid);
    Outcome::DependsOnImage(Partial {
        unknown: open.0,
        uid: uid.map(|u| go_uint32(i64::try_from(u.value).unwrap_or(-1))),
        uid_origin: uid.map(|u| u.origin.clone()),
        gid: cri.run_as_group.as_ref().map(as_gid),
        gid_origins: gids,
        applied_policy: applied,
    })
}

/// After a runtime run with unknown files standing in as absent: the gid when `/etc/passwd` would give
/// it, the groups `/etc/group` would add, the names.
pub(crate) fn open_after_runtime(
    ctx: &ContainerContext<'_, '_>,
    cri: &CriSecurityContext,
    applied: SupplementalGroupsPolicy,
) -> Open {
    let mut open = Open::default();
    let image = ctx.image;
    if cri.run_as_group.is_none() {
        open.add(
            Fact::Gid,
            unknown_among(ctx, &[ImagePart::Passwd]),
            "runAsGroup is not set, so the primary gid is the one /etc/passwd gives the user (or 0)",
        );
    }
    let groups_read =
        applied == SupplementalGroupsPolicy::Merge && !image.group.is_absent() && !image.passwd.is_absent();
    if groups_read {
        open.add(
            Fact::ImageGroups,
            unknown_among(ctx, &[ImagePart::Passwd, ImagePart::Group]),
            "under Merge the runtime adds the groups /etc/group lists for the user's /etc/passwd name",
        );
    }
    add_names(ctx, &mut open);
    open
}

fn add_names(ctx: &ContainerContext<'_, '_>, open: &mut Open) {
    open.add(
        Fact::Names,
        unknown_among(ctx, &[ImagePart::Passwd, ImagePart::Group]),
        "`id` prints names from /etc/passwd and /etc/group; only numbers are shown",
    );
}
