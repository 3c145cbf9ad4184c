//! What `kubectl get … -o json|yaml` prints, read one item at a time: a JSON `List` is streamed so a
//! 10,000-pod dump never exists as one tree; YAML (and several documents) is read whole.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// A syntax error in a dump: where, and what. Items before it have already been handed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Calls `each` with every object of `text`: the items of `List`s, or the objects themselves.
pub(crate) fn for_each_object(text: &str, each: &mut dyn FnMut(Value)) -> Result<(), SyntaxError> {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return json(trimmed, each);
    }
    yaml(text, each)
}

fn json(text: &str, each: &mut dyn FnMut(Value)) -> Result<(), SyntaxError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let error = |e: serde_json::Error| SyntaxError {
        line: e.line(),
        column: e.column(),
        message: format!("invalid JSON: {e}"),
    };
    // Several documents may be concatenated (`kubectl get … -o json` run twice into one file).
    while de.end().is_err() {
        (&mut de).deserialize_any(Top { each: &mut *each }).map_err(error)?;
    }
    Ok(())
}

#[cfg(feature = "yaml")]
fn yaml(text: &str, each: &mut dyn FnMut(Value)) -> Result<(), SyntaxError> {
    use serde_saphyr::{Budget, Options};
    // A cluster dump is far larger than a config file: raise the parser's budgets accordingly.
    let mut budget = Budget::default();
    budget.max_events = usize::MAX / 2;
    budget.max_nodes = usize::MAX / 2;
    budget.max_total_scalar_bytes = 1 << 30;
    budget.max_reader_input_bytes = Some(1 << 30);
    let mut options = Options::default();
    options.budget = Some(budget);
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        SyntaxError {
            line,
            column,
            message: format!("invalid YAML: {e}"),
        }
    })?;
    for doc in docs {
        split(doc, each);
    }
    Ok(())
}

#[cfg(not(feature = "yaml"))]
fn yaml(_: &str, _: &mut dyn FnMut(Value)) -> Result<(), SyntaxError> {
    Err(SyntaxError {
        line: 1,
        column: 1,
        message: "this build reads JSON dumps only (`kubectl get … -o json`)".into(),
    })
}

/// A whole document: a `List`'s items, or the object itself.
#[cfg(feature = "yaml")]
fn split(doc: Value, each: &mut dyn FnMut(Value)) {
    match doc {
        Value::Object(mut map) if map.get("items").is_some_and(Value::is_array) => {
            if let Some(Value::Array(items)) = map.remove("items") {
                items.into_iter().for_each(&mut *each);
            }
        }
        Value::Array(items) => items.into_iter().for_each(&mut *each),
        Value::Null => {}
        other => each(other),
    }
}

/// The top of a JSON document: streams `items`, keeps the other keys (a lone object is handed on whole).
struct Top<'a> {
    each: &'a mut dyn FnMut(Value),
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes object or List")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut rest = Map::new();
        let mut listed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" && !listed {
                listed = true;
                map.next_value_seed(Items { each: &mut *self.each })?;
            } else if listed && key != "kind" {
                map.next_value::<IgnoredAny>()?;
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        if !listed {
            (self.each)(Value::Object(rest));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Items { each: self.each }.visit_seq(seq)
    }
}

/// The items of a `List`, one at a time.
struct Items<'a> {
    each: &'a mut dyn FnMut(Value),
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Kubernetes objects")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            (self.each)(item);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(text: &str) -> (Vec<Value>, Result<(), SyntaxError>) {
        let mut out = Vec::new();
        let r = for_each_object(text, &mut |v| out.push(v));
        (out, r)
    }

    #[test]
    fn lists_objects_and_documents() {
        let (o, r) = objects(r#"{"apiVersion":"v1","items":[{"kind":"Pod"},{"kind":"Node"}],"kind":"List"}"#);
        assert_eq!((o.len(), r), (2, Ok(())));
        let (o, r) = objects(r#"{"kind":"Pod","metadata":{"name":"a"}} {"kind":"Pod"}"#);
        assert_eq!((o.len(), r), (2, Ok(())));
        assert_eq!(o[0]["metadata"]["name"], "a");
        let (o, r) = objects("kind: List\nitems:\n- kind: Pod\n- kind: Pod\n---\nkind: Node\n");
        assert_eq!((o.len(), r), (3, Ok(())));
    }

    #[test]
    fn a_cut_dump_keeps_what_came_before() {
        let (o, r) = objects(r#"{"items":[{"kind":"Pod"},{"kind":"Pod","spec":{"#);
        assert_eq!(o.len(), 1);
        let e = r.unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("JSON"), "{e:?}");
        let (_, r) = objects("kind: [\n");
        assert!(r.unwrap_err().message.contains("YAML"));
    }
}
