//! Where each kind keeps its pod spec. Temporary local table until `podgroups_core::manifest::
//! pod_spec_pointer` is available (same signature, Spec 1.5).

/// JSON pointer of the pod spec inside an object of `kind`.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod" => "/spec",
        "PodTemplate" => "/template/spec",
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicationController" => {
            "/spec/template/spec"
        }
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => return None,
    })
}
