//! Steps 4 and 7 — the effective security context and the CRI `LinuxContainerSecurityContext`.

use super::image_user::ImageUser;
use crate::manifest::{Container, ContainerSecurityContext, Field, PodSecurityContext, PodSpec};
use crate::report::{Origin, SupplementalGroupsPolicy};
use crate::runtime::{CriSecurityContext, SourcedId};

/// Which security context set an effective value (Spec 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The container's `securityContext`.
    Container,
    /// The pod's `spec.securityContext`.
    Pod,
}

/// The identity fields of a pod's or a container's security context, however they were read (the
/// typed manifest here, borrowed JSON in [`crate::manifest::raw`]); `None` when not set.
pub trait SecurityContextFields {
    /// A uid or gid as the reader holds it.
    type Id;
    /// `runAsNonRoot` as the reader holds it.
    type Flag;
    fn run_as_user(&self) -> Option<Self::Id>;
    fn run_as_group(&self) -> Option<Self::Id>;
    fn run_as_non_root(&self) -> Option<Self::Flag>;
}

/// The effective identity fields of one container (Spec 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectiveContext<I, F> {
    pub run_as_user: Option<I>,
    pub run_as_group: Option<I>,
    pub run_as_non_root: Option<F>,
}

/// `DetermineEffectiveSecurityContext`: each container field replaces the pod's individually (Spec 4).
/// The one precedence rule, for the typed pipeline and for readers of raw JSON alike.
pub fn effective_context<P, C>(pod: &P, container: &C) -> EffectiveContext<P::Id, P::Flag>
where
    P: SecurityContextFields,
    C: SecurityContextFields<Id = P::Id, Flag = P::Flag>,
{
    EffectiveContext {
        run_as_user: container.run_as_user().or_else(|| pod.run_as_user()),
        run_as_group: container.run_as_group().or_else(|| pod.run_as_group()),
        run_as_non_root: container.run_as_non_root().or_else(|| pod.run_as_non_root()),
    }
}

/// The effective context of the typed pipeline: each value keeps its field path and position.
pub(crate) type Effective<'a> = EffectiveContext<&'a Field<i128>, &'a Field<bool>>;

/// The typed contexts hold the three fields under the same names.
macro_rules! typed_fields {
    ($($context:ty),*) => {$(
        impl<'a> SecurityContextFields for &'a $context {
            type Id = &'a Field<i128>;
            type Flag = &'a Field<bool>;
            fn run_as_user(&self) -> Option<Self::Id> {
                self.run_as_user.as_ref()
            }
            fn run_as_group(&self) -> Option<Self::Id> {
                self.run_as_group.as_ref()
            }
            fn run_as_non_root(&self) -> Option<Self::Flag> {
                self.run_as_non_root.as_ref()
            }
        }
    )*};
}

typed_fields!(PodSecurityContext, ContainerSecurityContext);

pub(crate) fn effective<'a>(spec: &'a PodSpec, c: &'a Container) -> Effective<'a> {
    effective_context(&&spec.security_context, &&c.security_context)
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
