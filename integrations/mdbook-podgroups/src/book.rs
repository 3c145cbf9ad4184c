//! The mdBook preprocessor protocol: `[context, book]` JSON on stdin, the book on stdout. Read as plain
//! JSON (chapters under `sections` in mdBook 0.4, `items` in 0.5) so no mdBook version is pinned here.
//!
//! Every ```` ```podgroups ```` block becomes a widget with its answer rendered in; the chapter then
//! loads the widget's script once. Options, `[preprocessor.podgroups]` in `book.toml`:
//! `on-error = "fail" | "show"` (default `fail`) and `assets` (default
//! `node_modules/podgroups-embed/dist`), copied into `src/podgroups/`.

use crate::block::{attributes, Example, OnError};
use crate::fence::podgroups_fences;
use crate::render::{answer, widget, Answer};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The preprocessor's settings from `book.toml`.
pub struct Settings {
    pub on_error: OnError,
    /// Where the widget's files come from.
    pub assets: PathBuf,
    /// The book's source directory (the files are installed into its `podgroups/`).
    pub src: PathBuf,
}

impl Settings {
    /// From the context mdBook passes: `root`, `config.book.src`, `config.preprocessor.podgroups`.
    pub fn from_context(context: &Value) -> Result<Settings, String> {
        let root = PathBuf::from(str_at(context, "/root").unwrap_or("."));
        let on_error = match str_at(context, "/config/preprocessor/podgroups/on-error") {
            Some(s) => OnError::parse(s).map_err(|e| format!("[preprocessor.podgroups] {e}"))?,
            None => OnError::Fail,
        };
        let assets = root.join(
            str_at(context, "/config/preprocessor/podgroups/assets").unwrap_or("node_modules/podgroups-embed/dist"),
        );
        let src = root.join(str_at(context, "/config/book/src").unwrap_or("src"));
        Ok(Settings { on_error, assets, src })
    }
}

/// A string inside mdBook's JSON (`pointer` as in RFC 6901).
fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// Runs the preprocessor on mdBook's input; errors are `file:line: message` lines.
pub fn preprocess(input: &str) -> Result<String, Vec<String>> {
    let parsed: Value = serde_json::from_str(input).map_err(|e| vec![format!("mdbook's input is not JSON: {e}")])?;
    let (context, mut book) = match parsed {
        Value::Array(mut a) if a.len() == 2 => {
            let book = a.pop().unwrap_or_default();
            (a.pop().unwrap_or_default(), book)
        }
        _ => return Err(vec!["mdbook's input is not [context, book]".into()]),
    };
    let settings = Settings::from_context(&context).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut used = false;
    for key in ["sections", "items"] {
        if let Some(items) = book.get_mut(key).and_then(Value::as_array_mut) {
            for item in items {
                walk(item, &settings, &mut errors, &mut used);
            }
        }
    }
    if used {
        if let Err(e) = crate::assets::ensure(&settings.assets, &settings.src.join("podgroups")) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::to_string(&book).map_err(|e| vec![e.to_string()])
}

fn walk(item: &mut Value, settings: &Settings, errors: &mut Vec<String>, used: &mut bool) {
    let Some(chapter) = item.get_mut("Chapter") else { return };
    let source = str_at(chapter, "/source_path")
        .or(str_at(chapter, "/path"))
        .map(|p| settings.src.join(p).display().to_string())
        .unwrap_or_else(|| str_at(chapter, "/name").unwrap_or("chapter").to_owned());
    let depth = str_at(chapter, "/path").map_or(0, |p| Path::new(p).components().count().saturating_sub(1));
    if let Some(content) = chapter.get_mut("content") {
        if let Some(text) = content.as_str() {
            match chapter_html(text, &source, depth, settings.on_error) {
                Ok(Some(new)) => {
                    *content = Value::String(new);
                    *used = true;
                }
                Ok(None) => {}
                Err(mut e) => errors.append(&mut e),
            }
        }
    }
    if let Some(subs) = chapter.get_mut("sub_items").and_then(Value::as_array_mut) {
        for sub in subs {
            walk(sub, settings, errors, used);
        }
    }
}

/// One chapter with its podgroups blocks replaced by widgets (`None`: it has none).
pub fn chapter_html(text: &str, source: &str, depth: usize, default: OnError) -> Result<Option<String>, Vec<String>> {
    let fences = podgroups_fences(text).map_err(|(line, e)| vec![format!("{source}:{line}: podgroups: {e}")])?;
    if fences.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut errors = Vec::new();
    let mut last = 0;
    for f in &fences {
        out.push_str(text.get(last..f.range.start).unwrap_or(""));
        last = f.range.end;
        let example = match example(f.info, &f.body) {
            Ok(e) => e,
            Err(e) => {
                errors.push(format!("{source}:{}: podgroups: {e}", f.line));
                continue;
            }
        };
        let a = answer(&example);
        if let Answer::Error { message, line } = &a {
            if example.on_error.unwrap_or(default) == OnError::Fail {
                let at = f.line + line.unwrap_or(0);
                errors.push(format!(
                    "{source}:{at}: podgroups: {message} (write on-error=show on the block to show it in the page instead)"
                ));
                continue;
            }
        }
        out.push('\n');
        out.push_str(&widget(&example, &a));
        out.push('\n');
    }
    out.push_str(text.get(last..).unwrap_or(""));
    if !errors.is_empty() {
        return Err(errors);
    }
    out.push_str(&format!(
        "\n<script type=\"module\" src=\"{}podgroups/{}\"></script>\n",
        "../".repeat(depth),
        crate::assets::FILES[0]
    ));
    Ok(Some(out))
}

/// An example from a fence's info string and body.
pub fn example(info: &str, body: &str) -> Result<Example, String> {
    let mut e = Example::default();
    for (name, value) in attributes(info)? {
        e.set(&name, &value)?;
    }
    e.set_body(body)?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOG: &str = "```podgroups version=1.33\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}\n  containers: [{name: ctr, image: a}]\n==> /etc/passwd <==\nu:x:1000:1000::/:/bin/sh\n==> /etc/group <==\ng:x:50000:u\n```\n";

    #[test]
    fn a_chapter_gets_widgets_and_one_script_relative_to_its_depth() {
        let md = format!("# Blog\n\n{BLOG}\ntext\n\n{BLOG}");
        let out = chapter_html(&md, "src/a/b.md", 1, OnError::Fail).unwrap().unwrap();
        assert_eq!(out.matches(r#"data-groups="3000,4000,50000""#).count(), 2);
        assert_eq!(out.matches("<script").count(), 1);
        assert!(out.contains(r#"<script type="module" src="../podgroups/podgroups-embed.js"></script>"#));
        assert!(out.starts_with("# Blog\n\n\n<div class=\"podgroups-embed\">"));
        assert!(chapter_html("# none\n", "x.md", 0, OnError::Fail).unwrap().is_none());
    }

    #[test]
    fn broken_blocks_fail_with_file_and_line_or_show_in_place() {
        let md = format!("# Blog\n\n{}", BLOG.replace("runAsUser: 1000", "runAsUser: [1000"));
        let err = chapter_html(&md, "src/blog.md", 0, OnError::Fail).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].starts_with("src/blog.md:"), "{err:?}");
        let shown = chapter_html(&md, "src/blog.md", 0, OnError::Show).unwrap().unwrap();
        assert!(shown.contains("<p class=\"pg-err\" data-error>manifest"), "{shown}");
        let per_block = md.replace("```podgroups version=1.33", "```podgroups version=1.33 on-error=show");
        assert!(chapter_html(&per_block, "src/blog.md", 0, OnError::Fail).is_ok());
        let bad_attr = chapter_html("\n```podgroups image=x\n```\n", "src/c.md", 0, OnError::Show).unwrap_err();
        assert_eq!(bad_attr.len(), 1);
        assert!(
            bad_attr[0].starts_with("src/c.md:2: podgroups: unknown attribute"),
            "{bad_attr:?}"
        );
    }

    #[test]
    fn error_lines_point_into_the_page() {
        // The fence is on line 3, the bad uid on line 7.
        let md = "# x\n\n```podgroups\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: abc}\n  containers: [{name: c, image: a}]\n```\n";
        match chapter_html(md, "src/x.md", 0, OnError::Fail) {
            Err(e) => assert!(e[0].starts_with("src/x.md:7:"), "{e:?}"),
            Ok(out) => panic!("expected an error, got {out:?}"),
        }
    }

    #[test]
    fn the_protocol_round_trips_a_book() {
        let dir = std::env::temp_dir().join(format!("mdbook-podgroups-book-{}", std::process::id()));
        let dist = dir.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        for n in crate::assets::FILES {
            std::fs::write(dist.join(n), n).unwrap();
        }
        let chapter = |name: &str, path: &str, content: &str, subs: Value| {
            serde_json::json!({"Chapter": {"name": name, "content": content, "number": null, "sub_items": subs,
                "path": path, "source_path": path, "parent_names": []}})
        };
        let input = serde_json::json!([
            {"root": dir, "config": {"book": {"src": "src"}, "preprocessor": {"podgroups": {"assets": "dist"}}},
             "renderer": "html", "mdbook_version": "0.4.52"},
            {"sections": [chapter("A", "a.md", "# A\n", serde_json::json!([chapter("B", "a/b.md", BLOG, serde_json::json!([]))])), "Separator"],
             "__non_exhaustive": null}
        ]);
        let out: Value = serde_json::from_str(&preprocess(&input.to_string()).unwrap()).unwrap();
        let b = out["sections"][0]["Chapter"]["sub_items"][0]["Chapter"]["content"]
            .as_str()
            .unwrap();
        assert!(b.contains("data-groups=\"3000,4000\""), "{b}");
        assert_eq!(out["sections"][0]["Chapter"]["content"], "# A\n");
        assert_eq!(out["sections"][1], "Separator");
        assert!(dir.join("src/podgroups/podgroups_bg.wasm").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
