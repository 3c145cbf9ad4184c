//! # podgroups-audit
//!
//! Audits a whole cluster from what `kubectl get … -o json|yaml` prints: which workloads get groups
//! no manifest names, what the kubelet observed (`status.containerStatuses[].user.linux`) beside what
//! the engine predicts for each node's runtime and version, and what `supplementalGroupsPolicy:
//! Strict` would remove. Pure: text in, [`AuditReport`] out (no files, network or clock), so the
//! playground can run it too.
//!
//! ```
//! use podgroups_audit::{Audit, Images};
//! use podgroups_core::Environment;
//!
//! let nodes = r#"{"kind":"List","items":[{"kind":"Node","metadata":{"name":"n1"},
//!   "status":{"nodeInfo":{"containerRuntimeVersion":"containerd://2.0.5","kubeletVersion":"v1.33.1"},
//!             "features":{"supplementalGroupsPolicy":true}}}]}"#;
//! let pods = r#"{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p","namespace":"a"},
//!   "spec":{"nodeName":"n1","securityContext":{"runAsUser":1000,"runAsGroup":3000},
//!           "containers":[{"name":"c","image":"app:1"}]},
//!   "status":{"containerStatuses":[{"name":"c","image":"app:1","imageID":"sha256:aa",
//!             "user":{"linux":{"uid":1000,"gid":3000,"supplementalGroups":[101,3000]}}}]}}]}"#;
//! let mut audit = Audit::new(Images::new(), Environment::default());
//! audit.add_nodes("nodes.json", nodes);
//! audit.add_objects("pods.json", pods);
//! let report = audit.finish();
//! let c = &report.workloads[0].containers[0];
//! assert_eq!(c.strict_would_remove, [101]); // observed, without the image
//! assert_eq!(report.summary.containers_with_implicit_groups, 1);
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

mod dump;
mod fold;
mod images;
mod objects;
pub mod report;

pub use images::{normalize as normalize_reference, ImageMatch, Images};
pub use report::*;

use objects::{ContainerStatus, OwnerRef, SpecFacts};
use podgroups_core::{Environment, Runtime};
use serde_json::{json, Value};
use std::collections::HashMap;

/// One distinct node environment (or the assumed one when a pod's node is not in the input).
pub(crate) struct Env {
    pub report: EnvironmentReport,
    pub environment: Option<Environment>,
}

/// A PersistentVolume carrying `pv.beta.kubernetes.io/gid`.
pub(crate) struct PersistentVolume {
    pub name: String,
    pub gid: String,
    /// `spec.claimRef` (namespace, name), when bound.
    pub claim: Option<(String, String)>,
}

/// A distinct slim pod spec: pods of one workload revision share it.
pub(crate) struct Spec {
    /// The object the core explains (kind, metadata, the slim spec at its path).
    pub object: Value,
    pub facts: SpecFacts,
    /// The input and first item with this spec, to name in errors.
    pub input: String,
    pub first_item: String,
    pub namespace: String,
}

/// A pod, or a workload template (`pod: false`), reduced to what folding needs.
pub(crate) struct Record {
    pub pod: bool,
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub owner: Option<OwnerRef>,
    pub template_hash: Option<String>,
    pub replicas: Option<i64>,
    pub spec: usize,
    /// The node's environment; `None` for templates and unscheduled pods (predicted for every one).
    pub env: Option<usize>,
    pub statuses: Vec<ContainerStatus>,
}

/// An audit in progress: add nodes first, then pods and workloads, then [`Audit::finish`].
pub struct Audit<'i> {
    pub(crate) images: Images,
    pub(crate) assumed: Environment,
    pub(crate) envs: Vec<Env>,
    pub(crate) node_env: HashMap<String, usize>,
    pub(crate) specs: Vec<Spec>,
    spec_ids: HashMap<String, usize>,
    pub(crate) records: Vec<Record>,
    /// PersistentVolumes with a `pv.beta.kubernetes.io/gid` annotation.
    pub(crate) persistent_volumes: Vec<PersistentVolume>,
    /// `(namespace, claim)` → `spec.volumeName` of each PersistentVolumeClaim given.
    pub(crate) claim_volumes: HashMap<(String, String), String>,
    pub(crate) errors: Vec<ItemError>,
    pub(crate) progress: Option<&'i mut dyn FnMut(Progress)>,
}

/// An image no given image covers: `image` as the pod spec writes it, `image_id` as the kubelet reported
/// it (`docker.io/library/nginx@sha256:…` or `sha256:…`). Give it with [`Audit::add_image`] keyed by
/// the imageID's digest (or by the reference when there is no imageID).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WantedImage {
    pub image: String,
    pub image_id: Option<String>,
}

/// A pod (or the workload's template) as the engine read it, and the environment it was predicted on.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadExample {
    /// The slim object explained: `kind`, `metadata` (name, namespace) and the pod spec at its path.
    pub object: Value,
    /// The [`EnvironmentReport::id`] of its node (for a template: the first environment it is predicted on).
    pub environment: Option<String>,
}

/// Where a long audit is, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Objects read so far from the current input.
    Read(usize),
    /// Distinct (spec, node environment, image) predictions done of a total.
    Predicted(usize, usize),
}

impl<'i> Audit<'i> {
    /// `assumed` stands for pods whose node is not in the node dump (and for all pods without one).
    pub fn new(images: Images, assumed: Environment) -> Self {
        Audit {
            images,
            assumed,
            envs: Vec::new(),
            node_env: HashMap::new(),
            specs: Vec::new(),
            spec_ids: HashMap::new(),
            records: Vec::new(),
            persistent_volumes: Vec::new(),
            claim_volumes: HashMap::new(),
            errors: Vec::new(),
            progress: None,
        }
    }

    /// Reports progress to `f` (e.g. a terminal progress line).
    pub fn on_progress(&mut self, f: &'i mut dyn FnMut(Progress)) {
        self.progress = Some(f);
    }

    /// Reads `kubectl get nodes -o json|yaml`. Unreadable nodes are recorded as errors.
    pub fn add_nodes(&mut self, input: &str, text: &str) {
        let mut nodes = Vec::new();
        let mut index = 0;
        let result = dump::for_each_object(text, &mut |v| {
            nodes.push((index, v));
            index += 1;
        });
        for (i, v) in nodes {
            let kind = objects::str_at(&v, &["kind"]).unwrap_or("Node");
            if kind != "Node" {
                self.error(
                    input,
                    format!("items[{i}] {kind}"),
                    "not a Node: pass nodes with --nodes, pods and workloads as inputs",
                );
                continue;
            }
            match objects::node_facts(&v) {
                Ok(n) => self.add_node(n),
                Err(e) => self.error(input, format!("items[{i}]"), &e),
            }
        }
        if let Err(e) = result {
            self.syntax_error(input, e);
        }
    }

    fn add_node(&mut self, n: objects::NodeFacts) {
        let modelled = n.runtime.parse::<Runtime>().and_then(|runtime| {
            let minor = Environment::parse_kubernetes_version(&n.kubelet)?;
            Ok(Environment {
                runtime,
                kubernetes_minor: minor,
                // The kubelet publishes the feature only while its gate is on (Spec 2.3).
                feature_gate: n.supports_policy.map(|_| true),
                node_supports_policy: Some(n.supports_policy == Some(true)),
            })
        });
        let model = match &modelled {
            Ok(e) => EnvironmentModel::Modelled {
                runtime: e.runtime.to_string(),
                kubernetes_minor: e.kubernetes_minor,
            },
            Err(reason) => EnvironmentModel::Unknown { reason: reason.clone() },
        };
        let found = self.envs.iter().position(|e| {
            e.report.model == model
                && e.report.node_supports_policy == n.supports_policy
                && (matches!(model, EnvironmentModel::Modelled { .. })
                    || e.report.container_runtime_version == n.runtime)
        });
        let id = match found {
            Some(id) => id,
            None => {
                self.envs.push(Env {
                    report: EnvironmentReport {
                        id: format!("env-{}", self.envs.len() + 1),
                        container_runtime_version: n.runtime.clone(),
                        kubelet_version: n.kubelet.clone(),
                        node_supports_policy: n.supports_policy,
                        model,
                        nodes: Vec::new(),
                    },
                    environment: modelled.ok(),
                });
                self.envs.len() - 1
            }
        };
        if let Some(e) = self.envs.get_mut(id) {
            e.report.nodes.push(n.name.clone());
        }
        self.node_env.insert(n.name, id);
    }

    /// Reads pods (`kubectl get pods -A -o json|yaml`), workload lists, and PersistentVolumes and
    /// their claims (`kubectl get pv,pvc -A -o json`), in one List or in several inputs.
    pub fn add_objects(&mut self, input: &str, text: &str) {
        let mut index = 0;
        let mut items = Vec::new();
        let result = dump::for_each_object(text, &mut |v| {
            items.push(v);
            index += 1;
            if items.len() >= 256 {
                // Bounded batches keep memory flat on huge dumps.
                for (n, v) in items.drain(..).enumerate() {
                    self.add_object(input, &format!("items[{}]", index - 256 + n), v, 0);
                }
                if let Some(p) = self.progress.as_mut() {
                    p(Progress::Read(index));
                }
            }
        });
        let first = index - items.len();
        for (n, v) in items.into_iter().enumerate() {
            self.add_object(input, &format!("items[{}]", first + n), v, 0);
        }
        if let Err(e) = result {
            self.syntax_error(input, e);
        }
    }

    /// `at` names the item in messages: `items[3]`, or `items[3].items[1]` inside a nested List.
    fn add_object(&mut self, input: &str, at: &str, v: Value, depth: u32) {
        let item = |kind: &str, ns: &str, name: &str| format!("{at} {kind} {ns}/{name}");
        let Some(kind) = objects::str_at(&v, &["kind"]).map(str::to_owned) else {
            let what = if v.is_object() {
                "an object without `kind`"
            } else {
                "not an object"
            };
            return self.error(
                input,
                at.to_owned(),
                &format!("{what}; expected a Pod, a workload or a List of them"),
            );
        };
        let (ns, name) = objects::metadata(&v);
        if kind.ends_with("List") && depth < 4 {
            if let Some(list) = v.get("items").and_then(Value::as_array) {
                for (i, item) in list.iter().enumerate() {
                    self.add_object(input, &format!("{at}.items[{i}]"), item.clone(), depth + 1);
                }
            }
            return;
        }
        if kind == "Node" {
            return match objects::node_facts(&v) {
                Ok(n) => self.add_node(n),
                Err(e) => self.error(input, item(&kind, "", &name), &e),
            };
        }
        if kind == "PersistentVolume" {
            return self.add_persistent_volume(&v);
        }
        if kind == "PersistentVolumeClaim" {
            return self.add_persistent_volume_claim(&v);
        }
        let Some(path) = podgroups_core::manifest::pod_spec_path(&kind) else {
            return; // Services, ConfigMaps…: nothing to audit.
        };
        let pod = kind == "Pod";
        if !pod && !objects::WORKLOAD_KINDS.contains(&kind.as_str()) {
            return;
        }
        let Some(spec_value) = objects::pod_spec(&v, path) else {
            return self.error(input, item(&kind, &ns, &name), &format!("has no `{path}`"));
        };
        let object = slim_object(spec_value, path, &kind, &ns, &name);
        let spec = self.intern_spec(object, spec_value, input, item(&kind, &ns, &name), &ns);
        let node = pod
            .then(|| objects::str_at(&v, &["spec", "nodeName"]).map(str::to_owned))
            .flatten();
        let env = node.as_ref().map(|n| self.env_of_node(n));
        let replicas = v.get("spec").and_then(|s| s.get("replicas")).and_then(Value::as_i64);
        self.records.push(Record {
            pod,
            namespace: ns,
            kind,
            name,
            owner: objects::controller(&v),
            template_hash: objects::str_at(&v, &["metadata", "labels", "pod-template-hash"]).map(str::to_owned),
            replicas,
            spec,
            env,
            statuses: if pod {
                objects::container_statuses(&v)
            } else {
                Vec::new()
            },
        });
    }

    /// A PersistentVolume's `pv.beta.kubernetes.io/gid`, kept with its name and the claim it is bound to.
    fn add_persistent_volume(&mut self, v: &Value) {
        let Some(gid) = objects::str_at(v, &["metadata", "annotations", "pv.beta.kubernetes.io/gid"]) else {
            return;
        };
        let claim = match (
            objects::str_at(v, &["spec", "claimRef", "namespace"]),
            objects::str_at(v, &["spec", "claimRef", "name"]),
        ) {
            (Some(ns), Some(name)) => Some((ns.to_owned(), name.to_owned())),
            _ => None,
        };
        self.persistent_volumes.push(PersistentVolume {
            name: objects::metadata(v).1,
            gid: gid.to_owned(),
            claim,
        });
    }

    /// A PersistentVolumeClaim's bound volume (`spec.volumeName`).
    fn add_persistent_volume_claim(&mut self, v: &Value) {
        let (ns, name) = objects::metadata(v);
        if let Some(volume) = objects::str_at(v, &["spec", "volumeName"]).filter(|n| !n.is_empty()) {
            self.claim_volumes.insert((ns, name), volume.to_owned());
        }
    }

    /// `(namespace, claim)` → the `pv.beta.kubernetes.io/gid` of the volume bound to it, with that
    /// volume's name: by the claim's `spec.volumeName` when the claim was given, else by the volume's
    /// `spec.claimRef` (a bound pair names each other).
    pub(crate) fn claim_gids(&self) -> HashMap<(String, String), Vec<(String, String)>> {
        let mut gids: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
        for pv in &self.persistent_volumes {
            let by_claim = self
                .claim_volumes
                .iter()
                .filter(|(_, v)| **v == pv.name)
                .map(|(c, _)| c.clone());
            let claims: Vec<(String, String)> = match &pv.claim {
                Some(c) if !self.claim_volumes.contains_key(c) => by_claim.chain([c.clone()]).collect(),
                _ => by_claim.collect(),
            };
            for claim in claims {
                gids.entry(claim).or_default().push((pv.gid.clone(), pv.name.clone()));
            }
        }
        gids
    }

    /// The index of the spec `object` writes: equal slim objects are predicted once.
    fn intern_spec(&mut self, object: Value, spec_value: &Value, input: &str, first_item: String, ns: &str) -> usize {
        let key = object.to_string();
        if let Some(id) = self.spec_ids.get(&key) {
            return *id;
        }
        self.specs.push(Spec {
            object,
            facts: objects::spec_facts(spec_value),
            input: input.to_owned(),
            first_item,
            namespace: ns.to_owned(),
        });
        self.spec_ids.insert(key, self.specs.len() - 1);
        self.specs.len() - 1
    }

    /// The environment of a node, or the assumed one when the node dump does not list it.
    fn env_of_node(&mut self, node: &str) -> usize {
        if let Some(id) = self.node_env.get(node) {
            return *id;
        }
        let id = self.assumed_env();
        if let Some(e) = self.envs.get_mut(id) {
            e.report.nodes.push(node.to_owned());
        }
        self.node_env.insert(node.to_owned(), id);
        id
    }

    /// The entry for pods on nodes not in the input: the caller's `--runtime`/`--kubernetes`.
    pub(crate) fn assumed_env(&mut self) -> usize {
        if let Some(id) = self
            .envs
            .iter()
            .position(|e| e.report.container_runtime_version.starts_with("assumed"))
        {
            return id;
        }
        let env = self.assumed.clone();
        self.envs.push(Env {
            report: EnvironmentReport {
                id: format!("env-{}", self.envs.len() + 1),
                container_runtime_version: format!("assumed ({}; node not in the node dump)", env.runtime),
                kubelet_version: format!("v1.{}", env.kubernetes_minor),
                node_supports_policy: env.node_supports_policy,
                model: EnvironmentModel::Modelled {
                    runtime: env.runtime.to_string(),
                    kubernetes_minor: env.kubernetes_minor,
                },
                nodes: Vec::new(),
            },
            environment: Some(env),
        });
        self.envs.len() - 1
    }

    fn error(&mut self, input: &str, item: String, message: &str) {
        self.errors.push(ItemError {
            input: input.to_owned(),
            item,
            message: message.to_owned(),
        });
    }

    fn syntax_error(&mut self, input: &str, e: dump::SyntaxError) {
        self.error(
            input,
            format!("line {}, column {}", e.line, e.column),
            &format!(
                "{}; the items before this point were audited, the rest of this input was not",
                e.message
            ),
        );
    }

    /// Adds an image before [`Audit::finish`], e.g. one read from its registry for [`Audit::wanted_images`].
    pub fn add_image(&mut self, key: impl Into<String>, image: podgroups_core::Image) {
        self.images.insert(key, image);
    }

    /// The images pods and templates run that no image given so far covers, each once: the running
    /// `imageID` when the kubelet reported one (the image to read), else the `image` reference.
    pub fn wanted_images(&self) -> Vec<WantedImage> {
        let mut wanted: Vec<WantedImage> = Vec::new();
        for r in &self.records {
            let Some(spec) = self.specs.get(r.spec) else { continue };
            for (name, _, image) in &spec.facts.containers {
                let image_id = r
                    .statuses
                    .iter()
                    .find(|s| s.name == *name)
                    .and_then(|s| s.image_id.clone());
                if image.is_empty() || self.images.find(name, image, image_id.as_deref()).is_some() {
                    continue;
                }
                let w = WantedImage {
                    image: image.clone(),
                    image_id,
                };
                if !wanted.contains(&w) {
                    wanted.push(w);
                }
            }
        }
        wanted
    }

    /// Predicts, compares and folds everything added into the report.
    pub fn finish(self) -> AuditReport {
        fold::finish(self).0
    }

    /// [`Audit::finish`], plus for each workload of the report (same order) one of its pods to explain
    /// alone, e.g. the playground's link from a finding to that pod's single-pod explanation.
    pub fn finish_with_examples(self) -> (AuditReport, Vec<Option<WorkloadExample>>) {
        fold::finish(self)
    }
}

/// The object the engine reads: the slim pod spec at `path` under its kind and metadata.
fn slim_object(spec_value: &Value, path: &str, kind: &str, ns: &str, name: &str) -> Value {
    let mut object = objects::slim_spec(spec_value);
    for key in path.rsplit('.') {
        object = json!({ key: object });
    }
    if let Some(o) = object.as_object_mut() {
        o.insert("kind".into(), json!(kind));
        o.insert("metadata".into(), json!({"name": name, "namespace": ns}));
    }
    object
}
