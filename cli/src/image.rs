//! Image archives on the command line: `podgroups image ARCHIVE`, and `--image ARCHIVE` /
//! `--image-for CONTAINER=ARCHIVE` for `explain`, so nobody copies /etc/group out of an image by hand.
//!
//! Archives are read by `archives`, registries by `registry`; this file maps the options and prints.

use crate::archives::{read, read_archive, summary, FromArchives};
use crate::args::{ArchiveArgs, Format, ImageArgs, ImageCmdArgs};
use podgroups_core::{explain as engine, Input, Outcome};
use podgroups_image::{ErrorKind, ImageArchive, Selector};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads the archives `explain` was given; refuses mixing `--image` with hand-given files.
pub fn for_explain(a: &ArchiveArgs, by_hand: &ImageArgs) -> Result<FromArchives, String> {
    if a.image.is_some() && !by_hand.is_empty() {
        return Err("--image reads USER, /etc/passwd and /etc/group from the archive: drop --passwd, --group, --no-passwd, --no-group and --image-user, or drop --image".into());
    }
    let mut out = FromArchives {
        image: None,
        images: BTreeMap::new(),
        notes: String::new(),
        default: None,
    };
    if let Some(path) = &a.image {
        let sel = Selector {
            reference: a.image_ref.clone(),
            platform: a.platform.clone(),
            verify_digests: a.verify_digests,
        };
        let found = read(path, &sel)?;
        out.notes.push_str(&summary(path, &found));
        out.image = Some(found.image.clone());
        out.default = Some((path.clone(), found));
    } else if let Some(reference) = &a.image_ref {
        if !by_hand.is_empty() {
            return Err("--image-ref reads USER, /etc/passwd and /etc/group from the registry: drop --passwd, --group, --no-passwd, --no-group and --image-user, or drop --image-ref".into());
        }
        let (name, found) = crate::registry::one(&a.registry, &a.platform, reference)?;
        out.notes.push_str(&summary(Path::new(&name), &found));
        out.image = Some(found.image);
    }
    for spec in &a.image_for {
        let (key, path) = spec
            .split_once('=')
            .filter(|(k, p)| !k.is_empty() && !p.is_empty())
            .ok_or_else(|| format!("--image-for {spec:?}: expected KEY=ARCHIVE, e.g. --image-for web=web.tar"))?;
        let path = Path::new(path);
        let sel = Selector {
            reference: None,
            platform: a.platform.clone(),
            verify_digests: a.verify_digests,
        };
        let found = match read_archive(path, &sel) {
            // Several images: the key names the image (`--image-for nginx:1.27=all.tar`).
            Err(e) if e.kind == ErrorKind::Ambiguous => read_archive(
                path,
                &Selector {
                    reference: Some(key.to_owned()),
                    ..sel
                },
            )
            .map_err(|e2| {
                format!(
                    "{}: {e}\n(--image-for {key}=…: {key:?} is not one of its images either: {})",
                    path.display(),
                    e2.message
                )
            })?,
            other => other.map_err(|e| format!("{}: {e}", path.display()))?,
        };
        let _ = write!(out.notes, "for {key}: ");
        out.notes.push_str(&summary(path, &found));
        out.images.insert(key.to_owned(), found.image);
    }
    Ok(out)
}

/// `podgroups image ARCHIVE`: the image's user, its groups and what Merge adds that no manifest names.
pub fn run(a: &ImageCmdArgs) -> Result<ExitCode, String> {
    let (source, found, again) = locate(a)?;
    let name = found.names.first().cloned().unwrap_or_else(|| "image".to_owned());
    // A pod that leaves the identity to the image, as most do: the engine decides the rest.
    let manifest = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "image"},
        "spec": {"containers": [{"name": "main", "image": name}]}
    });
    let input = Input {
        manifests: manifest.to_string(),
        image: found.image.clone(),
        environment: a.env.environment()?,
        ..Input::default()
    };
    let report = engine(&input).map_err(|e| format!("{}: {e}", source.display()))?;
    let ctr = report
        .workloads
        .first()
        .and_then(|w| w.containers.first())
        .ok_or("the engine returned no container")?;
    match a.output {
        Format::Json | Format::Yaml => {
            #[derive(Serialize)]
            struct Out<'a> {
                archive: &'a ImageArchive,
                merge: &'a Outcome,
                strict: &'a Outcome,
                implicit_gids: &'a [u32],
            }
            let out = Out {
                archive: &found,
                merge: &ctr.merge,
                strict: &ctr.strict,
                implicit_gids: &ctr.implicit_gids,
            };
            if a.output == Format::Json {
                println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
            } else {
                print!("{}", serde_saphyr::to_string(&out).map_err(|e| e.to_string())?);
            }
        }
        Format::Text => {
            let mut t = summary(&source, &found);
            merge_text(&mut t, &ctr.merge, &again);
            print!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The image to read (an archive, else a registry reference): its source, what it holds, and the
/// option that gives it again to `explain`.
fn locate(a: &ImageCmdArgs) -> Result<(PathBuf, ImageArchive, String), String> {
    let sel = Selector {
        reference: a.image_ref.clone(),
        platform: a.platform.clone(),
        verify_digests: a.verify_digests,
    };
    match (&a.archive, &a.image_ref) {
        (Some(path), _) => Ok((path.clone(), read(path, &sel)?, format!("--image {}", path.display()))),
        (None, Some(reference)) => {
            let (name, found) = crate::registry::one(&a.registry, &a.platform, reference)?;
            let again = format!("--image-ref {name}");
            Ok((PathBuf::from(name), found, again))
        }
        (None, None) => Err("give an image archive, or --image-ref REF to read the image from its registry".into()),
    }
}

/// What the image's user gets under Merge: its id, and the groups `/etc/group` adds that no manifest names.
fn merge_text(t: &mut String, merge: &Outcome, again: &str) {
    match merge {
        Outcome::Runs(id) => {
            let _ = writeln!(t, "runs as: {}", id.id_coreutils);
            let implicit: Vec<String> = id
                .gid_origins
                .iter()
                .filter(|g| g.implicit)
                .map(|g| match &g.name {
                    Some(n) => format!("{}({n})", g.gid),
                    None => g.gid.to_string(),
                })
                .collect();
            if implicit.is_empty() {
                let _ = writeln!(
                    t,
                    "risk: none; /etc/group adds no group to this user beyond its primary group."
                );
            } else {
                let _ = writeln!(
                    t,
                    "risk: a container running as this user gets {} from the image's /etc/group, which no manifest names \
                     (supplementalGroupsPolicy unset or Merge). `supplementalGroupsPolicy: Strict` removes them; \
                     `podgroups explain POD.yaml {again}` shows a pod's exact groups.",
                    implicit.join(", "),
                );
            }
        }
        Outcome::DependsOnImage(p) => {
            for u in &p.unknown {
                let _ = writeln!(t, "unknown: {u}");
            }
        }
        Outcome::Refused(r) => {
            let _ = writeln!(t, "the container would not start: {r}");
        }
    }
}
