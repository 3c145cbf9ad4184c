//! JSON documents through serde_json (one value, or several concatenated). JSON keeps no positions,
//! except in syntax errors.

use super::node::{Node, Value};
use crate::error::{InputError, Location, Source};

/// Parses one or more concatenated JSON values.
pub fn parse(text: &str) -> Result<Vec<Node>, InputError> {
    let mut docs = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        let value = value.map_err(|e| {
            let location = Location {
                line: u32::try_from(e.line()).unwrap_or(u32::MAX),
                column: u32::try_from(e.column()).unwrap_or(u32::MAX),
            };
            InputError::new(
                Source::Manifest,
                format!("invalid JSON: {e}; fix the JSON syntax there"),
            )
            .at(None, (e.line() > 0).then_some(location))
        })?;
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
