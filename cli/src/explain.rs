//! `podgroups explain`.

use crate::archives::FromArchives;
use crate::args::{ExplainArgs, Format, ImageArgs};
use crate::input::{describe, read_text};
use crate::{default_example, render};
use podgroups_core::{explain as engine, Image, ImageFile, Input, InputError, Report, Source};
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
    let mut archives = crate::image::for_explain(&a.archive, &a.image)?;
    let (image, sources) = inputs(a, &archives)?;
    let environment = a.env.environment()?;
    crate::registry::for_containers(&a.archive, &a.image, &sources, &environment, &mut archives)?;
    let base = Input {
        manifests: String::new(),
        image,
        images: archives.images.clone(),
        pv_gid_annotations: a.pv_gids.clone(),
        environment,
    };
    let mut reports = Vec::new();
    for (name, text) in &sources {
        let input = Input {
            manifests: text.clone(),
            ..base.clone()
        };
        let report = engine(&input).map_err(|e| describe(&input_file(a, name, &e), &e))?;
        reports.push((name.as_str(), report));
    }
    eprint!("{}", archives.unmatched(&reports));
    print_reports(a.output, &archives.notes, &reports)?;
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

/// The image for every container and the manifest texts by name; with nothing given, the blog example.
fn inputs(a: &ExplainArgs, archives: &FromArchives) -> Result<(Image, Vec<(String, String)>), String> {
    let nothing_given = a.manifests.is_empty()
        && a.archive.is_empty()
        && a.image.passwd.is_none()
        && a.image.group.is_none()
        && !a.image.no_passwd
        && !a.image.no_group;
    if nothing_given {
        let image = Image::known(
            a.image.image_user.clone().unwrap_or_default(),
            Some(default_example::PASSWD.into()),
            Some(default_example::GROUP.into()),
        );
        return Ok((
            image,
            vec![(default_example::NAME.to_owned(), default_example::MANIFEST.to_owned())],
        ));
    }
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
    Ok((image, sources))
}

/// The file an input error is about: the manifest, or the `/etc` file given by hand.
fn input_file(a: &ExplainArgs, manifest: &str, e: &InputError) -> String {
    let given = match e.source {
        Source::Passwd => a.image.passwd.as_ref(),
        Source::Group => a.image.group.as_ref(),
        _ => return manifest.to_owned(),
    };
    given.map(|p| p.display().to_string()).unwrap_or_default()
}

fn print_reports(format: Format, notes: &str, reports: &[(&str, Report)]) -> Result<(), String> {
    let files: Vec<FileReport<'_>> = reports
        .iter()
        .map(|(file, report)| FileReport { file, report })
        .collect();
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&files).map_err(|e| e.to_string())?),
        Format::Yaml => print!("{}", serde_saphyr::to_string(&files).map_err(|e| e.to_string())?),
        Format::Text => {
            print!("{notes}");
            for f in &files {
                print!("{}", render::report(f.file, f.report));
            }
        }
    }
    Ok(())
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
