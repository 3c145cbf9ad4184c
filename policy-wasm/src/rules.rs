//! PSP-style id rules (`MustRunAs`, `MayRunAs`, `RunAsAny`, `MustRunAsNonRoot`), in the JSON shape of
//! Kubewarden's user-group-psp policy so its settings move over unchanged.

#![forbid(unsafe_code)]

use podgroups_core::limits::MAX_ID;
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

/// An inclusive range of ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdRange {
    pub min: u64,
    pub max: u64,
}

impl IdRange {
    pub fn contains(self, id: u64) -> bool {
        self.min <= id && id <= self.max
    }
}

/// How one field is constrained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The value must be set and inside one of the ranges; a missing value is defaulted to the first
    /// range's `min` when the policy mutates.
    MustRunAs(Vec<IdRange>),
    /// A value that is set must be inside one of the ranges; a missing value is fine.
    MayRunAs(Vec<IdRange>),
    /// Only for `run_as_user`: uid 0 is refused, and a missing uid needs `runAsNonRoot: true`.
    MustRunAsNonRoot,
    RunAsAny,
}

/// Which strategies a field accepts, as PSP did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    RunAsUser,
    RunAsGroup,
    SupplementalGroups,
    FsGroup,
}

impl Field {
    pub fn setting(self) -> &'static str {
        match self {
            Field::RunAsUser => "run_as_user",
            Field::RunAsGroup => "run_as_group",
            Field::SupplementalGroups => "supplemental_groups",
            Field::FsGroup => "fs_group",
        }
    }

    fn allowed(self) -> &'static [&'static str] {
        match self {
            Field::RunAsUser => &["MustRunAs", "MustRunAsNonRoot", "RunAsAny"],
            _ => &["MustRunAs", "MayRunAs", "RunAsAny"],
        }
    }
}

impl Rule {
    /// Reads `{"rule": ..., "ranges": [{"min", "max"}]}`; every error names the setting and says what
    /// to write instead.
    pub fn parse(field: Field, value: &Value) -> Result<Rule, String> {
        let name = field.setting();
        // Worded only for a message.
        let allowed = || field.allowed().join(", ");
        let obj = value.as_object().ok_or_else(|| {
            format!("{name} must be an object like {{\"rule\": \"MustRunAs\", \"ranges\": [{{\"min\": 1000, \"max\": 2000}}]}}, got {}", short(value))
        })?;
        for key in obj.keys() {
            if !matches!(key.as_str(), "rule" | "ranges" | "overwrite") {
                return Err(format!("{name}: unknown key \"{key}\"; expected rule and ranges"));
            }
        }
        match obj.get("overwrite") {
            None | Some(Value::Bool(false)) | Some(Value::Null) => {}
            Some(Value::Bool(true)) => {
                return Err(format!(
                    "{name}.overwrite: true is not supported: this policy refuses out-of-range ids instead of silently replacing them; remove overwrite"
                ))
            }
            Some(other) => return Err(format!("{name}.overwrite must be false, got {}", short(other))),
        }
        // An empty object (what a settings form sends when nothing is chosen) means no rule.
        if obj.is_empty() {
            return Ok(Rule::RunAsAny);
        }
        let rule = match obj.get("rule") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(format!(
                    "{name}.rule must be one of {}, got {}",
                    allowed(),
                    short(other)
                ))
            }
            None => return Err(format!("{name}.rule is missing; use one of {}", allowed())),
        };
        if !field.allowed().contains(&rule) {
            return Err(format!(
                "{name}.rule \"{rule}\" is not supported; use one of {}",
                allowed()
            ));
        }
        let ranges = match obj.get("ranges") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => parse_ranges(name, v)?,
        };
        match rule {
            "MustRunAs" | "MayRunAs" if ranges.is_empty() => {
                Err(format!("{name}.rule {rule} needs at least one range in {name}.ranges"))
            }
            "MustRunAs" => Ok(Rule::MustRunAs(ranges)),
            "MayRunAs" => Ok(Rule::MayRunAs(ranges)),
            _ if !ranges.is_empty() => Err(format!(
                "{name}.ranges has no meaning with rule {rule}; remove it or use MustRunAs/MayRunAs"
            )),
            "MustRunAsNonRoot" => Ok(Rule::MustRunAsNonRoot),
            _ => Ok(Rule::RunAsAny),
        }
    }

    /// The ranges a set value must fall in, if any.
    pub fn ranges(&self) -> &[IdRange] {
        match self {
            Rule::MustRunAs(r) | Rule::MayRunAs(r) => r,
            Rule::MustRunAsNonRoot | Rule::RunAsAny => &[],
        }
    }

    /// The value a missing field is defaulted to (first range's min), for MustRunAs only.
    pub fn default_id(&self) -> Option<u64> {
        match self {
            Rule::MustRunAs(r) => r.first().map(|r| r.min),
            _ => None,
        }
    }

    /// Whether a set id is allowed by this rule's ranges (rules without ranges allow any valid id).
    pub fn allows(&self, id: u64) -> bool {
        let ranges = self.ranges();
        ranges.is_empty() || ranges.iter().any(|r| r.contains(id))
    }
}

fn parse_ranges(name: &str, value: &Value) -> Result<Vec<IdRange>, String> {
    let list = value.as_array().ok_or_else(|| {
        format!(
            "{name}.ranges must be a list of {{\"min\": N, \"max\": N}}, got {}",
            short(value)
        )
    })?;
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let at = format!("{name}.ranges[{i}]");
        let obj = item
            .as_object()
            .ok_or_else(|| format!("{at} must be an object {{\"min\": N, \"max\": N}}, got {}", short(item)))?;
        if let Some(key) = obj.keys().find(|k| !matches!(k.as_str(), "min" | "max")) {
            return Err(format!("{at}: unknown key \"{key}\"; expected min and max"));
        }
        let min = range_bound(&at, "min", obj.get("min"))?;
        let max = range_bound(&at, "max", obj.get("max"))?;
        if min > max {
            return Err(format!("{at}: min {min} is greater than max {max}"));
        }
        out.push(IdRange { min, max });
    }
    Ok(out)
}

fn range_bound(at: &str, key: &str, value: Option<&Value>) -> Result<u64, String> {
    let value = value.ok_or_else(|| format!("{at}.{key} is missing"))?;
    match id_of(value) {
        Ok(id) => Ok(id),
        Err(e) => Err(format!("{at}.{key} {e}")),
    }
}

/// Reads a uid/gid as Kubernetes accepts it: an integer in `0..=MAX_ID` (Spec 1.2).
pub fn id_of(value: &Value) -> Result<u64, String> {
    match value.as_u64() {
        Some(n) if n <= u64::from(MAX_ID) => Ok(n),
        _ => Err(format!(
            "must be an integer between 0 and {MAX_ID}, got {}",
            short(value)
        )),
    }
}

/// [`id_of`] on a raw JSON value: a plain decimal integer is read without building a `Value`; anything
/// else takes `id_of`'s path, so the answer and the message are the same.
pub fn id_of_raw(raw: &RawValue) -> Result<u64, String> {
    match raw.get().parse::<u64>() {
        Ok(n) if n <= u64::from(MAX_ID) => Ok(n),
        _ => match parse(raw) {
            Ok(value) => id_of(&value),
            Err(_) => Err(format!(
                "must be an integer between 0 and {MAX_ID}, got {}",
                short_raw(raw)
            )),
        },
    }
}

/// A raw JSON value as a `Value`, for messages and the few values the fast paths do not read. Read as
/// bytes, as the artifacts read every other `Value`, so the wasm holds one copy of that parser.
pub fn parse(raw: &RawValue) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(raw.get().as_bytes())
}

/// [`short`] of a raw JSON value; a value nested too deeply to parse (the policy only skips over what
/// it does not read, without serde_json's depth limit) is shown by its first characters as written.
pub fn short_raw(raw: &RawValue) -> String {
    match parse(raw) {
        Ok(value) => short(&value),
        Err(_) => format!("{}…", raw.get().chars().take(20).collect::<String>()),
    }
}

/// A value for a message, cut short so a huge input cannot make a huge message.
pub fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 64 {
        return text;
    }
    let mut end = 60;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", text.get(..end).unwrap_or_default())
}

/// `1000-2000, 3000-4000`, or `1000` for a one-id range.
pub struct Ranges<'a>(pub &'a [IdRange]);

impl fmt::Display for Ranges<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if r.min == r.max {
                write!(f, "{}", r.min)?;
            } else {
                write!(f, "{}-{}", r.min, r.max)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_user_group_psp_shape() {
        let rule = Rule::parse(
            Field::RunAsGroup,
            &json!({"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}, {"min": 3000, "max": 3000}]}),
        )
        .unwrap();
        assert_eq!(
            rule,
            Rule::MustRunAs(vec![IdRange { min: 1000, max: 2000 }, IdRange { min: 3000, max: 3000 }])
        );
        assert_eq!(rule.default_id(), Some(1000));
        assert!(rule.allows(3000) && rule.allows(1500) && !rule.allows(2500));
        assert_eq!(Ranges(rule.ranges()).to_string(), "1000-2000, 3000");
        assert_eq!(
            Rule::parse(Field::RunAsUser, &json!({"rule": "MustRunAsNonRoot"})).unwrap(),
            Rule::MustRunAsNonRoot
        );
        assert_eq!(
            Rule::parse(Field::FsGroup, &json!({"rule": "RunAsAny", "overwrite": false})).unwrap(),
            Rule::RunAsAny
        );
        assert_eq!(Rule::parse(Field::FsGroup, &json!({})).unwrap(), Rule::RunAsAny);
    }

    #[test]
    fn refuses_bad_rules_with_messages() {
        let err = |f, v| Rule::parse(f, &v).unwrap_err();
        assert!(err(Field::RunAsGroup, json!({"rule": "MustRunAsNonRoot"}))
            .contains("use one of MustRunAs, MayRunAs, RunAsAny"));
        assert!(err(
            Field::RunAsUser,
            json!({"rule": "MayRunAs", "ranges": [{"min": 1, "max": 2}]})
        )
        .contains("not supported"));
        assert!(err(Field::FsGroup, json!({"rule": "MustRunAs"})).contains("needs at least one range"));
        assert!(err(
            Field::FsGroup,
            json!({"rule": "MustRunAs", "ranges": [{"min": 5, "max": 1}]})
        )
        .contains("min 5 is greater than max 1"));
        assert!(err(
            Field::FsGroup,
            json!({"rule": "MustRunAs", "ranges": [{"min": -1, "max": 1}]})
        )
        .contains("ranges[0].min must be an integer"));
        assert!(err(
            Field::FsGroup,
            json!({"rule": "MustRunAs", "ranges": [{"min": 1, "max": 1e40}]})
        )
        .contains("ranges[0].max"));
        assert!(err(Field::FsGroup, json!({"rule": "MustRunAs", "ranges": "1-2"})).contains("must be a list"));
        assert!(err(
            Field::FsGroup,
            json!({"rule": "RunAsAny", "ranges": [{"min": 1, "max": 2}]})
        )
        .contains("no meaning"));
        assert!(err(Field::FsGroup, json!({"rule": 7})).contains("fs_group.rule must be one of"));
        assert!(err(Field::FsGroup, json!({"ranges": []})).contains("fs_group.rule is missing"));
        assert!(err(Field::FsGroup, json!("MustRunAs")).contains("fs_group must be an object"));
        assert!(err(Field::FsGroup, json!({"rule": "RunAsAny", "overwrite": true}))
            .contains("overwrite: true is not supported"));
        assert!(err(Field::FsGroup, json!({"rule": "RunAsAny", "Ranges": []})).contains("unknown key \"Ranges\""));
    }

    #[test]
    fn ids_follow_the_apiserver_range() {
        assert_eq!(id_of(&json!(0)), Ok(0));
        assert_eq!(id_of(&json!(2147483647)), Ok(2147483647));
        for bad in [
            json!(2147483648u64),
            json!(-1),
            json!(1.5),
            json!("1000"),
            json!(null),
            json!(1e300),
        ] {
            assert!(id_of(&bad).is_err(), "{bad}");
        }
        assert!(short(&json!("x".repeat(500))).ends_with('…'));
        let raw = |t: &str| serde_json::from_str::<Box<RawValue>>(t).unwrap();
        for text in [
            "0",
            "2147483647",
            "2147483648",
            "-0",
            "-1",
            "1.0",
            "1e3",
            "\"7\"",
            "null",
            "18446744073709551616",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(id_of_raw(&raw(text)), id_of(&value), "{text}");
        }
    }
}
