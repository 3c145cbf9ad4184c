//! The image as the runtime sees it: config `User` and the root filesystem's `/etc/passwd` and `/etc/group`,
//! each part either known or *unknown* — the engine never guesses a part that was not given.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How the kubelet reads the config's `User` when no `runAsUser` is set (Spec 5), for callers that only
/// have the config (an admission policy asking its host for it).
pub use crate::kubelet::{image_user, ImageUser};

/// Upper bound on an `/etc` file the engine reads; containerd refuses more than 10 MiB (Spec 8.11).
pub const MAX_ETC_FILE_BYTES: usize = 10 * 1024 * 1024;

/// One of the image's `/etc` files, as far as the caller knows it.
///
/// In JSON a missing key is [`ImageFile::Unknown`], `null` is [`ImageFile::Absent`] and a string is
/// [`ImageFile::Present`] (so the conformance vectors' `null` keeps meaning "no such file").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ImageFile {
    /// Nobody said: results that read this file are reported as depending on the image.
    #[default]
    Unknown,
    /// The image has no such file (distroless, scratch).
    Absent,
    /// The file's text.
    Present(String),
}

impl ImageFile {
    /// The text when the file is known to exist.
    pub fn text(&self) -> Option<&str> {
        match self {
            ImageFile::Present(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, ImageFile::Unknown)
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, ImageFile::Absent)
    }
}

impl From<Option<String>> for ImageFile {
    /// `None` is a known absence, never "unknown".
    fn from(text: Option<String>) -> Self {
        text.map_or(ImageFile::Absent, ImageFile::Present)
    }
}

impl Serialize for ImageFile {
    /// `Unknown` has no value of its own: it is written as a missing key (see [`Image`]).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ImageFile::Present(t) => s.serialize_str(t),
            ImageFile::Absent => s.serialize_none(),
            ImageFile::Unknown => Err(serde::ser::Error::custom(
                "an unknown image file is written by leaving its key out",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for ImageFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<String>::deserialize(d).map(ImageFile::from)
    }
}

/// A part of the image that can be unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImagePart {
    /// The image config's `User`.
    User,
    /// `/etc/passwd`.
    Passwd,
    /// `/etc/group`.
    Group,
}

impl fmt::Display for ImagePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImagePart::User => "the image's USER",
            ImagePart::Passwd => "the image's /etc/passwd",
            ImagePart::Group => "the image's /etc/group",
        })
    }
}

/// An image's identity inputs. [`Image::default`] is the wholly unknown image.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// OCI image config `User` (`Some("")` when the image sets none), e.g. `1000`, `app`, `1000:2000`;
    /// `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `/etc/passwd`.
    #[serde(default, skip_serializing_if = "ImageFile::is_unknown")]
    pub passwd: ImageFile,
    /// `/etc/group`.
    #[serde(default, skip_serializing_if = "ImageFile::is_unknown")]
    pub group: ImageFile,
}

impl Image {
    /// Nothing about the image is known.
    pub fn unknown() -> Image {
        Image::default()
    }

    /// A fully known image (as an archive or registry gives it): `None` files are absent.
    pub fn known(user: impl Into<String>, passwd: Option<String>, group: Option<String>) -> Image {
        Image {
            user: Some(user.into()),
            passwd: passwd.into(),
            group: group.into(),
        }
    }

    /// The parts nobody gave, in a stable order.
    pub fn unknown_parts(&self) -> Vec<ImagePart> {
        let mut parts = Vec::new();
        if self.user.is_none() {
            parts.push(ImagePart::User);
        }
        if self.passwd.is_unknown() {
            parts.push(ImagePart::Passwd);
        }
        if self.group.is_unknown() {
            parts.push(ImagePart::Group);
        }
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_null_as_absent_and_missing_as_unknown() {
        let i: Image = serde_json::from_str(r#"{"user": "", "passwd": null}"#).unwrap();
        assert_eq!(i.user.as_deref(), Some(""));
        assert_eq!(i.passwd, ImageFile::Absent);
        assert_eq!(i.group, ImageFile::Unknown);
        assert_eq!(i.unknown_parts(), [ImagePart::Group]);
        let back: Image = serde_json::from_str(&serde_json::to_string(&i).unwrap()).unwrap();
        assert_eq!(back, i);
        assert_eq!(serde_json::to_string(&Image::unknown()).unwrap(), "{}");
        let known = Image::known("app", None, Some("g:x:1:app\n".into()));
        assert_eq!(
            serde_json::to_string(&known).unwrap(),
            r#"{"user":"app","passwd":null,"group":"g:x:1:app\n"}"#
        );
    }
}
