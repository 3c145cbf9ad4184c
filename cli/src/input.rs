//! Reading input files: bounded, UTF-8 checked, `-` for standard input.

use std::io::Read;
use std::path::Path;

/// Larger than any manifest or `/etc` file the engine accepts, so its own message applies below this.
const MAX_READ: u64 = 16 * 1024 * 1024;

/// Reads a text file (or stdin for `-`), refusing binary or huge files with a message that names it.
pub fn read_text(path: &Path) -> Result<String, String> {
    let name = path.display();
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_READ + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("standard input: {e}"))?;
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(format!("{name}: is a directory; give a file"));
        }
        file.take(MAX_READ + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name}: {e}"))?;
    }
    if bytes.len() as u64 > MAX_READ {
        return Err(format!(
            "{name}: larger than {} MiB; is this the right file?",
            MAX_READ / (1024 * 1024)
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name}: not UTF-8 text (invalid byte at offset {}); give the text file, not a binary",
            e.utf8_error().valid_up_to()
        )
    })
}

/// `file:line:column: message (path)` for an engine input error.
pub fn describe(file: &str, e: &podgroups_core::InputError) -> String {
    let mut out = file.to_owned();
    if let Some(loc) = e.location {
        out.push_str(&format!(":{}:{}", loc.line, loc.column));
    }
    out.push_str(": ");
    if let Some(path) = &e.path {
        out.push_str(&format!("{path}: "));
    }
    out.push_str(&e.message);
    out
}
