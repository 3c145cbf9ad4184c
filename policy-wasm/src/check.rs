//! Checks one pod spec (a Pod's `spec` or a workload's template spec) and, when allowed, mutates the raw
//! JSON in place so unknown fields survive. Field names and precedence follow the spec: pod-level
//! `runAsUser`/`runAsGroup`/`runAsNonRoot` are overridden per field by the container's (Spec 4);
//! `fsGroup`, `supplementalGroups` and `supplementalGroupsPolicy` exist only at pod level (Spec 1.3).

#![forbid(unsafe_code)]

use crate::image::{uid_of, ImageConfigs};
use crate::rules::{id_of, short, Ranges, Rule};
use crate::settings::Settings;
use podgroups_core::image::ImageUser;
use podgroups_core::limits::MAX_ID;
use podgroups_core::SupplementalGroupsPolicy;
use serde_json::{Map, Value};
use std::fmt;

const STRICT: SupplementalGroupsPolicy = SupplementalGroupsPolicy::Strict;

/// At most this many violations are kept (enough to compare a Pod update with its old object); the
/// rest are only counted, so a request with absurdly many containers cannot blow up memory.
pub const MAX_KEPT: usize = 1000;

const CONTAINER_LISTS: [(&str, &str); 3] = [
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
];

/// One reason to refuse: the field (as a path in the submitted object), the container it concerns, and
/// what is wrong with how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub container: Option<String>,
    pub text: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = &self.container {
            write!(f, "{c}: ")?;
        }
        write!(f, "{} {}", self.field, self.text)
    }
}

/// What checking one pod spec found.
#[derive(Debug, Default)]
pub struct SpecOutcome {
    pub violations: Vec<Violation>,
    /// Violations beyond [`MAX_KEPT`].
    pub omitted: usize,
    pub warnings: Vec<String>,
    /// Whether the spec was mutated.
    pub changed: bool,
}

impl SpecOutcome {
    fn violation(&mut self, field: String, container: Option<&str>, text: String) {
        if self.violations.len() < MAX_KEPT {
            self.violations.push(Violation {
                field,
                container: container.map(str::to_string),
                text,
            });
        } else {
            self.omitted += 1;
        }
    }
}

/// A container as found in the spec: where it is and whether its image is exempt.
struct Slot {
    list: &'static str,
    index: usize,
    /// `container "app"` for messages.
    label: String,
    image: String,
    exempt: bool,
}

/// Checks `spec` (found at `base`, e.g. `spec.template.spec`), mutating it when `mutate` is true.
/// `images` answers the optional image-config check (`check_image_user`).
pub fn check_spec(
    spec: &mut Value,
    base: &str,
    settings: &Settings,
    mutate: bool,
    images: &mut dyn ImageConfigs,
) -> SpecOutcome {
    let mut out = SpecOutcome::default();
    let Some(spec) = spec.as_object_mut() else {
        out.violation(
            base.into(),
            None,
            format!("must be an object holding the pod spec, got {}", short(spec)),
        );
        return out;
    };
    // Windows pods may not set any of these fields (Spec 1.4): nothing to check.
    if spec.get("os").and_then(|o| o.get("name")).and_then(Value::as_str) == Some("windows") {
        return out;
    }
    let slots = slots(spec, base, settings, &mut out);
    let pod_exempt = !slots.is_empty() && slots.iter().all(|s| s.exempt);
    let psc_path = format!("{base}.securityContext");
    let psc_ok = match spec.get("securityContext") {
        None | Some(Value::Null) | Some(Value::Object(_)) => true,
        Some(other) => {
            out.violation(
                psc_path.clone(),
                None,
                format!("must be an object, got {}", short(other)),
            );
            false
        }
    };
    if psc_ok && !pod_exempt {
        pod_level(spec, &psc_path, settings, mutate, &mut out);
    }
    for slot in slots.iter().filter(|s| !s.exempt) {
        container_level(spec, base, slot, settings, mutate, images, &mut out);
    }
    out
}

/// Lists the containers, reporting lists or entries that are not of the right JSON type.
fn slots(spec: &Map<String, Value>, base: &str, settings: &Settings, out: &mut SpecOutcome) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (list, noun) in CONTAINER_LISTS {
        let items = match spec.get(list) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => items,
            Some(other) => {
                out.violation(
                    format!("{base}.{list}"),
                    None,
                    format!("must be a list, got {}", short(other)),
                );
                continue;
            }
        };
        for (index, item) in items.iter().enumerate() {
            let Some(obj) = item.as_object() else {
                out.violation(
                    format!("{base}.{list}[{index}]"),
                    None,
                    format!("must be an object, got {}", short(item)),
                );
                continue;
            };
            let name = obj.get("name").and_then(Value::as_str);
            let label = match name {
                Some(n) => format!("{noun} \"{}\"", n.chars().take(63).collect::<String>()),
                None => format!("{noun} #{index}"),
            };
            let image = obj.get("image").and_then(Value::as_str).unwrap_or_default();
            slots.push(Slot {
                list,
                index,
                label,
                image: image.to_string(),
                exempt: !image.is_empty() && settings.image_exempt(image),
            });
        }
    }
    slots
}

/// `supplementalGroupsPolicy`, `fsGroup`, `supplementalGroups`, and the containerd hazard warning.
fn pod_level(spec: &mut Map<String, Value>, psc_path: &str, settings: &Settings, mutate: bool, out: &mut SpecOutcome) {
    let field = format!("{psc_path}.supplementalGroupsPolicy");
    match spec.get("securityContext").and_then(|p| p.get("supplementalGroupsPolicy")) {
        Some(Value::String(s)) if s == STRICT.as_str() => {}
        None | Some(Value::Null) if mutate => {
            set(spec, &["securityContext", "supplementalGroupsPolicy"], Value::from(STRICT.as_str()));
            out.changed = true;
            out.warnings.push(format!(
                "{field} was set to Strict: the image's /etc/group no longer adds groups; nodes need containerd 2.x or CRI-O 1.31+"
            ));
        }
        None | Some(Value::Null) => out.violation(
            field,
            None,
            "is not set, so the image's /etc/group can add groups that no rule sees; set it to \"Strict\"".into(),
        ),
        Some(Value::String(s)) if s == SupplementalGroupsPolicy::Merge.as_str() => out.violation(
            field,
            None,
            "is \"Merge\", so the image's /etc/group can add groups that no rule sees; set it to \"Strict\" (or list the images in exempt_images)".into(),
        ),
        Some(other) => out.violation(
            field,
            None,
            format!("is {}: supported values are \"Merge\" and \"Strict\"; set it to \"Strict\"", short(other)),
        ),
    }

    let fs_path = format!("{psc_path}.fsGroup");
    let current = spec.get("securityContext").and_then(|p| p.get("fsGroup")).cloned();
    if let Some(id) = single_id(
        &settings.fs_group,
        current.as_ref(),
        &fs_path,
        None,
        "fs_group",
        mutate,
        out,
    ) {
        set(spec, &["securityContext", "fsGroup"], Value::from(id));
        out.changed = true;
    }

    supplemental_groups(spec, psc_path, &settings.supplemental_groups, mutate, out);

    let psc = spec.get("securityContext");
    let group = psc.and_then(|p| p.get("runAsGroup")).filter(|v| !v.is_null());
    let user = psc.and_then(|p| p.get("runAsUser")).filter(|v| !v.is_null());
    if let (Some(group), None) = (group, user) {
        out.warnings.push(format!(
            "{psc_path}.runAsGroup ({}) is set without runAsUser: containerd fails to create the pod sandbox (user group is specified without user); set runAsUser too",
            short(group)
        ));
    }
}

fn supplemental_groups(
    spec: &mut Map<String, Value>,
    psc_path: &str,
    rule: &Rule,
    mutate: bool,
    out: &mut SpecOutcome,
) {
    let path = format!("{psc_path}.supplementalGroups");
    let list = match spec.get("securityContext").and_then(|p| p.get("supplementalGroups")) {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(list)) => list.as_slice(),
        Some(other) => {
            out.violation(path, None, format!("must be a list of gids, got {}", short(other)));
            return;
        }
    };
    if list.is_empty() {
        if let Some(id) = rule.default_id() {
            if mutate {
                set(spec, &["securityContext", "supplementalGroups"], Value::from(vec![id]));
                out.changed = true;
            } else {
                out.violation(path, None, missing_text(rule, "supplemental_groups"));
            }
        }
        return;
    }
    // One violation for the list: the first bad entry, and how many more there are.
    let mut bad = list.iter().enumerate().filter_map(|(i, v)| match id_of(v) {
        Err(e) => Some((i, e)),
        Ok(id) if !rule.allows(id) => Some((i, outside_text(id, rule, "supplemental_groups"))),
        Ok(_) => None,
    });
    if let Some((i, text)) = bad.next() {
        let more = bad.count();
        let text = match more {
            0 => text,
            n => format!("{text}; {n} more entries are invalid or outside the ranges"),
        };
        out.violation(format!("{path}[{i}]"), None, text);
    }
}

/// Container-level rules on the effective values (container overrides pod, Spec 4).
fn container_level(
    spec: &mut Map<String, Value>,
    base: &str,
    slot: &Slot,
    settings: &Settings,
    mutate: bool,
    images: &mut dyn ImageConfigs,
    out: &mut SpecOutcome,
) {
    let csc_path = format!("{base}.{}[{}].securityContext", slot.list, slot.index);
    let who = Some(slot.label.as_str());
    let csc = spec
        .get(slot.list)
        .and_then(|l| l.get(slot.index))
        .and_then(|c| c.get("securityContext"));
    match csc {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(other) => {
            out.violation(csc_path, who, format!("must be an object, got {}", short(other)));
            return;
        }
    }
    let container_path = |key: &str| format!("{csc_path}.{key}");
    let pod_path = |key: &str| format!("{base}.securityContext.{key}");

    // run_as_user
    let (user, user_at) = effective(spec, slot, "runAsUser", &container_path, &pod_path);
    let from_image = match user {
        None if settings.check_image_user => image_user_verdict(slot, &settings.run_as_user, images),
        _ => ImageVerdict::Unknown,
    };
    match (&settings.run_as_user, from_image) {
        (_, ImageVerdict::Allowed) => {}
        (_, ImageVerdict::Refused(text)) => out.violation(user_at.clone(), who, text),
        (rule, ImageVerdict::Unknown) => run_as_user(spec, base, slot, rule, user.as_ref(), &user_at, mutate, out),
    }

    // run_as_group
    let (group, group_at) = effective(spec, slot, "runAsGroup", &container_path, &pod_path);
    if let Some(id) = single_id(
        &settings.run_as_group,
        group.as_ref(),
        &group_at,
        who,
        "run_as_group",
        mutate,
        out,
    ) {
        set_in_container(spec, slot, "runAsGroup", Value::from(id));
        out.changed = true;
    }

    // require_run_as_group, on the possibly mutated values.
    if settings.require_run_as_group {
        let (group, _) = effective(spec, slot, "runAsGroup", &container_path, &pod_path);
        if group.is_none() {
            out.violation(
                container_path("runAsGroup"),
                who,
                "is not set here nor at pod level, so the primary gid comes from the image's /etc/passwd or falls back to 0 (root); set runAsGroup (require_run_as_group)".into(),
            );
        }
    }
}

/// `run_as_user` on the manifest's effective uid.
#[allow(clippy::too_many_arguments)]
fn run_as_user(
    spec: &mut Map<String, Value>,
    base: &str,
    slot: &Slot,
    rule: &Rule,
    user: Option<&Value>,
    user_at: &str,
    mutate: bool,
    out: &mut SpecOutcome,
) {
    if *rule == Rule::MustRunAsNonRoot {
        return non_root(spec, base, slot, user, user_at, mutate, out);
    }
    let who = Some(slot.label.as_str());
    if let Some(id) = single_id(rule, user, user_at, who, "run_as_user", mutate, out) {
        set_in_container(spec, slot, "runAsUser", Value::from(id));
        out.changed = true;
    }
}

/// What the image config's USER says about `run_as_user` for a container without `runAsUser`.
enum ImageVerdict {
    /// The image's uid satisfies the rule: nothing to set.
    Allowed,
    /// The image cannot settle it (a user name, a uid out of range): the manifest rules apply.
    Unknown,
    /// The kubelet would refuse the container: the message.
    Refused(String),
}

/// `check_image_user`: the uid the process gets from the image when the manifest sets none (Spec 5),
/// judged by `rule`; under `MustRunAsNonRoot` the kubelet's own refusals (Spec 6.3–6.5) become
/// admission refusals instead of a `CreateContainerConfigError` on the node.
fn image_user_verdict(slot: &Slot, rule: &Rule, images: &mut dyn ImageConfigs) -> ImageVerdict {
    if slot.image.is_empty() || *rule == Rule::RunAsAny {
        return ImageVerdict::Unknown;
    }
    let image = short(&Value::from(slot.image.as_str()));
    let user = match images.user(&slot.image) {
        Ok(user) => user,
        Err(e) => {
            return ImageVerdict::Refused(format!(
                "is not set and the config of image {image} could not be read ({e}); set runAsUser, or turn check_image_user off"
            ))
        }
    };
    let shown = short(&Value::from(user.as_str()));
    match (rule, uid_of(&user)) {
        (Rule::MustRunAsNonRoot, ImageUser::Uid(0)) => ImageVerdict::Refused(format!(
            "is not set and image {image} runs as root (its config's USER is {shown}): the kubelet refuses it (\"image will run as root\"); set a non-zero runAsUser (run_as_user MustRunAsNonRoot, check_image_user)"
        )),
        (Rule::MustRunAsNonRoot, ImageUser::Name(_)) => ImageVerdict::Refused(format!(
            "is not set and image {image} has the non-numeric USER {shown}, whose uid only the image's /etc/passwd knows: the kubelet refuses it (\"cannot verify user is non-root\"); set a numeric non-zero runAsUser (run_as_user MustRunAsNonRoot, check_image_user)"
        )),
        (Rule::MustRunAsNonRoot, ImageUser::Uid(uid)) if u64::try_from(uid).map_or(true, |u| u > u64::from(MAX_ID)) => {
            ImageVerdict::Refused(format!(
                "is not set and image {image} has USER {shown}, not a valid uid (0-{MAX_ID}): the kubelet refuses it; set runAsUser (run_as_user MustRunAsNonRoot, check_image_user)"
            ))
        }
        (Rule::MustRunAs(_), ImageUser::Uid(uid)) if u64::try_from(uid).is_ok_and(|u| u <= u64::from(MAX_ID) && rule.allows(u)) => {
            ImageVerdict::Allowed
        }
        _ => ImageVerdict::Unknown,
    }
}

/// `MustRunAsNonRoot`: uid 0 is refused; without a uid, `runAsNonRoot` must be true (set when mutating).
fn non_root(
    spec: &mut Map<String, Value>,
    base: &str,
    slot: &Slot,
    user: Option<&Value>,
    user_at: &str,
    mutate: bool,
    out: &mut SpecOutcome,
) {
    let who = Some(slot.label.as_str());
    let csc_path = format!("{base}.{}[{}].securityContext", slot.list, slot.index);
    if let Some(v) = user {
        match id_of(v) {
            Err(e) => out.violation(user_at.into(), who, e),
            Ok(0) => out.violation(
                user_at.into(),
                who,
                "is 0 (root), which run_as_user MustRunAsNonRoot refuses; set a non-zero uid".into(),
            ),
            Ok(_) => {}
        }
        return;
    }
    let (flag, flag_at) = effective(
        spec,
        slot,
        "runAsNonRoot",
        &|k: &str| format!("{csc_path}.{k}"),
        &|k: &str| format!("{base}.securityContext.{k}"),
    );
    match flag {
        Some(Value::Bool(true)) => {}
        None if mutate => {
            set_in_container(spec, slot, "runAsNonRoot", Value::Bool(true));
            out.changed = true;
        }
        None => out.violation(
            format!("{csc_path}.runAsNonRoot"),
            who,
            "is not set and neither is runAsUser, so the container may run as root; set runAsNonRoot: true or a non-zero runAsUser (run_as_user MustRunAsNonRoot)".into(),
        ),
        Some(other) => out.violation(
            flag_at,
            who,
            format!("is {} and runAsUser is not set; set runAsNonRoot: true or a non-zero runAsUser (run_as_user MustRunAsNonRoot)", short(&other)),
        ),
    }
}

/// Judges one id against a rule; returns the default to write when it is missing and mutation is on.
fn single_id(
    rule: &Rule,
    value: Option<&Value>,
    at: &str,
    who: Option<&str>,
    setting: &str,
    mutate: bool,
    out: &mut SpecOutcome,
) -> Option<u64> {
    match value {
        None => {
            let id = rule.default_id()?;
            if mutate {
                return Some(id);
            }
            out.violation(at.into(), who, missing_text(rule, setting));
        }
        Some(v) => match id_of(v) {
            Err(e) => out.violation(at.into(), who, e),
            Ok(id) if !rule.allows(id) => out.violation(at.into(), who, outside_text(id, rule, setting)),
            Ok(_) => {}
        },
    }
    None
}

fn missing_text(rule: &Rule, setting: &str) -> String {
    format!(
        "is not set; set it within {} ({setting} MustRunAs)",
        Ranges(rule.ranges())
    )
}

fn outside_text(id: u64, rule: &Rule, setting: &str) -> String {
    format!(
        "is {id}, outside the allowed ranges {}; set it within them ({setting})",
        Ranges(rule.ranges())
    )
}

/// The effective value of a per-container field and the path it came from (container, else pod).
fn effective(
    spec: &Map<String, Value>,
    slot: &Slot,
    key: &str,
    container_path: &dyn Fn(&str) -> String,
    pod_path: &dyn Fn(&str) -> String,
) -> (Option<Value>, String) {
    let from_container = spec
        .get(slot.list)
        .and_then(|l| l.get(slot.index))
        .and_then(|c| c.get("securityContext"))
        .and_then(|s| s.get(key))
        .filter(|v| !v.is_null());
    if let Some(v) = from_container {
        return (Some(v.clone()), container_path(key));
    }
    let from_pod = spec
        .get("securityContext")
        .and_then(|s| s.get(key))
        .filter(|v| !v.is_null());
    match from_pod {
        Some(v) => (Some(v.clone()), pod_path(key)),
        None => (None, container_path(key)),
    }
}

/// Sets `spec[path...] = value`, creating objects on the way (the pod-level `securityContext`).
fn set(spec: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = spec;
    for key in parents {
        let entry = cur.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if entry.is_null() {
            *entry = Value::Object(Map::new());
        }
        let Some(next) = entry.as_object_mut() else {
            return;
        };
        cur = next;
    }
    cur.insert(last.to_string(), value);
}

/// Sets `containers[i].securityContext.<key>`, creating the securityContext when absent.
fn set_in_container(spec: &mut Map<String, Value>, slot: &Slot, key: &str, value: Value) {
    let Some(container) = spec
        .get_mut(slot.list)
        .and_then(|l| l.get_mut(slot.index))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    set(container, &["securityContext", key], value);
}
