//! Step 12 — runc's `setgroups`/`setgid`/`setuid`, and what `id` prints afterwards.

use crate::error::{Refusal, Stage};
use crate::etc::{go_uint32, Group, Passwd};
use crate::limits::NGROUPS_MAX;
use crate::runtime::ProcessUser;
use std::fmt::Write;

/// The process as the kernel holds it after runc set it up.
pub(crate) struct Credentials {
    /// `getgroups(2)`: sorted, not de-duplicated (Spec 12.2).
    pub groups: Vec<u32>,
}

/// Step 12.1–12.2: `setgroups` fails with EINVAL past 65536 groups or on the invalid gid 4294967295.
pub(crate) fn set_credentials(p: &ProcessUser, crio: bool) -> Result<Credentials, Refusal> {
    let fail = |what: &str| {
        let (stage, reason) = if crio {
            (Stage::RuntimeCreate, "CreateContainerError")
        } else {
            (Stage::RuntimeStart, "RunContainerError")
        };
        Err(Refusal::new(
            stage,
            reason,
            format!("runc: unable to start container process: {what}: invalid argument"),
        ))
    };
    if p.additional_gids.len() > NGROUPS_MAX {
        return fail("setgroups");
    }
    if p.additional_gids.iter().any(|(g, _)| *g == u32::MAX) {
        return fail("setgroups");
    }
    if p.gid == u32::MAX {
        return fail("setgid");
    }
    if p.uid == u32::MAX {
        return fail("setuid");
    }
    let mut groups: Vec<u32> = p.additional_gids.iter().map(|(g, _)| *g).collect();
    groups.sort_unstable();
    Ok(Credentials { groups })
}

/// GNU coreutils `id`: egid first, then the kernel list without egid and adjacent duplicates (Spec 12.3).
pub(crate) fn id_groups_coreutils(gid: u32, kernel: &[u32]) -> Vec<u32> {
    let mut out = vec![gid];
    for &g in kernel {
        if g != gid && out.last() != Some(&g) {
            out.push(g);
        }
    }
    out
}

/// BusyBox `id`: the raw kernel list.
pub(crate) fn id_groups_busybox(kernel: &[u32]) -> Vec<u32> {
    kernel.to_vec()
}

/// Names as libc resolves them in the container (first matching line; `#` lines are not names).
pub(crate) struct Names<'r, 'a> {
    pub passwd: Option<&'r Passwd<'a>>,
    pub group: Option<&'r Group<'a>>,
}

impl Names<'_, '_> {
    fn user(&self, uid: u32) -> Option<&str> {
        self.passwd?
            .entries
            .iter()
            .find(|e| go_uint32(e.uid) == uid && !e.name.starts_with('#'))
            .map(|e| e.name)
    }

    pub(crate) fn group(&self, gid: u32) -> Option<&str> {
        self.group?.by_gid(gid).map(|e| e.name)
    }

    /// `1000(name)`, or the bare number when the id has no name.
    fn push_id(line: &mut String, n: u32, name: Option<&str>) {
        let _ = write!(line, "{n}");
        if let Some(name) = name.filter(|name| !name.is_empty()) {
            line.push('(');
            line.push_str(name);
            line.push(')');
        }
    }

    /// The line `id` prints for these groups, written into one buffer (it is built per outcome).
    pub(crate) fn id_line(&self, uid: u32, gid: u32, groups: &[u32]) -> String {
        let mut line = String::with_capacity(32 + 16 * groups.len());
        line.push_str("uid=");
        Self::push_id(&mut line, uid, self.user(uid));
        line.push_str(" gid=");
        Self::push_id(&mut line, gid, self.group(gid));
        line.push_str(" groups=");
        for (i, &g) in groups.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            Self::push_id(&mut line, g, self.group(g));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_orders_match_the_spec_example() {
        let kernel = [100, 2000, 3000];
        assert_eq!(id_groups_coreutils(3000, &kernel), [3000, 100, 2000]);
        assert_eq!(id_groups_busybox(&kernel), [100, 2000, 3000]);
        assert_eq!(id_groups_coreutils(5, &[1, 1, 2]), [5, 1, 2]);
    }
}
