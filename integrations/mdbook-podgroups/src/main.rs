//! `mdbook-podgroups`: the mdBook preprocessor (mdBook calls it), and `mdbook-podgroups hugo [SITE]`,
//! the Hugo shortcode's companion.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage:
  mdbook-podgroups                    mdBook preprocessor ([context, book] JSON on stdin)
  mdbook-podgroups supports RENDERER  mdBook asks whether a renderer is supported (html is)
  mdbook-podgroups hugo [SITE]        Hugo: precompute every {{< podgroups >}} of SITE/content into
                                      SITE/data/podgroups.json (SITE defaults to .)
  mdbook-podgroups install DIST DIR   copy the podgroups-embed package's dist/ files into DIR
  mdbook-podgroups --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => preprocess(),
        ["supports", renderer] => {
            if *renderer == "html" {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        ["hugo", rest @ ..] if rest.len() <= 1 => {
            let site = Path::new(rest.first().copied().unwrap_or("."));
            match mdbook_podgroups::hugo::precompute(site) {
                Ok((n, errors)) => {
                    eprintln!(
                        "podgroups: {n} example(s) precomputed into {} ({errors} with errors: the shortcode fails the build on them unless on-error=\"show\")",
                        site.join("data/podgroups.json").display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        ["install", dist, dir] => match mdbook_podgroups::assets::install(Path::new(dist), Path::new(dir)) {
            Ok(n) => {
                eprintln!("podgroups: {n} file(s) written to {dir}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        ["--version" | "-V"] => {
            println!("mdbook-podgroups {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        ["--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => fail(&format!("unexpected arguments {args:?}\n{USAGE}")),
    }
}

fn preprocess() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        return fail(&format!("cannot read mdbook's input: {e}"));
    }
    match mdbook_podgroups::book::preprocess(&input) {
        Ok(book) => {
            println!("{book}");
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("mdbook-podgroups: {message}");
    ExitCode::FAILURE
}
