//! JSON documents through serde_json (one value, or several concatenated), read straight into
//! [`Node`]s, a `List`'s items one at a time. JSON keeps no positions, except in errors. Duplicate
//! keys are refused, as the apiserver's strict decoding does and as the YAML reader does.

use super::node::{Node, Value};
use super::Piece;
use crate::error::{InputError, Location, Source};
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::fmt;

/// Parses one or more concatenated JSON values.
pub fn parse(text: &str) -> Result<Vec<Node>, InputError> {
    let mut docs = Vec::new();
    read_pieces(text, false, |piece| {
        if let Piece::Document(doc) = piece {
            docs.push(doc);
        }
        Ok(())
    })?;
    Ok(docs)
}

/// Reads concatenated JSON values, handing each to `each` as a [`Piece::Document`]; with
/// `stream_items`, the elements of an object's top-level `items` array come out one by one first,
/// as [`Piece::Item`]s, and the document keeps an empty `items`.
pub fn read_pieces(
    text: &str,
    stream_items: bool,
    mut each: impl FnMut(Piece) -> Result<(), InputError>,
) -> Result<(), InputError> {
    // A first, cheap pass finds where each value stands (and any syntax error).
    for raw in serde_json::Deserializer::from_str(text).into_iter::<&RawValue>() {
        let raw = raw.map_err(|e| error(&e, ""))?.get();
        let mut failed = None;
        let mut sink = |node: Node, kind: Option<&str>| {
            let kind = kind.map(str::to_owned);
            each(Piece::Item { node, kind }).map_err(|e| failed = Some(e)).is_ok()
        };
        let build = Build {
            items: (stream_items && raw.starts_with('{')).then_some(&mut sink as &mut Sink),
            stream: None,
        };
        let node = build.deserialize(&mut serde_json::Deserializer::from_str(raw));
        if let Some(e) = failed {
            return Err(e);
        }
        let node = node.map_err(|e| {
            let before = text.get(..raw.as_ptr() as usize - text.as_ptr() as usize);
            error(&e, before.unwrap_or(""))
        })?;
        each(Piece::Document(node))?;
    }
    Ok(())
}

/// A serde_json error as the user sees it, placed in the whole text: `before` is the text before
/// the value it was read from (counted only when there is an error to place).
fn error(e: &serde_json::Error, before: &str) -> InputError {
    let origin = Location {
        line: u32::try_from(before.matches('\n').count()).unwrap_or(u32::MAX),
        column: u32::try_from(before.len() - before.rfind('\n').map_or(0, |i| i + 1)).unwrap_or(u32::MAX),
    };
    let line = u32::try_from(e.line()).unwrap_or(u32::MAX);
    let column = u32::try_from(e.column()).unwrap_or(u32::MAX);
    let location = Location {
        line: line.saturating_add(origin.line),
        column: if line == 1 {
            column.saturating_add(origin.column)
        } else {
            column
        },
    };
    let text = e.to_string();
    let text = text
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&text);
    let message = match e.classify() {
        serde_json::error::Category::Data => text.to_owned(),
        _ => format!("invalid JSON: {text}; fix the JSON syntax there"),
    };
    InputError::new(Source::Manifest, message).at(None, (e.line() > 0).then_some(location))
}

/// Takes a streamed `items` element with the document's `kind` when written before `items`;
/// `false` stops the reading.
type Sink<'s> = dyn FnMut(Node, Option<&str>) -> bool + 's;

/// Builds a [`Node`]. A document given `items` sends its top-level `items` array's elements there;
/// an array given `stream` sends its elements there and keeps none.
struct Build<'s, 'k> {
    items: Option<&'s mut Sink<'k>>,
    stream: Option<&'s mut dyn FnMut(Node) -> bool>,
}

const NODE: Build<'static, 'static> = Build {
    items: None,
    stream: None,
};

impl<'de> DeserializeSeed<'de> for Build<'_, '_> {
    type Value = Node;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn leaf(value: Value) -> Node {
    Node::new(value, None)
}

impl<'de> Visitor<'de> for Build<'_, '_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(NODE)? {
            match self.stream {
                Some(ref mut stream) => {
                    if !stream(item) {
                        return Err(A::Error::custom("stopped"));
                    }
                }
                None => items.push(item),
            }
        }
        Ok(leaf(Value::Seq(items)))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        let mut seen = HashSet::new();
        let mut kind = None::<String>;
        while let Some(key) = map.next_key::<String>()? {
            let repeated = if entries.len() < 16 {
                entries.iter().any(|(k, _)| *k == key)
            } else {
                if seen.is_empty() {
                    seen.extend(entries.iter().map(|(k, _)| k.clone()));
                }
                !seen.insert(key.clone())
            };
            if repeated {
                return Err(A::Error::custom(format!(
                    "duplicate key {key:?} in this mapping (kubectl refuses it too)"
                )));
            }
            let value = match self.items.as_mut().filter(|_| key == "items") {
                Some(items) => map.next_value_seed(Build {
                    items: None,
                    stream: Some(&mut |node| items(node, kind.as_deref())),
                })?,
                None => map.next_value_seed(NODE)?,
            };
            if let ("kind", Value::Str(k)) = (key.as_str(), &value.value) {
                kind = Some(k.clone());
            }
            entries.push((key, value));
        }
        Ok(leaf(Value::Map(entries)))
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(leaf(Value::Bool(b)))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Node, E> {
        Ok(leaf(Value::Int(i.into())))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Node, E> {
        Ok(leaf(Value::Int(u.into())))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Node, E> {
        Ok(leaf(Value::Float(x)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(leaf(Value::Str(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(leaf(Value::Str(s)))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(leaf(Value::Null))
    }
}

/// The previous JSON reader (whole `serde_json::Value`s: keys sorted, the last of a repeated key
/// kept), kept as the oracle the differential fuzz target compares [`parse`] with.
#[cfg(any(test, feature = "saphyr-oracle"))]
pub fn parse_values(text: &str) -> Result<Vec<Node>, InputError> {
    let mut docs = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        let value = value.map_err(|e| error(&e, ""))?;
        docs.push(convert(value, 0)?);
    }
    Ok(docs)
}

/// serde_json already limits nesting to 128 levels; `depth` keeps the conversion's own recursion explicit.
pub(super) fn convert(v: serde_json::Value, depth: u32) -> Result<Node, InputError> {
    if depth > 128 {
        return Err(InputError::new(
            Source::Manifest,
            "JSON nested too deeply (over 128 levels)",
        ));
    }
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i.into()),
            (None, Some(u)) => Value::Int(u.into()),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => Value::Seq(
            items
                .into_iter()
                .map(|i| convert(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| Ok((k, convert(v, depth + 1)?)))
                .collect::<Result<_, InputError>>()?,
        ),
    };
    Ok(Node::new(value, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_with_their_line() {
        let e = parse("{\"kind\": \"Pod\",\n \"spec\": {\"containers\": [],\n  \"containers\": []}}").unwrap_err();
        assert_eq!(
            e.message,
            "duplicate key \"containers\" in this mapping (kubectl refuses it too)"
        );
        assert_eq!(e.location.map(|l| l.line), Some(3), "{e}");
        let many: String = (0..40).map(|i| format!("\"k{i}\": {i}, ")).collect();
        let e = parse(&format!("{{{many}\"k39\": 0}}")).unwrap_err();
        assert!(e.message.contains("\"k39\""), "{e}");
    }

    #[test]
    fn errors_in_a_later_value_are_placed_in_the_whole_text() {
        let e = parse("{\"a\": 1}\n\n{\"b\": }").unwrap_err();
        assert!(e.message.starts_with("invalid JSON: expected value; "), "{e}");
        assert_eq!(e.location, Some(Location { line: 3, column: 7 }));
        let e = parse("{}\n  {\"x\": 1, \"x\": 2}").unwrap_err();
        assert_eq!(e.location.map(|l| l.line), Some(2), "{e}");
    }

    #[test]
    fn values_keep_their_types() {
        let docs = parse(r#"{"a": [1, -2, 18446744073709551615, 1.5, "s", true, null]} 7"#).unwrap();
        let Value::Map(entries) = &docs[0].value else {
            panic!("{docs:?}")
        };
        let values: Vec<&Value> = match &entries[0].1.value {
            Value::Seq(items) => items.iter().map(|n| &n.value).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            values,
            [
                &Value::Int(1),
                &Value::Int(-2),
                &Value::Int(u64::MAX.into()),
                &Value::Float(1.5),
                &Value::Str("s".into()),
                &Value::Bool(true),
                &Value::Null
            ]
        );
        assert_eq!(docs[1].value, Value::Int(7));
    }
}
