//! From records to the report: predict each distinct (spec, node environment, images) once, set the
//! observed identities beside the predictions, fold pods into their owners, and name the findings.

use crate::images::{ImageMatch, Images};
use crate::objects::OwnerRef;
use crate::report::*;
use crate::{Audit, Record};
use podgroups_core::etc::Passwd;
use podgroups_core::manifest::Node;
use podgroups_core::{
    explain_object, ContainerReport, Image, Origin, Outcome, PreparedImage, SupplementalGroupsPolicy,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The engine's answer for one container, reduced to what the audit reports.
#[derive(Clone, Debug, PartialEq)]
struct Predicted {
    result: PredictedResult,
    /// The runtime reports `status.containerStatuses[].user` in this environment (Spec 13).
    reports_user: bool,
    implicit: Vec<(u32, Option<GroupLine>)>,
    /// The image user's primary gid in the image's `/etc/passwd`, when the image says.
    image_primary_gid: Option<u32>,
    strict_written_but_merged: bool,
}

type PredictionKey = (usize, usize, Vec<Option<usize>>, Vec<String>);
/// Per container of the spec (by index): the prediction, or `None` when it depends on an unknown image.
type Predictions = Result<Vec<Option<Predicted>>, String>;

#[derive(Default)]
struct ContainerAcc {
    kind: String,
    images: BTreeSet<String>,
    predictions: Vec<Prediction>,
    observed: Vec<Observed>,
    implicit: BTreeMap<u32, ImplicitGroup>,
    primary_gids: BTreeSet<u32>,
    unknown: BTreeSet<String>,
    unknown_implicit: bool,
    findings: Vec<Finding>,
    /// Template and unscheduled results per environment, to find differences between nodes.
    per_env: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Default)]
struct WorkloadAcc {
    kind: String,
    namespace: String,
    name: String,
    pods: usize,
    replicas: Option<i64>,
    policy: Option<String>,
    claims: BTreeSet<String>,
    containers: BTreeMap<String, ContainerAcc>,
    /// Container names in the order first seen (spec order).
    order: Vec<String>,
    findings: Vec<Finding>,
    /// gid → the PersistentVolumes whose `pv.beta.kubernetes.io/gid` the kubelet adds to every container.
    pv_gids: BTreeMap<u32, BTreeSet<String>>,
    /// The first pod (else the template) and the environment it is predicted on, to explain alone.
    example: Option<(usize, Option<usize>, bool)>,
}

impl WorkloadAcc {
    fn container(&mut self, name: &str, kind: &str) -> &mut ContainerAcc {
        if !self.containers.contains_key(name) {
            self.order.push(name.to_owned());
        }
        self.containers.entry(name.to_owned()).or_insert_with(|| ContainerAcc {
            kind: kind.to_owned(),
            ..ContainerAcc::default()
        })
    }
}

/// Owner keys: `(namespace, kind, name)`.
type ObjectKey = (String, String, String);

/// The images of the audit, each parsed once, and the unknown image for containers no image covers.
struct PreparedImages<'i> {
    images: &'i Images,
    prepared: Vec<Option<PreparedImage<'i>>>,
    unknown: &'i PreparedImage<'i>,
}

impl PreparedImages<'_> {
    /// The image a container of `spec` runs, given the chosen image per container; the unknown one otherwise.
    fn for_container(
        &self,
        spec: &crate::Spec,
        image_ids: &[Option<usize>],
        cname: &str,
        image: &str,
    ) -> &PreparedImage<'_> {
        let index = spec
            .facts
            .containers
            .iter()
            .position(|(n, _, i)| n == cname && i == image)
            .and_then(|i| image_ids.get(i).copied().flatten());
        index
            .and_then(|i| self.prepared.get(i))
            .and_then(Option::as_ref)
            .unwrap_or(self.unknown)
    }
}

/// What the fold keeps between records: owners, predictions by key, workloads, and specs that failed.
struct Fold {
    owners: HashMap<ObjectKey, OwnerRef>,
    present: BTreeSet<ObjectKey>,
    /// The environments a template (or a pod on no known node) is predicted on.
    all_envs: Vec<usize>,
    cache: HashMap<PredictionKey, Predictions>,
    workloads: BTreeMap<ObjectKey, WorkloadAcc>,
    claim_fs_groups: HashMap<(String, String), BTreeSet<u32>>,
    /// `(namespace, claim)` → `(pv.beta.kubernetes.io/gid, PersistentVolume name)` of its bound volume.
    claim_gids: HashMap<(String, String), Vec<(String, String)>>,
    bad_specs: BTreeSet<usize>,
}

pub(crate) fn finish(mut audit: Audit<'_>) -> (AuditReport, Vec<Option<crate::WorkloadExample>>) {
    let images = std::mem::take(&mut audit.images);
    let prepared = prepare_images(&images, &mut audit.errors);
    // Containers whose image is not given run against the unknown image (never an empty one).
    let unknown_image = Image::unknown();
    let unknown = match PreparedImage::new(&unknown_image) {
        Ok(p) => p,
        Err(_) => return (report(audit, Vec::new()), Vec::new()),
    };
    let images = PreparedImages {
        images: &images,
        prepared,
        unknown: &unknown,
    };
    let records = std::mem::take(&mut audit.records);
    let (present, owners) = owner_index(&records);
    let mut fold = Fold {
        owners,
        present,
        all_envs: prediction_envs(&mut audit),
        cache: HashMap::new(),
        workloads: BTreeMap::new(),
        claim_fs_groups: HashMap::new(),
        claim_gids: audit.claim_gids(),
        bad_specs: BTreeSet::new(),
    };
    let total = records.len();
    for (n, record) in records.iter().enumerate() {
        fold_record(&mut audit, &mut fold, &images, record);
        if let Some(p) = audit.progress.as_mut() {
            if n % 1000 == 999 {
                p(crate::Progress::Predicted(n + 1, total));
            }
        }
    }
    let claim_fs_groups = fold.claim_fs_groups;
    let (workloads, examples) = fold
        .workloads
        .into_values()
        .map(|mut w| {
            let example = w.example.take().and_then(|(spec, env, _)| {
                Some(crate::WorkloadExample {
                    object: audit.specs.get(spec)?.object.clone(),
                    environment: env.and_then(|e| audit.envs.get(e)).map(|e| e.report.id.clone()),
                })
            });
            (conclude(w, &claim_fs_groups), example)
        })
        .unzip();
    (report(audit, workloads), examples)
}

/// Parses each image once; one that no runtime would read is an error and stays unknown.
fn prepare_images<'i>(images: &'i Images, errors: &mut Vec<ItemError>) -> Vec<Option<PreparedImage<'i>>> {
    let mut prepared = Vec::new();
    for (key, image) in images.entries() {
        match PreparedImage::new(image) {
            Ok(p) => prepared.push(Some(p)),
            Err(e) => {
                errors.push(ItemError {
                    input: "images".into(),
                    item: key.to_owned(),
                    message: format!("{e}; containers that run this image are reported as unknown"),
                });
                prepared.push(None);
            }
        }
    }
    prepared
}

/// Owners given as objects (ReplicaSet → Deployment, Job → CronJob): the objects present, and each one's owner.
fn owner_index(records: &[Record]) -> (BTreeSet<ObjectKey>, HashMap<ObjectKey, OwnerRef>) {
    let objects = || records.iter().filter(|r| !r.pod);
    let key = |r: &Record| (r.namespace.clone(), r.kind.clone(), r.name.clone());
    let present = objects().map(key).collect();
    let owners = objects().filter_map(|r| Some((key(r), r.owner.clone()?))).collect();
    (present, owners)
}

/// The modelled environments of the node dump, or the assumed one when none is modelled.
fn prediction_envs(audit: &mut Audit<'_>) -> Vec<usize> {
    let modelled: Vec<usize> = audit
        .envs
        .iter()
        .enumerate()
        .filter(|(_, e)| e.environment.is_some() && !e.report.container_runtime_version.starts_with("assumed"))
        .map(|(i, _)| i)
        .collect();
    if modelled.is_empty() {
        vec![audit.assumed_env()]
    } else {
        modelled
    }
}

/// Folds one record into its workload: predicted and observed on each environment it may run on.
fn fold_record(audit: &mut Audit<'_>, fold: &mut Fold, images: &PreparedImages<'_>, record: &Record) {
    let Some((kind, name)) = fold_owner(record, &fold.owners, &fold.present) else {
        return; // a template whose owner's template is in the input
    };
    let Some(spec) = audit.specs.get(record.spec) else {
        return;
    };
    let key = (record.namespace.clone(), kind.clone(), name.clone());
    if fold.bad_specs.contains(&record.spec) {
        return;
    }
    let w = fold.workloads.entry(key.clone()).or_insert_with(|| WorkloadAcc {
        kind,
        namespace: record.namespace.clone(),
        name,
        ..WorkloadAcc::default()
    });
    add_record_facts(w, record, spec, &mut fold.claim_fs_groups);
    let volumes = pv_gids(&fold.claim_gids, spec);
    for (gid, volume) in &volumes {
        if let Ok(gid) = gid.trim().parse::<u32>() {
            w.pv_gids.entry(gid).or_default().insert(volume.clone());
        }
    }
    let pv: Vec<String> = volumes.into_iter().map(|(gid, _)| gid).collect();
    let envs = match record.env {
        Some(e) => vec![e],
        None => fold.all_envs.clone(),
    };
    // A scheduled pod is the better example: it names the node it really ran on.
    let scheduled = record.pod && record.env.is_some();
    if w.example.is_none_or(|(_, _, s)| !s && scheduled) {
        w.example = Some((record.spec, envs.first().copied(), scheduled));
    }
    let choices = image_choices(images.images, record, spec);
    for env_id in envs {
        let Some(env) = audit.envs.get(env_id) else { continue };
        let env_label = env.report.id.clone();
        let Some(environment) = env.environment.as_ref() else {
            unmodelled(w, spec, env);
            observe(w, record, spec, &pv, None, &env_label, &choices);
            continue;
        };
        let image_ids: Vec<Option<usize>> = choices.iter().map(|c| c.map(|(i, _)| i)).collect();
        let ckey = (record.spec, env_id, image_ids.clone(), pv.clone());
        let predictions = fold.cache.entry(ckey).or_insert_with(|| {
            let image_for = |cname: &str, image: &str| images.for_container(spec, &image_ids, cname, image);
            predict(&spec.object, &image_for, &pv, environment)
        });
        match predictions {
            Err(message) => {
                fold.bad_specs.insert(record.spec);
                spec_error(&mut audit.errors, spec, message);
            }
            Ok(predictions) => {
                let predictions = predictions.clone();
                observe(w, record, spec, &pv, Some(&predictions), &env_label, &choices);
            }
        }
    }
    if fold.bad_specs.contains(&record.spec) {
        // The item is named in the errors; it is not counted as audited.
        let empty = fold.workloads.get_mut(&key).is_some_and(|w| {
            w.pods -= usize::from(record.pod);
            w.pods == 0 && w.containers.is_empty() && w.replicas.is_none()
        });
        if empty {
            fold.workloads.remove(&key);
        }
    }
}

/// Counts the record (a pod, or a template's replicas) and takes its policy and claims.
fn add_record_facts(
    w: &mut WorkloadAcc,
    record: &Record,
    spec: &crate::Spec,
    claim_fs_groups: &mut HashMap<(String, String), BTreeSet<u32>>,
) {
    if record.pod {
        w.pods += 1;
    } else {
        w.replicas = w.replicas.or(record.replicas);
    }
    if w.policy.is_none() {
        w.policy.clone_from(&spec.facts.policy);
    }
    for claim in &spec.facts.claims {
        w.claims.insert(claim.clone());
        if let Some(fs) = spec.facts.fs_group {
            claim_fs_groups
                .entry((record.namespace.clone(), claim.clone()))
                .or_default()
                .insert(fs);
        }
    }
}

/// The `pv.beta.kubernetes.io/gid` values (and volume names) of the volumes the spec's claims are bound
/// to: pod volume → PersistentVolumeClaim → bound PersistentVolume (Spec 7.3, extra PV groups).
fn pv_gids(claim_gids: &HashMap<(String, String), Vec<(String, String)>>, spec: &crate::Spec) -> Vec<(String, String)> {
    spec.facts
        .claims
        .iter()
        .flat_map(|c| {
            claim_gids
                .get(&(spec.namespace.clone(), c.clone()))
                .into_iter()
                .flatten()
                .cloned()
        })
        .collect()
}

/// Which image each container runs: by imageID, reference, or name.
fn image_choices(images: &Images, record: &Record, spec: &crate::Spec) -> Vec<Option<(usize, ImageMatch)>> {
    spec.facts
        .containers
        .iter()
        .map(|(cname, _, image)| {
            let id = record
                .statuses
                .iter()
                .find(|s| s.name == *cname)
                .and_then(|s| s.image_id.as_deref());
            images.find(cname, image, id)
        })
        .collect()
}

/// An environment the engine does not model: every container's groups are unknown there, with the reason.
fn unmodelled(w: &mut WorkloadAcc, spec: &crate::Spec, env: &crate::Env) {
    let reason = match &env.report.model {
        EnvironmentModel::Unknown { reason } => reason.clone(),
        EnvironmentModel::Modelled { .. } => String::new(),
    };
    for (cname, ckind, image) in &spec.facts.containers {
        let c = w.container(cname, ckind);
        c.images.insert(image.clone());
        c.unknown.insert(format!(
            "{} ({}): {reason}",
            env.report.id, env.report.container_runtime_version
        ));
    }
}

/// A spec the engine cannot read: named once in the errors; every pod with the same spec is skipped.
fn spec_error(errors: &mut Vec<ItemError>, spec: &crate::Spec, message: &str) {
    let message = format!("{message} (every pod with the same spec is skipped)");
    if !errors.iter().any(|e| e.item == spec.first_item && e.message == message) {
        errors.push(ItemError {
            input: spec.input.clone(),
            item: spec.first_item.clone(),
            message,
        });
    }
}

/// The workload a record is folded into; `None` for a template whose owner's template is present.
fn fold_owner(
    r: &Record,
    owners: &HashMap<(String, String, String), OwnerRef>,
    present: &BTreeSet<(String, String, String)>,
) -> Option<(String, String)> {
    let (mut kind, mut name) = match (&r.owner, r.pod) {
        (Some(o), true) => (o.kind.clone(), o.name.clone()),
        (_, true) => return Some(("Pod".into(), r.name.clone())),
        (Some(o), false) if present.contains(&(r.namespace.clone(), o.kind.clone(), o.name.clone())) => return None,
        (Some(o), false) if matches!(o.kind.as_str(), "Deployment" | "CronJob") => (o.kind.clone(), o.name.clone()),
        (_, false) => return Some((r.kind.clone(), r.name.clone())),
    };
    for _ in 0..3 {
        match owners.get(&(r.namespace.clone(), kind.clone(), name.clone())) {
            Some(o) => (kind, name) = (o.kind.clone(), o.name.clone()),
            None => break,
        }
    }
    // Without the Job object: the CronJob controller names its Jobs `<cronjob>-<scheduled minute>`.
    if kind == "Job" && !present.contains(&(r.namespace.clone(), kind.clone(), name.clone())) {
        if let Some((base, minute)) = name.rsplit_once('-') {
            let cron = (r.namespace.clone(), "CronJob".to_owned(), base.to_owned());
            if !minute.is_empty() && minute.bytes().all(|b| b.is_ascii_digit()) && present.contains(&cron) {
                return Some((cron.1, cron.2));
            }
        }
    }
    // Without the ReplicaSet object: the Deployment controller names it `<deployment>-<pod-template-hash>`.
    if kind == "ReplicaSet" && !present.contains(&(r.namespace.clone(), kind.clone(), name.clone())) {
        if let Some(base) = r
            .template_hash
            .as_ref()
            .and_then(|h| name.strip_suffix(&format!("-{h}")))
        {
            return Some(("Deployment".into(), base.to_owned()));
        }
    }
    Some((kind, name))
}

/// Runs the engine for one slim object. A container whose image is not given runs against the unknown
/// image: what the manifest alone decides (a refusal, Strict with numeric ids) is still an answer;
/// what depends on the image is `None`, never a guess.
fn predict<'i>(
    object: &serde_json::Value,
    image_for: &dyn Fn(&str, &str) -> &'i PreparedImage<'i>,
    pv: &[String],
    environment: &podgroups_core::Environment,
) -> Predictions {
    let node = Node::from_json(object.clone()).map_err(|e| e.to_string())?;
    let report = explain_object(&node, 0, image_for, pv, environment).map_err(|e| e.to_string())?;
    let Some(report) = report else {
        return Err("no pod template".into());
    };
    let written_strict = report.supplemental_groups_policy.as_deref() == Some("Strict");
    Ok(report
        .containers
        .iter()
        .map(|c| reduce(c, image_for(&c.name, &c.image).image(), written_strict))
        .collect())
}

fn reduce(c: &ContainerReport, image: &Image, written_strict: bool) -> Option<Predicted> {
    Some(match &c.as_written {
        Outcome::Runs(id) => {
            let implicit = id
                .gid_origins
                .iter()
                .filter(|g| g.implicit)
                .map(|g| {
                    let line = g.origins.iter().find_map(|o| match o {
                        Origin::Group { line, name } => Some(GroupLine {
                            line: *line,
                            name: name.clone(),
                        }),
                        _ => None,
                    });
                    (g.gid, line)
                })
                .collect();
            Predicted {
                result: PredictedResult::Runs {
                    uid: id.uid,
                    gid: id.gid,
                    supplemental_groups: id.additional_gids.clone(),
                    implicit_gids: id.gid_origins.iter().filter(|g| g.implicit).map(|g| g.gid).collect(),
                    applied_policy: id.applied_policy.as_str().to_owned(),
                },
                reports_user: id.status_user.is_some(),
                implicit,
                image_primary_gid: image_primary_gid(image, id.uid),
                strict_written_but_merged: written_strict && id.applied_policy == SupplementalGroupsPolicy::Merge,
            }
        }
        Outcome::Refused(r) => Predicted {
            result: PredictedResult::Refused {
                reason: r.reason.clone(),
                message: r.message.clone(),
            },
            reports_user: false,
            implicit: Vec::new(),
            image_primary_gid: None,
            strict_written_but_merged: false,
        },
        // A part of the image the caller gave is unknown: no prediction, as for an image not given.
        Outcome::DependsOnImage(_) => return None,
    })
}

/// The primary gid `/etc/passwd` gives the process's uid, which Strict removes when `runAsGroup` overrode it.
fn image_primary_gid(image: &Image, uid: u32) -> Option<u32> {
    let passwd = Passwd::parse(image.passwd.text()?).ok()?;
    u32::try_from(passwd.by_uid(i64::from(uid))?.gid).ok()
}

/// Adds one record's containers on one environment: prediction, observation, and their comparison.
fn observe(
    w: &mut WorkloadAcc,
    record: &Record,
    spec: &crate::Spec,
    pv: &[String],
    predictions: Option<&[Option<Predicted>]>,
    env: &str,
    choices: &[Option<(usize, ImageMatch)>],
) {
    let pv_gids: Vec<u32> = pv.iter().filter_map(|g| g.trim().parse().ok()).collect();
    for (i, (cname, ckind, image)) in spec.facts.containers.iter().enumerate() {
        let predicted = predictions.and_then(|p| p.get(i)).and_then(Option::as_ref);
        let image_match = choices.get(i).copied().flatten().map(|(_, m)| m);
        let status = record.statuses.iter().find(|s| s.name == *cname);
        let c = w.container(cname, ckind);
        c.images.insert(image.clone());
        if predictions.is_some() && predicted.is_none() {
            c.unknown.insert(format!(
                "image {image:?} not given (no image for its imageID digest, reference or container name)"
            ));
        }
        if let Some(p) = predicted {
            let template = record.env.is_none();
            add_predicted(c, cname, env, (usize::from(record.pod), template), image_match, p);
        }
        let observed = status.and_then(|s| s.user.as_ref());
        if let Some((uid, gid, groups)) = observed {
            let implicit = observed_implicit(c, spec, cname, (*gid, groups), &pv_gids);
            add_observed(c, *uid, *gid, groups, implicit);
            if let Some(p) = predicted {
                compare(
                    c,
                    cname,
                    p,
                    (*uid, *gid, groups),
                    status.and_then(|s| s.image_id.as_deref()),
                    image_match,
                    env,
                );
            }
        } else if predicted.is_none() {
            c.unknown_implicit = true;
        }
    }
}

/// Adds a prediction for `pods` pods (a template's per environment, to compare nodes), its implicit
/// groups, the image user's primary gid, and a finding when Strict is written but not applied.
fn add_predicted(
    c: &mut ContainerAcc,
    cname: &str,
    env: &str,
    (pods, template): (usize, bool),
    image_match: Option<ImageMatch>,
    p: &Predicted,
) {
    add_prediction(c, env, pods, image_match, &p.result);
    for (gid, line) in &p.implicit {
        let e = c.implicit.entry(*gid).or_insert(ImplicitGroup {
            gid: *gid,
            group_line: None,
            observed: false,
        });
        if e.group_line.is_none() {
            e.group_line.clone_from(line);
        }
    }
    c.primary_gids.extend(p.image_primary_gid);
    if p.strict_written_but_merged {
        push_once(
            &mut c.findings,
            Finding {
                code: "strict-not-applied".into(),
                environment: Some(env.to_owned()),
                container: Some(cname.to_owned()),
                gids: p.implicit.iter().map(|(g, _)| *g).collect(),
                message: format!("Strict is written but {env}'s runtime ignores it and merges /etc/group"),
            },
        );
    }
    if template {
        let r = serde_json::to_string(&p.result).unwrap_or_default();
        c.per_env.entry(env.to_owned()).or_default().insert(r);
    }
}

/// The observed groups no manifest names (not the primary gid, not named, not a volume's gid), each
/// marked observed in the container's implicit groups.
fn observed_implicit(
    c: &mut ContainerAcc,
    spec: &crate::Spec,
    cname: &str,
    (gid, groups): (u32, &[u32]),
    pv_gids: &[u32],
) -> Vec<u32> {
    let named: Vec<u32> = spec
        .facts
        .named
        .iter()
        .find(|(n, _)| n == cname)
        .map(|(_, g)| g.clone())
        .unwrap_or_default();
    let mut implicit: Vec<u32> = groups
        .iter()
        .copied()
        .filter(|g| *g != gid && !named.contains(g) && !pv_gids.contains(g))
        .collect();
    implicit.sort_unstable();
    implicit.dedup();
    for g in &implicit {
        c.implicit
            .entry(*g)
            .or_insert(ImplicitGroup {
                gid: *g,
                group_line: None,
                observed: true,
            })
            .observed = true;
    }
    implicit
}

fn add_prediction(
    c: &mut ContainerAcc,
    env: &str,
    pods: usize,
    image_match: Option<ImageMatch>,
    result: &PredictedResult,
) {
    match c
        .predictions
        .iter_mut()
        .find(|p| p.environment == env && p.image_match == image_match && p.result == *result)
    {
        Some(p) => p.pods += pods,
        None => c.predictions.push(Prediction {
            environment: env.to_owned(),
            pods,
            image_match,
            result: result.clone(),
        }),
    }
}

fn add_observed(c: &mut ContainerAcc, uid: u32, gid: u32, groups: &[u32], implicit: Vec<u32>) {
    match c
        .observed
        .iter_mut()
        .find(|o| o.uid == uid && o.gid == gid && o.supplemental_groups == groups)
    {
        Some(o) => o.pods += 1,
        None => c.observed.push(Observed {
            uid,
            gid,
            supplemental_groups: groups.to_vec(),
            implicit_gids: implicit,
            pods: 1,
        }),
    }
}

/// A prediction that differs from what the kubelet observed: a finding naming the gids and likely causes.
fn compare(
    c: &mut ContainerAcc,
    cname: &str,
    p: &Predicted,
    (uid, gid, groups): (u32, u32, &[u32]),
    image_id: Option<&str>,
    image_match: Option<ImageMatch>,
    env: &str,
) {
    let observed: BTreeSet<u32> = groups.iter().copied().collect();
    let (what, gids) = match &p.result {
        PredictedResult::Refused { reason, .. } => (
            format!("predicted refused ({reason}) but the pod runs with groups {observed:?}"),
            observed.iter().copied().collect(),
        ),
        PredictedResult::Runs { .. } if !p.reports_user => (
            format!("the node reports a user, which {env}'s runtime model never does"),
            Vec::new(),
        ),
        PredictedResult::Runs {
            uid: puid,
            gid: pgid,
            supplemental_groups,
            ..
        } => {
            let predicted: BTreeSet<u32> = supplemental_groups.iter().copied().collect();
            if predicted == observed && *puid == uid && *pgid == gid {
                return;
            }
            let only_p: Vec<u32> = predicted.difference(&observed).copied().collect();
            let only_o: Vec<u32> = observed.difference(&predicted).copied().collect();
            let mut what = format!("predicted uid={puid} gid={pgid} groups {predicted:?}, observed uid={uid} gid={gid} groups {observed:?}");
            if !only_p.is_empty() {
                what.push_str(&format!("; only predicted: {only_p:?}"));
            }
            if !only_o.is_empty() {
                what.push_str(&format!("; only observed: {only_o:?}"));
            }
            (what, only_p.into_iter().chain(only_o).collect())
        }
    };
    let cause = match (image_match, image_id) {
        (Some(ImageMatch::ImageId), _) => format!(
            "the image read is the running digest, so the runtime or node configuration differs from the model of {env} (unknown runtime release or settings)"
        ),
        (Some(m), Some(id)) => format!(
            "the image read was found by {} but the pod runs imageID {id}: the image may have changed since the pod started; give the image of that digest",
            if m == ImageMatch::Reference { "reference" } else { "container name" }
        ),
        (_, _) => format!("no imageID reported; the image may have changed since the pod started, or {env}'s runtime release is not modelled"),
    };
    push_once(
        &mut c.findings,
        Finding {
            code: "observed-differs".into(),
            environment: Some(env.to_owned()),
            container: Some(cname.to_owned()),
            gids,
            message: format!("{what} — likely cause: {cause}. Both are reported; neither overrides the other"),
        },
    );
}

fn push_once(findings: &mut Vec<Finding>, f: Finding) {
    if !findings.contains(&f) {
        findings.push(f);
    }
}

/// One workload's row: implicit groups, what Strict removes, what that would break, findings.
fn conclude(w: WorkloadAcc, claim_fs_groups: &HashMap<(String, String), BTreeSet<u32>>) -> WorkloadAudit {
    let already_strict = w.policy.as_deref() == Some("Strict");
    let volume_gids: BTreeSet<u32> = w
        .claims
        .iter()
        .flat_map(|c| {
            claim_fs_groups
                .get(&(w.namespace.clone(), c.clone()))
                .into_iter()
                .flatten()
                .copied()
        })
        .collect();
    let mut findings = w.findings;
    let mut by_name = w.containers;
    let containers = w
        .order
        .into_iter()
        .filter_map(|name| by_name.remove(&name).map(|c| (name, c)))
        .map(|(name, c)| conclude_container(name, c, already_strict, &volume_gids, &mut findings))
        .collect();
    if !already_strict && !w.pv_gids.is_empty() {
        findings.push(pv_gids_kept(&w.pv_gids));
    }
    WorkloadAudit {
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        pods: w.pods,
        replicas: w.replicas,
        supplemental_groups_policy: w.policy,
        already_strict,
        containers,
        findings,
    }
}

/// One container's row; its findings are added to the workload's.
fn conclude_container(
    name: String,
    c: ContainerAcc,
    already_strict: bool,
    volume_gids: &BTreeSet<u32>,
    findings: &mut Vec<Finding>,
) -> ContainerAudit {
    let gids: Vec<u32> = c.implicit.keys().copied().collect();
    let strict_would_remove = if already_strict { Vec::new() } else { gids.clone() };
    let would_break = would_break(&strict_would_remove, &c.primary_gids, volume_gids);
    if !gids.is_empty() && !already_strict {
        findings.push(implicit_groups_finding(&name, &c, gids));
    }
    if !would_break.is_empty() {
        findings.push(Finding {
            code: "strict-would-break".into(),
            environment: None,
            container: Some(name.clone()),
            gids: would_break.iter().map(|b| b.gid).collect(),
            message: format!(
                "Strict would remove {}",
                would_break
                    .iter()
                    .map(|b| format!("{} ({})", b.gid, b.reasons.join(", ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    other_findings(&name, &c, findings);
    findings.extend(c.findings);
    ContainerAudit {
        name,
        kind: c.kind,
        images: c.images.into_iter().collect(),
        implicit_groups: c.implicit.into_values().collect(),
        implicit_groups_known: !c.unknown_implicit,
        strict_would_remove,
        would_break,
        predictions: c.predictions,
        observed: c.observed,
        unknown: c.unknown.into_iter().collect(),
    }
}

/// The gids Strict would remove that something needs: the image user's primary group, a volume's fsGroup.
fn would_break(remove: &[u32], primary_gids: &BTreeSet<u32>, volume_gids: &BTreeSet<u32>) -> Vec<WouldBreak> {
    remove
        .iter()
        .filter_map(|g| {
            let mut reasons = Vec::new();
            if primary_gids.contains(g) {
                reasons.push("image-user-primary-group".to_owned());
            }
            if volume_gids.contains(g) {
                reasons.push("volume-fs-group".to_owned());
            }
            (!reasons.is_empty()).then_some(WouldBreak { gid: *g, reasons })
        })
        .collect()
}

/// Strict does not remove a PersistentVolume's gid annotation: the kubelet adds it to the CRI's
/// supplemental groups itself (Spec 7.3), which both policies keep. Said so the volume is not feared lost.
fn pv_gids_kept(pv_gids: &BTreeMap<u32, BTreeSet<String>>) -> Finding {
    let described: Vec<String> = pv_gids
        .iter()
        .map(|(gid, volumes)| {
            let volumes: Vec<&str> = volumes.iter().map(String::as_str).collect();
            format!("{gid} (PersistentVolume {})", volumes.join(", "))
        })
        .collect();
    Finding {
        code: "pv-gid-kept".into(),
        environment: None,
        container: None,
        gids: pv_gids.keys().copied().collect(),
        message: format!(
            "Strict keeps {}: the kubelet adds a bound volume's pv.beta.kubernetes.io/gid to every container's supplemental groups itself, not from /etc/group",
            described.join(", ")
        ),
    }
}

/// The groups a container gets that no manifest names, each with its `/etc/group` line or "observed".
fn implicit_groups_finding(name: &str, c: &ContainerAcc, gids: Vec<u32>) -> Finding {
    let described: Vec<String> = c.implicit.values().map(ImplicitGroup::describe).collect();
    Finding {
        code: "implicit-groups".into(),
        environment: None,
        container: Some(name.to_owned()),
        gids,
        message: format!("gets groups no manifest names: {}", described.join(", ")),
    }
}

/// Findings on nodes and knowledge: answers that differ between environments, refusals, unknown groups.
fn other_findings(name: &str, c: &ContainerAcc, findings: &mut Vec<Finding>) {
    let distinct: BTreeSet<&BTreeSet<String>> = c.per_env.values().collect();
    if distinct.len() > 1 {
        findings.push(Finding {
            code: "environments-differ".into(),
            environment: None,
            container: Some(name.to_owned()),
            gids: Vec::new(),
            message: format!(
                "the template gets different answers on different nodes: {}",
                c.per_env
                    .iter()
                    .map(|(e, r)| format!("{e}: {}", r.iter().cloned().collect::<Vec<_>>().join(" | ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        });
    }
    for p in &c.predictions {
        if let PredictedResult::Refused { reason, message } = &p.result {
            push_once(
                findings,
                Finding {
                    code: "refused".into(),
                    environment: Some(p.environment.clone()),
                    container: Some(name.to_owned()),
                    gids: Vec::new(),
                    message: format!("on {}: {reason}: {message}", p.environment),
                },
            );
        }
    }
    if c.unknown_implicit {
        findings.push(Finding {
            code: "implicit-unknown".into(),
            environment: None,
            container: Some(name.to_owned()),
            gids: Vec::new(),
            message: format!(
                "implicit groups unknown for some pods: no observed user and {}",
                c.unknown.iter().cloned().collect::<Vec<_>>().join("; ")
            ),
        });
    }
}

fn report(audit: Audit<'_>, workloads: Vec<WorkloadAudit>) -> AuditReport {
    let containers = || workloads.iter().flat_map(|w| w.containers.iter());
    let summary = Summary {
        workloads: workloads.len(),
        pods: workloads.iter().map(|w| w.pods).sum(),
        containers: containers().count(),
        containers_with_implicit_groups: workloads
            .iter()
            .filter(|w| !w.already_strict)
            .flat_map(|w| &w.containers)
            .filter(|c| !c.implicit_groups.is_empty())
            .count(),
        workloads_already_strict: workloads.iter().filter(|w| w.already_strict).count(),
        containers_that_would_lose_a_needed_group: containers().filter(|c| !c.would_break.is_empty()).count(),
        containers_unknown: containers().filter(|c| !c.implicit_groups_known).count(),
        disagreements: workloads
            .iter()
            .flat_map(|w| &w.findings)
            .filter(|f| f.code == "observed-differs")
            .count(),
        findings: workloads.iter().map(|w| w.findings.len()).sum(),
        errors: audit.errors.len(),
    };
    AuditReport {
        schema: SCHEMA.into(),
        summary,
        environments: audit.envs.into_iter().map(|e| e.report).collect(),
        workloads,
        errors: audit.errors,
    }
}
