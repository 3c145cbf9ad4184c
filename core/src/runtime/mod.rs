//! Steps 3 and 8–10 — the container runtime turns the CRI security context into OCI `process.user`.

mod containerd;
mod crio;
mod process;

#[cfg(test)]
pub(crate) use process::test_cri;
pub(crate) use process::{applied_policy, CriSecurityContext, ProcessUser, Rootfs, SourcedId};

use crate::environment::{Environment, RuntimeKind};
use crate::error::{Refusal, Stage};
use crate::manifest::PodSpec;

/// Step 3: the runtime creates the pod sandbox from pod-level fields only.
pub(crate) fn run_pod_sandbox(spec: &PodSpec, env: &Environment) -> Result<(), Refusal> {
    let psc = &spec.security_context;
    if env.runtime.is_containerd() && psc.run_as_user.is_none() {
        if let Some(g) = &psc.run_as_group {
            return Err(Refusal::new(
                Stage::SandboxCreate,
                "FailedCreatePodSandBox",
                format!(
                    "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to generate sandbox container spec options: failed to generate user string: user group \"{}\" is specified without user",
                    g.value
                ),
            ));
        }
    }
    Ok(())
}

/// Steps 8–10: `CreateContainer`'s user handling for the environment's runtime.
pub(crate) fn create_container(
    cri: &CriSecurityContext,
    rootfs: &Rootfs<'_>,
    image_user: &str,
    env: &Environment,
) -> Result<ProcessUser, Refusal> {
    match env.runtime.kind {
        RuntimeKind::Containerd17 | RuntimeKind::Containerd2 => {
            containerd::create_container(cri, rootfs, image_user, env.runtime)
        }
        RuntimeKind::Crio => crio::create_container(cri, rootfs, image_user),
    }
}
