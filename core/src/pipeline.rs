//! One container through the whole pipeline, for one value of `supplementalGroupsPolicy`:
//! apiserver → kubelet → runtime → kernel → status. Where a part of the image is unknown, the parts
//! of the answer it decides are reported as open ([`crate::unknown`]), never guessed.

use crate::context::ContainerContext;
use crate::environment::RuntimeKind;
use crate::error::Refusal;
use crate::kernel::{self, Names};
use crate::kubelet;
use crate::manifest::Field;
use crate::report::{GidOrigins, Identity, Origin, Outcome};
use crate::runtime;
use crate::{apiserver, status, unknown};

/// Runs the container with `policy` standing in `spec.securityContext.supplementalGroupsPolicy`.
pub(crate) fn run(ctx: &ContainerContext<'_, '_>, policy: Option<&Field<String>>) -> Outcome {
    match run_stages(ctx, policy) {
        Ok(outcome) => outcome,
        Err(refusal) => Outcome::Refused(refusal),
    }
}

fn run_stages(ctx: &ContainerContext<'_, '_>, policy: Option<&Field<String>>) -> Result<Outcome, Refusal> {
    let (spec, env, eff) = (ctx.spec, ctx.env, &ctx.effective);
    let policy = apiserver::drop_disabled_fields(policy, env);
    apiserver::validate(spec, policy)?;
    kubelet::admit(spec, policy, env)?;
    runtime::run_pod_sandbox(spec, env)?;
    // Steps 5–6 read the image's USER unless runAsUser is set.
    let user_text = match (&ctx.image.user, eff.run_as_user) {
        (Some(user), _) => user.as_str(),
        (None, Some(_)) => "",
        (None, None) => {
            let cri = kubelet::container_security_context(
                spec,
                eff,
                ctx.pv_gid_annotations,
                &kubelet::ImageUser::Uid(0),
                "",
                policy,
            );
            return Ok(unknown::from_manifest(ctx, &cri, unknown::user_decides_runs(ctx)));
        }
    };
    let image_user = kubelet::image_user(user_text);
    kubelet::verify_run_as_non_root(spec, &ctx.container.name, eff, &image_user, env.kubernetes_minor)?;
    let cri = kubelet::container_security_context(spec, eff, ctx.pv_gid_annotations, &image_user, user_text, policy);
    if let Some(open) = unknown::passwd_decides_runs(ctx, &image_user) {
        return Ok(unknown::from_manifest(ctx, &cri, open));
    }
    let p = runtime::create_container(&cri, ctx.rootfs, user_text, env)?;
    let creds = kernel::set_credentials(&p, env.runtime.kind == RuntimeKind::Crio)?;
    let open = unknown::open_after_runtime(ctx, &cri, p.applied_policy);
    let names = if open.names_known() {
        Names {
            passwd: ctx.rootfs.passwd.as_ref().and_then(|p| p.as_ref().ok()),
            group: ctx.rootfs.group.as_ref(),
        }
    } else {
        Names {
            passwd: None,
            group: None,
        }
    };
    let coreutils = kernel::id_groups_coreutils(p.gid, &creds.groups);
    let busybox = kernel::id_groups_busybox(&creds.groups);
    let status_user = status::container_user(&p, env);
    let identity = Identity {
        uid: p.uid,
        gid: p.gid,
        additional_gids: p.additional_gids.iter().map(|(g, _)| *g).collect(),
        id_coreutils: names.id_line(p.uid, p.gid, &coreutils),
        id_busybox: names.id_line(p.uid, p.gid, &busybox),
        groups_as_kernel_sees: creds.groups,
        id_groups_coreutils: coreutils,
        id_groups_busybox: busybox,
        status_user,
        applied_policy: p.applied_policy,
        uid_origin: p.uid_origin,
        gid_origins: p
            .additional_gids
            .into_iter()
            .map(|(gid, origins)| GidOrigins {
                gid,
                name: names.group(gid).map(str::to_owned),
                implicit: origins.iter().all(|o| matches!(o, Origin::Group { .. })),
                origins,
            })
            .collect(),
        unknown: Vec::new(),
    };
    Ok(open.apply(identity, &p.gid_origin))
}
