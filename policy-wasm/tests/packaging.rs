//! The Kubewarden packaging files agree with each other as `kwctl scaffold artifacthub` would make
//! them: Artifact Hub's questions inline and equal to questions-ui.yml, the `policy` link to a released
//! `.wasm`, the rules and mutation flag copied from metadata.yml, and the OPA artifact's own identity.

use serde_json::Value;
use std::path::PathBuf;

fn yaml(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml_text(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn artifacthub_package_carries_the_questions_inline_and_release_links() {
    let pkg = yaml("artifacthub-pkg.yml");
    let meta = yaml("metadata.yml");
    let annotations = &pkg["annotations"];
    let inline = annotations["kubewarden/questions-ui"]
        .as_str()
        .expect("questions inline, as text");
    assert_eq!(yaml_text(inline), yaml("questions-ui.yml"));
    // Every setting the policy reads has a question, and no question names an unknown setting.
    let questions: Vec<String> = yaml_text(inline)["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["variable"].as_str().unwrap().to_string())
        .collect();
    for setting in podgroups_policy::settings::KEYS {
        assert!(questions.iter().any(|q| q == setting), "no question for {setting}");
    }
    // The form's defaults are valid settings (an unknown variable would be refused by name).
    let defaults: serde_json::Map<String, Value> = yaml_text(inline)["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["variable"].as_str().unwrap().to_string(), q["default"].clone()))
        .collect();
    podgroups_policy::Settings::from_json(&Value::Object(defaults))
        .unwrap_or_else(|e| panic!("the questions' defaults are not valid settings: {e}"));

    let version = pkg["version"].as_str().unwrap();
    assert_eq!(meta["annotations"]["io.kubewarden.policy.version"], version);
    let policy_link = pkg["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "policy")
        .expect("a policy link");
    let url = policy_link["url"].as_str().unwrap();
    assert!(
        url.ends_with(&format!("/v{version}/podgroups-policy.wasm")),
        "the policy link must be the released module, got {url}"
    );
    let image = pkg["containersImages"][0]["image"].as_str().unwrap();
    let oci = meta["annotations"]["io.kubewarden.policy.ociUrl"].as_str().unwrap();
    assert_eq!(image, format!("{oci}:v{version}"));
    assert_eq!(
        annotations["kubewarden/mutation"].as_str(),
        Some(meta["mutating"].to_string().as_str())
    );
    let rules = yaml_text(annotations["kubewarden/rules"].as_str().unwrap());
    assert_eq!(rules, meta["rules"]);
}

#[test]
fn the_opa_artifact_has_its_own_identity() {
    let wapc = yaml("metadata.yml");
    let opa = yaml("metadata-opa.yml");
    assert_eq!(opa["executionMode"], "gatekeeper");
    assert_eq!(opa["mutating"], false);
    assert_eq!(opa["rules"], wapc["rules"]);
    for key in [
        "io.kubewarden.policy.title",
        "io.kubewarden.policy.ociUrl",
        "io.artifacthub.displayName",
    ] {
        assert_ne!(opa["annotations"][key], wapc["annotations"][key], "{key}");
    }
    assert_eq!(
        opa["annotations"]["io.kubewarden.policy.ociUrl"],
        "ghcr.io/podgroups/policies/podgroups-policy-opa"
    );
}
