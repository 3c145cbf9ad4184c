//! The parts of each dumped object the audit needs: nodes' environments, pods' owners, node, status
//! users and image digests, workloads' templates, PersistentVolumes' gid annotations.

use serde_json::{Map, Value};

/// Kinds whose objects carry a pod template, and where (mirrors the core's table).
pub(crate) const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
];

/// `metadata.ownerReferences[]` entry that is the controller (or the first one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OwnerRef {
    pub kind: String,
    pub name: String,
}

/// `status.containerStatuses[]` (and init/ephemeral): what the kubelet reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ContainerStatus {
    pub name: String,
    pub image_id: Option<String>,
    pub user: Option<(u32, u32, Vec<u32>)>,
}

/// Identity-relevant facts of one pod spec, beside the slim object the core explains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SpecFacts {
    pub policy: Option<String>,
    pub fs_group: Option<u32>,
    pub claims: Vec<String>,
    /// Per container name: gids the manifest names (runAsGroup, supplementalGroups, fsGroup).
    pub named: Vec<(String, Vec<u32>)>,
    /// `(name, kind, image)` in spec order: `init`, `regular`, `ephemeral`.
    pub containers: Vec<(String, &'static str, String)>,
}

fn field<'a>(o: Option<&'a Value>, k: &str) -> Option<&'a Value> {
    o.and_then(|o| o.get(k))
}

pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str)
}

pub(crate) fn metadata(v: &Value) -> (String, String) {
    let name = str_at(v, &["metadata", "name"])
        .or_else(|| str_at(v, &["metadata", "generateName"]))
        .unwrap_or("")
        .to_owned();
    let ns = str_at(v, &["metadata", "namespace"]).unwrap_or("default").to_owned();
    (ns, name)
}

pub(crate) fn controller(v: &Value) -> Option<OwnerRef> {
    let refs = v.get("metadata")?.get("ownerReferences")?.as_array()?;
    let pick = refs
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .or_else(|| refs.first())?;
    Some(OwnerRef {
        kind: pick.get("kind")?.as_str()?.to_owned(),
        name: pick.get("name")?.as_str()?.to_owned(),
    })
}

/// The pod spec of an object of `kind`, by the core's path table.
pub(crate) fn pod_spec<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn gid(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_u64).and_then(|g| u32::try_from(g).ok())
}

/// Only what the core reads (os, securityContext, containers' name/image/securityContext): pods of
/// one workload then share one slim spec however their volumes or node differ.
pub(crate) fn slim_spec(spec: &Value) -> Value {
    let Some(spec) = spec.as_object() else {
        return spec.clone();
    };
    let mut out = Map::new();
    for key in ["os", "securityContext"] {
        if let Some(v) = spec.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(v) = spec.get(key) else { continue };
        let slim = match v.as_array() {
            Some(list) => Value::Array(
                list.iter()
                    .map(|c| match c.as_object() {
                        Some(c) => Value::Object(
                            ["name", "image", "securityContext"]
                                .iter()
                                .filter_map(|k| c.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                                .collect(),
                        ),
                        None => c.clone(),
                    })
                    .collect(),
            ),
            None => v.clone(),
        };
        out.insert(key.into(), slim);
    }
    Value::Object(out)
}

/// The facts the audit itself needs from a pod spec (lenient: the core reports what is malformed).
pub(crate) fn spec_facts(spec: &Value) -> SpecFacts {
    let psc = spec.get("securityContext");
    let policy = field(psc, "supplementalGroupsPolicy")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let fs_group = gid(field(psc, "fsGroup"));
    let pod_group = gid(field(psc, "runAsGroup"));
    let supplemental: Vec<u32> = field(psc, "supplementalGroups")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|g| gid(Some(g))).collect())
        .unwrap_or_default();
    let claims = spec
        .get("volumes")
        .and_then(Value::as_array)
        .map(|vols| {
            vols.iter()
                .filter_map(|v| str_at(v, &["persistentVolumeClaim", "claimName"]).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut named = Vec::new();
    let mut containers = Vec::new();
    for (key, kind) in [
        ("initContainers", "init"),
        ("containers", "regular"),
        ("ephemeralContainers", "ephemeral"),
    ] {
        for c in spec.get(key).and_then(Value::as_array).into_iter().flatten() {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
            let image = c.get("image").and_then(Value::as_str).unwrap_or("").to_owned();
            let group = gid(field(c.get("securityContext"), "runAsGroup")).or(pod_group);
            let mut gids: Vec<u32> = group
                .into_iter()
                .chain(supplemental.iter().copied())
                .chain(fs_group)
                .collect();
            gids.sort_unstable();
            gids.dedup();
            named.push((name.clone(), gids));
            containers.push((name, kind, image));
        }
    }
    SpecFacts {
        policy,
        fs_group,
        claims,
        named,
        containers,
    }
}

/// Every container status of a pod, with its `user.linux` when the kubelet reported one.
pub(crate) fn container_statuses(pod: &Value) -> Vec<ContainerStatus> {
    let Some(status) = pod.get("status") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in [
        "initContainerStatuses",
        "containerStatuses",
        "ephemeralContainerStatuses",
    ] {
        for s in status.get(key).and_then(Value::as_array).into_iter().flatten() {
            let Some(name) = s.get("name").and_then(Value::as_str) else {
                continue;
            };
            let user = s.get("user").and_then(|u| u.get("linux")).and_then(|l| {
                let groups = l
                    .get("supplementalGroups")
                    .and_then(Value::as_array)
                    .map(|g| g.iter().filter_map(|g| gid(Some(g))).collect())
                    .unwrap_or_default();
                Some((gid(l.get("uid")).unwrap_or(0), gid(l.get("gid")).unwrap_or(0), groups))
                    .filter(|_| l.get("uid").is_some() || l.get("gid").is_some())
            });
            out.push(ContainerStatus {
                name: name.to_owned(),
                image_id: s
                    .get("imageID")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                user,
            });
        }
    }
    out
}

/// `status.nodeInfo` and `status.features` of a Node.
pub(crate) struct NodeFacts {
    pub name: String,
    pub runtime: String,
    pub kubelet: String,
    pub supports_policy: Option<bool>,
}

pub(crate) fn node_facts(v: &Value) -> Result<NodeFacts, String> {
    let name = str_at(v, &["metadata", "name"])
        .ok_or("Node has no metadata.name")?
        .to_owned();
    let runtime = str_at(v, &["status", "nodeInfo", "containerRuntimeVersion"])
        .ok_or_else(|| format!("Node {name} has no status.nodeInfo.containerRuntimeVersion"))?
        .to_owned();
    let kubelet = str_at(v, &["status", "nodeInfo", "kubeletVersion"])
        .ok_or_else(|| format!("Node {name} has no status.nodeInfo.kubeletVersion"))?
        .to_owned();
    let supports_policy = v
        .get("status")
        .and_then(|s| s.get("features"))
        .and_then(|f| f.get("supplementalGroupsPolicy"))
        .and_then(Value::as_bool);
    Ok(NodeFacts {
        name,
        runtime,
        kubelet,
        supports_policy,
    })
}
