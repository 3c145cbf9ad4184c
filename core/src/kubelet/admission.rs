//! Step 2 — kubelet admission: the OS field and Strict on a node that does not support it.

use crate::environment::Environment;
use crate::error::Refusal;
use crate::manifest::{Field, PodSpec};

/// Rejects the pod as `rejectPodAdmissionBasedOnOSField` / `…SupplementalGroupsPolicy` do (Spec 2.1,
/// 2.2); both go through the kubelet's `rejectPod`, which prefixes the status message.
pub(crate) fn admit(spec: &PodSpec, policy: Option<&Field<String>>, env: &Environment) -> Result<(), Refusal> {
    if spec.os_name.as_ref().is_some_and(|os| os.value != "linux") {
        return Err(Refusal::rejected_by_kubelet(
            "PodOSNotSupported",
            "Failed to admit pod as the OS field doesn't match node OS",
        ));
    }
    let strict = policy.is_some_and(|p| p.value == "Strict");
    if strict && env.kubelet_checks_node_support() && !env.node_supports_policy() {
        return Err(Refusal::rejected_by_kubelet(
            "SupplementalGroupsPolicyNotSupported",
            "SupplementalGroupsPolicy=Strict is not supported in this node",
        ));
    }
    Ok(())
}
