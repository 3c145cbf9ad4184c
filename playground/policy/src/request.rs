//! The AdmissionRequests the apiserver would send for the edited manifest: one per object (a
//! `List`'s items one by one, as `kubectl apply` sends them), with the namespace it fills in and, on
//! UPDATE, the object as it was.

use crate::input::{Operation, PolicyInput};
use podgroups_core::manifest::{parse_documents, Node, Value as NodeValue};
use podgroups_core::InputError;
use serde_json::{json, Map, Value};

/// One request, or why the apiserver would not send it.
pub type Request = Result<Value, String>;

/// Manifest or settings text as JSON documents (the core's reader: YAML or JSON, several documents).
pub fn documents(text: &str) -> Result<Vec<Value>, InputError> {
    Ok(parse_documents(text)?.iter().map(to_json).collect())
}

/// A parsed node as the JSON kubectl would send (numbers beyond 64 bits become floats, as JSON
/// decoders read them).
pub fn to_json(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => i64::try_from(*i)
            .map(Value::from)
            .or_else(|_| u64::try_from(*i).map(Value::from))
            .unwrap_or_else(|_| Value::from(*i as f64)),
        NodeValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        NodeValue::Str(s) => Value::String(s.clone()),
        NodeValue::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeValue::Map(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// The objects of the documents: each document, or a `List`'s items.
pub fn objects(docs: Vec<Value>) -> Vec<Value> {
    docs.into_iter()
        .flat_map(|doc| match doc {
            Value::Object(mut o) if o.get("kind").and_then(Value::as_str) == Some("List") => match o.remove("items") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            other => vec![other],
        })
        .collect()
}

/// The requests for `objects` under the tab's operation and namespace; `old` are the objects as they
/// were (UPDATE), matched by kind and name, else by position.
pub fn requests(objects: &[Value], old: &[Value], tab: &PolicyInput) -> Vec<Request> {
    objects
        .iter()
        .enumerate()
        .map(|(i, object)| {
            let before = (tab.operation == Operation::Update)
                .then(|| old.iter().find(|o| same_object(o, object)).or_else(|| old.get(i)))
                .flatten();
            request(object, before, tab)
        })
        .collect()
}

fn same_object(a: &Value, b: &Value) -> bool {
    let key = |o: &Value| (o.get("kind").cloned(), o.pointer("/metadata/name").cloned());
    key(a) == key(b) && a.pointer("/metadata/name").is_some()
}

/// One AdmissionRequest as the apiserver builds it: the kind from `apiVersion`/`kind`, the
/// namespace of the request filled into the object (the apiserver refuses an object naming another).
pub fn request(object: &Value, old: Option<&Value>, tab: &PolicyInput) -> Request {
    let Some(fields) = object.as_object() else {
        return Err(format!("a document is not an object: {}", short(object)));
    };
    let api_version = fields.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let kind = fields.get("kind").and_then(Value::as_str).unwrap_or_default();
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let declared = object.pointer("/metadata/namespace").and_then(Value::as_str);
    let namespace = match (tab.namespace.trim(), declared) {
        ("", Some(ns)) => ns.to_owned(),
        ("", None) => "default".to_owned(),
        (ns, Some(theirs)) if ns != theirs => {
            return Err(format!(
                "the apiserver refuses {kind} {}: its metadata.namespace {theirs:?} does not match the request's namespace {ns:?}",
                name(object)
            ))
        }
        (ns, _) => ns.to_owned(),
    };
    let mut object = object.clone();
    if declared.is_none() {
        if let Some(metadata) = metadata(&mut object) {
            metadata.insert("namespace".into(), Value::from(namespace.as_str()));
        }
    }
    let mut request = json!({
        "uid": "00000000-0000-0000-0000-000000000000",
        "kind": {"group": group, "version": version, "kind": kind},
        "name": name(&object),
        "namespace": namespace,
        "operation": tab.operation.as_str(),
        "object": object,
    });
    if let (Some(old), Some(fields)) = (old, request.as_object_mut()) {
        fields.insert("oldObject".into(), old.clone());
    }
    Ok(request)
}

fn metadata(object: &mut Value) -> Option<&mut Map<String, Value>> {
    let fields = object.as_object_mut()?;
    fields
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
}

fn name(object: &Value) -> String {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or_default()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(operation: Operation, namespace: &str) -> PolicyInput {
        PolicyInput {
            operation,
            namespace: namespace.into(),
            ..PolicyInput::default()
        }
    }

    #[test]
    fn yaml_documents_and_lists_become_objects_with_their_kind() {
        let docs = documents(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n---\n\
             apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: shop}}\n",
        )
        .unwrap();
        let objects = objects(docs);
        assert_eq!(objects.len(), 2);
        let reqs = requests(&objects, &[], &tab(Operation::Create, ""));
        let web = reqs[0].as_ref().unwrap();
        assert_eq!(
            web["kind"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment"})
        );
        assert_eq!(web["namespace"], "default");
        assert_eq!(web["object"]["metadata"]["namespace"], "default");
        assert_eq!(web["object"]["spec"]["replicas"], 2);
        assert_eq!(web["operation"], "CREATE");
        assert!(web.get("oldObject").is_none());
        let pod = reqs[1].as_ref().unwrap();
        assert_eq!(pod["kind"]["group"], "");
        assert_eq!(
            (pod["name"].as_str(), pod["namespace"].as_str()),
            (Some("a"), Some("shop"))
        );
    }

    #[test]
    fn a_namespace_other_than_the_object_s_is_refused_as_the_apiserver_does() {
        let objects = objects(
            documents("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\", \"namespace\": \"shop\"}}").unwrap(),
        );
        let err = requests(&objects, &[], &tab(Operation::Create, "prod"))
            .remove(0)
            .unwrap_err();
        assert!(
            err.contains("\"shop\" does not match the request's namespace \"prod\""),
            "{err}"
        );
        assert!(requests(&objects, &[], &tab(Operation::Create, "shop"))[0].is_ok());
        let err = requests(&[json!(7)], &[], &tab(Operation::Create, ""))[0]
            .clone()
            .unwrap_err();
        assert!(err.contains("not an object"), "{err}");
    }

    #[test]
    fn update_finds_the_old_object_by_kind_and_name_else_by_position() {
        let new = objects(documents("[{\"kind\": \"Pod\", \"metadata\": {\"name\": \"b\"}}, {\"kind\": \"Pod\", \"metadata\": {\"name\": \"x\"}}]").unwrap());
        let new: Vec<Value> = new[0].as_array().unwrap().clone();
        let old = vec![
            json!({"kind": "Pod", "metadata": {"name": "a"}, "n": 0}),
            json!({"kind": "Pod", "metadata": {"name": "b"}, "n": 1}),
        ];
        let reqs = requests(&new, &old, &tab(Operation::Update, ""));
        assert_eq!(reqs[0].as_ref().unwrap()["oldObject"]["n"], 1);
        assert_eq!(reqs[1].as_ref().unwrap()["oldObject"]["n"], 1);
        let reqs = requests(&new, &old, &tab(Operation::Create, ""));
        assert!(reqs[0].as_ref().unwrap().get("oldObject").is_none());
    }

    #[test]
    fn numbers_keep_their_json_type() {
        let v = &documents("a: 1\nb: -2\nc: 1.5\nd: 99999999999999999999999\ne: ~\nf: [true]\n").unwrap()[0];
        assert_eq!(v["a"], json!(1));
        assert_eq!(v["b"], json!(-2));
        assert_eq!(v["c"], json!(1.5));
        assert!(v["d"].is_f64());
        assert_eq!((v["e"].clone(), v["f"].clone()), (Value::Null, json!([true])));
    }
}
