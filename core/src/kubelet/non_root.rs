//! Step 6 — `verifyRunAsNonRoot`, before the runtime is called.

use super::image_user::ImageUser;
use super::security_context::Effective;
use crate::error::{Refusal, Stage};
use crate::limits::MAX_ID;
use crate::manifest::PodSpec;

/// Refuses with one of the kubelet's four messages (Spec 6.2–6.5); `pod` is `format.Pod`.
pub(crate) fn verify_run_as_non_root(
    spec: &PodSpec,
    container: &str,
    eff: &Effective<'_>,
    image: &ImageUser,
    kubernetes_minor: u32,
) -> Result<(), Refusal> {
    if !eff.run_as_non_root.is_some_and(|f| f.value) {
        return Ok(());
    }
    let refuse = |m: String| {
        let pod = format!("{:?}", format!("{}_{}(<pod-uid>)", pod_name(spec), spec.namespace));
        Err(Refusal::new(
            Stage::KubeletContainerConfig,
            "CreateContainerConfigError",
            format!("{m} (pod: {pod}, container: {container})"),
        ))
    };
    if let Some(uid) = eff.run_as_user {
        return if uid.value == 0 {
            refuse("container's runAsUser breaks non-root policy".into())
        } else {
            Ok(())
        };
    }
    match image {
        ImageUser::Name(name) => refuse(format!("container has runAsNonRoot and image has non-numeric user ({name}), cannot verify user is non-root")),
        ImageUser::Uid(0) => refuse("container has runAsNonRoot and image will run as root".into()),
        ImageUser::Uid(uid) if kubernetes_minor >= 33 && !(0..=i64::from(MAX_ID)).contains(uid) => refuse(format!(
            "container has runAsNonRoot and image has an invalid user id ({uid}). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive"
        )),
        ImageUser::Uid(_) => Ok(()),
    }
}

/// The pod's name: a Pod's own, or the workload's with the suffix its controller would add.
fn pod_name(spec: &PodSpec) -> String {
    if spec.kind == "Pod" {
        spec.name.clone()
    } else {
        format!("{}-<suffix>", spec.name)
    }
}
