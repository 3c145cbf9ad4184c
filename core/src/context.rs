//! The per-container context: one container, its pod spec, image, cluster and what Step 4 and the
//! runtime's passwd lookup decide for it, computed once and carried through the pipeline and warnings.

use crate::environment::Environment;
use crate::etc::PasswdEntry;
use crate::image::Image;
use crate::kubelet::{self, Effective};
use crate::manifest::{Container, PodSpec};
use crate::runtime::Rootfs;

/// One container and everything the pipeline reads for it, built once per container.
pub(crate) struct ContainerContext<'r, 'a> {
    pub spec: &'a PodSpec,
    pub container: &'a Container,
    pub image: &'a Image,
    pub rootfs: &'r Rootfs<'a>,
    pub pv_gid_annotations: &'a [String],
    pub env: &'a Environment,
    /// Step 4, computed once: the per-field override of pod by container.
    pub effective: Effective<'a>,
    /// The `/etc/passwd` entry the runtime matches for this container (Spec 8.3, 8.4, 10.3), looked up
    /// once, when the image's `/etc/passwd` and, where it matters, its USER are known.
    pub passwd_entry: Option<&'r PasswdEntry<'a>>,
}

impl<'r, 'a> ContainerContext<'r, 'a> {
    pub(crate) fn new(
        spec: &'a PodSpec,
        container: &'a Container,
        image: &'a Image,
        rootfs: &'r Rootfs<'a>,
        pv_gid_annotations: &'a [String],
        env: &'a Environment,
    ) -> Self {
        let effective = kubelet::effective(spec, container);
        ContainerContext {
            spec,
            container,
            image,
            rootfs,
            pv_gid_annotations,
            env,
            passwd_entry: matched_entry(&effective, image, rootfs),
            effective,
        }
    }
}

/// The entry the runtime looks the user up by: `runAsUser`, else the image's uid or name.
fn matched_entry<'r, 'a>(eff: &Effective<'_>, image: &Image, rootfs: &'r Rootfs<'a>) -> Option<&'r PasswdEntry<'a>> {
    let passwd = rootfs.passwd.as_ref()?.as_ref().ok()?;
    match (eff.run_as_user, image.user.as_deref().map(kubelet::image_user)) {
        (Some(uid), _) => i64::try_from(uid.value).ok().and_then(|u| passwd.by_uid(u)),
        (None, Some(kubelet::ImageUser::Uid(uid))) => passwd.by_uid(uid),
        (None, Some(kubelet::ImageUser::Name(name))) => passwd.by_name(&name),
        (None, None) => None,
    }
}
