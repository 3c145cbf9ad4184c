//! Steps 8–9 — containerd 2.x and 1.7: `GenerateUserString`, `WithUser`, `WithAdditionalGIDs`,
//! `WithSupplementalGroups`; `additionalGids` end up sorted and unique.

use super::process::{create_error, CreateError, CriSecurityContext, ProcessUser, Rootfs};
use crate::environment::{Runtime, UidRangeHandling};
use crate::error::Refusal;
use crate::etc::{go_atoi_strict, go_uint32, PasswdEntry};
use crate::limits::MAX_ID;
use crate::report::{Origin, SupplementalGroupsPolicy};
use std::fmt::Write;

const PREFIX: &str = "failed to create containerd container: ";

/// Step 8.10: `uid, gid` from `WithUser`; `additionalGids = sorted(unique({gid} ∪ image groups ∪ sg))`.
pub(super) fn create_container(
    cri: &CriSecurityContext,
    rootfs: &Rootfs<'_>,
    image_user: &str,
    runtime: Runtime,
) -> Result<ProcessUser, Refusal> {
    // 8.1 GenerateUserString: the username wins over the uid; the group is appended.
    let (mut user, mut user_origin) = match &cri.run_as_user {
        Some(u) => (u.value.to_string(), u.origin.clone()),
        None => (
            String::new(),
            Origin::ImageUser {
                user: image_user.to_owned(),
            },
        ),
    };
    if !cri.run_as_username.is_empty() {
        user = cri.run_as_username.clone();
        user_origin = Origin::ImageUser {
            user: image_user.to_owned(),
        };
    }
    if user.is_empty() {
        if let Some(g) = &cri.run_as_group {
            return Err(create_error(format!(
                "failed to get container spec opts: failed to generate user string: user group \"{}\" is specified without user",
                g.value
            )));
        }
        user = image_user.to_owned();
    }
    let gid_origin = cri.run_as_group.as_ref().map(|g| g.origin.clone());
    if let Some(g) = &cri.run_as_group {
        let _ = write!(user, ":{}", g.value);
    }
    // 8.2 WithUser, then 8.5 ensureAdditionalGids: additionalGids = [gid].
    let mut p = with_user(&user, user_origin, gid_origin, rootfs, runtime).map_err(|e| e.refusal(PREFIX))?;
    p.start_with_primary_gid();
    // 8.6 / 9.1: containerd 1.7 never sees the policy.
    p.applied_policy = super::process::applied_policy(cri.supplemental_groups_policy, runtime);
    if p.applied_policy == SupplementalGroupsPolicy::Merge {
        let u2 = if !cri.run_as_username.is_empty() {
            cri.run_as_username.clone()
        } else if let Some(uid) = &cri.run_as_user {
            uid.value.to_string()
        } else {
            match image_user.split(':').next() {
                Some(u) if !u.is_empty() => u.to_owned(),
                _ => "0".to_owned(),
            }
        };
        for (gid, origin) in with_additional_gids(&u2, rootfs).map_err(|e| e.refusal(PREFIX))? {
            p.add(gid, origin);
        }
    }
    // 8.9 WithSupplementalGroups: uint32(sg…) merged as a set.
    for sg in &cri.supplemental_groups {
        p.add(go_uint32(i64::try_from(sg.value).unwrap_or(-1)), sg.origin.clone());
    }
    p.sort();
    Ok(p)
}

fn passwd_origin(e: &PasswdEntry<'_>) -> Origin {
    Origin::Passwd {
        line: e.line,
        name: e.name.to_owned(),
    }
}

/// containerd's error for a file the image lacks: Go's `open <path>: no such file or directory`, the path
/// inside the container's rootfs (its prefix varies by version, Spec 8.4).
fn missing(file: &str) -> String {
    format!(
        "open /run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/rootfs/etc/{file}: no such file or directory"
    )
}

/// Step 8.2 `oci.WithUser`.
fn with_user(
    user: &str,
    user_origin: Origin,
    gid_origin: Option<Origin>,
    rootfs: &Rootfs<'_>,
    runtime: Runtime,
) -> Result<ProcessUser, CreateError> {
    let mut split = user.split(':');
    let parts = [split.next(), split.next(), split.next()];
    let handling = runtime.uid_range_handling();
    let out_of_range = |v: i64| !(0..=i64::from(MAX_ID)).contains(&v);
    let make = ProcessUser::new;
    match parts {
        [Some(one), None, _] => match go_atoi_strict(one) {
            Some(v) if out_of_range(v) && handling == UidRangeHandling::Reject => {
                Err(format!("invalid USER value {user:?}: uid out of range").into())
            }
            Some(v) if out_of_range(v) && handling == UidRangeHandling::AsUsername => with_username(one, rootfs)
                .map(|e| make(go_uint32(e.uid), passwd_origin(e), go_uint32(e.gid), passwd_origin(e))),
            Some(v) => with_user_id(go_uint32(v), user_origin, rootfs),
            None => with_username(one, rootfs)
                .map(|e| make(go_uint32(e.uid), passwd_origin(e), go_uint32(e.gid), passwd_origin(e))),
        },
        [Some(user_part), Some(group_part), None] => {
            let uid = go_atoi_strict(user_part);
            let gid = go_atoi_strict(group_part);
            if handling == UidRangeHandling::Reject {
                if uid.is_some_and(out_of_range) {
                    return Err(format!("invalid USER value {user:?}: uid out of range").into());
                }
                if gid.is_some_and(out_of_range) {
                    return Err(format!("invalid USER value {user:?}: gid out of range").into());
                }
            }
            let (uid, uid_origin) = match uid {
                Some(v) => (go_uint32(v), user_origin),
                None => {
                    let e = with_username(user_part, rootfs)?;
                    (go_uint32(e.uid), passwd_origin(e))
                }
            };
            let (gid, gid_origin) = match gid {
                Some(v) => (
                    go_uint32(v),
                    gid_origin.unwrap_or(Origin::Default {
                        reason: "numeric group in the user string".into(),
                    }),
                ),
                None => {
                    let group = rootfs.group.as_ref().ok_or_else(|| missing("group"))?;
                    let e = group.by_name(group_part).ok_or_else(|| "no groups found".to_owned())?;
                    (
                        go_uint32(e.gid),
                        Origin::Group {
                            line: e.line,
                            name: e.name.to_owned(),
                        },
                    )
                }
            };
            Ok(make(uid, uid_origin, gid, gid_origin))
        }
        _ => Err(format!("invalid USER value {user}").into()),
    }
}

/// Step 8.3 `WithUserID`: the passwd entry's gid, or (uid, 0) when there is none.
fn with_user_id(uid: u32, user_origin: Origin, rootfs: &Rootfs<'_>) -> Result<ProcessUser, CreateError> {
    match rootfs.passwd()?.and_then(|p| p.by_uid(i64::from(uid))) {
        Some(e) => Ok(ProcessUser::new(
            go_uint32(e.uid),
            user_origin,
            go_uint32(e.gid),
            passwd_origin(e),
        )),
        None => {
            let reason = if rootfs.passwd.is_none() {
                format!("the image has no /etc/passwd, so containerd gives uid {uid} the primary gid 0")
            } else {
                format!("uid {uid} has no /etc/passwd entry, so containerd gives it the primary gid 0")
            };
            Ok(ProcessUser::new(uid, user_origin, 0, Origin::Default { reason }))
        }
    }
}

/// Step 8.4 `WithUsername`: the first passwd entry with that name; a missing file or no match fails.
fn with_username<'r, 'a>(name: &str, rootfs: &'r Rootfs<'a>) -> Result<&'r PasswdEntry<'a>, CreateError> {
    let p = rootfs.passwd()?.ok_or_else(|| missing("passwd"))?;
    Ok(p.by_name(name).ok_or_else(|| "no users found".to_owned())?)
}

/// Step 8.8 `oci.WithAdditionalGIDs`: groups listing the user, except a group named like the user.
fn with_additional_gids(u2: &str, rootfs: &Rootfs<'_>) -> Result<Vec<(u32, Origin)>, CreateError> {
    let username = match go_atoi_strict(u2) {
        Some(uid) => match rootfs.passwd()?.and_then(|p| p.by_uid(uid)) {
            Some(e) => e.name,
            None => return Ok(Vec::new()),
        },
        None => u2,
    };
    let Some(group) = &rootfs.group else {
        return Ok(Vec::new());
    };
    Ok(group
        .memberships(username)
        .filter(|g| g.name != username)
        .map(|g| {
            (
                go_uint32(g.gid),
                Origin::Group {
                    line: g.line,
                    name: g.name.to_owned(),
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etc::{Group, Passwd};
    use crate::runtime::test_cri;

    fn rootfs() -> Rootfs<'static> {
        Rootfs {
            passwd: Some(Passwd::parse("root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n")),
            group: Some(Group::parse(
                "wheel:x:10:root\napp:x:1000:app\nz:x:9:app\na:x:900:app\n",
            )),
        }
    }

    fn gids(p: &ProcessUser) -> Vec<u32> {
        p.additional_gids.iter().map(|(g, _)| *g).collect()
    }

    /// containerd 2 under Merge, `runAsUser: uid` and nothing else set.
    fn merge_as(uid: i128) -> ProcessUser {
        let cri = test_cri(Some(uid), "", None, SupplementalGroupsPolicy::Merge);
        create_container(&cri, &rootfs(), "", Runtime::CONTAINERD_2).unwrap()
    }

    #[test]
    fn merge_is_a_sorted_set_without_the_group_named_like_the_user() {
        let p = merge_as(1000);
        assert_eq!((p.uid, p.gid), (1000, 1000));
        assert_eq!(gids(&p), [5, 9, 900, 1000]);
    }

    #[test]
    fn strict_reads_no_group_file_and_1_7_ignores_it() {
        let c = test_cri(Some(1000), "", Some(3000), SupplementalGroupsPolicy::Strict);
        assert_eq!(
            gids(&create_container(&c, &rootfs(), "", Runtime::CONTAINERD_2).unwrap()),
            [5, 3000]
        );
        let old = create_container(&c, &rootfs(), "", Runtime::CONTAINERD_1_7).unwrap();
        assert_eq!(old.applied_policy, SupplementalGroupsPolicy::Merge);
        assert_eq!(gids(&old), [5, 9, 900, 3000]);
    }

    #[test]
    fn usernames_must_exist() {
        let c = test_cri(None, "ghost", None, SupplementalGroupsPolicy::Merge);
        let e = create_container(&c, &rootfs(), "ghost", Runtime::CONTAINERD_2).unwrap_err();
        assert!(e.message.ends_with("no users found"), "{}", e.message);
        let no_passwd = Rootfs {
            passwd: None,
            group: None,
        };
        let e = create_container(&c, &no_passwd, "ghost", Runtime::CONTAINERD_2).unwrap_err();
        assert!(e.message.contains("etc/passwd: no such file or directory"));
    }

    #[test]
    fn a_group_name_needs_the_group_file() {
        // Spec 8.2: `uid:groupname` from the image USER; Go's open error names the rootfs path.
        let c = test_cri(None, "", None, SupplementalGroupsPolicy::Merge);
        let no_group = Rootfs {
            group: None,
            ..rootfs()
        };
        let e = create_container(&c, &no_group, "1000:staff", Runtime::CONTAINERD_2).unwrap_err();
        assert_eq!(
            e.message,
            "failed to create containerd container: open \
             /run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/rootfs/etc/group: no such file or directory"
        );
        assert!(e.location.is_none());
        let e = create_container(&c, &rootfs(), "1000:staff", Runtime::CONTAINERD_2).unwrap_err();
        assert!(e.message.ends_with(": no groups found"), "{}", e.message);
    }

    #[test]
    fn uid_without_entry_gets_gid_zero() {
        let p = merge_as(4242);
        assert_eq!((p.uid, p.gid), (4242, 0));
        assert!(matches!(p.gid_origin, Origin::Default { .. }));
    }
}
