//! `podgroups completions SHELL` and `podgroups man`: generated from the clap definitions in
//! `args.rs`, so they can never disagree with the parser.

use crate::args::{Cli, CompletionsArgs};
use clap::CommandFactory;
use std::process::ExitCode;

/// Prints the completion script for the shell, for the binary that runs (`podgroups`, or
/// `kubectl-podgroups` for the plugin: shells complete executables, and a name with a space is none).
pub fn completions(a: &CompletionsArgs, bin_name: &str) -> Result<ExitCode, String> {
    let mut cmd = Cli::command();
    let executable = bin_name.replace(' ', "-");
    clap_complete::generate(a.shell, &mut cmd, executable, &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// Prints `podgroups(1)` in roff, subcommands and their options included.
pub fn man() -> Result<ExitCode, String> {
    let mut out = Vec::new();
    render(&mut out).map_err(|e| format!("man page: {e}"))?;
    std::io::Write::write_all(&mut std::io::stdout(), &out).map_err(|e| format!("standard output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// One self-contained page: the command, then a section per subcommand (its synopsis and options,
/// the subsections of clap_mangen's rendering), then the exit codes and the version.
fn render(out: &mut Vec<u8>) -> std::io::Result<()> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    for sub in cmd.get_subcommands() {
        let name = format!("{} {}", cmd.get_name(), sub.get_name());
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let page = clap_mangen::Man::new(sub.clone().bin_name(&name));
        let mut section = Vec::new();
        page.render_synopsis_section(&mut section)?;
        page.render_options_section(&mut section)?;
        roff::Roff::new()
            .control("SH", [name.to_uppercase().as_str()])
            .text([roff::roman(about)])
            .to_writer(out)?;
        // The subcommand's own sections become subsections of its section.
        for line in String::from_utf8_lossy(&section).lines() {
            let line = match line.strip_prefix(".SH ") {
                Some(heading) => format!(".SS {heading}"),
                None => line.to_owned(),
            };
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
    man.render_extra_section(out)?;
    man.render_version_section(out)?;
    Ok(())
}
