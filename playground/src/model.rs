//! The playground's whole state: the four inputs and the environment options. It is what a share
//! link carries, so every field has a serde default (old links keep opening as fields are added).
//! The default is neutral — nothing typed, nothing known about the image, no example: the page opens
//! on an example by choosing it (`crate::examples`), so a link that lacks a field never gets an
//! example's value for it.

use podgroups_core::{Environment, Image, ImageFile, ImagePart, Input, Runtime, RuntimeKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Everything the user typed or chose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// Manifests: YAML or JSON, several documents allowed.
    #[serde(rename = "m")]
    pub manifest: String,
    /// The image's `/etc/group`.
    #[serde(rename = "g")]
    pub group: String,
    /// The image's `/etc/passwd`.
    #[serde(rename = "p")]
    pub passwd: String,
    /// Whether the image has `/etc/group` (distroless and scratch images may not), or is unknown.
    #[serde(rename = "gp")]
    pub group_known: Known,
    /// Whether the image has `/etc/passwd`, or is unknown.
    #[serde(rename = "pp")]
    pub passwd_known: Known,
    /// The image config's `USER` (empty when unset).
    #[serde(rename = "u")]
    pub image_user: String,
    /// Whether `USER` is as typed or unknown. Links written before this field existed lack it and
    /// meant `USER` as typed, so its absence means [`Known::Present`].
    #[serde(rename = "us", default = "Known::present")]
    pub user_known: Known,
    #[serde(rename = "o")]
    pub options: Options,
    /// The admission-policy tab is shown instead of the groups.
    #[serde(rename = "pt", skip_serializing_if = "std::ops::Not::not")]
    pub policy_open: bool,
    /// The admission-policy tab's inputs (settings, operation, namespace, old objects) as the JSON text
    /// its controls write (`www/js/policy.js`) and only the policy module reads
    /// (`playground/policy/src/input.rs`): the app carries it in the state and links, unread, so none
    /// of its handling is in the first download.
    #[serde(rename = "pol", skip_serializing_if = "String::is_empty")]
    pub policy: String,
}

/// What the user says about one part of the image: the three choices beside each input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Known {
    /// The image has it, as typed (for `USER`, empty is unset).
    Present,
    /// The image has no such file ("has no such file"; for `USER`, the same as unset).
    Absent,
    /// "I don't know the image": the core reports what depends on it.
    #[default]
    Unknown,
}

impl Known {
    fn present() -> Known {
        Known::Present
    }

    /// The `<select>` value of each choice.
    pub fn value(self) -> &'static str {
        match self {
            Known::Present => "present",
            Known::Absent => "absent",
            Known::Unknown => "unknown",
        }
    }

    pub fn from_value(v: &str) -> Option<Known> {
        [Known::Present, Known::Absent, Known::Unknown]
            .into_iter()
            .find(|k| k.value() == v)
    }

    /// A file's text as the core takes it.
    fn file(self, text: &str) -> ImageFile {
        match self {
            Known::Present => ImageFile::Present(text.to_owned()),
            Known::Absent => ImageFile::Absent,
            Known::Unknown => ImageFile::Unknown,
        }
    }
}

/// In a link: `true` (has the file — as links written before the third choice say too), `false`
/// (no such file), `null` (unknown). Plain `Option<bool>`, so no self-describing parse is needed.
impl Serialize for Known {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Known::Present => s.serialize_bool(true),
            Known::Absent => s.serialize_bool(false),
            Known::Unknown => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Known {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Known, D::Error> {
        Ok(match Option::<bool>::deserialize(d)? {
            Some(true) => Known::Present,
            Some(false) => Known::Absent,
            None => Known::Unknown,
        })
    }
}

/// The environment controls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    #[serde(rename = "rt")]
    pub runtime: RuntimeKind,
    /// Kubernetes minor version (`33` for 1.33).
    #[serde(rename = "k8s")]
    pub kubernetes_minor: u32,
    #[serde(rename = "gate")]
    pub feature_gate: Gate,
    /// Which policy the detail view (what `id` prints, the status) follows.
    #[serde(rename = "view")]
    pub view: PolicyView,
}

/// The `SupplementalGroupsPolicy` feature gate as the user sets it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// The version's default (off before 1.33, on from 1.33, locked on from 1.35).
    #[default]
    Default,
    On,
    Off,
}

impl Gate {
    pub fn as_option(self) -> Option<bool> {
        match self {
            Gate::Default => None,
            Gate::On => Some(true),
            Gate::Off => Some(false),
        }
    }
}

/// The Merge/Strict switch: which outcome the detail view shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyView {
    /// Whatever the manifest says (unset behaves as Merge).
    #[default]
    AsWritten,
    Merge,
    Strict,
}

impl Default for Options {
    /// The core's default environment.
    fn default() -> Self {
        let env = Environment::default();
        Options {
            runtime: env.runtime.kind,
            kubernetes_minor: env.kubernetes_minor,
            feature_gate: Gate::Default,
            view: PolicyView::AsWritten,
        }
    }
}

impl Default for State {
    /// Nothing typed, the image unknown, the environment's defaults.
    fn default() -> Self {
        State {
            manifest: String::new(),
            group: String::new(),
            passwd: String::new(),
            group_known: Known::Unknown,
            passwd_known: Known::Unknown,
            image_user: String::new(),
            user_known: Known::Unknown,
            options: Options::default(),
            policy_open: false,
            policy: String::new(),
        }
    }
}

impl State {
    /// The core's input for this state.
    pub fn to_input(&self) -> Input {
        Input {
            manifests: self.manifest.clone(),
            image: self.image(),
            environment: self.options.environment(),
            ..Input::default()
        }
    }

    /// The image as the core takes it: the texts of the parts known, the others unknown.
    pub fn image(&self) -> Image {
        Image {
            user: (self.user_known != Known::Unknown).then(|| match self.user_known {
                Known::Absent => String::new(),
                _ => self.image_user.clone(),
            }),
            passwd: self.passwd_known.file(&self.passwd),
            group: self.group_known.file(&self.group),
        }
    }

    /// What the user says about `part`.
    pub fn known(&self, part: ImagePart) -> Known {
        match part {
            ImagePart::User => self.user_known,
            ImagePart::Passwd => self.passwd_known,
            ImagePart::Group => self.group_known,
        }
    }

    pub fn set_known(&mut self, part: ImagePart, known: Known) {
        match part {
            ImagePart::User => self.user_known = known,
            ImagePart::Passwd => self.passwd_known = known,
            ImagePart::Group => self.group_known = known,
        }
    }

    /// Takes every part of `image` (from an archive, a JS caller): a file the image lacks empties
    /// its text; a part `image` does not know keeps its text and becomes unknown.
    pub fn set_image(&mut self, image: Image) {
        match image.user {
            Some(user) => (self.image_user, self.user_known) = (user, Known::Present),
            None => self.user_known = Known::Unknown,
        }
        for (file, text, known) in [
            (image.passwd, &mut self.passwd, &mut self.passwd_known),
            (image.group, &mut self.group, &mut self.group_known),
        ] {
            *known = match file {
                ImageFile::Present(t) => {
                    *text = t;
                    Known::Present
                }
                ImageFile::Absent => {
                    text.clear();
                    Known::Absent
                }
                ImageFile::Unknown => Known::Unknown,
            };
        }
    }
}

impl Options {
    pub fn environment(&self) -> Environment {
        Environment {
            runtime: Runtime {
                kind: self.runtime,
                release: None,
            },
            kubernetes_minor: self.kubernetes_minor,
            feature_gate: self.feature_gate.as_option(),
            node_supports_policy: None,
        }
    }
}

/// Value used in `<select>` options: the core's name of the runtime (`containerd-2`).
pub fn runtime_value(kind: RuntimeKind) -> String {
    Runtime { kind, release: None }.to_string()
}

/// The runtime a `<select>` value names; a pinned release is not a menu value.
pub fn runtime_from_value(v: &str) -> Option<RuntimeKind> {
    v.parse::<Runtime>()
        .ok()
        .filter(|r| r.release.is_none())
        .map(|r| r.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_neutral() {
        let s = State::default();
        assert_eq!((s.manifest.as_str(), s.group.as_str(), s.passwd.as_str()), ("", "", ""));
        assert_eq!(s.image_user, "");
        assert_eq!(s.image(), Image::unknown());
        assert_eq!(s.options.environment(), Environment::default());
    }

    #[test]
    fn each_part_is_present_absent_or_unknown() {
        let mut s = State {
            group: "g:x:1:\n".into(),
            passwd: "p:x:1:1::/:/bin/sh\n".into(),
            image_user: "app".into(),
            ..State::default()
        };
        s.set_known(ImagePart::Group, Known::Present);
        s.set_known(ImagePart::Passwd, Known::Absent);
        assert_eq!(
            s.image(),
            Image {
                user: None,
                passwd: ImageFile::Absent,
                group: ImageFile::Present("g:x:1:\n".into())
            }
        );
        s.set_known(ImagePart::User, Known::Present);
        assert_eq!(s.image().user.as_deref(), Some("app"));
        s.set_known(ImagePart::User, Known::Absent);
        assert_eq!(s.image().user.as_deref(), Some(""));
        for part in [ImagePart::User, ImagePart::Passwd, ImagePart::Group] {
            s.set_known(part, Known::Unknown);
            assert_eq!(s.known(part), Known::Unknown);
        }
        assert_eq!(s.image(), Image::unknown());
        // The texts stay for when the user switches back.
        assert_eq!((s.image_user.as_str(), s.group.as_str()), ("app", "g:x:1:\n"));
    }

    #[test]
    fn set_image_takes_every_part() {
        let mut s = State {
            passwd: "old".into(),
            ..State::default()
        };
        s.set_image(Image::known("app", None, Some("g:x:1:app\n".into())));
        assert_eq!(
            (s.user_known, s.passwd_known, s.group_known),
            (Known::Present, Known::Absent, Known::Present)
        );
        assert_eq!((s.image_user.as_str(), s.passwd.as_str()), ("app", ""));
        s.set_image(Image::unknown());
        assert_eq!(s.image(), Image::unknown());
        assert_eq!(s.group, "g:x:1:app\n");
    }

    #[test]
    fn choices_are_the_booleans_of_older_links_or_null() {
        for (json, want) in [
            ("true", Known::Present),
            ("false", Known::Absent),
            ("null", Known::Unknown),
        ] {
            assert_eq!(serde_json::from_str::<Known>(json).unwrap(), want, "{json}");
            assert_eq!(serde_json::to_string(&want).unwrap(), json);
        }
        assert!(serde_json::from_str::<Known>("\"present\"").is_err());
        assert!(serde_json::from_str::<Known>("1").is_err());
    }

    #[test]
    fn options_map_to_environment() {
        let o = Options {
            runtime: RuntimeKind::Crio,
            kubernetes_minor: 32,
            feature_gate: Gate::On,
            view: PolicyView::Strict,
        };
        let env = o.environment();
        assert_eq!(env.runtime.kind, RuntimeKind::Crio);
        assert_eq!(env.kubernetes_minor, 32);
        assert_eq!(env.feature_gate, Some(true));
    }

    #[test]
    fn runtime_values_round_trip() {
        for k in RuntimeKind::ALL {
            assert_eq!(runtime_from_value(&runtime_value(k)), Some(k));
        }
        assert_eq!(runtime_from_value("docker"), None);
        assert_eq!(runtime_from_value("containerd-2.0.5"), None);
    }
}
