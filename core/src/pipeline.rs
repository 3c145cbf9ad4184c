//! One container through the whole pipeline, for one value of `supplementalGroupsPolicy`:
//! apiserver → kubelet → runtime → kernel → status.

use crate::environment::{Environment, RuntimeKind};
use crate::error::Refusal;
use crate::image::Image;
use crate::kernel::{self, Names};
use crate::manifest::{Container, Field, PodSpec};
use crate::report::{GidOrigins, Identity, Origin};
use crate::runtime::{self, Rootfs};
use crate::{apiserver, kubelet, status};

/// Runs `container` of `spec` with `policy` standing in `spec.securityContext.supplementalGroupsPolicy`:
/// the identity the process gets, or the first stage that refuses it.
pub(crate) fn run(
    spec: &PodSpec,
    container: &Container,
    policy: Option<&Field<String>>,
    image: &Image,
    rootfs: &Rootfs<'_>,
    pv_gid_annotations: &[String],
    env: &Environment,
) -> Result<Identity, Refusal> {
    let policy = apiserver::drop_disabled_fields(policy, env);
    apiserver::validate(spec, policy)?;
    kubelet::admit(spec, policy, env)?;
    runtime::run_pod_sandbox(spec, env)?;
    let eff = kubelet::effective(spec, container);
    let image_user = kubelet::image_user(&image.user);
    kubelet::verify_run_as_non_root(spec, &container.name, &eff, &image_user, env.kubernetes_minor)?;
    let cri =
        kubelet::container_security_context(spec, &eff, &image_user, &image.user, policy, pv_gid_annotations, env);
    let p = runtime::create_container(&cri, rootfs, &image.user, env)?;
    let creds = kernel::set_credentials(&p, env.runtime.kind == RuntimeKind::Crio)?;
    let names = Names {
        passwd: rootfs.passwd.as_ref().and_then(|p| p.as_ref().ok()),
        group: rootfs.group.as_ref(),
    };
    let coreutils = kernel::id_groups_coreutils(p.gid, &creds.groups);
    let busybox = kernel::id_groups_busybox(&creds.groups);
    Ok(Identity {
        uid: p.uid,
        gid: p.gid,
        additional_gids: p.additional_gids.iter().map(|(g, _)| *g).collect(),
        id_coreutils: names.id_line(p.uid, p.gid, &coreutils),
        id_busybox: names.id_line(p.uid, p.gid, &busybox),
        groups_as_kernel_sees: creds.groups,
        id_groups_coreutils: coreutils,
        id_groups_busybox: busybox,
        status_user: status::container_user(&p, env),
        applied_policy: p.applied_policy,
        uid_origin: p.uid_origin.clone(),
        gid_origins: p
            .additional_gids
            .iter()
            .map(|(gid, origins)| GidOrigins {
                gid: *gid,
                name: names.group(*gid).map(str::to_owned),
                origins: origins.clone(),
                implicit: origins.iter().all(|o| matches!(o, Origin::Group { .. })),
            })
            .collect(),
    })
}
