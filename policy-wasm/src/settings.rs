//! Policy settings: snake_case keys, read by hand from JSON so every mistake (wrong type, unknown key,
//! typo) becomes a message that names the setting, never a trap or a silent default.

#![forbid(unsafe_code)]

use crate::rules::{short, Field, Rule};
use serde_json::Value;

/// Every key the settings accept (the unknown-key message names them; the packaging's questions must
/// cover them).
pub const KEYS: &[&str] = &[
    "mutate",
    "exempt_images",
    "exempt_namespaces",
    "run_as_user",
    "run_as_group",
    "supplemental_groups",
    "fs_group",
    "require_run_as_group",
    "check_image_user",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Set missing values (`supplementalGroupsPolicy: Strict`, MustRunAs defaults) instead of rejecting.
    pub mutate: bool,
    pub exempt_images: Vec<ImagePattern>,
    pub exempt_namespaces: Vec<String>,
    pub run_as_user: Rule,
    pub run_as_group: Rule,
    pub supplemental_groups: Rule,
    pub fs_group: Rule,
    /// Refuse containers whose primary gid would come from the image's passwd or fall back to 0 (Spec 8.3).
    pub require_run_as_group: bool,
    /// When no `runAsUser` is set, judge the image config's `USER` (Kubewarden's
    /// `oci/v1/oci_manifest_config` capability; the OPA artifact has no such capability).
    pub check_image_user: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mutate: true,
            exempt_images: Vec::new(),
            exempt_namespaces: Vec::new(),
            run_as_user: Rule::RunAsAny,
            run_as_group: Rule::RunAsAny,
            supplemental_groups: Rule::RunAsAny,
            fs_group: Rule::RunAsAny,
            require_run_as_group: false,
            check_image_user: false,
        }
    }
}

/// An `exempt_images` entry: exact image reference, or a prefix when it ends with `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImagePattern {
    Exact(String),
    Prefix(String),
}

impl ImagePattern {
    pub fn matches(&self, image: &str) -> bool {
        match self {
            ImagePattern::Exact(s) => image == s,
            ImagePattern::Prefix(p) => image.starts_with(p.as_str()),
        }
    }
}

impl Settings {
    /// Reads settings from JSON; `null` and `{}` give the defaults.
    pub fn from_json(value: &Value) -> Result<Settings, String> {
        let mut s = Settings::default();
        let obj = match value {
            Value::Null => return Ok(s),
            Value::Object(obj) => obj,
            other => return Err(format!("settings must be an object, got {}", short(other))),
        };
        for (key, v) in obj {
            match key.as_str() {
                "mutate" => s.mutate = boolean(key, v)?,
                "require_run_as_group" => s.require_run_as_group = boolean(key, v)?,
                "check_image_user" => s.check_image_user = boolean(key, v)?,
                "exempt_images" => {
                    s.exempt_images = strings(key, v)?.into_iter().map(pattern).collect::<Result<_, _>>()?
                }
                "exempt_namespaces" => s.exempt_namespaces = strings(key, v)?,
                "run_as_user" => s.run_as_user = rule(Field::RunAsUser, v)?,
                "run_as_group" => s.run_as_group = rule(Field::RunAsGroup, v)?,
                "supplemental_groups" => s.supplemental_groups = rule(Field::SupplementalGroups, v)?,
                "fs_group" => s.fs_group = rule(Field::FsGroup, v)?,
                _ => {
                    return Err(format!(
                        "unknown setting \"{key}\"; settings are snake_case: {}",
                        KEYS.join(", ")
                    ))
                }
            }
        }
        Ok(s)
    }

    pub fn image_exempt(&self, image: &str) -> bool {
        self.exempt_images.iter().any(|p| p.matches(image))
    }

    pub fn namespace_exempt(&self, namespace: &str) -> bool {
        self.exempt_namespaces.iter().any(|n| n == namespace)
    }
}

fn rule(field: Field, v: &Value) -> Result<Rule, String> {
    if v.is_null() {
        return Ok(Rule::RunAsAny);
    }
    Rule::parse(field, v)
}

fn boolean(key: &str, v: &Value) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("{key} must be true or false, got {}", short(v)))
}

fn strings(key: &str, v: &Value) -> Result<Vec<String>, String> {
    let list = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        other => return Err(format!("{key} must be a list of strings, got {}", short(other))),
    };
    list.iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            other => Err(format!("{key}[{i}] must be a non-empty string, got {}", short(other))),
        })
        .collect()
}

fn pattern(entry: String) -> Result<ImagePattern, String> {
    match entry.find('*') {
        None => Ok(ImagePattern::Exact(entry)),
        Some(i) if i + 1 == entry.len() => {
            let prefix = entry.trim_end_matches('*').to_string();
            if prefix.is_empty() {
                Err("exempt_images entry \"*\" would exempt every image; remove the policy from those namespaces with exempt_namespaces instead".into())
            } else {
                Ok(ImagePattern::Prefix(prefix))
            }
        }
        Some(_) => Err(format!(
            "exempt_images entry \"{entry}\": `*` is only allowed at the end, as a prefix match (\"registry.example.com/tools/*\")"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::IdRange;
    use serde_json::json;

    #[test]
    fn defaults_mutate_and_allow_any_id() {
        for v in [json!(null), json!({})] {
            let s = Settings::from_json(&v).unwrap();
            assert_eq!(s, Settings::default());
            assert!(s.mutate && !s.require_run_as_group);
        }
    }

    #[test]
    fn reads_every_setting() {
        let s = Settings::from_json(&json!({
            "mutate": false,
            "exempt_images": ["registry.k8s.io/pause:3.10", "ghcr.io/tools/*"],
            "exempt_namespaces": ["kube-system"],
            "run_as_user": {"rule": "MustRunAsNonRoot"},
            "run_as_group": {"rule": "MayRunAs", "ranges": [{"min": 1000, "max": 2000}]},
            "supplemental_groups": {"rule": "MustRunAs", "ranges": [{"min": 3000, "max": 4000}]},
            "fs_group": null,
            "require_run_as_group": true
        }))
        .unwrap();
        assert!(!s.mutate && s.require_run_as_group);
        assert!(s.image_exempt("registry.k8s.io/pause:3.10"));
        assert!(!s.image_exempt("registry.k8s.io/pause:3.9"));
        assert!(s.image_exempt("ghcr.io/tools/debug:1"));
        assert!(!s.image_exempt("ghcr.io/toolsx"));
        assert!(s.namespace_exempt("kube-system") && !s.namespace_exempt("default"));
        assert_eq!(s.run_as_user, Rule::MustRunAsNonRoot);
        assert_eq!(s.run_as_group, Rule::MayRunAs(vec![IdRange { min: 1000, max: 2000 }]));
        assert_eq!(s.fs_group, Rule::RunAsAny);
    }

    #[test]
    fn wrong_types_and_typos_are_messages() {
        let err = |v| Settings::from_json(&v).unwrap_err();
        assert_eq!(
            err(json!({"mutate": "yes"})),
            "mutate must be true or false, got \"yes\""
        );
        assert!(
            err(json!({"exemptImages": []})).starts_with("unknown setting \"exemptImages\"; settings are snake_case")
        );
        assert!(err(json!({"exempt_images": "nginx"})).contains("exempt_images must be a list of strings"));
        assert!(err(json!({"exempt_images": [1]})).contains("exempt_images[0] must be a non-empty string"));
        assert!(err(json!({"exempt_images": ["a*b"]})).contains("only allowed at the end"));
        assert!(err(json!({"exempt_images": ["*"]})).contains("would exempt every image"));
        assert!(err(json!({"exempt_namespaces": [""]})).contains("exempt_namespaces[0]"));
        assert!(err(json!({"run_as_group": {"rule": "Nope"}})).contains("run_as_group.rule \"Nope\""));
        assert!(err(json!([1, 2])).contains("settings must be an object"));
        assert!(err(json!({"require_run_as_group": 1})).contains("require_run_as_group must be true or false"));
    }
}
