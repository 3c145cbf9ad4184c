//! `podgroups explain`.

use crate::args::{ExplainArgs, Format, ImageArgs};
use crate::input::{describe, read_text};
use crate::{default_example, render};
use podgroups_core::{explain as engine, Environment, Image, ImageFile, Input, Report};
use serde::Serialize;
use std::process::ExitCode;

/// One manifest file's report.
#[derive(Serialize)]
struct FileReport<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

pub fn run(a: &ExplainArgs) -> Result<ExitCode, String> {
    let environment = environment(&a.env)?;
    let archives = crate::image::for_explain(&a.archive, &a.image)?;
    let (image, sources) = match (&a.image.passwd, &a.image.group, a.manifests.is_empty()) {
        (None, None, true) if a.archive.is_empty() && !a.image.no_passwd && !a.image.no_group => (
            Image::known(
                a.image.image_user.clone().unwrap_or_default(),
                Some(default_example::PASSWD.into()),
                Some(default_example::GROUP.into()),
            ),
            vec![(default_example::NAME.to_owned(), default_example::MANIFEST.to_owned())],
        ),
        _ => {
            let image = match archives.image.clone() {
                Some(image) => image,
                None => by_hand(&a.image)?,
            };
            if a.manifests.is_empty() {
                return Err(
                    "give a manifest file (or `-` for standard input), or no option to explain the blog example".into(),
                );
            }
            let mut sources = Vec::new();
            for path in &a.manifests {
                sources.push((path.display().to_string(), read_text(path)?));
            }
            (image, sources)
        }
    };
    let mut reports = Vec::new();
    for (name, text) in &sources {
        let input = Input {
            manifests: text.clone(),
            image: image.clone(),
            images: archives.images.clone(),
            pv_gid_annotations: a.pv_gids.clone(),
            environment: environment.clone(),
        };
        let report = engine(&input).map_err(|e| {
            let file = match e.source {
                podgroups_core::Source::Passwd => a
                    .image
                    .passwd
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                podgroups_core::Source::Group => a
                    .image
                    .group
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                _ => name.clone(),
            };
            describe(&file, &e)
        })?;
        reports.push((name.as_str(), report));
    }
    eprint!("{}", archives.unmatched(&reports));
    let files: Vec<FileReport<'_>> = reports
        .iter()
        .map(|(file, report)| FileReport { file, report })
        .collect();
    match a.output {
        Format::Json => println!("{}", serde_json::to_string_pretty(&files).map_err(|e| e.to_string())?),
        Format::Yaml => print!("{}", serde_saphyr::to_string(&files).map_err(|e| e.to_string())?),
        Format::Text => {
            print!("{}", archives.notes);
            for f in &files {
                print!("{}", render::report(f.file, f.report));
            }
        }
    }
    let flagged = reports
        .iter()
        .flat_map(|(_, r)| &r.workloads)
        .flat_map(|w| &w.containers)
        .any(|c| c.check.fails());
    Ok(if a.check && flagged {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The image given by hand: each part not given is unknown, `--no-passwd`/`--no-group` say "absent".
fn by_hand(a: &ImageArgs) -> Result<Image, String> {
    let file = |path: &Option<std::path::PathBuf>, absent: bool| -> Result<ImageFile, String> {
        Ok(match path {
            Some(p) => ImageFile::Present(read_text(p)?),
            None if absent => ImageFile::Absent,
            None => ImageFile::Unknown,
        })
    };
    Ok(Image {
        user: a.image_user.clone(),
        passwd: file(&a.passwd, a.no_passwd)?,
        group: file(&a.group, a.no_group)?,
    })
}

pub(crate) fn environment(a: &crate::args::EnvArgs) -> Result<Environment, String> {
    Ok(Environment {
        runtime: a.runtime.parse().map_err(|e| format!("--runtime: {e}"))?,
        kubernetes_minor: Environment::parse_kubernetes_version(&a.kubernetes)
            .map_err(|e| format!("--kubernetes: {e}"))?,
        feature_gate: a.gate.map(|g| g.bool()),
        node_supports_policy: a.node_support.map(|g| g.bool()),
    })
}
