//! Checks one pod spec (a Pod's `spec` or a workload's template spec) read from the request's JSON text
//! through the core's raw view, and lists what the mutation sets. The pod model is the core's: the
//! container walk ([`raw::containers`]), the effective security context (container overrides pod per
//! field, Spec 4, [`raw::effective`]); `fsGroup`, `supplementalGroups` and `supplementalGroupsPolicy`
//! exist only at pod level (Spec 1.3). Paths and messages are built only when a violation is found.

#![forbid(unsafe_code)]

use crate::image::{uid_of, ImageConfigs};
use crate::rules::{id_of_raw, short, short_raw, Ranges, Rule};
use crate::settings::Settings;
use podgroups_core::image::ImageUser;
use podgroups_core::limits::MAX_ID;
use podgroups_core::manifest::raw::{self, ContainerEntry, Object, RawContainer, SecurityContext, Set};
use podgroups_core::warnings::run_as_group_without_run_as_user;
use podgroups_core::{Level, SupplementalGroupsPolicy};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

const STRICT: SupplementalGroupsPolicy = SupplementalGroupsPolicy::Strict;

/// At most this many violations are kept (enough to compare a Pod update with its old object); the
/// rest are only counted, so a request with absurdly many containers cannot blow up memory.
pub const MAX_KEPT: usize = 1000;

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

/// Members the mutation sets in the `securityContext` of `owner` (the pod spec or one container),
/// each as JSON text.
#[derive(Debug)]
pub struct ContextSets<'a> {
    pub owner: Object<'a>,
    pub members: Vec<(&'static str, String)>,
}

/// What checking one pod spec found.
#[derive(Debug, Default)]
pub struct SpecOutcome<'a> {
    pub violations: Vec<Violation>,
    /// Violations beyond [`MAX_KEPT`].
    pub omitted: usize,
    pub warnings: Vec<String>,
    /// What the mutation sets; empty when nothing changes.
    pub sets: Vec<ContextSets<'a>>,
}

impl SpecOutcome<'_> {
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

    /// Whether the spec is mutated.
    pub fn changed(&self) -> bool {
        !self.sets.is_empty()
    }
}

/// A container as found in the spec, with its image and whether that image is exempt.
struct Slot<'a> {
    container: RawContainer<'a>,
    image: Cow<'a, str>,
    exempt: bool,
}

impl Slot<'_> {
    /// `container "app"` (the core's word for the kind), or `init container #0` without a name.
    fn label(&self) -> String {
        let noun = self.container.kind.describe();
        match self.container.name() {
            Some(n) => format!("{noun} \"{}\"", n.chars().take(63).collect::<String>()),
            None => format!("{noun} #{}", self.container.index),
        }
    }

    /// `spec.containers[0].securityContext`.
    fn context_path(&self, base: &str) -> String {
        format!(
            "{base}.{}[{}].securityContext",
            self.container.list, self.container.index
        )
    }
}

/// Checks the pod spec `spec` (found at `base`, e.g. `spec.template.spec`), listing the sets when
/// `mutate` is true. `images` answers the optional image-config check (`check_image_user`).
pub fn check_spec<'a>(
    spec: &'a RawValue,
    base: &str,
    settings: &Settings,
    mutate: bool,
    images: &mut dyn ImageConfigs,
) -> SpecOutcome<'a> {
    let mut out = SpecOutcome::default();
    let Some(spec) = Object::parse(spec) else {
        out.violation(
            base.into(),
            None,
            format!("must be an object holding the pod spec, got {}", short_raw(spec)),
        );
        return out;
    };
    // Windows pods may not set any of these fields (Spec 1.4): nothing to check.
    if raw::os_name(&spec).as_deref() == Some("windows") {
        return out;
    }
    let slots = slots(&spec, base, settings, &mut out);
    let pod_exempt = !slots.is_empty() && slots.iter().all(|s| s.exempt);
    let (psc, psc_ok) = match SecurityContext::of(&spec, Level::Pod) {
        Ok(psc) => (psc, true),
        Err(other) => {
            out.violation(
                format!("{base}.securityContext"),
                None,
                format!("must be an object, got {}", short_raw(other)),
            );
            // Read as empty: the containers' own fields are still judged.
            let empty = SecurityContext {
                object: None,
                level: Level::Pod,
            };
            (empty, false)
        }
    };
    let mut pod_sets = Vec::new();
    if psc_ok && !pod_exempt {
        pod_level(&psc, base, settings, mutate, &mut pod_sets, &mut out);
    }
    for slot in slots.into_iter().filter(|s| !s.exempt) {
        container_level(&psc, base, slot, settings, mutate, images, &mut out);
    }
    if !pod_sets.is_empty() {
        out.sets.push(ContextSets {
            owner: spec,
            members: pod_sets,
        });
    }
    out
}

/// Lists the containers (the core's walk), reporting lists or entries that are not of the right type.
fn slots<'a>(spec: &Object<'a>, base: &str, settings: &Settings, out: &mut SpecOutcome<'_>) -> Vec<Slot<'a>> {
    let mut slots = Vec::new();
    for entry in raw::containers(spec) {
        match entry {
            ContainerEntry::NotAList { list, value } => out.violation(
                format!("{base}.{list}"),
                None,
                format!("must be a list, got {}", short_raw(value)),
            ),
            ContainerEntry::NotAnObject { list, index, value } => out.violation(
                format!("{base}.{list}[{index}]"),
                None,
                format!("must be an object, got {}", short_raw(value)),
            ),
            ContainerEntry::Container(container) => {
                let image = container.image().unwrap_or_default();
                let exempt = !image.is_empty() && settings.image_exempt(&image);
                slots.push(Slot {
                    container,
                    image,
                    exempt,
                });
            }
        }
    }
    slots
}

/// `supplementalGroupsPolicy`, `fsGroup`, `supplementalGroups`, and the containerd hazard warning.
fn pod_level(
    psc: &SecurityContext<'_>,
    base: &str,
    settings: &Settings,
    mutate: bool,
    sets: &mut Vec<(&'static str, String)>,
    out: &mut SpecOutcome<'_>,
) {
    let path = |key: &str| format!("{base}.securityContext.{key}");
    let policy = psc.field("supplementalGroupsPolicy").map(|s| s.value);
    match policy.map(|v| (v, raw::string(v))) {
        Some((_, Some(s))) if s == STRICT.as_str() => {}
        None if mutate => {
            sets.push(("supplementalGroupsPolicy", format!("\"{}\"", STRICT.as_str())));
            out.warnings.push(format!(
                "{} was set to Strict: the image's /etc/group no longer adds groups; nodes need containerd 2.x or CRI-O 1.31+",
                path("supplementalGroupsPolicy")
            ));
        }
        None => out.violation(
            path("supplementalGroupsPolicy"),
            None,
            "is not set, so the image's /etc/group can add groups that no rule sees; set it to \"Strict\"".into(),
        ),
        Some((_, Some(s))) if s == SupplementalGroupsPolicy::Merge.as_str() => out.violation(
            path("supplementalGroupsPolicy"),
            None,
            "is \"Merge\", so the image's /etc/group can add groups that no rule sees; set it to \"Strict\" (or list the images in exempt_images)".into(),
        ),
        Some((other, _)) => out.violation(
            path("supplementalGroupsPolicy"),
            None,
            format!("is {}: supported values are \"Merge\" and \"Strict\"; set it to \"Strict\"", short_raw(other)),
        ),
    }

    let fs_group = psc.field("fsGroup").map(|s| s.value);
    if let Some(id) = single_id(
        &settings.fs_group,
        fs_group,
        &|| path("fsGroup"),
        None,
        "fs_group",
        mutate,
        out,
    ) {
        sets.push(("fsGroup", id.to_string()));
    }

    supplemental_groups(
        psc,
        &path("supplementalGroups"),
        &settings.supplemental_groups,
        mutate,
        sets,
        out,
    );

    if let (Some(group), None) = (psc.field("runAsGroup"), psc.field("runAsUser")) {
        out.warnings.push(run_as_group_without_run_as_user(
            &format!("{base}.securityContext"),
            &short_raw(group.value),
        ));
    }
}

fn supplemental_groups(
    psc: &SecurityContext<'_>,
    path: &str,
    rule: &Rule,
    mutate: bool,
    sets: &mut Vec<(&'static str, String)>,
    out: &mut SpecOutcome<'_>,
) {
    let list = match psc.field("supplementalGroups") {
        None => Vec::new(),
        Some(Set { value, .. }) => match raw::items(value) {
            Some(list) => list,
            None => {
                out.violation(
                    path.into(),
                    None,
                    format!("must be a list of gids, got {}", short_raw(value)),
                );
                return;
            }
        },
    };
    if list.is_empty() {
        if let Some(id) = rule.default_id() {
            if mutate {
                sets.push(("supplementalGroups", format!("[{id}]")));
            } else {
                out.violation(path.into(), None, missing_text(rule, "supplemental_groups"));
            }
        }
        return;
    }
    // One violation for the list: the first bad entry, and how many more there are.
    let mut bad = list.iter().enumerate().filter_map(|(i, v)| match id_of_raw(v) {
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
fn container_level<'a>(
    psc: &SecurityContext<'a>,
    base: &str,
    slot: Slot<'a>,
    settings: &Settings,
    mutate: bool,
    images: &mut dyn ImageConfigs,
    out: &mut SpecOutcome<'a>,
) {
    let csc = match slot.container.security_context() {
        Ok(csc) => csc,
        Err(other) => {
            let text = format!("must be an object, got {}", short_raw(other));
            out.violation(slot.context_path(base), Some(&slot.label()), text);
            return;
        }
    };
    let eff = raw::effective(psc, &csc);
    // The path of the value that decided (the container's unless the pod's applies).
    let at = |set: Option<Set<'_>>, key: &str| match set.map(|s| s.level) {
        Some(Level::Pod) => format!("{base}.securityContext.{key}"),
        _ => format!("{}.{key}", slot.context_path(base)),
    };
    let mut sets = Vec::new();

    // run_as_user
    let user = eff.run_as_user;
    let from_image = match user {
        None if settings.check_image_user => image_user_verdict(&slot, &settings.run_as_user, images),
        _ => ImageVerdict::Unknown,
    };
    match (&settings.run_as_user, from_image) {
        (_, ImageVerdict::Allowed) => {}
        (_, ImageVerdict::Refused(text)) => out.violation(at(user, "runAsUser"), Some(&slot.label()), text),
        (Rule::MustRunAsNonRoot, ImageVerdict::Unknown) => {
            non_root(&slot, base, user, eff.run_as_non_root, &at, mutate, &mut sets, out)
        }
        (rule, ImageVerdict::Unknown) => {
            let who = || slot.label();
            if let Some(id) = single_id(
                rule,
                user.map(|s| s.value),
                &|| at(user, "runAsUser"),
                Some(&who),
                "run_as_user",
                mutate,
                out,
            ) {
                sets.push(("runAsUser", id.to_string()));
            }
        }
    }

    group_rules(&slot, base, eff.run_as_group, &at, settings, mutate, &mut sets, out);
    if !sets.is_empty() {
        out.sets.push(ContextSets {
            owner: slot.container.object,
            members: sets,
        });
    }
}

/// `run_as_group` and `require_run_as_group` on the effective `runAsGroup`.
#[allow(clippy::too_many_arguments)]
fn group_rules(
    slot: &Slot<'_>,
    base: &str,
    group: Option<Set<'_>>,
    at: &dyn Fn(Option<Set<'_>>, &str) -> String,
    settings: &Settings,
    mutate: bool,
    sets: &mut Vec<(&'static str, String)>,
    out: &mut SpecOutcome<'_>,
) {
    let who = || slot.label();
    let set_group = single_id(
        &settings.run_as_group,
        group.map(|s| s.value),
        &|| at(group, "runAsGroup"),
        Some(&who),
        "run_as_group",
        mutate,
        out,
    );
    if let Some(id) = set_group {
        sets.push(("runAsGroup", id.to_string()));
    }
    // require_run_as_group, on the possibly mutated values.
    if settings.require_run_as_group && group.is_none() && set_group.is_none() {
        out.violation(
            format!("{}.runAsGroup", slot.context_path(base)),
            Some(&slot.label()),
            "is not set here nor at pod level, so the primary gid comes from the image's /etc/passwd or falls back to 0 (root); set runAsGroup (require_run_as_group)".into(),
        );
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
fn image_user_verdict(slot: &Slot<'_>, rule: &Rule, images: &mut dyn ImageConfigs) -> ImageVerdict {
    if slot.image.is_empty() || *rule == Rule::RunAsAny {
        return ImageVerdict::Unknown;
    }
    let image = short(&Value::from(&*slot.image));
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
#[allow(clippy::too_many_arguments)]
fn non_root(
    slot: &Slot<'_>,
    base: &str,
    user: Option<Set<'_>>,
    flag: Option<Set<'_>>,
    at: &dyn Fn(Option<Set<'_>>, &str) -> String,
    mutate: bool,
    sets: &mut Vec<(&'static str, String)>,
    out: &mut SpecOutcome<'_>,
) {
    if let Some(v) = user {
        match id_of_raw(v.value) {
            Err(e) => out.violation(at(user, "runAsUser"), Some(&slot.label()), e),
            Ok(0) => out.violation(
                at(user, "runAsUser"),
                Some(&slot.label()),
                "is 0 (root), which run_as_user MustRunAsNonRoot refuses; set a non-zero uid".into(),
            ),
            Ok(_) => {}
        }
        return;
    }
    match flag {
        Some(f) if f.value.get() == "true" => {}
        None if mutate => sets.push(("runAsNonRoot", "true".into())),
        None => out.violation(
            format!("{}.runAsNonRoot", slot.context_path(base)),
            Some(&slot.label()),
            "is not set and neither is runAsUser, so the container may run as root; set runAsNonRoot: true or a non-zero runAsUser (run_as_user MustRunAsNonRoot)".into(),
        ),
        Some(other) => out.violation(
            at(flag, "runAsNonRoot"),
            Some(&slot.label()),
            format!("is {} and runAsUser is not set; set runAsNonRoot: true or a non-zero runAsUser (run_as_user MustRunAsNonRoot)", short_raw(other.value)),
        ),
    }
}

/// Judges one id against a rule; returns the default to write when it is missing and mutation is on.
/// `at` and `who` (the field path and the container) are only called to word a violation.
fn single_id(
    rule: &Rule,
    value: Option<&RawValue>,
    at: &dyn Fn() -> String,
    who: Option<&dyn Fn() -> String>,
    setting: &str,
    mutate: bool,
    out: &mut SpecOutcome<'_>,
) -> Option<u64> {
    let who = || who.map(|w| w());
    match value {
        None => {
            let id = rule.default_id()?;
            if mutate {
                return Some(id);
            }
            out.violation(at(), who().as_deref(), missing_text(rule, setting));
        }
        Some(v) => match id_of_raw(v) {
            Err(e) => out.violation(at(), who().as_deref(), e),
            Ok(id) if !rule.allows(id) => out.violation(at(), who().as_deref(), outside_text(id, rule, setting)),
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
