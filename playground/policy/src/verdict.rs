//! Each request answered as Kubewarden answers it: the policy's `validate` (its
//! [`evaluate_with_images`], mutation allowed) gives accepted, message, warnings and
//! `mutated_object`; policy-server turns `mutated_object` into the JSON patch it sends the apiserver.

use crate::diff::{self, Line};
use crate::input::TabInput;
use crate::request::{self, Request};
use crate::yaml;
use podgroups_policy::{evaluate_with_images, ImageConfigs, Settings};
use serde_json::Value;

/// The tab's whole answer.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// The app's state could not be read (a bug between the two modules, said plainly).
    State(String),
    /// Kubewarden refuses to load the policy with these settings: the policy's own message.
    Settings(String),
    /// The manifest (or, on UPDATE, the old objects) cannot be read.
    Manifest(String),
    Verdicts(Vec<Verdict>),
}

/// One object's answer.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// The apiserver would not send this request (see [`request::request`]).
    NotSent(String),
    Answered(Response),
}

/// What Kubewarden returns for one request.
#[derive(Debug, PartialEq)]
pub struct Response {
    /// `Deployment shop/web`.
    pub subject: String,
    pub allowed: bool,
    /// The rejection message.
    pub message: Option<String>,
    pub warnings: Vec<String>,
    /// The JSON patch (RFC 6902) of the mutation, when the policy mutated the object.
    pub patch: Option<Value>,
    /// The object before and after the mutation, as YAML lines, diffed.
    pub diff: Vec<Line>,
}

/// The tab's answer for the app's state JSON.
pub fn answer(state: &str) -> Answer {
    let input: TabInput = match serde_json::from_str(state) {
        Ok(i) => i,
        Err(e) => return Answer::State(format!("the policy tab cannot read the playground's state: {e}")),
    };
    let tab = match input.policy() {
        Ok(t) => t,
        Err(e) => return Answer::State(e),
    };
    let settings = match settings(&tab.settings) {
        Ok(s) => s,
        Err(e) => return Answer::Settings(e),
    };
    let objects = match request::documents(&input.manifest) {
        Ok(docs) => request::objects(docs),
        Err(e) => return Answer::Manifest(format!("the manifest cannot be read: {e}")),
    };
    let old = if tab.operation == crate::input::Operation::Update && !tab.old.trim().is_empty() {
        match request::documents(&tab.old) {
            Ok(docs) => request::objects(docs),
            Err(e) => return Answer::Manifest(format!("the old objects cannot be read: {e}")),
        }
    } else {
        Vec::new()
    };
    let mut images = PanelImage(input.image_user());
    let verdicts = request::requests(&objects, &old, &tab)
        .into_iter()
        .map(|r: Request| match r {
            Ok(request) => Verdict::Answered(respond(&request, &settings, &mut images)),
            Err(e) => Verdict::NotSent(e),
        })
        .collect();
    Answer::Verdicts(verdicts)
}

/// The settings text (YAML or JSON; empty: `{}`) through the policy's own validation, the function
/// its `validate_settings` calls: the message is the one Kubewarden shows.
pub fn settings(text: &str) -> Result<Settings, String> {
    let docs = request::documents(text).map_err(|e| match e.location {
        Some(l) => format!(
            "the settings cannot be read at line {}, column {}: {}",
            l.line, l.column, e.message
        ),
        None => format!("the settings cannot be read: {}", e.message),
    })?;
    let value = match docs.as_slice() {
        [] => Value::Null,
        [one] => one.clone(),
        _ => return Err("the settings are one YAML or JSON object, not several documents".into()),
    };
    Settings::from_json(&value)
}

/// The response the policy's `validate` gives (with mutation: Kubewarden) and the patch policy-server
/// derives from it.
pub fn respond(request: &Value, settings: &Settings, images: &mut dyn ImageConfigs) -> Response {
    let decision = evaluate_with_images(request, settings, true, images);
    let object = request.get("object").unwrap_or(&Value::Null);
    let patch = decision
        .mutated
        .as_ref()
        .and_then(|m| serde_json::to_value(json_patch::diff(object, m)).ok());
    let after = decision.mutated.as_ref().unwrap_or(object);
    Response {
        allowed: decision.accepted(),
        message: decision.message(),
        subject: decision.subject,
        warnings: decision.warnings,
        diff: if patch.is_some() {
            diff::lines(&yaml::emit(object), &yaml::emit(after))
        } else {
            Vec::new()
        },
        patch,
    }
}

/// `check_image_user`: every container's image config `USER` is the Image panel's (the playground
/// knows one image); "I don't know the image" is what a registry that cannot be read answers.
struct PanelImage<'a>(Option<&'a str>);

impl ImageConfigs for PanelImage<'_> {
    fn user(&mut self, image: &str) -> Result<String, String> {
        self.0.map(str::to_owned).ok_or_else(|| {
            format!("the playground does not know the config of {image:?}: give its USER in the Image panel")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(manifest: &str, settings: &str) -> String {
        json!({"m": manifest, "u": "", "pol": json!({"s": settings}).to_string()}).to_string()
    }

    fn verdicts(a: Answer) -> Vec<Response> {
        match a {
            Answer::Verdicts(v) => v
                .into_iter()
                .map(|v| match v {
                    Verdict::Answered(r) => r,
                    Verdict::NotSent(e) => panic!("{e}"),
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    const BARE: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n  - name: web\n    image: ghcr.io/acme/web:1\n";

    #[test]
    fn a_bare_pod_gets_strict_as_a_patch_a_warning_and_a_diff() {
        let r = verdicts(answer(&state(BARE, "")));
        let r = &r[0];
        assert!(r.allowed);
        assert_eq!(r.subject, "Pod shop/web");
        assert_eq!(
            r.patch,
            Some(
                json!([{"op": "add", "path": "/spec/securityContext", "value": {"supplementalGroupsPolicy": "Strict"}}])
            )
        );
        assert_eq!(r.warnings.len(), 1);
        let added: Vec<&str> = r.diff.iter().filter(|l| l.op == '+').map(|l| l.text.as_str()).collect();
        assert_eq!(added, ["  securityContext:", "    supplementalGroupsPolicy: Strict"]);
    }

    #[test]
    fn settings_are_checked_by_the_policy_and_yaml_or_json_both_work() {
        let no_mutation = verdicts(answer(&state(BARE, "mutate: false\n")));
        assert!(!no_mutation[0].allowed);
        assert!(no_mutation[0]
            .message
            .as_deref()
            .unwrap_or("")
            .starts_with("Pod shop/web: spec.securityContext.supplementalGroupsPolicy is not set"));
        assert_eq!(no_mutation[0].patch, None);
        let json = verdicts(answer(&state(
            BARE,
            "{\"exempt_images\": [\"ghcr.io/acme/*\"], \"mutate\": false}",
        )));
        assert!(json[0].allowed);
        assert_eq!(
            answer(&state(BARE, "mutate: yes please\n")),
            Answer::Settings("mutate must be true or false, got \"yes please\"".into())
        );
        assert!(
            matches!(answer(&state(BARE, "runAsUser: {}\n")), Answer::Settings(m) if m.starts_with("unknown setting \"runAsUser\""))
        );
        assert!(matches!(answer(&state(BARE, "a: [\n")), Answer::Settings(m) if m.contains("line")));
        assert!(matches!(answer(&state(BARE, "a: 1\n---\nb: 2\n")), Answer::Settings(m) if m.contains("several")));
    }

    #[test]
    fn check_image_user_reads_the_image_panel_s_user() {
        let settings = "check_image_user: true\nrun_as_user: {rule: MustRunAsNonRoot}\n";
        let root = json!({"m": BARE, "u": "", "pol": json!({"s": settings}).to_string()}).to_string();
        let r = verdicts(answer(&root));
        assert!(!r[0].allowed);
        assert!(
            r[0].message.as_deref().unwrap_or("").contains("runs as root"),
            "{:?}",
            r[0].message
        );
        let app = json!({"m": BARE, "u": "10001", "pol": json!({"s": settings}).to_string()}).to_string();
        assert!(verdicts(answer(&app))[0].allowed);
        let unknown =
            json!({"m": BARE, "u": "10001", "us": null, "pol": json!({"s": settings}).to_string()}).to_string();
        let r = verdicts(answer(&unknown));
        assert!(
            r[0].message
                .as_deref()
                .unwrap_or("")
                .contains("give its USER in the Image panel"),
            "{:?}",
            r[0].message
        );
    }

    #[test]
    fn unreadable_inputs_are_messages() {
        assert!(matches!(answer("not json"), Answer::State(_)));
        assert!(
            matches!(answer(&state("kind: [", "")), Answer::Manifest(m) if m.starts_with("the manifest cannot be read"))
        );
        let update = json!({"m": BARE, "pol": json!({"op": "UPDATE", "old": "{"}).to_string()}).to_string();
        assert!(matches!(answer(&update), Answer::Manifest(m) if m.starts_with("the old objects")));
        let cm = verdicts(answer(&state(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            "",
        )));
        assert!(cm[0]
            .message
            .as_deref()
            .unwrap_or("")
            .contains("is not handled by this policy"));
    }

    #[test]
    fn a_pod_update_is_judged_against_the_old_pod() {
        let root = BARE.replace(
            "image: ghcr.io/acme/web:1",
            "image: ghcr.io/acme/web:1\n    securityContext: {runAsUser: 0}",
        );
        let settings = "mutate: false\nrun_as_user: {rule: MustRunAsNonRoot}\n";
        let both =
            json!({"m": root, "pol": json!({"s": settings, "op": "UPDATE", "old": root}).to_string()}).to_string();
        let r = verdicts(answer(&both));
        // Only what the update introduces counts: the old Pod had the same violations.
        assert!(r[0].allowed, "{:?}", r[0].message);
        let created = json!({"m": root, "pol": json!({"s": settings}).to_string()}).to_string();
        assert!(!verdicts(answer(&created))[0].allowed);
    }
}
