//! A parsed document: plain values that remember where they stood in the text.

use crate::error::Location;

/// A YAML/JSON value with its position (`None` for JSON, whose parser keeps none).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub location: Option<Location>,
}

/// The data model shared by YAML and JSON. Maps keep order and reject duplicate keys at parse time.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Integers of any size YAML or JSON can write (ids are validated later, Spec 1.2).
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Value {
    /// The word used in messages: `expected an integer, found a string`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a decimal number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub fn new(value: Value, location: Option<Location>) -> Self {
        Node { value, location }
    }

    /// The value under `key` in a mapping (`None` for a missing key, an explicit null, or a non-mapping).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .filter(|v| v.value != Value::Null),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is a list.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Follows a `.`-separated path of mapping keys.
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// The same value as JSON (positions dropped), for typed reads through serde.
    pub fn into_json(self) -> serde_json::Value {
        match self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => b.into(),
            Value::Int(i) => match (i64::try_from(i), u64::try_from(i)) {
                (Ok(v), _) => v.into(),
                (_, Ok(v)) => v.into(),
                // Wider than JSON numbers: kept as text, which every typed read refuses clearly.
                _ => i.to_string().into(),
            },
            Value::Float(f) => f.into(),
            Value::Str(s) => s.into(),
            Value::Seq(items) => items.into_iter().map(Node::into_json).collect(),
            Value::Map(entries) => entries.into_iter().map(|(k, v)| (k, v.into_json())).collect(),
        }
    }
}
