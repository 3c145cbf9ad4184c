//! The scenario format of `podgroups simulate`: one vector's inputs from `tests/vectors`, one container,
//! answered in the vectors' `expected` shape.

use crate::environment::{Environment, Runtime};
use crate::error::{InputError, Location, Source};
use crate::explain::{explain_container, rootfs};
use crate::image::Image;
use crate::manifest;
use crate::report::{ContainerReport, ContainerUser, GidOrigins, Origin, Outcome, Warning};
use crate::{Refusal, SupplementalGroupsPolicy};
use serde::{Deserialize, Serialize};

/// One scenario: the input fields of a conformance vector (other keys, such as `expected`, are ignored).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Scenario {
    /// `"1.33"`.
    pub kubernetes_version: Scalar,
    pub runtime: Runtime,
    pub feature_gate_on: bool,
    /// The manifest text (a Pod or a workload).
    pub pod: String,
    /// The container whose identity is computed (regular, init or ephemeral).
    pub container: String,
    #[serde(default)]
    pub image_user: String,
    /// `/etc/passwd` text; `null` when the image has none.
    #[serde(default)]
    pub passwd: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub pv_gid_annotations: Vec<Scalar>,
}

/// A YAML scalar written as a string or a number (`1.33` or `'1.33'`, `5555` or `'5555'`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(FloatText),
}

/// A float kept as text, so it stays comparable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FloatText(pub String);

impl<'de> Deserialize<'de> for FloatText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(|f| FloatText(f.to_string()))
    }
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.0.clone(),
        }
    }
}

impl Scenario {
    /// Reads a scenario from YAML (or JSON) text.
    pub fn from_yaml(text: &str) -> Result<Scenario, InputError> {
        let fail = |message: String, location: Option<Location>| {
            InputError::new(
                Source::Scenario,
                format!(
                    "{message}; a scenario needs kubernetes_version, runtime, feature_gate_on, pod, container \
                     (image_user, passwd, group, pv_gid_annotations optional)"
                ),
            )
            .at(None, location)
        };
        let mut docs = manifest::parse_documents(text).map_err(|e| fail(e.message, e.location))?;
        if docs.len() != 1 {
            return Err(fail(format!("expected one document, found {}", docs.len()), None));
        }
        let doc = docs.remove(0);
        let location = doc.location;
        serde_json::from_value(doc.into_json()).map_err(|e| fail(e.to_string(), location))
    }

    /// The environment the scenario describes.
    pub fn environment(&self) -> Result<Environment, InputError> {
        let minor = Environment::parse_kubernetes_version(&self.kubernetes_version.text())
            .map_err(|m| InputError::new(Source::Scenario, m).at(Some("kubernetes_version".into()), None))?;
        Ok(Environment {
            runtime: self.runtime,
            kubernetes_minor: minor,
            feature_gate: Some(self.feature_gate_on),
            node_supports_policy: None,
        })
    }
}

/// Runs the scenario's container and answers in the vectors' shape.
pub fn simulate(s: &Scenario) -> Result<Simulation, InputError> {
    let env = s.environment()?;
    let image = Image::known(s.image_user.clone(), s.passwd.clone(), s.group.clone());
    let rootfs = rootfs(&image)?;
    let docs = manifest::parse_documents(&s.pod)?;
    let (specs, _) = manifest::pod_specs(&docs)?;
    let pv: Vec<String> = s.pv_gid_annotations.iter().map(Scalar::text).collect();
    for spec in &specs {
        if let Some(c) = spec.containers.iter().find(|c| c.name == s.container) {
            let report = explain_container(spec, c, &image, &rootfs, &pv, &env);
            return Ok(Simulation::from_report(report));
        }
    }
    let names: Vec<&str> = specs
        .iter()
        .flat_map(|s| s.containers.iter().map(|c| c.name.as_str()))
        .collect();
    Err(InputError::new(
        Source::Scenario,
        format!(
            "no container named {:?} in the manifest; its containers are: {}",
            s.container,
            names.join(", ")
        ),
    )
    .at(Some("container".into()), None))
}

/// The answer for one scenario: the vectors' `expected` keys, then more detail.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Simulation {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub additional_gids: Option<Vec<u32>>,
    pub groups_as_kernel_sees: Option<Vec<u32>>,
    pub id_groups_coreutils: Option<Vec<u32>>,
    pub id_groups_busybox: Option<Vec<u32>>,
    pub status_user: Option<ContainerUser>,
    pub error: Option<Refusal>,
    /// What `id` prints (GNU coreutils), with names.
    pub id: Option<String>,
    pub applied_policy: Option<SupplementalGroupsPolicy>,
    pub uid_origin: Option<Origin>,
    pub gid_origins: Vec<GidOrigins>,
    /// Gids only `/etc/group` adds under Merge.
    pub implicit_gids: Vec<u32>,
    pub warnings: Vec<Warning>,
    /// The whole report, Merge and Strict side by side.
    pub report: ContainerReport,
}

impl Simulation {
    fn from_report(report: ContainerReport) -> Self {
        // A scenario's image is always known, so its outcome is never partial.
        let (id, error) = match &report.as_written {
            Outcome::Runs(id) => (Some(id.clone()), None),
            Outcome::Refused(r) => (None, Some(r.clone())),
            Outcome::DependsOnImage(_) => (None, None),
        };
        Simulation {
            uid: id.as_ref().map(|i| i.uid),
            gid: id.as_ref().map(|i| i.gid),
            additional_gids: id.as_ref().map(|i| i.additional_gids.clone()),
            groups_as_kernel_sees: id.as_ref().map(|i| i.groups_as_kernel_sees.clone()),
            id_groups_coreutils: id.as_ref().map(|i| i.id_groups_coreutils.clone()),
            id_groups_busybox: id.as_ref().map(|i| i.id_groups_busybox.clone()),
            status_user: id.as_ref().and_then(|i| i.status_user.clone()),
            error,
            id: id.as_ref().map(|i| i.id_coreutils.clone()),
            applied_policy: id.as_ref().map(|i| i.applied_policy),
            uid_origin: id.as_ref().map(|i| i.uid_origin.clone()),
            gid_origins: id.map(|i| i.gid_origins).unwrap_or_default(),
            implicit_gids: report.implicit_gids.clone(),
            warnings: report.warnings.clone(),
            report,
        }
    }
}
