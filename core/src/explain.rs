//! The entry point: manifests + image files + environment → a [`Report`].

use crate::context::ContainerContext;
use crate::environment::Environment;
use crate::error::{InputError, Source};
use crate::etc::{Group, Passwd};
use crate::image::{Image, MAX_ETC_FILE_BYTES};
use crate::manifest::{self, Container, Field, PodSpec};
use crate::pipeline;
use crate::report::{Check, ContainerReport, Outcome, Report, Skipped, WorkloadReport};
use crate::runtime::Rootfs;
use crate::warnings;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the engine needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Input {
    /// One or more manifests: YAML (multi-document) or JSON.
    pub manifests: String,
    /// The image every container runs, unless `images` names another; by default wholly unknown.
    pub image: Image,
    /// Images for particular containers, keyed by container name or by image reference.
    pub images: BTreeMap<String, Image>,
    /// `pv.beta.kubernetes.io/gid` values of PersistentVolumes the pod mounts (Spec 7.3).
    pub pv_gid_annotations: Vec<String>,
    pub environment: Environment,
}

/// Explains every container of every Pod and workload in `input.manifests`.
///
/// Fails only when the input itself is unusable (bad YAML, no workload, oversized files); a pod that
/// Kubernetes would refuse is a successful explanation whose [`Outcome`] is `Refused`.
pub fn explain(input: &Input) -> Result<Report, InputError> {
    report(input, None)
}

/// A [`Report`] without its workloads, which [`explain_each`] hands over one by one.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    pub environment: Environment,
    pub environment_text: String,
    pub skipped: Vec<Skipped>,
    /// The most `List` items held parsed at once: 1 for a streamed YAML `List` (the item being
    /// read), more only for items that must wait for the List's `kind`.
    pub peak_items_held: usize,
}

/// [`explain`], handing each workload's report to `each` as soon as it is ready instead of
/// collecting them, so a 10,000-pod `List` is never held parsed as a whole (Spec 1.5): the same
/// reports in the same order. On an error, reports already handed over belong to refused input.
pub fn explain_each(input: &Input, each: impl FnMut(WorkloadReport)) -> Result<Explained, InputError> {
    explain_each_prepared(input, None, each)
}

/// [`explain`] with `input.image`'s files already parsed, for callers that explain again and again
/// against the same image (the playground, on every keystroke in the manifest, parses a 5,000-line
/// `/etc/group` once rather than per keystroke). The same report as [`explain`]: an `image` prepared
/// from another image than `input.image` is not used.
pub fn explain_prepared(input: &Input, image: &PreparedImage<'_>) -> Result<Report, InputError> {
    report(input, Some(image))
}

/// [`explain`] and [`explain_prepared`] (one copy of the streaming code for both, in the wasm too).
pub(crate) fn report(input: &Input, ready: Option<&PreparedImage<'_>>) -> Result<Report, InputError> {
    let mut workloads = Vec::new();
    let rest = explain_each_prepared(input, ready, |w| workloads.push(w))?;
    Ok(Report {
        environment_text: rest.environment_text,
        environment: rest.environment,
        workloads,
        skipped: rest.skipped,
    })
}

fn explain_each_prepared(
    input: &Input,
    ready: Option<&PreparedImage<'_>>,
    mut each: impl FnMut(WorkloadReport),
) -> Result<Explained, InputError> {
    let images = prepare(input, ready);
    let streamed = match &images {
        Ok(images) => manifest::stream_pod_specs(&input.manifests, |spec| images.explain(input, spec), &mut each)?,
        // The manifest's own errors come first, as they always did.
        Err(_) => manifest::stream_pod_specs(&input.manifests, |_| (), |()| ())?,
    };
    images?;
    Ok(Explained {
        environment_text: input.environment.to_string(),
        environment: input.environment.clone(),
        skipped: streamed.skipped,
        peak_items_held: streamed.peak_items_held,
    })
}

/// An image with its `/etc/passwd` and `/etc/group` parsed, to explain many containers against.
pub struct PreparedImage<'a> {
    image: &'a Image,
    rootfs: Rootfs<'a>,
}

impl<'a> PreparedImage<'a> {
    /// Parses the image's files once; refuses what no runtime would read (as [`crate::explain()`] does).
    pub fn new(image: &'a Image) -> Result<Self, InputError> {
        Ok(PreparedImage {
            image,
            rootfs: rootfs(image)?,
        })
    }

    pub fn image(&self) -> &Image {
        self.image
    }

    pub(crate) fn rootfs(&self) -> &Rootfs<'a> {
        &self.rootfs
    }
}

/// The image files, parsed once: the default image's (unless `ready` holds them) and those of the
/// named images.
pub(crate) fn prepare<'i>(input: &'i Input, ready: Option<&'i PreparedImage<'i>>) -> Result<Images<'i>, InputError> {
    let default = match ready {
        Some(p) if *p.image() == input.image => Parsed::Ready(p.rootfs()),
        _ => Parsed::Now(rootfs(&input.image)?),
    };
    let mut named = BTreeMap::new();
    for (key, image) in &input.images {
        named.insert(key.as_str(), (image, rootfs(image)?));
    }
    Ok(Images { default, named })
}

/// An input's images with their files parsed.
pub(crate) struct Images<'i> {
    default: Parsed<'i>,
    named: BTreeMap<&'i str, (&'i Image, Rootfs<'i>)>,
}

impl Images<'_> {
    /// One pod spec's report: each container against its image (one named for the container's
    /// name or image, else the default). Never inlined: the explain and memo paths share one copy
    /// in the playground's size-bound wasm.
    #[inline(never)]
    pub(crate) fn explain(&self, input: &Input, spec: PodSpec) -> WorkloadReport {
        let pick = |c: &Container| {
            self.named
                .get(c.name.as_str())
                .or_else(|| self.named.get(c.image.as_str()))
                .map(|(i, r)| (*i, r))
                .unwrap_or((&input.image, self.default.get()))
        };
        explain_workload(spec, pick, &input.pv_gid_annotations, &input.environment)
    }
}

/// The default image's files: parsed by the caller beforehand, or now.
enum Parsed<'i> {
    Ready(&'i Rootfs<'i>),
    Now(Rootfs<'i>),
}

impl<'i> Parsed<'i> {
    fn get(&self) -> &Rootfs<'i> {
        match self {
            Parsed::Ready(r) => r,
            Parsed::Now(r) => r,
        }
    }
}

/// One pod spec's report: each container explained against the image `pick` gives it, in a report
/// around them that the spec's texts move into.
pub(crate) fn explain_workload<'r>(
    spec: PodSpec,
    pick: impl Fn(&Container) -> (&'r Image, &'r Rootfs<'r>),
    pv: &[String],
    env: &Environment,
) -> WorkloadReport {
    let containers = spec
        .containers
        .iter()
        .map(|c| {
            let (image, rootfs) = pick(c);
            explain_container(&spec, c, image, rootfs, pv, env)
        })
        .collect();
    WorkloadReport {
        kind: spec.kind,
        name: spec.name,
        namespace: spec.namespace,
        document: spec.document,
        pod_spec_path: spec.path,
        location: spec.location,
        supplemental_groups_policy: spec.security_context.supplemental_groups_policy.map(|f| f.value),
        containers,
    }
}

/// Parses an image's files once, refusing what no runtime would read.
pub(crate) fn rootfs(image: &Image) -> Result<Rootfs<'_>, InputError> {
    for (file, source) in [(&image.passwd, Source::Passwd), (&image.group, Source::Group)] {
        if let Some(t) = file.text() {
            if t.len() > MAX_ETC_FILE_BYTES {
                return Err(InputError::new(
                    source,
                    format!("file is {} bytes; containerd refuses user files over 10485760 bytes (10 MiB) — is this the right file?", t.len()),
                ));
            }
            if t.contains('\0') {
                return Err(InputError::new(
                    source,
                    "file contains NUL bytes: this is a binary file, not a text database",
                ));
            }
        }
    }
    Ok(Rootfs {
        passwd: image.passwd.text().map(Passwd::parse),
        group: image.group.text().map(Group::parse),
    })
}

/// One container: as written, with Merge, with Strict; implicit groups; warnings.
pub(crate) fn explain_container(
    spec: &PodSpec,
    c: &Container,
    image: &Image,
    rootfs: &Rootfs<'_>,
    pv: &[String],
    env: &Environment,
) -> ContainerReport {
    let ctx = ContainerContext::new(spec, c, image, rootfs, pv, env);
    let written = spec.security_context.supplemental_groups_policy.as_ref();
    let forced = |value: &str| Field {
        value: value.to_owned(),
        path: format!("{}.securityContext.supplementalGroupsPolicy", spec.path),
        location: None,
    };
    let as_written = pipeline::run(&ctx, written);
    let merge = match written.map(|p| p.value.as_str()) {
        None | Some("Merge") => as_written.clone(),
        Some(_) => pipeline::run(&ctx, Some(&forced("Merge"))),
    };
    let strict = match written.map(|p| p.value.as_str()) {
        Some("Strict") => as_written.clone(),
        _ => pipeline::run(&ctx, Some(&forced("Strict"))),
    };
    let implicit_gids = implicit(&merge);
    let implicit_as_written = implicit(&as_written);
    let strict_removes = match strict.identity() {
        Some(id) if id.applied_policy == crate::SupplementalGroupsPolicy::Strict => implicit_gids.clone(),
        _ => Vec::new(),
    };
    let warnings = warnings::find(&ctx, &as_written);
    ContainerReport {
        name: c.name.clone(),
        kind: c.kind,
        kind_text: c.kind.describe(),
        image: c.image.clone(),
        path: c.path.clone(),
        image_unknown: image.unknown_parts(),
        check: Check::of(&as_written, &implicit_as_written),
        as_written,
        merge,
        strict,
        implicit_gids,
        implicit_as_written,
        strict_removes,
        warnings,
    }
}

/// Gids that only `/etc/group` put in an outcome (those certain to be there, when it is partial).
fn implicit(outcome: &Outcome) -> Vec<u32> {
    let mut gids: Vec<u32> = outcome
        .gid_origins()
        .iter()
        .filter(|g| g.implicit)
        .map(|g| g.gid)
        .collect();
    gids.sort_unstable();
    gids
}
