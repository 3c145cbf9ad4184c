//! Builds cluster dumps from the Kubernetes API types (k8s-openapi), in exactly the shape
//! `kubectl get … -o json` prints: `List`s with `apiVersion`/`kind` per item, ownerReferences,
//! managedFields, `spec.nodeName`, `status.containerStatuses[].imageID` and the kubelet's `user` block.
//! Shared by the audit crate's tests, the CLI's end-to-end tests and the benchmark, with the
//! docker-save archives that give their images (`archive.rs`).
#![allow(dead_code)]

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerStatus, ContainerUser, LinuxContainerUser, Node, NodeFeatures, NodeStatus, NodeSystemInfo,
    PersistentVolumeClaimVolumeSource, Pod, PodSecurityContext, PodSpec, PodStatus, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry, ObjectMeta, OwnerReference};
use serde_json::{json, Value};

pub mod archive;

/// `kubectl get … -o json` of several objects.
pub fn list(items: Vec<Value>) -> String {
    serde_json::to_string_pretty(&json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""}
    }))
    .unwrap()
}

pub fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

/// A node as `kubectl get nodes -o json` shows it; `features: None` is a node that publishes none.
pub fn node(name: &str, runtime: &str, kubelet: &str, features: Option<bool>) -> Value {
    to_value(&Node {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some([("kubernetes.io/hostname".to_owned(), name.to_owned())].into()),
            ..ObjectMeta::default()
        },
        spec: None,
        status: Some(NodeStatus {
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                container_runtime_version: runtime.into(),
                kubelet_version: kubelet.into(),
                kube_proxy_version: kubelet.into(),
                operating_system: "linux".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                kernel_version: "6.1.0-28-amd64".into(),
                boot_id: format!("boot-{name}"),
                machine_id: format!("machine-{name}"),
                system_uuid: format!("uuid-{name}"),
                ..NodeSystemInfo::default()
            }),
            features: features.map(|f| NodeFeatures {
                supplemental_groups_policy: Some(f),
            }),
            ..NodeStatus::default()
        }),
    })
}

/// The pod security context most tests use.
pub fn security(run_as_user: i64, run_as_group: i64, policy: Option<&str>) -> PodSecurityContext {
    PodSecurityContext {
        run_as_user: Some(run_as_user),
        run_as_group: Some(run_as_group),
        supplemental_groups_policy: policy.map(str::to_owned),
        ..PodSecurityContext::default()
    }
}

pub fn pod_spec(sc: PodSecurityContext, containers: &[(&str, &str)]) -> PodSpec {
    PodSpec {
        security_context: Some(sc),
        containers: containers
            .iter()
            .map(|(name, image)| Container {
                name: (*name).into(),
                image: Some((*image).into()),
                ..Container::default()
            })
            .collect(),
        ..PodSpec::default()
    }
}

pub fn with_claim(mut spec: PodSpec, claim: &str) -> PodSpec {
    spec.volumes = Some(vec![Volume {
        name: "data".into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: claim.into(),
            read_only: None,
        }),
        ..Volume::default()
    }]);
    spec
}

fn managed_fields() -> Option<Vec<ManagedFieldsEntry>> {
    Some(vec![ManagedFieldsEntry {
        api_version: Some("v1".into()),
        fields_type: Some("FieldsV1".into()),
        fields_v1: Some(FieldsV1(
            json!({"f:metadata": {"f:labels": {".": {}}}, "f:spec": {"f:containers": {}}}),
        )),
        manager: Some("kube-controller-manager".into()),
        operation: Some("Update".into()),
        ..ManagedFieldsEntry::default()
    }])
}

pub fn owner(kind: &str, name: &str) -> OwnerReference {
    OwnerReference {
        api_version: if kind == "ReplicaSet" { "apps/v1" } else { "batch/v1" }.into(),
        kind: kind.into(),
        name: name.into(),
        uid: format!("uid-{name}"),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// One observed container: `(name, image, imageID, Some((uid, gid, supplementalGroups)))`.
pub type Observed<'a> = (&'a str, &'a str, &'a str, Option<(i64, i64, Vec<i64>)>);

/// A pod as `kubectl get pods -o json` shows it; `status: None` is a pod that has none yet.
pub fn pod(
    ns: &str,
    name: &str,
    owner: Option<OwnerReference>,
    template_hash: Option<&str>,
    node: Option<&str>,
    mut spec: PodSpec,
    status: Option<Vec<Observed<'_>>>,
) -> Value {
    spec.node_name = node.map(str::to_owned);
    spec.service_account_name = Some("default".into());
    spec.volumes.get_or_insert_with(Vec::new).push(Volume {
        name: format!("kube-api-access-{}", &name[name.len().saturating_sub(5)..]),
        ..Volume::default()
    });
    to_value(&Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            uid: Some(format!("uid-{name}")),
            labels: template_hash.map(|h| [("pod-template-hash".to_owned(), h.to_owned())].into()),
            owner_references: owner.map(|o| vec![o]),
            managed_fields: managed_fields(),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: status.map(|containers| PodStatus {
            phase: Some("Running".into()),
            host_ip: Some("10.0.0.1".into()),
            container_statuses: Some(
                containers
                    .into_iter()
                    .map(|(name, image, image_id, user)| ContainerStatus {
                        name: name.into(),
                        image: image.into(),
                        image_id: image_id.into(),
                        ready: true,
                        restart_count: 0,
                        container_id: Some(format!("containerd://{name}")),
                        user: user.map(|(uid, gid, groups)| ContainerUser {
                            linux: Some(LinuxContainerUser {
                                uid,
                                gid,
                                supplemental_groups: Some(groups),
                            }),
                        }),
                        ..ContainerStatus::default()
                    })
                    .collect(),
            ),
            ..PodStatus::default()
        }),
    })
}

/// A replica of the Deployment `shop/web` (ReplicaSet `web-abc12`; container `c` runs `app:1` as
/// 1000:3000) on `node`, observed running `image_id` with `groups`.
pub fn web_replica(name: &str, node: &str, image_id: &str, groups: &[i64]) -> Value {
    pod(
        "shop",
        name,
        Some(owner("ReplicaSet", "web-abc12")),
        Some("abc12"),
        Some(node),
        pod_spec(security(1000, 3000, None), &[("c", "app:1")]),
        Some(vec![("c", "app:1", image_id, Some((1000, 3000, groups.to_vec())))]),
    )
}

/// The Strict CronJob `ops/nightly` (container `job` runs `app:1` as 1000:3000), its Job
/// `nightly-29000000`, and that Job's pod on `node` with `status`.
pub fn nightly(node: Option<&str>, status: Option<Vec<Observed<'_>>>) -> [Value; 3] {
    let spec = || pod_spec(security(1000, 3000, Some("Strict")), &[("job", "app:1")]);
    [
        cron_job("ops", "nightly", spec()),
        job("ops", "nightly-29000000", "nightly", spec()),
        pod(
            "ops",
            "nightly-29000000-zzzzz",
            Some(owner("Job", "nightly-29000000")),
            None,
            node,
            spec(),
            status,
        ),
    ]
}

pub fn cron_job(ns: &str, name: &str, spec: PodSpec) -> Value {
    to_value(&CronJob {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            managed_fields: managed_fields(),
            ..ObjectMeta::default()
        },
        spec: Some(CronJobSpec {
            schedule: "0 3 * * *".into(),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(JobSpec {
                    template: PodTemplateSpec {
                        metadata: None,
                        spec: Some(spec),
                    },
                    ..JobSpec::default()
                }),
            },
            ..CronJobSpec::default()
        }),
        status: None,
    })
}

pub fn job(ns: &str, name: &str, owner_cron: &str, spec: PodSpec) -> Value {
    to_value(&Job {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            owner_references: Some(vec![owner("CronJob", owner_cron)]),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(spec),
            },
            ..JobSpec::default()
        }),
        status: None,
    })
}
