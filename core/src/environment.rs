//! The cluster a pod lands on: container runtime, Kubernetes minor version, feature gate, node support.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A container runtime model, optionally pinned to a release (`containerd-2.0.5`, `crio-1.32`).
///
/// Without a release the newest behaviour the spec knows is assumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Runtime {
    pub kind: RuntimeKind,
    /// `(minor, patch)` of the release, e.g. `(0, 5)` for containerd 2.0.5 or `(32, 0)` for CRI-O 1.32.
    pub release: Option<(u32, Option<u32>)>,
}

/// The three runtime families whose behaviour differs (spec §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RuntimeKind {
    /// containerd 1.7.x: ignores `Strict`, reports no user (Spec 9).
    #[serde(rename = "containerd-1.7")]
    Containerd17,
    /// containerd 2.x: honours the policy, sorts `additionalGids` (Spec 8).
    #[serde(rename = "containerd-2")]
    Containerd2,
    /// CRI-O ≥ 1.31: honours the policy, keeps insertion order (Spec 10).
    #[serde(rename = "crio")]
    Crio,
}

/// How containerd's `WithUser` treats a numeric uid above 2147483647 (Spec 8.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UidRangeHandling {
    /// Before the CVE-2024-40635 fix: `uint32(v)` wraps (4294967296 becomes uid 0).
    Wrap,
    /// 1.7.27–1.7.31, 2.0.4–2.0.8, 2.1.0–2.1.7, 2.2.0–2.2.3, 2.3.0: looked up as a username.
    AsUsername,
    /// Newer patches: `invalid USER value "<u>": uid out of range`.
    Reject,
}

impl Runtime {
    pub const CONTAINERD_1_7: Runtime = Runtime {
        kind: RuntimeKind::Containerd17,
        release: None,
    };
    pub const CONTAINERD_2: Runtime = Runtime {
        kind: RuntimeKind::Containerd2,
        release: None,
    };
    pub const CRIO: Runtime = Runtime {
        kind: RuntimeKind::Crio,
        release: None,
    };

    /// Whether this is containerd (either major), which shares Step 8's user code.
    pub fn is_containerd(self) -> bool {
        matches!(self.kind, RuntimeKind::Containerd17 | RuntimeKind::Containerd2)
    }

    /// Whether the runtime knows `supplemental_groups_policy` (containerd ≥ 2.0, CRI-O ≥ 1.31; Spec 3).
    pub fn supports_policy(self) -> bool {
        self.kind != RuntimeKind::Containerd17
    }

    /// containerd's `(major, minor, patch)`, with unknown parts taken as the newest.
    fn containerd_version(self) -> (u32, u32, u32) {
        let major = if self.kind == RuntimeKind::Containerd17 { 1 } else { 2 };
        match self.release {
            None => (major, u32::MAX, u32::MAX),
            Some((minor, patch)) => (major, minor, patch.unwrap_or(u32::MAX)),
        }
    }

    /// This release's patch line in [`CONTAINERD_PATCH_LINES`] (the newest line when unpinned or unlisted).
    fn patch_line(self) -> Option<&'static PatchLine> {
        let (major, minor, _) = self.containerd_version();
        CONTAINERD_PATCH_LINES
            .iter()
            .find(|l| (l.major, l.minor) == (major, minor))
    }

    pub(crate) fn uid_range_handling(self) -> UidRangeHandling {
        let (_, _, patch) = self.containerd_version();
        let (as_name, reject) = self.patch_line().map_or((0, 0), |l| (l.uid_as_name, l.uid_reject));
        if patch >= reject {
            UidRangeHandling::Reject
        } else if patch >= as_name {
            UidRangeHandling::AsUsername
        } else {
            UidRangeHandling::Wrap
        }
    }

    /// containerd releases that refuse non-regular or > 10 MiB user files (Spec 8.11).
    pub fn bounds_user_files(self) -> bool {
        let first = self.patch_line().map_or(0, |l| l.user_file_bounds);
        self.is_containerd() && self.containerd_version().2 >= first
    }

    /// The first releases of each containerd line that bound user files, in words:
    /// `containerd 1.7.33+, 2.0.10+, 2.1.9+, 2.2.5+ and 2.3.2+`.
    pub fn user_file_bounds_releases() -> String {
        let list: Vec<String> = CONTAINERD_PATCH_LINES
            .iter()
            .map(|l| format!("{}.{}.{}+", l.major, l.minor, l.user_file_bounds))
            .collect();
        format!("containerd {}", words_list(&list))
    }

    /// The name people use: `containerd 2.x`, `CRI-O`, or the pinned release (`containerd-2.0.5`).
    pub fn describe(self) -> String {
        match self.release {
            None => self.kind.label().to_owned(),
            Some(_) => self.to_string(),
        }
    }

    /// Every runtime a menu offers: the three families, then each containerd release where a behaviour
    /// the model knows changes (Spec 8.2, 8.11), oldest first.
    pub fn releases() -> Vec<Runtime> {
        let mut out = vec![Runtime::CONTAINERD_2, Runtime::CONTAINERD_1_7, Runtime::CRIO];
        for l in CONTAINERD_PATCH_LINES {
            let kind = if l.major == 1 {
                RuntimeKind::Containerd17
            } else {
                RuntimeKind::Containerd2
            };
            let mut patches = vec![0, l.uid_as_name, l.uid_reject, l.user_file_bounds];
            patches.sort_unstable();
            patches.dedup();
            for patch in patches {
                out.push(Runtime {
                    kind,
                    release: Some((l.minor, Some(patch))),
                });
            }
        }
        out
    }
}

/// One containerd minor line and the first patch of each behaviour change the model knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatchLine {
    pub major: u32,
    pub minor: u32,
    /// First patch that looks an out-of-range numeric USER up as a name (CVE-2024-40635 fix; Spec 8.2).
    pub uid_as_name: u32,
    /// First patch that refuses it: `uid out of range` (Spec 8.2).
    pub uid_reject: u32,
    /// First patch that refuses non-regular or > 10 MiB user files (Spec 8.11).
    pub user_file_bounds: u32,
}

/// The containerd patch lines whose releases differ (Spec 8.2, 8.11); later lines behave as the newest.
#[rustfmt::skip]
pub const CONTAINERD_PATCH_LINES: &[PatchLine] = &[
    PatchLine { major: 1, minor: 7, uid_as_name: 27, uid_reject: 32, user_file_bounds: 33 },
    PatchLine { major: 2, minor: 0, uid_as_name: 4, uid_reject: 9, user_file_bounds: 10 },
    PatchLine { major: 2, minor: 1, uid_as_name: 0, uid_reject: 8, user_file_bounds: 9 },
    PatchLine { major: 2, minor: 2, uid_as_name: 0, uid_reject: 4, user_file_bounds: 5 },
    PatchLine { major: 2, minor: 3, uid_as_name: 0, uid_reject: 1, user_file_bounds: 2 },
];

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn words_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

impl RuntimeKind {
    /// The three families, in the order menus show them.
    pub const ALL: [RuntimeKind; 3] = [RuntimeKind::Containerd2, RuntimeKind::Containerd17, RuntimeKind::Crio];

    /// The family's name for people.
    pub fn label(self) -> &'static str {
        match self {
            RuntimeKind::Containerd2 => "containerd 2.x",
            RuntimeKind::Containerd17 => "containerd 1.7",
            RuntimeKind::Crio => "CRI-O",
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, major) = match self.kind {
            RuntimeKind::Containerd17 => ("containerd", 1),
            RuntimeKind::Containerd2 => ("containerd", 2),
            RuntimeKind::Crio => ("crio", 1),
        };
        match (self.kind, self.release) {
            (RuntimeKind::Containerd17, None) => f.write_str("containerd-1.7"),
            (RuntimeKind::Containerd2, None) => f.write_str("containerd-2"),
            (RuntimeKind::Crio, None) => f.write_str("crio"),
            (_, Some((minor, None))) => write!(f, "{name}-{major}.{minor}"),
            (_, Some((minor, Some(patch)))) => write!(f, "{name}-{major}.{minor}.{patch}"),
        }
    }
}

impl std::str::FromStr for Runtime {
    type Err = String;

    /// Accepts `containerd-1.7`, `containerd-1.7.30`, `containerd-2`, `containerd-2.1`,
    /// `containerd-2.0.5`, `crio`, `cri-o`, `crio-1.32` (also with `@` or a space before the version),
    /// and the node's `status.nodeInfo.containerRuntimeVersion` as kubectl prints it:
    /// `containerd://2.0.5`, `cri-o://1.32.1`. A runtime or release the model does not know is an
    /// error that says so, never the nearest known model.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let (name, version) = match lower.split_once("://") {
            // The node form always carries a full release; keep it exact.
            Some((scheme, release)) => {
                node_release(s, release)?;
                (scheme, release)
            }
            None => match lower.find(|c: char| c.is_ascii_digit()) {
                Some(i) => (lower[..i].trim_end_matches(['-', '@', ' ', 'v']), &lower[i..]),
                None => (lower.as_str(), ""),
            },
        };
        if !matches!(name, "containerd" | "crio" | "cri-o") {
            return Err(unknown_runtime(s, name));
        }
        let err = || {
            format!(
                "unknown runtime {s:?}: use containerd-2, containerd-1.7 or crio \
                 (optionally with a release, e.g. containerd-2.0.5, crio-1.32, containerd://2.0.5)"
            )
        };
        let parts: Vec<&str> = if version.is_empty() {
            vec![]
        } else {
            version.split('.').collect()
        };
        let mut nums = Vec::with_capacity(3);
        for p in &parts {
            nums.push(p.parse::<u32>().map_err(|_| err())?);
        }
        let kind;
        let release = match (name, nums.as_slice()) {
            ("containerd", [1, 7]) => {
                kind = RuntimeKind::Containerd17;
                None
            }
            ("containerd", [1, 7, p]) => {
                kind = RuntimeKind::Containerd17;
                Some((7, Some(*p)))
            }
            ("containerd", [2]) => {
                kind = RuntimeKind::Containerd2;
                None
            }
            ("containerd", [2, m]) => {
                kind = RuntimeKind::Containerd2;
                Some((*m, None))
            }
            ("containerd", [2, m, p]) => {
                kind = RuntimeKind::Containerd2;
                Some((*m, Some(*p)))
            }
            ("crio" | "cri-o", []) => {
                kind = RuntimeKind::Crio;
                None
            }
            ("crio" | "cri-o", [1, m] | [1, m, _]) if *m >= 31 => {
                kind = RuntimeKind::Crio;
                Some((*m, None))
            }
            ("crio" | "cri-o", [1, _] | [1, _, _]) => {
                return Err(format!("{s:?}: CRI-O before 1.31 does not know supplementalGroupsPolicy; the model starts at crio-1.31"))
            }
            ("containerd", [1, m, ..]) if *m < 7 => {
                return Err(format!("{s:?}: containerd before 1.7 is not modelled (it lacks the CVE-2023-25173 fix); use containerd-1.7 or containerd-2"))
            }
            _ => return Err(err()),
        };
        Ok(Runtime { kind, release })
    }
}

/// Checks the release of `containerRuntimeVersion` (`2.0.5`, `1.32.1`): plain numbers, which the
/// model maps to upstream releases. A vendor build (`1.7.23-k3s2`) or a pre-release (`2.1.0-rc.1`)
/// may differ from the upstream release it names, so it is refused rather than guessed.
fn node_release(s: &str, release: &str) -> Result<(), String> {
    if release.is_empty()
        || !release
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!(
            "runtime {s:?}: release {release:?} is not a plain upstream release (x.y.z); the model knows \
             upstream containerd and CRI-O releases only — if this build behaves as an upstream release, \
             name it, e.g. --runtime containerd-2.0.5"
        ));
    }
    Ok(())
}

/// The error for a runtime family the model does not describe, naming what it does.
fn unknown_runtime(s: &str, name: &str) -> String {
    let why = match name {
        "docker" => "dockershim was removed in Kubernetes 1.24 and cri-dockerd is not modelled",
        "" => "no runtime name given",
        _ => "the model describes containerd (1.7, 2.x) and CRI-O (1.31 and later) only",
    };
    format!(
        "unknown runtime {s:?}: {why}; use containerd-2, containerd-1.7 or crio \
         (optionally with a release, e.g. containerd-2.0.5, crio-1.32, containerd://2.0.5)"
    )
}

impl Serialize for Runtime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Runtime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The cluster: one Kubernetes minor version for kube-apiserver and kubelet, one runtime.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Environment {
    pub runtime: Runtime,
    /// Kubernetes minor version (`33` for 1.33).
    pub kubernetes_minor: u32,
    /// The `SupplementalGroupsPolicy` feature gate on kube-apiserver and kubelet;
    /// `None` means the version's default (off before 1.33, on from 1.33, locked on from 1.35).
    pub feature_gate: Option<bool>,
    /// `node.status.features.supplementalGroupsPolicy`; `None` derives it from runtime and gate (Spec 2.3).
    pub node_supports_policy: Option<bool>,
}

impl Default for Environment {
    /// containerd 2.x on Kubernetes 1.35 with the gate at its default.
    fn default() -> Self {
        Environment {
            runtime: Runtime::CONTAINERD_2,
            kubernetes_minor: 35,
            feature_gate: None,
            node_supports_policy: None,
        }
    }
}

/// The Kubernetes minor versions the spec describes, oldest first (menus offer these); others behave as
/// the nearest one.
pub const KUBERNETES_MINORS: std::ops::RangeInclusive<u32> = 30..=35;

impl Environment {
    /// Whether the gate is in effect: the field does not exist before 1.31, is locked on from 1.35.
    pub fn gate_enabled(&self) -> bool {
        match self.kubernetes_minor {
            0..=30 => false,
            31 | 32 => self.feature_gate.unwrap_or(false),
            33 | 34 => self.feature_gate.unwrap_or(true),
            _ => true,
        }
    }

    /// Whether the kubelet checks node support before admitting a Strict pod (Beta or GA; Spec 2.2).
    pub fn kubelet_checks_node_support(&self) -> bool {
        self.kubernetes_minor >= 33
    }

    /// `node.status.features.supplementalGroupsPolicy` as the kubelet publishes it (Spec 2.3).
    pub fn node_supports_policy(&self) -> bool {
        self.node_supports_policy
            .unwrap_or_else(|| self.gate_enabled() && self.runtime.supports_policy())
    }

    /// Parses `1.33`, `v1.33`, `1.33.2` or `33` into a minor version.
    pub fn parse_kubernetes_version(s: &str) -> Result<u32, String> {
        let t = s.trim().trim_start_matches('v');
        let mut parts = t.split('.');
        let first = parts.next().unwrap_or("");
        let minor = match parts.next() {
            Some(m) if first == "1" => m,
            Some(_) => return Err(format!("Kubernetes version {s:?}: expected 1.<minor>, e.g. 1.33")),
            None => first,
        };
        match minor.parse::<u32>() {
            Ok(m) if (20..=99).contains(&m) => Ok(m),
            _ => Err(format!("Kubernetes version {s:?}: expected 1.<minor> such as 1.33")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_names_round_trip() {
        for s in [
            "containerd-1.7",
            "containerd-1.7.30",
            "containerd-2",
            "containerd-2.1",
            "containerd-2.0.5",
            "crio",
            "crio-1.32",
        ] {
            let r: Runtime = s.parse().unwrap();
            assert_eq!(r.to_string(), s);
        }
        assert_eq!("cri-o".parse::<Runtime>().unwrap(), Runtime::CRIO);
        assert!("docker".parse::<Runtime>().is_err());
        assert!("crio-1.30".parse::<Runtime>().unwrap_err().contains("1.31"));
        assert!("containerd-1.6.20".parse::<Runtime>().is_err());
    }

    #[test]
    fn node_runtime_versions_as_kubectl_prints_them() {
        let r = |s: &str| s.parse::<Runtime>();
        assert_eq!(r("containerd://2.0.5"), r("containerd-2.0.5"));
        assert_eq!(r("containerd://2.0.5").unwrap().to_string(), "containerd-2.0.5");
        assert_eq!(r("containerd://1.7.27").unwrap().kind, RuntimeKind::Containerd17);
        assert_eq!(r("containerd://1.7.27").unwrap().release, Some((7, Some(27))));
        assert_eq!(r("cri-o://1.32.1").unwrap(), r("crio-1.32").unwrap());
        assert_eq!(r("CRI-O://1.33.0").unwrap().kind, RuntimeKind::Crio);
        // Unknown families and releases are refused with the reason, never mapped to a near model.
        assert!(
            r("docker://20.10.7").unwrap_err().contains("dockershim"),
            "{:?}",
            r("docker://20.10.7")
        );
        assert!(r("docker").unwrap_err().contains("dockershim"));
        assert!(r("rkt://1.30.0")
            .unwrap_err()
            .contains("containerd (1.7, 2.x) and CRI-O"));
        assert!(r("containerd://1.6.20").unwrap_err().contains("before 1.7"));
        assert!(r("cri-o://1.30.4").unwrap_err().contains("1.31"));
        assert!(r("containerd://3.0.0").unwrap_err().contains("unknown runtime"));
        assert!(r("containerd://1.7.23-k3s2").unwrap_err().contains("upstream"));
        assert!(r("containerd://2.1.0-rc.1").unwrap_err().contains("upstream"));
        assert!(r("containerd://").is_err());
        assert!(r("containerd://2..5").is_err());
        // The serde form (scenarios, policy settings) accepts the same strings.
        let env: Environment = serde_json::from_str(r#"{"runtime": "cri-o://1.32.1"}"#).unwrap();
        assert_eq!(env.runtime.kind, RuntimeKind::Crio);
    }

    #[test]
    fn uid_range_handling_follows_patch_lines() {
        let h = |s: &str| s.parse::<Runtime>().unwrap().uid_range_handling();
        assert_eq!(h("containerd-1.7.26"), UidRangeHandling::Wrap);
        assert_eq!(h("containerd-1.7.27"), UidRangeHandling::AsUsername);
        assert_eq!(h("containerd-1.7.32"), UidRangeHandling::Reject);
        assert_eq!(h("containerd-1.7"), UidRangeHandling::Reject);
        assert_eq!(h("containerd-2.0.3"), UidRangeHandling::Wrap);
        assert_eq!(h("containerd-2.0.8"), UidRangeHandling::AsUsername);
        assert_eq!(h("containerd-2.1.7"), UidRangeHandling::AsUsername);
        assert_eq!(h("containerd-2.1.8"), UidRangeHandling::Reject);
        assert_eq!(h("containerd-2.3.0"), UidRangeHandling::AsUsername);
        assert_eq!(h("containerd-2.4.0"), UidRangeHandling::Reject);
    }

    #[test]
    fn gate_defaults_by_version() {
        let env = |minor, gate| Environment {
            kubernetes_minor: minor,
            feature_gate: gate,
            ..Environment::default()
        };
        assert!(!env(30, Some(true)).gate_enabled());
        assert!(!env(31, None).gate_enabled());
        assert!(env(32, Some(true)).gate_enabled());
        assert!(env(33, None).gate_enabled());
        assert!(!env(34, Some(false)).gate_enabled());
        assert!(env(35, Some(false)).gate_enabled());
        assert_eq!(Environment::parse_kubernetes_version("v1.33.2"), Ok(33));
        assert!(Environment::parse_kubernetes_version("2.1").is_err());
    }

    #[test]
    fn release_menu_and_words_come_from_one_table() {
        assert_eq!(
            Runtime::user_file_bounds_releases(),
            "containerd 1.7.33+, 2.0.10+, 2.1.9+, 2.2.5+ and 2.3.2+"
        );
        let menu = Runtime::releases();
        for r in &menu {
            assert_eq!(r.to_string().parse::<Runtime>().unwrap(), *r, "{r}");
        }
        let bounded: Vec<String> = menu
            .iter()
            .filter(|r| r.release.is_some() && r.bounds_user_files())
            .map(|r| r.to_string())
            .collect();
        assert!(bounded.contains(&"containerd-1.7.33".to_owned()), "{bounded:?}");
        assert!(!menu
            .iter()
            .any(|r| r.to_string() == "containerd-1.7.32" && r.bounds_user_files()));
        assert_eq!(Runtime::CRIO.describe(), "CRI-O");
        assert_eq!(
            "containerd-2.0.5".parse::<Runtime>().unwrap().describe(),
            "containerd-2.0.5"
        );
    }
}
