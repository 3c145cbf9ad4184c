//! The OPA ABI's updates of `data` (`opa_value_add_path`, `opa_value_remove_path`): a path is a JSON
//! array of object keys into a document. Pure, so the ABI module only unboxes and answers codes.

#![forbid(unsafe_code)]

use serde_json::{Map, Value};

/// Sets `root[path…] = value`, creating the objects on the way; `None` when `path` is not a non-empty
/// array of strings or leads through something that is not an object.
pub(crate) fn add(root: &mut Value, path: &Value, value: Value) -> Option<()> {
    let (object, key) = parent(root, path, true)?;
    object.insert(key.to_owned(), value);
    Some(())
}

/// Removes `root[path…]`; `None` when it is not there (or `path` is not a path, as for [`add`]).
pub(crate) fn remove(root: &mut Value, path: &Value) -> Option<()> {
    let (object, key) = parent(root, path, false)?;
    object.remove(key).map(|_| ())
}

/// The object holding the path's last key, and that key; missing objects on the way are made when
/// `create`, else the path must exist.
fn parent<'v, 'p>(root: &'v mut Value, path: &'p Value, create: bool) -> Option<(&'v mut Map<String, Value>, &'p str)> {
    let (last, parents) = path.as_array()?.split_last()?;
    let mut cur = root;
    for key in parents {
        let (object, key) = (cur.as_object_mut()?, key.as_str()?);
        cur = if create {
            object.entry(key).or_insert_with(|| Value::Object(Map::new()))
        } else {
            object.get_mut(key)?
        };
    }
    Some((cur.as_object_mut()?, last.as_str()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn add_makes_the_objects_on_the_way_and_replaces_the_last_key() {
        let mut data = json!({"a": {"keep": 1}});
        assert_eq!(add(&mut data, &json!(["a", "b", "c"]), json!(2)), Some(()));
        assert_eq!(add(&mut data, &json!(["a", "keep"]), json!(3)), Some(()));
        assert_eq!(data, json!({"a": {"keep": 3, "b": {"c": 2}}}));
    }

    #[test]
    fn remove_needs_every_key_to_exist() {
        let mut data = json!({"a": {"b": 1, "c": 2}});
        assert_eq!(remove(&mut data, &json!(["a", "b"])), Some(()));
        assert_eq!(remove(&mut data, &json!(["a", "b"])), None);
        assert_eq!(remove(&mut data, &json!(["x", "c"])), None);
        assert_eq!(data, json!({"a": {"c": 2}}));
    }

    #[test]
    fn what_is_not_a_path_of_keys_through_objects_is_refused() {
        let mut data = json!({"n": 1});
        for path in [json!("a"), json!([]), json!([1]), json!(["a", 1]), json!(["n", "x"])] {
            assert_eq!(add(&mut data, &path, json!(0)), None, "{path}");
            assert_eq!(remove(&mut data, &path), None, "{path}");
        }
        // `["a", 1]` made the object `a` on the way before its last key was refused, as before.
        assert_eq!(data, json!({"n": 1, "a": {}}));
    }
}
