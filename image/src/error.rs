//! Why an archive cannot be read: which member, what is wrong, what to do.

use serde::Serialize;
use std::fmt;

/// The class of an [`ArchiveError`], for callers that react differently (e.g. list choices on `Ambiguous`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Not a docker-save or OCI image archive (no `manifest.json`/`index.json`).
    NotAnImageArchive,
    /// Broken bytes: a bad tar header, a decompression error, invalid JSON.
    Corrupt,
    /// The archive or one of its members ends early.
    Truncated,
    /// Valid, but in a form podgroups does not read (compressed outer archive, unknown compression…).
    Unsupported,
    /// A member the manifests name is missing from the archive.
    MissingMember,
    /// No image matches the requested reference or platform.
    NoMatch,
    /// Several images match: the message lists them.
    Ambiguous,
    /// A JSON member over its size limit.
    TooLarge,
    /// The layers cannot be applied (broken hard link, symlink loop while unpacking).
    BadLayer,
    /// Reading the input failed.
    Io,
}

/// An archive that cannot be used, with the member concerned and a message saying what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArchiveError {
    pub kind: ErrorKind,
    /// The archive member or layer concerned, e.g. `manifest.json`, `layer 2 (sha256:…)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub message: String,
    /// The images to choose from when the selection failed (`Ambiguous`, or `NoMatch` for a reference
    /// or platform the archive lacks): read again with one's `reference` and `platform`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

/// One image an archive or registry index offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// As messages list it: `name digest (platform)`.
    pub label: String,
    /// The reference that selects it: its first name, else its manifest or config digest.
    pub reference: String,
    /// `os/arch[/variant]`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// In the index, but its blobs are not in the archive (another platform `docker save` dropped).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
}

impl ArchiveError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ArchiveError {
            kind,
            member: None,
            message: message.into(),
            choices: Vec::new(),
        }
    }

    /// An error of `kind` with `message` (for sources outside this crate: the CLI's files, a registry).
    pub fn other(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind, message)
    }

    pub(crate) fn with_choices(mut self, choices: Vec<Choice>) -> Self {
        self.choices = choices;
        self
    }

    pub(crate) fn in_member(mut self, member: impl Into<String>) -> Self {
        if self.member.is_none() {
            self.member = Some(member.into());
        }
        self
    }
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("image archive")?;
        if let Some(member) = &self.member {
            write!(f, ", {member}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ArchiveError {}

impl From<super::tar::TarError> for ArchiveError {
    fn from(e: super::tar::TarError) -> Self {
        use super::tar::TarError;
        let kind = match &e {
            TarError::Truncated { .. } => ErrorKind::Truncated,
            TarError::Corrupt { .. } => ErrorKind::Corrupt,
            TarError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => ErrorKind::Truncated,
            // Decompressors report damaged data as these kinds.
            TarError::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Other
                ) =>
            {
                ErrorKind::Corrupt
            }
            TarError::Io(_) => ErrorKind::Io,
        };
        let hint = match kind {
            ErrorKind::Truncated => "; the archive was probably cut short: save or copy the image again",
            ErrorKind::Corrupt => "; the archive is damaged: save or copy the image again",
            _ => "",
        };
        ArchiveError::new(kind, format!("{e}{hint}"))
    }
}
