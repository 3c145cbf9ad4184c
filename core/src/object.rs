//! Explaining objects that were already parsed, against images whose `/etc` files were parsed once:
//! for callers that explain thousands of pods (`podgroups audit`) and cannot afford to re-read text
//! or re-parse `/etc/group` per pod. Same pipeline as [`crate::explain()`].

use crate::environment::Environment;
use crate::error::InputError;
use crate::explain::{explain_workload, PreparedImage};
use crate::manifest::{self, Container, Node, PodSpec};
use crate::report::WorkloadReport;

impl Node {
    /// Converts an already-parsed JSON value (no positions), e.g. one item of a `kubectl get -o json` list.
    pub fn from_json(value: serde_json::Value) -> Result<Node, InputError> {
        manifest::json_node(value)
    }
}

/// Explains one Pod or workload object (a mapping with `kind`, `metadata` and its pod spec); `document`
/// is reported back as the object's index. `image_for(container_name, image)` gives each container's
/// image. `Ok(None)` when the kind carries no pod template.
pub fn explain_object<'i>(
    object: &Node,
    document: usize,
    image_for: &dyn Fn(&str, &str) -> &'i PreparedImage<'i>,
    pv_gid_annotations: &[String],
    environment: &Environment,
) -> Result<Option<WorkloadReport>, InputError> {
    let Some(kind) = object.get("kind").and_then(Node::as_str) else {
        return Ok(None);
    };
    let Some(path) = manifest::pod_spec_path(kind) else {
        return Ok(None);
    };
    let spec = PodSpec::read(object, kind, path, document)?;
    let pick = |c: &Container| {
        let prepared = image_for(&c.name, &c.image);
        (prepared.image(), prepared.rootfs())
    };
    Ok(Some(explain_workload(spec, pick, pv_gid_annotations, environment)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{explain, Image, Input};

    #[test]
    fn same_answer_as_explain_from_text() {
        let manifests = r#"{"kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"securityContext":{"runAsUser":1000,"runAsGroup":3000},"containers":[{"name":"a","image":"one"},{"name":"b","image":"two"}]}}"#;
        let one = Image::known(
            "",
            Some("u:x:1000:1000::/:/bin/sh\n".into()),
            Some("extra:x:50000:u\n".into()),
        );
        let two = Image::default();
        let input = Input {
            manifests: manifests.into(),
            images: [("a".to_owned(), one.clone()), ("b".to_owned(), two.clone())].into(),
            ..Input::default()
        };
        let from_text = explain(&input).unwrap().workloads.remove(0);
        let (p1, p2) = (PreparedImage::new(&one).unwrap(), PreparedImage::new(&two).unwrap());
        let node = Node::from_json(serde_json::from_str(manifests).unwrap()).unwrap();
        let pick = |name: &str, _: &str| if name == "a" { &p1 } else { &p2 };
        let from_node = explain_object(&node, 0, &pick, &[], &Environment::default())
            .unwrap()
            .unwrap();
        assert_eq!(from_node, from_text);
        assert_eq!(from_node.containers[0].implicit_gids, [50000]);
        assert!(from_node.containers[1].implicit_gids.is_empty());
    }

    #[test]
    fn a_prepared_image_gives_the_same_report_and_only_for_its_own_image() {
        let image = |group: &str| Image::known("", Some("u:x:1000:1000::/:/bin/sh\n".into()), Some(group.into()));
        let input = Input {
            manifests: "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000}\n  containers: [{name: c, image: i}]\n".into(),
            image: image("extra:x:50000:u\n"),
            ..Input::default()
        };
        let same = PreparedImage::new(&input.image).unwrap();
        let report = crate::explain_prepared(&input, &same).unwrap();
        assert_eq!(report, explain(&input).unwrap());
        assert_eq!(report.workloads[0].containers[0].implicit_gids, [50000]);
        // Prepared from another /etc/group: not used, the input's own image is parsed.
        let other_image = image("other:x:60000:u\n");
        let other = PreparedImage::new(&other_image).unwrap();
        assert_eq!(crate::explain_prepared(&input, &other).unwrap(), report);
    }

    #[test]
    fn other_kinds_and_bad_specs() {
        let empty = Image::default();
        let p = PreparedImage::new(&empty).unwrap();
        let pick = |_: &str, _: &str| &p;
        let env = Environment::default();
        let node = |s: &str| Node::from_json(serde_json::from_str(s).unwrap()).unwrap();
        assert_eq!(
            explain_object(&node(r#"{"kind":"Service"}"#), 0, &pick, &[], &env),
            Ok(None)
        );
        let e = explain_object(
            &node(r#"{"kind":"Pod","spec":{"containers":"x"}}"#),
            3,
            &pick,
            &[],
            &env,
        )
        .unwrap_err();
        assert_eq!(e.path.as_deref(), Some("spec.containers"), "{e}");
        let big = Image {
            group: crate::image::ImageFile::Present("x".repeat(crate::image::MAX_ETC_FILE_BYTES + 1)),
            ..Image::default()
        };
        assert!(PreparedImage::new(&big).is_err());
    }
}
