//! Step 10 — CRI-O: `GetExecUser` on the uid or name, `runAsGroup` applied after the lookup, and
//! `additionalGids` kept in insertion order (`AddProcessAdditionalGid` appends only if absent).

use super::process::{create_error, CreateError, CriSecurityContext, ProcessUser, Rootfs};
use crate::error::Refusal;
use crate::etc::{go_atoi_strict, go_uint32};
use crate::limits::MAX_ID;
use crate::report::{Origin, SupplementalGroupsPolicy};

const PREFIX: &str = "get exec user: ";

/// Step 10.6: `dedupe_keep_first([gid] ++ (Merge ? passwd user's groups : []) ++ sg)`.
pub(super) fn create_container(
    cri: &CriSecurityContext,
    rootfs: &Rootfs<'_>,
    image_user: &str,
) -> Result<ProcessUser, Refusal> {
    let (container_user, user_origin) = container_user(cri, image_user)?;
    let user_arg = container_user.split(':').next().unwrap_or("");
    let found = get_exec_user(user_arg, user_origin, rootfs)?;
    let image_groups: Vec<(u32, Origin)> = match (&rootfs.group, found.name.is_empty()) {
        (Some(group), false) => group
            .memberships(found.name)
            .map(|g| {
                (
                    go_uint32(g.gid),
                    Origin::Group {
                        line: g.line,
                        name: g.name.to_owned(),
                    },
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    // 10.4: runAsGroup replaces the looked-up gid.
    let (gid, gid_origin) = match &cri.run_as_group {
        Some(g) => (go_uint32(i64::try_from(g.value).unwrap_or(-1)), g.origin.clone()),
        None => (go_uint32(found.gid), found.gid_origin),
    };
    let mut p = ProcessUser::new(go_uint32(found.uid), found.uid_origin, gid, gid_origin);
    p.applied_policy = cri.supplemental_groups_policy;
    p.start_with_primary_gid();
    // 10.5: Merge adds the image groups (file order) before the CRI list; Strict only the CRI list.
    if p.applied_policy == SupplementalGroupsPolicy::Merge {
        for (g, origin) in image_groups {
            p.add(g, origin);
        }
    }
    for sg in &cri.supplemental_groups {
        p.add(go_uint32(i64::try_from(sg.value).unwrap_or(-1)), sg.origin.clone());
    }
    Ok(p)
}

/// 10.1 / 10.2: uid or username, never a group; the full image USER only when neither is set.
fn container_user(cri: &CriSecurityContext, image_user: &str) -> Result<(String, Origin), Refusal> {
    let from_image = || Origin::ImageUser {
        user: image_user.to_owned(),
    };
    if !cri.run_as_username.is_empty() {
        Ok((cri.run_as_username.clone(), from_image()))
    } else if let Some(u) = &cri.run_as_user {
        Ok((u.value.to_string(), u.origin.clone()))
    } else if cri.run_as_group.is_some() {
        Err(create_error(
            "user group is specified without user or username".to_owned(),
        ))
    } else {
        Ok((image_user.to_owned(), from_image()))
    }
}

/// What `GetExecUser` found: ids with origins, and the matched entry's name (empty when none matched).
struct ExecUser<'a> {
    uid: i64,
    uid_origin: Origin,
    gid: i64,
    gid_origin: Origin,
    name: &'a str,
}

/// 10.3 `GetExecUser`: first passwd match wins; a numeric user may have no entry.
fn get_exec_user<'a>(user_arg: &str, user_origin: Origin, rootfs: &Rootfs<'a>) -> Result<ExecUser<'a>, Refusal> {
    // A scanner failure names the user (uid 0 for an empty spec), never the line (Spec 4).
    let passwd = rootfs.passwd().map_err(|e| {
        let name = if user_arg.is_empty() { "0" } else { user_arg };
        CreateError {
            message: format!("unable to find user {name}: {}", e.message),
            ..e
        }
        .refusal(PREFIX)
    })?;
    let numeric = go_atoi_strict(user_arg);
    let entry = passwd.and_then(|p| match numeric {
        Some(uid) => p.by_uid(uid),
        None => p.by_name(user_arg),
    });
    match (entry, numeric) {
        (Some(e), _) => {
            let origin = Origin::Passwd {
                line: e.line,
                name: e.name.to_owned(),
            };
            let uid_origin = if numeric.is_some() { user_origin } else { origin.clone() };
            Ok(ExecUser {
                uid: e.uid,
                uid_origin,
                gid: e.gid,
                gid_origin: origin,
                name: e.name,
            })
        }
        (None, Some(uid)) => {
            if !(0..=i64::from(MAX_ID)).contains(&uid) {
                return Err(create_error(format!(
                    "{PREFIX}uids and gids must be in range 0-2147483647"
                )));
            }
            let reason = if rootfs.passwd.is_none() {
                format!("the image has no /etc/passwd, so CRI-O gives uid {uid} the primary gid 0")
            } else {
                format!("uid {uid} has no /etc/passwd entry, so CRI-O gives it the primary gid 0")
            };
            Ok(ExecUser {
                uid,
                uid_origin: user_origin,
                gid: 0,
                gid_origin: Origin::Default { reason },
                name: "",
            })
        }
        (None, None) => Err(create_error(format!(
            "{PREFIX}unable to find user {user_arg}: no matching entries in passwd file"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etc::{Group, Passwd};
    use crate::runtime::test_cri;

    fn rootfs() -> Rootfs<'static> {
        Rootfs {
            passwd: Some(Passwd::parse("root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n")),
            group: Some(Group::parse("z:x:9:app\napp:x:1000:app\na:x:900:app\nz2:x:9:app\n")),
        }
    }

    #[test]
    fn insertion_order_first_kept_group_named_like_user_included() {
        let p = create_container(
            &test_cri(Some(1000), "", None, SupplementalGroupsPolicy::Merge),
            &rootfs(),
            "",
        )
        .unwrap();
        let gids: Vec<u32> = p.additional_gids.iter().map(|(g, _)| *g).collect();
        assert_eq!(gids, [1000, 9, 900, 5]);
        assert_eq!(p.additional_gids[1].1.len(), 2, "gid 9 from two /etc/group lines");
    }

    #[test]
    fn unknown_names_and_out_of_range_uids_fail() {
        let e = create_container(
            &test_cri(None, "ghost", None, SupplementalGroupsPolicy::Merge),
            &rootfs(),
            "ghost",
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "get exec user: unable to find user ghost: no matching entries in passwd file"
        );
        let e = create_container(
            &test_cri(Some(4294967296), "", None, SupplementalGroupsPolicy::Merge),
            &rootfs(),
            "",
        )
        .unwrap_err();
        assert_eq!(e.message, "get exec user: uids and gids must be in range 0-2147483647");
    }
}
