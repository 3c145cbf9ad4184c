//! YAML documents through serde-saphyr: panic-free, duplicate keys rejected, merge keys applied,
//! alias and node budgets enforced, every node spanned with its line and column.

use super::node::{Node, Value};
use crate::error::{InputError, Location, Source};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// Parses a YAML stream of one or more documents.
pub fn parse(text: &str) -> Result<Vec<Node>, InputError> {
    let mut options = serde_saphyr::Options::default();
    if let Some(budget) = options.budget.as_mut() {
        // A 10,000-pod List is legitimate input; alias bombs and deep nesting stay bounded.
        budget.max_nodes = 4_000_000;
        budget.max_events = 8_000_000;
        budget.max_documents = 10_000;
        // Deep enough for any manifest (a CronJob's affinity terms sit ~15 levels down), shallow
        // enough that a 1 MiB wasm stack or a 2 MiB test thread never overflows in the deserializer.
        budget.max_depth = 48;
    }
    options.with_snippet = false;
    let docs: Vec<Option<SpannedValue>> =
        serde_saphyr::from_multiple_with_options(text, options).map_err(|e| yaml_error(&e))?;
    Ok(docs.into_iter().flatten().map(SpannedValue::into_node).collect())
}

fn yaml_error(e: &serde_saphyr::Error) -> InputError {
    let location = e.location().filter(|l| l.line() > 0).map(|l| Location {
        line: u32::try_from(l.line()).unwrap_or(u32::MAX),
        column: u32::try_from(l.column()).unwrap_or(u32::MAX),
    });
    let text = e.to_string();
    let message = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid YAML")
        .trim()
        .to_owned();
    let hint = if message.contains("budget") {
        "the document expands past the parser's limits (alias bomb or extreme nesting); remove the aliases"
    } else {
        "fix the YAML there (or give JSON)"
    };
    let message = format!("{message}; {hint}");
    InputError::new(Source::Manifest, message).at(None, location)
}

/// A node as serde-saphyr hands it over.
struct SpannedValue(Spanned<RawValue>);

enum RawValue {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<SpannedValue>),
    Map(Vec<(String, SpannedValue)>),
}

impl SpannedValue {
    fn into_node(self) -> Node {
        let loc = self.0.referenced;
        let location = (loc.line() > 0).then(|| Location {
            line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
            column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
        });
        let value = match self.0.value {
            RawValue::Null => Value::Null,
            RawValue::Bool(b) => Value::Bool(b),
            RawValue::Int(i) => Value::Int(i),
            RawValue::Float(f) => Value::Float(f),
            RawValue::Str(s) => Value::Str(s),
            RawValue::Seq(items) => Value::Seq(items.into_iter().map(SpannedValue::into_node).collect()),
            RawValue::Map(entries) => Value::Map(entries.into_iter().map(|(k, v)| (k, v.into_node())).collect()),
        };
        Node::new(value, location)
    }
}

impl<'de> Deserialize<'de> for SpannedValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Spanned::<RawValue>::deserialize(d).map(SpannedValue)
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawValue, E> {
        Ok(RawValue::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawValue, E> {
        i128::try_from(v)
            .map(RawValue::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<RawValue, E> {
        Ok(RawValue::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<SpannedValue>()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries: Vec<(String, SpannedValue)> = Vec::new();
        while let Some(key) = map.next_key::<KeyString>()? {
            let value = map.next_value::<SpannedValue>()?;
            entries.push((key.0, value));
        }
        Ok(RawValue::Map(entries))
    }
}

/// A mapping key of any scalar type, as text (Kubernetes keys are strings; `1: x` is kept as "1").
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyString, E> {
                Ok(KeyString(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyString, E> {
                Ok(KeyString(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyString, E> {
                Ok(KeyString(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyString, E> {
                Ok(KeyString("null".to_owned()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}
