//! Pod specs read straight from JSON text, borrowed and lazily (Spec 1.5, 4): an object's members are
//! listed as raw text without parsing their values, so a reader that needs a few fields of a large
//! object (the admission policy, on every request) builds nothing else, and each value keeps its place
//! in the text for callers that patch it. The container lists and the precedence of the
//! security-context fields are the typed reader's ([`CONTAINER_LISTS`], [`effective_context`]).

use super::CONTAINER_LISTS;
use crate::kubelet::{effective_context, EffectiveContext, Level, SecurityContextFields};
use crate::report::ContainerKind;
use serde::de::value::SeqAccessDeserializer;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A JSON object's members as raw text, in document order.
#[derive(Clone, Debug)]
pub struct Object<'a> {
    /// `None` for an object read in its parent's pass ([`Object::with_nested`]).
    text: Option<&'a str>,
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// A member read in its parent's pass: an object's members, or any other value, built.
#[derive(Clone, Debug)]
pub enum Nested<'a> {
    Object(Object<'a>),
    Other(serde_json::Value),
}

impl<'a> Object<'a> {
    /// The members of `raw`, or `None` when it is not an object.
    pub fn parse(raw: &'a RawValue) -> Option<Object<'a>> {
        if !raw.get().starts_with('{') {
            return None;
        }
        Object::from_text(raw.get()).ok()
    }

    /// Parses `text` as one JSON object (surrounding whitespace allowed).
    pub fn from_text(text: &'a str) -> Result<Object<'a>, serde_json::Error> {
        let members = serde_json::from_str::<Members<'a>>(text)?.0;
        Ok(Object {
            text: Some(text),
            members,
        })
    }

    /// [`Object::from_text`], with the member `key` read in the same pass (saves scanning a large
    /// member twice); that member is then not among the object's own (`get(key)` is `None`).
    pub fn with_nested(text: &'a str, key: &str) -> Result<(Object<'a>, Option<Nested<'a>>), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let (members, nested) = de.deserialize_map(NestedVisitor { key })?;
        de.end()?;
        let object = Object {
            text: Some(text),
            members,
        };
        Ok((object, nested))
    }

    /// `{}`.
    pub fn empty() -> Object<'static> {
        Object {
            text: Some("{}"),
            members: Vec::new(),
        }
    }

    /// The object's own text, of which every value handed out is a slice; `None` for a [`Nested`] one.
    pub fn text(&self) -> Option<&'a str> {
        self.text
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The value of `key`, `null` included; the last one wins when a key repeats, as in serde_json.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The value of `key` unless it is absent or `null` (Kubernetes reads both as unset).
    pub fn field(&self, key: &str) -> Option<&'a RawValue> {
        self.get(key).filter(|v| !is_null(v))
    }

    /// `key`'s value as a string, if it is one.
    pub fn string(&self, key: &str) -> Option<Cow<'a, str>> {
        self.get(key).and_then(string)
    }

    /// The value at a JSON pointer through objects only (`/spec/template/spec`, as
    /// [`super::pod_spec_pointer`] gives); `None` when a step is missing or not an object.
    pub fn pointer(&self, pointer: &str) -> Option<&'a RawValue> {
        let mut keys = pointer.strip_prefix('/')?.split('/');
        let mut value = self.get(keys.next()?)?;
        for key in keys {
            value = Object::parse(value)?.get(key)?;
        }
        Some(value)
    }
}

/// Whether a raw value is JSON `null`.
pub fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

/// A raw JSON string's content (escapes decoded), or `None` when it is not a string.
pub fn string(raw: &RawValue) -> Option<Cow<'_, str>> {
    if !raw.get().starts_with('"') {
        return None;
    }
    serde_json::from_str::<Key<'_>>(raw.get()).ok().map(|k| k.0)
}

/// A raw JSON array's items, or `None` when it is not an array.
pub fn items(raw: &RawValue) -> Option<Vec<&RawValue>> {
    if !raw.get().starts_with('[') {
        return None;
    }
    serde_json::from_str(raw.get()).ok()
}

/// A security context as written: the object (none when absent or `null`) and whose it is.
#[derive(Clone, Debug)]
pub struct SecurityContext<'a> {
    pub object: Option<Object<'a>>,
    pub level: Level,
}

/// One set security-context field: its raw value and the context that set it.
#[derive(Clone, Copy, Debug)]
pub struct Set<'a> {
    pub value: &'a RawValue,
    pub level: Level,
}

impl<'a> SecurityContext<'a> {
    /// `owner.securityContext` (a pod spec's or a container's); `Err` with the value when it is not
    /// an object.
    pub fn of(owner: &Object<'a>, level: Level) -> Result<SecurityContext<'a>, &'a RawValue> {
        let object = match owner.field("securityContext") {
            None => None,
            Some(raw) => Some(Object::parse(raw).ok_or(raw)?),
        };
        Ok(SecurityContext { object, level })
    }

    /// The field `key` unless absent or `null`.
    pub fn field(&self, key: &str) -> Option<Set<'a>> {
        let value = self.object.as_ref()?.field(key)?;
        Some(Set {
            value,
            level: self.level,
        })
    }
}

impl<'a> SecurityContextFields for SecurityContext<'a> {
    type Id = Set<'a>;
    type Flag = Set<'a>;
    fn run_as_user(&self) -> Option<Set<'a>> {
        self.field("runAsUser")
    }
    fn run_as_group(&self) -> Option<Set<'a>> {
        self.field("runAsGroup")
    }
    fn run_as_non_root(&self) -> Option<Set<'a>> {
        self.field("runAsNonRoot")
    }
}

/// Step 4 over raw JSON: the container's `runAsUser`, `runAsGroup` and `runAsNonRoot`, each replacing
/// the pod's, with the level each came from.
pub fn effective<'a>(pod: &SecurityContext<'a>, container: &SecurityContext<'a>) -> EffectiveContext<Set<'a>, Set<'a>> {
    effective_context(pod, container)
}

/// One entry of a pod spec's container lists.
#[derive(Clone, Debug)]
pub enum ContainerEntry<'a> {
    /// The list is present but not a JSON array.
    NotAList {
        list: &'static str,
        value: &'a RawValue,
    },
    /// `list[index]` is not a JSON object.
    NotAnObject {
        list: &'static str,
        index: usize,
        value: &'a RawValue,
    },
    Container(RawContainer<'a>),
}

/// A container object and where it sits: `list[index]` of the pod spec.
#[derive(Clone, Debug)]
pub struct RawContainer<'a> {
    pub list: &'static str,
    pub kind: ContainerKind,
    pub index: usize,
    pub object: Object<'a>,
}

impl<'a> RawContainer<'a> {
    pub fn name(&self) -> Option<Cow<'a, str>> {
        self.object.string("name")
    }

    pub fn image(&self) -> Option<Cow<'a, str>> {
        self.object.string("image")
    }

    /// The container's `securityContext`; `Err` with the value when it is not an object.
    pub fn security_context(&self) -> Result<SecurityContext<'a>, &'a RawValue> {
        SecurityContext::of(&self.object, Level::Container)
    }
}

/// Every container of a pod spec, in [`CONTAINER_LISTS`] order; an absent or `null` list is empty.
pub fn containers<'a>(spec: &Object<'a>) -> Vec<ContainerEntry<'a>> {
    let mut out = Vec::new();
    for (list, kind) in CONTAINER_LISTS {
        let Some(value) = spec.field(list) else { continue };
        let Some(entries) = items(value) else {
            out.push(ContainerEntry::NotAList { list, value });
            continue;
        };
        for (index, value) in entries.into_iter().enumerate() {
            out.push(match Object::parse(value) {
                Some(object) => ContainerEntry::Container(RawContainer {
                    list,
                    kind,
                    index,
                    object,
                }),
                None => ContainerEntry::NotAnObject { list, index, value },
            });
        }
    }
    out
}

/// `spec.os.name`, which says a pod is a Windows pod (Spec 1.4).
pub fn os_name<'a>(spec: &Object<'a>) -> Option<Cow<'a, str>> {
    Object::parse(spec.field("os")?)?.string("name")
}

/// An object's members, keys borrowed unless they hold escapes.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Members<'de>, M::Error> {
                read_members(map).map(Members)
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// Every member of an object, values as raw text.
fn read_members<'de, M: MapAccess<'de>>(mut map: M) -> Result<Vec<(Cow<'de, str>, &'de RawValue)>, M::Error> {
    let mut members = Vec::with_capacity(8);
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        members.push((key, map.next_value::<&'de RawValue>()?));
    }
    Ok(members)
}

/// The members of an object, except `key`, which is read as [`Nested`].
struct NestedVisitor<'k> {
    key: &'k str,
}

impl<'de> Visitor<'de> for NestedVisitor<'_> {
    type Value = (Vec<(Cow<'de, str>, &'de RawValue)>, Option<Nested<'de>>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let (mut members, mut nested) = (Vec::with_capacity(8), None);
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if key == self.key {
                nested = Some(map.next_value::<Nested<'de>>()?);
            } else {
                members.push((key, map.next_value::<&'de RawValue>()?));
            }
        }
        Ok((members, nested))
    }
}

impl<'de> Deserialize<'de> for Nested<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NestedValue;
        impl<'de> Visitor<'de> for NestedValue {
            type Value = Nested<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Nested<'de>, M::Error> {
                let members = read_members(map)?;
                Ok(Nested::Object(Object { text: None, members }))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Nested<'de>, S::Error> {
                serde_json::Value::deserialize(SeqAccessDeserializer::new(seq)).map(Nested::Other)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Nested<'de>, E> {
                Ok(Nested::Other(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Nested<'de>, E> {
                Ok(Nested::Other(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Nested<'de>, E> {
                Ok(Nested::Other(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Nested<'de>, E> {
                Ok(Nested::Other(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Nested<'de>, E> {
                Ok(Nested::Other(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Nested<'de>, E> {
                Ok(Nested::Other(serde_json::Value::Null))
            }
        }
        deserializer.deserialize_any(NestedValue)
    }
}

/// A string, borrowed from the text unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Object<'_> {
        Object::from_text(text).unwrap()
    }

    #[test]
    fn members_are_borrowed_and_the_last_duplicate_wins() {
        let o = object(r#" {"a": 1, "b": {"c": [1, 2]}, "a": null, "e\u0073c": "x\"y"} "#);
        assert_eq!(o.get("a").map(RawValue::get), Some("null"));
        assert!(o.field("a").is_none() && o.field("missing").is_none());
        assert_eq!(o.get("b").map(RawValue::get), Some(r#"{"c": [1, 2]}"#));
        assert_eq!(o.string("esc").as_deref(), Some("x\"y"));
        assert_eq!(o.pointer("/b/c").map(RawValue::get), Some("[1, 2]"));
        assert!(o.pointer("/b/c/0").is_none() && o.pointer("b").is_none());
        let b = o.get("b").unwrap().get();
        let text = o.text().unwrap();
        let offset = b.as_ptr() as usize - text.as_ptr() as usize;
        assert_eq!(text.get(offset..offset + b.len()), Some(b));
        assert!(Object::from_text("[1]").is_err() && Object::from_text("{").is_err());
        assert_eq!(items(o.pointer("/b/c").unwrap()).map(|i| i.len()), Some(2));
    }

    #[test]
    fn a_nested_member_is_read_in_the_parent_s_pass() {
        let (o, nested) =
            Object::with_nested(r#"{"request": {"a": [1], "b": "x"}, "settings": {}}"#, "request").unwrap();
        assert!(o.get("request").is_none() && o.get("settings").is_some());
        let Some(Nested::Object(request)) = nested else {
            panic!()
        };
        assert!(request.text().is_none());
        assert_eq!(request.get("a").map(RawValue::get), Some("[1]"));
        assert_eq!(request.string("b").as_deref(), Some("x"));
        for (text, value) in [
            (r#"{"request": [1, {"a": null}]}"#, serde_json::json!([1, {"a": null}])),
            (r#"{"request": null}"#, serde_json::Value::Null),
            (r#"{"request": -2.5}"#, serde_json::json!(-2.5)),
            (r#"{"request": "s"}"#, serde_json::json!("s")),
        ] {
            let Ok((_, Some(Nested::Other(v)))) = Object::with_nested(text, "request") else {
                panic!("{text}")
            };
            assert_eq!(v, value);
        }
        assert!(matches!(Object::with_nested("{}", "request"), Ok((_, None))));
        assert!(Object::with_nested("[1]", "request").unwrap_err().is_data());
        assert!(Object::with_nested(r#"{"request": {"a": }"#, "request").is_err());
    }

    #[test]
    fn containers_in_kubelet_order_with_bad_entries_named() {
        let spec = object(
            r#"{"ephemeralContainers": [{"name": "debug"}], "containers": [{"name": "app", "image": "a:1"}, 7],
                "initContainers": "x", "securityContext": null}"#,
        );
        let found: Vec<String> = containers(&spec)
            .iter()
            .map(|e| match e {
                ContainerEntry::NotAList { list, value } => format!("{list} not a list: {}", value.get()),
                ContainerEntry::NotAnObject { list, index, value } => format!("{list}[{index}]: {}", value.get()),
                ContainerEntry::Container(c) => format!(
                    "{} {}[{}] {:?} {:?}",
                    c.kind.describe(),
                    c.list,
                    c.index,
                    c.name(),
                    c.image()
                ),
            })
            .collect();
        assert_eq!(
            found,
            [
                "initContainers not a list: \"x\"",
                "container containers[0] Some(\"app\") Some(\"a:1\")",
                "containers[1]: 7",
                "ephemeral container ephemeralContainers[0] Some(\"debug\") None",
            ]
        );
        assert!(SecurityContext::of(&spec, Level::Pod).unwrap().object.is_none());
        assert_eq!(
            os_name(&object(r#"{"os": {"name": "windows"}}"#)).as_deref(),
            Some("windows")
        );
    }

    #[test]
    fn container_fields_replace_the_pod_s_one_by_one() {
        let spec = object(
            r#"{"securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "runAsNonRoot": true},
                "containers": [{"name": "a", "securityContext": {"runAsUser": 0, "runAsGroup": null}},
                               {"name": "b", "securityContext": "oops"}]}"#,
        );
        let pod = SecurityContext::of(&spec, Level::Pod).unwrap();
        let list = containers(&spec);
        let ContainerEntry::Container(a) = &list[0] else {
            panic!()
        };
        let eff = effective(&pod, &a.security_context().unwrap());
        let shown = |s: Option<Set<'_>>| s.map(|s| (s.value.get().to_owned(), s.level));
        assert_eq!(shown(eff.run_as_user), Some(("0".into(), Level::Container)));
        assert_eq!(shown(eff.run_as_group), Some(("3000".into(), Level::Pod)));
        assert_eq!(shown(eff.run_as_non_root), Some(("true".into(), Level::Pod)));
        let ContainerEntry::Container(b) = &list[1] else {
            panic!()
        };
        assert_eq!(b.security_context().unwrap_err().get(), "\"oops\"");
    }

    /// The raw reader and the typed pipeline share one precedence: the same manifest gives the same
    /// effective values through both.
    #[test]
    fn raw_and_typed_readers_agree_on_the_effective_context() {
        let text = r#"{"kind": "Pod", "metadata": {"name": "p"}, "spec": {
            "securityContext": {"runAsUser": 1000, "runAsNonRoot": false},
            "initContainers": [{"name": "i", "securityContext": {"runAsGroup": 5}}],
            "containers": [{"name": "c", "securityContext": {"runAsUser": 7, "runAsNonRoot": true}}]}}"#;
        let docs = super::super::parse_documents(text).unwrap();
        let (specs, _) = super::super::pod_specs(&docs).unwrap();
        let typed: Vec<_> = specs[0]
            .containers
            .iter()
            .map(|c| {
                let e = crate::kubelet::effective(&specs[0], c);
                (
                    e.run_as_user.map(|f| f.value.to_string()),
                    e.run_as_group.map(|f| f.value.to_string()),
                    e.run_as_non_root.map(|f| f.value.to_string()),
                )
            })
            .collect();
        let object = object(text);
        let spec = Object::parse(object.get("spec").unwrap()).unwrap();
        let pod = SecurityContext::of(&spec, Level::Pod).unwrap();
        let raw: Vec<_> = containers(&spec)
            .iter()
            .filter_map(|e| match e {
                ContainerEntry::Container(c) => Some(effective(&pod, &c.security_context().unwrap())),
                _ => None,
            })
            .map(|e| {
                let text = |s: Option<Set<'_>>| s.map(|s| s.value.get().to_owned());
                (text(e.run_as_user), text(e.run_as_group), text(e.run_as_non_root))
            })
            .collect();
        assert_eq!(typed, raw);
        assert_eq!(
            raw,
            [
                (Some("1000".into()), Some("5".into()), Some("false".into())),
                (Some("7".into()), None, Some("true".into())),
            ]
        );
    }
}
