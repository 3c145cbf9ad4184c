//! The JavaScript API for documentation sites (the same wasm as the app):
//! `explain(input)` takes a plain object and returns `{ok: true, report}` or `{ok: false, error}`.
//!
//! ```js
//! import init, { explain } from "./podgroups_playground.js";
//! await init();
//! const r = explain({ manifests: "kind: Pod…", image: { user: "", passwd: "…", group: "…" },
//!                     environment: { runtime: "containerd-2", kubernetes: "1.33" } });
//! ```

use crate::model::{Gate, Options, PolicyView, State};
use podgroups_core::{explain as core_explain, Environment, Image, Input, InputError, Report, RuntimeKind, Source};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// What `explain` accepts; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiInput {
    pub manifests: String,
    pub image: Image,
    pub environment: ApiEnvironment,
}

/// The environment in the words of the playground's controls.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiEnvironment {
    /// `containerd-2`, `containerd-1.7`, `crio`, optionally with a release (`containerd-2.0.5`).
    pub runtime: String,
    /// `1.33`, `v1.33` or `33`.
    pub kubernetes: String,
    /// `null`/absent: the version's default.
    pub feature_gate: Option<bool>,
}

impl Default for ApiEnvironment {
    fn default() -> Self {
        ApiEnvironment {
            runtime: "containerd-2".into(),
            kubernetes: "1.35".into(),
            feature_gate: None,
        }
    }
}

/// What `explain` returns. `text` is the core's wording of the error (its `Display`), so pages show
/// the same words as the CLI and the build-time renderers.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ApiOutput {
    Ok { ok: bool, report: Box<Report> },
    Err { ok: bool, text: String, error: InputError },
}

impl ApiOutput {
    fn error(error: InputError) -> ApiOutput {
        ApiOutput::Err {
            ok: false,
            text: error.to_string(),
            error,
        }
    }
}

impl ApiInput {
    /// The core's input, or an error naming the bad environment field.
    pub fn to_input(&self) -> Result<Input, InputError> {
        let env_error = |m: String| InputError {
            source: Source::Environment,
            path: None,
            location: None,
            message: m,
        };
        let runtime = self.environment.runtime.parse().map_err(env_error)?;
        let kubernetes_minor =
            Environment::parse_kubernetes_version(&self.environment.kubernetes).map_err(env_error)?;
        Ok(Input {
            manifests: self.manifests.clone(),
            image: self.image.clone(),
            environment: Environment {
                runtime,
                kubernetes_minor,
                feature_gate: self.environment.feature_gate,
                node_supports_policy: None,
            },
            ..Input::default()
        })
    }

    /// The playground state that shows the same thing (for "open in playground" links).
    pub fn to_state(&self) -> State {
        let runtime = self
            .environment
            .runtime
            .parse::<podgroups_core::Runtime>()
            .map_or(RuntimeKind::Containerd2, |r| r.kind);
        let minor = Environment::parse_kubernetes_version(&self.environment.kubernetes).unwrap_or(35);
        let mut state = State {
            manifest: self.manifests.clone(),
            options: Options {
                runtime,
                kubernetes_minor: minor,
                feature_gate: match self.environment.feature_gate {
                    None => Gate::Default,
                    Some(true) => Gate::On,
                    Some(false) => Gate::Off,
                },
                view: PolicyView::AsWritten,
            },
            ..State::default()
        };
        state.set_image(self.image.clone());
        state
    }
}

/// Runs the engine on a parsed API input.
pub fn explain_input(input: &ApiInput) -> ApiOutput {
    match input.to_input().and_then(|i| core_explain(&i)) {
        Ok(report) => ApiOutput::Ok {
            ok: true,
            report: Box::new(report),
        },
        Err(error) => ApiOutput::error(error),
    }
}

/// Reads a JS object through JSON: one serde path (serde_json) for both entry points keeps the
/// wasm smaller than a second, direct JS-value serializer would.
fn from_js(input: &JsValue) -> Result<ApiInput, JsError> {
    let text: String = js_sys::JSON::stringify(input)
        .map_err(|_| JsError::new("podgroups explain(input): input cannot be turned into JSON"))?
        .into();
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("podgroups explain(input): {e}")))
}

/// `explain(input) -> {ok, report} | {ok: false, error}`; throws only when `input` has the wrong shape.
#[wasm_bindgen]
pub fn explain(input: JsValue) -> Result<JsValue, JsError> {
    let out = explain_input(&from_js(&input)?);
    let text = serde_json::to_string(&out).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("podgroups explain: the report is not valid JSON"))
}

/// The same with JSON text in and out (for Rust callers and tests; JS uses [`explain`]).
pub fn explain_json(input: &str) -> String {
    let out = match serde_json::from_str::<ApiInput>(input) {
        Ok(i) => explain_input(&i),
        Err(e) => ApiOutput::error(InputError {
            source: Source::Scenario,
            path: None,
            location: None,
            message: format!("explain input: {e}"),
        }),
    };
    serde_json::to_string(&out).unwrap_or_else(|e| format!("{{\"ok\":false,\"error\":{{\"message\":\"{e}\"}}}}"))
}

/// `shareFragment(input) -> "v1=…"`: a playground link fragment showing the same input.
#[wasm_bindgen(js_name = shareFragment)]
pub fn share_fragment(input: JsValue) -> Result<String, JsError> {
    Ok(crate::url::encode(&from_js(&input)?.to_state()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Known;

    #[test]
    fn json_api_explains_the_blog_example() {
        let s = crate::examples::blog_merge();
        let input = serde_json::json!({
            "manifests": s.manifest, "image": {"user": "", "passwd": s.passwd, "group": s.group},
            "environment": {"runtime": "containerd-2", "kubernetes": "1.33"}
        });
        let out: serde_json::Value = serde_json::from_str(&explain_json(&input.to_string())).unwrap();
        assert_eq!(out["ok"], true, "{out}");
        let ctr = &out["report"]["workloads"][0]["containers"][0];
        assert_eq!(
            ctr["merge"]["groups_as_kernel_sees"],
            serde_json::json!([3000, 4000, 50000])
        );
        assert_eq!(ctr["strict"]["groups_as_kernel_sees"], serde_json::json!([3000, 4000]));
    }

    /// The JSON API (what the embeds read) carries the core's words beside each value: the same
    /// text the playground renders and the CLI prints.
    #[test]
    fn json_api_carries_the_core_s_words() {
        let s = (crate::examples::find("rejected-unsupported-node").unwrap().state)();
        let report = podgroups_core::explain(&s.to_input()).unwrap();
        let input = serde_json::json!({
            "manifests": s.manifest, "image": {"user": "", "passwd": s.passwd, "group": s.group},
            "environment": {"runtime": "containerd-1.7", "kubernetes": "1.33"}
        });
        let out: serde_json::Value = serde_json::from_str(&explain_json(&input.to_string())).unwrap();
        let ctr = &out["report"]["workloads"][0]["containers"][0];
        let core = &report.workloads[0].containers[0];
        let refusal = core.as_written.refusal().unwrap();
        assert_eq!(ctr["as_written"]["stage_text"], refusal.stage.describe());
        assert_eq!(ctr["as_written"]["text"], refusal.to_string());
        let origin = &core.merge.gid_origins()[0].origins[0];
        assert_eq!(ctr["merge"]["gid_origins"][0]["origins"][0]["text"], origin.to_string());
    }

    #[test]
    fn bad_environment_and_bad_shape_are_errors() {
        let out: serde_json::Value =
            serde_json::from_str(&explain_json(r#"{"environment": {"runtime": "docker"}}"#)).unwrap();
        assert_eq!(out["ok"], false);
        assert_eq!(out["error"]["source"], "environment");
        // The core's wording (`InputError`'s Display): source, then the message.
        let message = out["error"]["message"].as_str().unwrap();
        assert_eq!(out["text"], format!("environment: {message}"), "{out}");
        let out: serde_json::Value = serde_json::from_str(&explain_json(r#"{"manifest": "typo"}"#)).unwrap();
        assert_eq!(out["ok"], false);
        assert!(out["error"]["message"].as_str().unwrap().contains("manifest"));
    }

    #[test]
    fn to_state_keeps_absent_files_and_options() {
        let i: ApiInput = serde_json::from_str(
            r#"{"manifests": "kind: Pod", "image": {"user": "app", "passwd": null, "group": "g:x:1:"},
                "environment": {"runtime": "crio", "kubernetes": "v1.32", "feature_gate": true}}"#,
        )
        .unwrap();
        let s = i.to_state();
        assert_eq!((s.passwd_known, s.group_known), (Known::Absent, Known::Present));
        assert_eq!(s.options.runtime, RuntimeKind::Crio);
        assert_eq!(s.options.kubernetes_minor, 32);
        assert_eq!(s.options.feature_gate, Gate::On);
        assert_eq!(s.image_user, "app");
    }
}
