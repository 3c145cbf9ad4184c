//! The fields of a pod spec that decide identity, each with its path and position.

use super::node::{Node, Value};
use crate::error::{InputError, Location, Source};
use crate::report::ContainerKind;

/// A manifest value with the field path and position it came from (for origins and messages).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Field<T> {
    pub value: T,
    pub path: String,
    pub location: Option<Location>,
}

/// `spec.securityContext` fields that matter here.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PodSecurityContext {
    pub run_as_user: Option<Field<i128>>,
    pub run_as_group: Option<Field<i128>>,
    pub run_as_non_root: Option<Field<bool>>,
    pub fs_group: Option<Field<i128>>,
    pub supplemental_groups: Vec<Field<i128>>,
    /// Whether the list is present at all (`[]` counts, as Go's non-nil slice does).
    pub supplemental_groups_set: bool,
    pub supplemental_groups_path: String,
    pub supplemental_groups_policy: Option<Field<String>>,
}

/// `container.securityContext` fields that override the pod's (Spec 4).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ContainerSecurityContext {
    pub run_as_user: Option<Field<i128>>,
    pub run_as_group: Option<Field<i128>>,
    pub run_as_non_root: Option<Field<bool>>,
}

/// An init, regular or ephemeral container.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Container {
    pub name: String,
    pub image: String,
    pub kind: ContainerKind,
    /// `spec.containers[0]`.
    pub path: String,
    pub location: Option<Location>,
    pub security_context: ContainerSecurityContext,
}

/// A pod spec found in a Pod or workload.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PodSpec {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub document: usize,
    pub location: Option<Location>,
    /// `spec` or `spec.template.spec`…
    pub path: String,
    /// Positions of the pod spec mapping and of its `securityContext` mapping, for text edits.
    pub spec_location: Option<Location>,
    pub security_context_location: Option<Location>,
    pub os_name: Option<Field<String>>,
    pub security_context: PodSecurityContext,
    pub containers: Vec<Container>,
}

struct Reader<'a> {
    prefix: &'a str,
}

/// A field path under the pod spec, in pieces (`["containers[0]", ".image"]`): joined only when a
/// field is found or an error names it.
type Rel<'r> = &'r [&'r str];

impl Reader<'_> {
    fn path(&self, rel: Rel<'_>) -> String {
        let len = rel.iter().map(|r| r.len()).sum::<usize>() + self.prefix.len() + 1;
        let mut path = String::with_capacity(len);
        path.push_str(self.prefix);
        path.push('.');
        rel.iter().for_each(|r| path.push_str(r));
        path
    }

    fn error(&self, node: &Node, rel: Rel<'_>, expected: &str) -> InputError {
        InputError::new(
            Source::Manifest,
            format!("expected {expected}, found {}", node.value.kind_name()),
        )
        .at(Some(self.path(rel)), node.location)
    }

    /// The field under `key`, read by `typed` (`None`: the node is not of the type `expected` names).
    fn field<T>(
        &self,
        parent: Option<&Node>,
        key: &str,
        rel: Rel<'_>,
        expected: &str,
        typed: impl FnOnce(&Node) -> Option<T>,
    ) -> Result<Option<Field<T>>, InputError> {
        let Some(node) = parent.and_then(|p| p.get(key)) else {
            return Ok(None);
        };
        let value = typed(node).ok_or_else(|| self.error(node, rel, expected))?;
        Ok(Some(Field {
            value,
            path: self.path(rel),
            location: node.location,
        }))
    }

    fn int(&self, parent: Option<&Node>, key: &str, rel: Rel<'_>) -> Result<Option<Field<i128>>, InputError> {
        self.field(parent, key, rel, "an integer", |n| match n.value {
            Value::Int(i) => Some(i),
            _ => None,
        })
    }

    fn boolean(&self, parent: Option<&Node>, key: &str, rel: Rel<'_>) -> Result<Option<Field<bool>>, InputError> {
        self.field(parent, key, rel, "true or false", |n| match n.value {
            Value::Bool(b) => Some(b),
            _ => None,
        })
    }

    fn string(&self, parent: Option<&Node>, key: &str, rel: Rel<'_>) -> Result<Option<Field<String>>, InputError> {
        self.field(parent, key, rel, "a string", |n| n.as_str().map(str::to_owned))
    }

    /// A string value without its path (`""` when absent).
    fn text<'n>(&self, node: Option<&'n Node>, rel: Rel<'_>) -> Result<&'n str, InputError> {
        match node {
            None => Ok(""),
            Some(node) => node.as_str().ok_or_else(|| self.error(node, rel, "a string")),
        }
    }

    fn mapping<'n>(&self, parent: Option<&'n Node>, key: &str, rel: Rel<'_>) -> Result<Option<&'n Node>, InputError> {
        let Some(node) = parent.and_then(|p| p.get(key)) else {
            return Ok(None);
        };
        match node.value {
            Value::Map(_) => Ok(Some(node)),
            _ => Err(self.error(node, rel, "a mapping")),
        }
    }

    fn list<'n>(&self, parent: Option<&'n Node>, key: &str, rel: Rel<'_>) -> Result<&'n [Node], InputError> {
        let Some(node) = parent.and_then(|p| p.get(key)) else {
            return Ok(&[]);
        };
        node.as_seq().ok_or_else(|| self.error(node, rel, "a list"))
    }
}

impl PodSpec {
    /// Reads the pod spec at `path` of one object (Spec 1: the fields validation and the kubelet read).
    pub fn read(doc: &Node, kind: &str, path: &str, document: usize) -> Result<PodSpec, InputError> {
        let meta = doc.get("metadata");
        let name = meta
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .and_then(Node::as_str)
            .unwrap_or("");
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .unwrap_or("default");
        let spec = spec_mapping(doc, kind, path)?;
        let r = Reader { prefix: path };
        let os = r.mapping(Some(spec), "os", &["os"])?;
        let psc_node = r.mapping(Some(spec), "securityContext", &["securityContext"])?;
        let containers = r.containers(spec)?;
        if containers.is_empty() {
            return Err(InputError::new(
                Source::Manifest,
                format!("{kind} {name:?} has no containers; add `{path}.containers`"),
            )
            .at(Some(format!("{path}.containers")), doc.location));
        }
        Ok(PodSpec {
            kind: kind.to_owned(),
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            document,
            location: doc.location,
            path: path.to_owned(),
            spec_location: spec.location,
            security_context_location: psc_node.and_then(|n| n.location),
            os_name: r.string(os, "name", &["os.name"])?,
            security_context: r.pod_security_context(psc_node)?,
            containers,
        })
    }
}

/// The pod spec mapping at `path`, or an error saying where it should be.
fn spec_mapping<'n>(doc: &'n Node, kind: &str, path: &str) -> Result<&'n Node, InputError> {
    let spec = doc.at(path).ok_or_else(|| {
        InputError::new(
            Source::Manifest,
            format!("{kind} has no `{path}`; a {kind} needs a pod spec there"),
        )
        .at(Some(path.to_owned()), doc.location)
    })?;
    if !matches!(spec.value, Value::Map(_)) {
        return Err(InputError::new(
            Source::Manifest,
            format!("`{path}` must be a mapping, found {}", spec.value.kind_name()),
        )
        .at(Some(path.to_owned()), spec.location));
    }
    Ok(spec)
}

impl Reader<'_> {
    /// `spec.securityContext`: the pod-level identity fields (Spec 1.2, 4, 7.3).
    fn pod_security_context(&self, psc: Option<&Node>) -> Result<PodSecurityContext, InputError> {
        let list = "securityContext.supplementalGroups";
        let mut supplemental_groups = Vec::new();
        for (i, node) in self.list(psc, "supplementalGroups", &[list])?.iter().enumerate() {
            let index = format!("[{i}]");
            let rel: Rel<'_> = &[list, &index];
            match node.value {
                Value::Int(v) => supplemental_groups.push(Field {
                    value: v,
                    path: self.path(rel),
                    location: node.location,
                }),
                _ => return Err(self.error(node, rel, "an integer")),
            }
        }
        Ok(PodSecurityContext {
            run_as_user: self.int(psc, "runAsUser", &["securityContext.runAsUser"])?,
            run_as_group: self.int(psc, "runAsGroup", &["securityContext.runAsGroup"])?,
            run_as_non_root: self.boolean(psc, "runAsNonRoot", &["securityContext.runAsNonRoot"])?,
            fs_group: self.int(psc, "fsGroup", &["securityContext.fsGroup"])?,
            supplemental_groups,
            supplemental_groups_set: psc.and_then(|n| n.get("supplementalGroups")).is_some(),
            supplemental_groups_path: self.path(&[list]),
            supplemental_groups_policy: self.string(
                psc,
                "supplementalGroupsPolicy",
                &["securityContext.supplementalGroupsPolicy"],
            )?,
        })
    }

    /// Init, regular and ephemeral containers, in that order (all take the same path, Spec 4).
    fn containers(&self, spec: &Node) -> Result<Vec<Container>, InputError> {
        let mut containers = Vec::new();
        for (key, kind) in super::CONTAINER_LISTS {
            for (i, c) in self.list(Some(spec), key, &[key])?.iter().enumerate() {
                containers.push(self.container(c, &format!("{key}[{i}]"), kind)?);
            }
        }
        Ok(containers)
    }

    /// One container mapping at `rel`, with the `securityContext` fields that override the pod's.
    fn container(&self, node: &Node, rel: &str, kind: ContainerKind) -> Result<Container, InputError> {
        if !matches!(node.value, Value::Map(_)) {
            return Err(self.error(node, &[rel], "a container mapping"));
        }
        let c = Some(node);
        let text = |key: &str| self.text(node.get(key), &[rel, ".", key]).map(str::to_owned);
        let sc = self.mapping(c, "securityContext", &[rel, ".securityContext"])?;
        Ok(Container {
            name: text("name")?,
            image: text("image")?,
            kind,
            path: self.path(&[rel]),
            location: node.location,
            security_context: ContainerSecurityContext {
                run_as_user: self.int(sc, "runAsUser", &[rel, ".securityContext.runAsUser"])?,
                run_as_group: self.int(sc, "runAsGroup", &[rel, ".securityContext.runAsGroup"])?,
                run_as_non_root: self.boolean(sc, "runAsNonRoot", &[rel, ".securityContext.runAsNonRoot"])?,
            },
        })
    }
}
