//! waPC adapter for Kubewarden: `validate`, `validate_settings`, `protocol_version`. Thin on purpose:
//! the logic is [`crate::evaluate`]; this file only moves JSON in and out and never traps on input.

use crate::answer;
use crate::image::{user_of_manifest_config, ImageConfigs};
use crate::Settings;
use kubewarden_policy_sdk::logging::KubewardenDrain;
use kubewarden_policy_sdk::protocol_version_guest;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;
use kubewarden_policy_sdk::wapc_guest::{register_function, CallResult};
use serde_json::Value;
use slog::{info, o, Logger};
use std::collections::BTreeMap;

// waPC hosts look the entry point up by name; `no_mangle` is what the `unsafe_code` lint flags here,
// nothing else in this module is allowed it.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn wapc_init() {
    register_function("validate", validate);
    register_function("validate_settings", validate_settings);
    register_function("protocol_version", protocol_version_guest);
}

/// Payload `{"request": AdmissionRequest, "settings": {...}}`, read without building a tree of the
/// request; every failure is a rejection with a message (the SDK would turn a parse error into a waPC
/// error the user never reads).
fn validate(payload: &[u8]) -> CallResult {
    let input = match answer::input(payload, "request") {
        Ok(input) => input,
        Err(e) => {
            let message = format!("podgroups policy: the validate payload is not JSON ({e}); nothing was checked");
            return Ok(answer::validation_response(Some(&message), None, &[]));
        }
    };
    let settings = match answer::settings(&input, "settings") {
        Ok(s) => s,
        Err(e) => {
            let message = format!("podgroups policy: invalid settings: {e}");
            return Ok(answer::validation_response(Some(&message), None, &[]));
        }
    };
    let verdict = answer::verdict(input, &settings, true, &mut HostImageConfigs::default());
    let message = verdict.message();
    if message.is_some() {
        // Goes to the host's kubewarden/tracing/log callback.
        let log = Logger::root(KubewardenDrain::new(), o!("policy" => "podgroups"));
        info!(log, "rejected"; "subject" => verdict.subject(), "violations" => verdict.violations.len() + verdict.omitted);
    }
    Ok(answer::validation_response(
        message.as_deref(),
        verdict.mutated.as_deref(),
        &verdict.warnings,
    ))
}

/// Settings JSON in, `{"valid": bool, "message"}` out; a wrong type is `valid: false`, never an error.
fn validate_settings(payload: &[u8]) -> CallResult {
    let result = serde_json::from_slice::<Value>(payload)
        .map_err(|e| format!("settings are not JSON: {e}"))
        .and_then(|v| Settings::from_json(&v));
    let response = SettingsValidationResponse {
        valid: result.is_ok(),
        message: result.err(),
    };
    Ok(serde_json::to_vec(&response)?)
}

/// Image configs from Kubewarden's `oci/v1/oci_manifest_config` host capability (what the SDK's
/// `get_manifest_and_config` calls, read here as raw JSON: only `config.User` is needed), asked once
/// per image per request.
#[derive(Default)]
struct HostImageConfigs {
    seen: BTreeMap<String, Result<String, String>>,
}

impl ImageConfigs for HostImageConfigs {
    fn user(&mut self, image: &str) -> Result<String, String> {
        self.seen
            .entry(image.to_string())
            .or_insert_with(|| {
                let request = serde_json::to_vec(&Value::from(image)).map_err(|e| e.to_string())?;
                let answer = kubewarden_policy_sdk::wapc_guest::host_call(
                    "kubewarden",
                    "oci",
                    "v1/oci_manifest_config",
                    &request,
                )
                .map_err(|e| format!("oci_manifest_config: {e}"))?;
                let answer: Value = serde_json::from_slice(&answer)
                    .map_err(|e| format!("oci_manifest_config answered non-JSON: {e}"))?;
                user_of_manifest_config(&answer)
            })
            .clone()
    }
}
