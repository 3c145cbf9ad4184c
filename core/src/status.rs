//! Step 13 — `status.containerStatuses[].user`, read back from the stored OCI spec.

use crate::environment::Environment;
use crate::report::{ContainerUser, LinuxContainerUser};
use crate::runtime::ProcessUser;

/// Reported by containerd 2.x and CRI-O, copied by the kubelet only while its gate is enabled.
pub(crate) fn container_user(p: &ProcessUser, env: &Environment) -> Option<ContainerUser> {
    (env.runtime.supports_policy() && env.gate_enabled()).then(|| ContainerUser {
        linux: LinuxContainerUser {
            uid: p.uid,
            gid: p.gid,
            supplemental_groups: p.additional_gids.iter().map(|(g, _)| *g).collect(),
        },
    })
}
