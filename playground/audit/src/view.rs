//! The audit view's model: what the playground shows for a pasted dump, computed here so the page
//! script only draws it. Summary first (the four numbers), then one row per workload with its
//! containers and findings; each finding carries a [`PodLink`], the single-pod explanation of one of
//! the workload's pods on the environment of the node it ran on.

use podgroups_audit::{
    normalize_reference, Audit, AuditReport, ContainerAudit, EnvironmentModel, EnvironmentReport, Finding, Images,
    ImplicitGroup, WorkloadAudit, WorkloadExample,
};
use podgroups_core::{Environment, Image, Runtime};
use serde::{Deserialize, Serialize};

/// What the user pasted.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Paste {
    /// `kubectl get pods -A -o json|yaml`, and any workloads, PersistentVolumes and claims.
    pub pods: String,
    /// `kubectl get nodes -o json|yaml`; empty: every pod is predicted on the playground's default
    /// environment, listed as assumed.
    pub nodes: String,
    /// Image files the user has, per image; every other image is unknown.
    pub images: Vec<PastedImage>,
}

/// One image's files as pasted: a part not pasted is unknown (never an empty file).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct PastedImage {
    /// As the pod spec writes it (`nginx:1.27`, `registry.example/app:1`) or the running digest
    /// (`sha256:…`, as `imageID` shows it).
    pub image: String,
    /// `user`, `passwd`, `group`: a missing key is unknown.
    #[serde(flatten)]
    pub files: Image,
}

/// The whole view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditView {
    pub summary: SummaryView,
    /// One line per distinct node environment.
    pub environments: Vec<String>,
    /// Images run by the dump that no pasted files cover: what depends on them is unknown unless the
    /// kubelet observed the container's groups.
    pub unknown_images: Vec<String>,
    pub workloads: Vec<WorkloadRow>,
    /// Items that could not be read, each named (`pods: items[3] Pod a/b: …`); the rest was audited.
    pub errors: Vec<String>,
}

/// The four numbers first, then the rest of the audit's summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SummaryView {
    /// `3 workloads, 2 containers with implicit groups, 1 already Strict, 1 that would lose a group they may need`.
    pub headline: String,
    pub workloads: usize,
    pub containers_with_implicit_groups: usize,
    pub workloads_already_strict: usize,
    pub containers_that_would_lose_a_needed_group: usize,
    pub pods: usize,
    pub containers: usize,
    pub containers_unknown: usize,
    pub disagreements: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkloadRow {
    /// `Deployment shop/web`.
    pub title: String,
    /// `3 pods` or `3 pods, 5 replicas`.
    pub pods: String,
    /// `Strict`, `Merge`, or `unset (Merge)`.
    pub policy: String,
    pub already_strict: bool,
    pub containers: Vec<ContainerRow>,
    pub findings: Vec<FindingView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContainerRow {
    pub name: String,
    pub images: Vec<String>,
    /// Each implicit gid with where it is known from: `101 (nginx, /etc/group line 4)`, `101 (observed)`.
    pub implicit: Vec<String>,
    /// Whether the implicit groups are known for every pod (else `unknown` says why).
    pub known: bool,
    pub strict_would_remove: Vec<u32>,
    /// `6000 (volume-fs-group)`.
    pub would_break: Vec<String>,
    pub unknown: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingView {
    pub code: String,
    pub container: Option<String>,
    pub gids: Vec<u32>,
    pub message: String,
    /// The single-pod explanation of the workload's pod (none when its node's runtime is not modelled).
    pub link: Option<PodLink>,
}

/// What the playground opens for a finding: one pod's manifest on its node's runtime and Kubernetes
/// version, with the pasted files of the container's image (unknown when none were pasted). The
/// playground turns it into a share link (`podLink`, playground/src/audit_link.rs), field by field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PodLink {
    pub manifest: String,
    /// The playground's runtime value (`containerd-2`, `crio`).
    pub runtime: String,
    pub kubernetes_minor: u32,
    /// `true` when the node publishes `features.supplementalGroupsPolicy` (its gate is on).
    pub feature_gate: Option<bool>,
    pub image: Image,
    /// `Pod shop/web-1 on containerd://2.0.5, kubelet v1.33.1`.
    pub label: String,
}

/// Audits the paste and builds the view.
pub fn audit(paste: &Paste) -> AuditView {
    let mut images = Images::new();
    for p in &paste.images {
        if !p.image.trim().is_empty() {
            images.insert(p.image.trim(), p.files.clone());
        }
    }
    let mut audit = Audit::new(images, Environment::default());
    if !paste.nodes.trim().is_empty() {
        audit.add_nodes("nodes", &paste.nodes);
    }
    let mut errors = Vec::new();
    if paste.pods.trim().is_empty() {
        errors.push("pods: nothing pasted; paste what `kubectl get pods -A -o json` prints".to_owned());
    } else {
        audit.add_objects("pods", &paste.pods);
    }
    let (report, examples) = audit.finish_with_examples();
    let mut view = view(&report, &examples, &paste.images);
    errors.append(&mut view.errors);
    view.errors = errors;
    view
}

/// The view of a finished audit; `examples` are the report's workloads' pods, in the same order.
pub fn view(report: &AuditReport, examples: &[Option<WorkloadExample>], pasted: &[PastedImage]) -> AuditView {
    let s = &report.summary;
    let mut headline = format!(
        "{}, {} with implicit groups, {} already Strict, {} that would lose a group they may need",
        count(s.workloads, "workload", "workloads"),
        count(s.containers_with_implicit_groups, "container", "containers"),
        s.workloads_already_strict,
        s.containers_that_would_lose_a_needed_group
    );
    if s.containers_unknown > 0 {
        headline.push_str(&format!(
            "; {} unknown (no pasted image files and no observed user)",
            count(s.containers_unknown, "container", "containers")
        ));
    }
    AuditView {
        summary: SummaryView {
            headline,
            workloads: s.workloads,
            containers_with_implicit_groups: s.containers_with_implicit_groups,
            workloads_already_strict: s.workloads_already_strict,
            containers_that_would_lose_a_needed_group: s.containers_that_would_lose_a_needed_group,
            pods: s.pods,
            containers: s.containers,
            containers_unknown: s.containers_unknown,
            disagreements: s.disagreements,
        },
        environments: report.environments.iter().map(environment_line).collect(),
        unknown_images: unknown_images(report, pasted),
        workloads: report
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| {
                row(
                    w,
                    examples.get(i).and_then(Option::as_ref),
                    &report.environments,
                    pasted,
                )
            })
            .collect(),
        errors: report
            .errors
            .iter()
            .map(|e| format!("{}: {}: {}", e.input, e.item, e.message))
            .collect(),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn environment_line(e: &EnvironmentReport) -> String {
    let model = match &e.model {
        EnvironmentModel::Modelled {
            runtime,
            kubernetes_minor,
        } => format!("modelled as {runtime}, Kubernetes 1.{kubernetes_minor}"),
        EnvironmentModel::Unknown { reason } => format!("not modelled: {reason}"),
    };
    format!(
        "{}: {}, kubelet {} ({model}); nodes: {}",
        e.id,
        e.container_runtime_version,
        e.kubelet_version,
        if e.nodes.is_empty() {
            "none".to_owned()
        } else {
            e.nodes.join(", ")
        }
    )
}

/// The pasted image for a reference, by the reference as written or as containerd names it.
fn pasted_for<'p>(reference: &str, pasted: &'p [PastedImage]) -> Option<&'p PastedImage> {
    let want = normalize_reference(reference);
    pasted.iter().find(|p| {
        let key = p.image.trim();
        !key.is_empty() && (key == reference || normalize_reference(key) == want)
    })
}

/// References no pasted files cover and that no container found an image for (by digest or reference).
fn unknown_images(report: &AuditReport, pasted: &[PastedImage]) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    for c in report.workloads.iter().flat_map(|w| &w.containers) {
        if c.predictions.iter().any(|p| p.image_match.is_some()) {
            continue;
        }
        for image in &c.images {
            if !image.is_empty() && pasted_for(image, pasted).is_none() && !unknown.contains(image) {
                unknown.push(image.clone());
            }
        }
    }
    unknown.sort();
    unknown
}

fn row(
    w: &WorkloadAudit,
    example: Option<&WorkloadExample>,
    envs: &[EnvironmentReport],
    pasted: &[PastedImage],
) -> WorkloadRow {
    let mut pods = count(w.pods, "pod", "pods");
    if let Some(r) = w.replicas {
        pods.push_str(&format!(
            ", {}",
            count(usize::try_from(r).unwrap_or(0), "replica", "replicas")
        ));
    }
    WorkloadRow {
        title: format!("{} {}/{}", w.kind, w.namespace, w.name),
        pods,
        policy: w
            .supplemental_groups_policy
            .clone()
            .unwrap_or_else(|| "unset (Merge)".to_owned()),
        already_strict: w.already_strict,
        containers: w.containers.iter().map(container_row).collect(),
        findings: w
            .findings
            .iter()
            .map(|f| finding(f, w, example, envs, pasted))
            .collect(),
    }
}

fn container_row(c: &ContainerAudit) -> ContainerRow {
    ContainerRow {
        name: c.name.clone(),
        images: c.images.clone(),
        implicit: c.implicit_groups.iter().map(ImplicitGroup::describe).collect(),
        known: c.implicit_groups_known,
        strict_would_remove: c.strict_would_remove.clone(),
        would_break: c
            .would_break
            .iter()
            .map(|b| format!("{} ({})", b.gid, b.reasons.join(", ")))
            .collect(),
        unknown: c.unknown.clone(),
    }
}

fn finding(
    f: &Finding,
    w: &WorkloadAudit,
    example: Option<&WorkloadExample>,
    envs: &[EnvironmentReport],
    pasted: &[PastedImage],
) -> FindingView {
    FindingView {
        code: f.code.clone(),
        container: f.container.clone(),
        gids: f.gids.clone(),
        message: f.message.clone(),
        link: example.and_then(|e| {
            // A finding about one environment opens the pod there; the others where the pod ran.
            let env = f.environment.as_ref().or(e.environment.as_ref());
            pod_link(e, env, w, f.container.as_deref(), envs, pasted)
        }),
    }
}

/// The example pod on its environment, with the pasted files of `container`'s image (of the first
/// container with pasted files when the finding names none).
fn pod_link(
    example: &WorkloadExample,
    environment: Option<&String>,
    w: &WorkloadAudit,
    container: Option<&str>,
    envs: &[EnvironmentReport],
    pasted: &[PastedImage],
) -> Option<PodLink> {
    let env = envs.iter().find(|e| Some(&e.id) == environment)?;
    let EnvironmentModel::Modelled {
        runtime,
        kubernetes_minor,
    } = &env.model
    else {
        return None;
    };
    let kind = runtime.parse::<Runtime>().ok()?.kind;
    let image = w
        .containers
        .iter()
        .filter(|c| container.is_none_or(|name| c.name == name))
        .flat_map(|c| &c.images)
        .find_map(|i| pasted_for(i, pasted))
        .map(|p| p.files.clone())
        .unwrap_or_default();
    let text = |key: &str| example.object.pointer(key).and_then(|v| v.as_str()).unwrap_or("");
    Some(PodLink {
        manifest: serde_json::to_string_pretty(&example.object).ok()?,
        runtime: Runtime { kind, release: None }.to_string(),
        kubernetes_minor: *kubernetes_minor,
        feature_gate: env.node_supports_policy.map(|_| true),
        image,
        label: format!(
            "{} {}/{} on {}, kubelet {}",
            text("/kind"),
            text("/metadata/namespace"),
            text("/metadata/name"),
            env.container_runtime_version,
            env.kubelet_version
        ),
    })
}
