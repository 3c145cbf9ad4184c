//! Steps 4 and 7 — the effective security context and the CRI `LinuxContainerSecurityContext`.

use super::image_user::ImageUser;
use crate::manifest::{Container, Field, PodSpec};
use crate::report::{Origin, SupplementalGroupsPolicy};
use crate::runtime::{CriSecurityContext, SourcedId};

/// `DetermineEffectiveSecurityContext`: each container field replaces the pod's individually (Spec 4).
#[derive(Clone, Copy)]
pub(crate) struct Effective<'a> {
    pub run_as_user: Option<&'a Field<i128>>,
    pub run_as_group: Option<&'a Field<i128>>,
    pub run_as_non_root: Option<&'a Field<bool>>,
}

pub(crate) fn effective<'a>(spec: &'a PodSpec, c: &'a Container) -> Effective<'a> {
    let (psc, csc) = (&spec.security_context, &c.security_context);
    Effective {
        run_as_user: csc.run_as_user.as_ref().or(psc.run_as_user.as_ref()),
        run_as_group: csc.run_as_group.as_ref().or(psc.run_as_group.as_ref()),
        run_as_non_root: csc.run_as_non_root.as_ref().or(psc.run_as_non_root.as_ref()),
    }
}

/// A manifest id with the field it came from as its origin.
fn sourced(f: &Field<i128>) -> SourcedId {
    SourcedId {
        value: f.value,
        origin: Origin::Field {
            path: f.path.clone(),
            location: f.location,
        },
    }
}

/// Step 7: what the kubelet sends. `policy` is the value after Step 1 (`None` ⇒ proto default Merge).
pub(crate) fn container_security_context(
    spec: &PodSpec,
    eff: &Effective<'_>,
    pv_gid_annotations: &[String],
    image: &ImageUser,
    image_user_text: &str,
    policy: Option<&Field<String>>,
) -> CriSecurityContext {
    let (run_as_user, run_as_username) = match (eff.run_as_user, image) {
        (Some(f), _) => (Some(sourced(f)), String::new()),
        (None, ImageUser::Uid(uid)) => {
            let origin = if image_user_text.is_empty() || image_user_text.starts_with(':') {
                Origin::Default {
                    reason: "the image sets no USER, so the kubelet runs it as uid 0".into(),
                }
            } else {
                Origin::ImageUser {
                    user: image_user_text.to_owned(),
                }
            };
            (
                Some(SourcedId {
                    value: i128::from(*uid),
                    origin,
                }),
                String::new(),
            )
        }
        (None, ImageUser::Name(name)) => (None, name.clone()),
    };
    let run_as_group = eff.run_as_group.map(sourced);
    let supplemental_groups = supplemental_groups(spec, pv_gid_annotations);
    let supplemental_groups_policy = match policy.map(|p| p.value.as_str()) {
        Some("Strict") => SupplementalGroupsPolicy::Strict,
        _ => SupplementalGroupsPolicy::Merge,
    };
    CriSecurityContext {
        run_as_user,
        run_as_username,
        run_as_group,
        supplemental_groups,
        supplemental_groups_policy,
    }
}

/// Step 7.3: `[fsGroup] ++ supplementalGroups ++ extra PV gids`, without de-duplication; PV gids already
/// in `supplementalGroups` (but not `fsGroup`) are skipped, as are unparsable annotations.
fn supplemental_groups(spec: &PodSpec, pv_gid_annotations: &[String]) -> Vec<SourcedId> {
    let psc = &spec.security_context;
    let mut supplemental_groups: Vec<SourcedId> = psc
        .fs_group
        .iter()
        .chain(&psc.supplemental_groups)
        .map(sourced)
        .collect();
    let mut seen: Vec<&str> = Vec::new();
    for value in pv_gid_annotations {
        if seen.contains(&value.as_str()) {
            continue;
        }
        seen.push(value);
        let Ok(gid) = value.parse::<i64>() else { continue };
        if psc.supplemental_groups.iter().any(|f| f.value == i128::from(gid)) {
            continue;
        }
        supplemental_groups.push(SourcedId {
            value: i128::from(gid),
            origin: Origin::PvAnnotation { value: value.clone() },
        });
    }
    supplemental_groups
}
