//! Step 1 — kube-apiserver: drop the policy when the gate is off, then validate.

use crate::environment::Environment;
use crate::error::{Refusal, Stage};
use crate::limits::MAX_ID;
use crate::manifest::{Field, PodSpec};

/// Step 1.1: with the gate off the field is set to nil before validation (even an invalid value).
pub(crate) fn drop_disabled_fields<'a>(
    policy: Option<&'a Field<String>>,
    env: &Environment,
) -> Option<&'a Field<String>> {
    policy.filter(|_| env.gate_enabled())
}

/// Steps 1.2–1.5: every cause in the order kube-apiserver reports them.
pub(crate) fn validate(spec: &PodSpec, policy: Option<&Field<String>>) -> Result<(), Refusal> {
    let mut causes = Vec::new();
    let range = |causes: &mut Vec<String>, f: Option<&Field<i128>>| {
        if let Some(f) = f {
            if !(0..=i128::from(MAX_ID)).contains(&f.value) {
                causes.push(format!(
                    "{}: Invalid value: {}: must be between 0 and {MAX_ID}, inclusive",
                    f.path, f.value
                ));
            }
        }
    };
    // validateContainers, validateInitContainers, validateEphemeralContainers come first in ValidatePodSpec.
    for kind in [
        crate::ContainerKind::Regular,
        crate::ContainerKind::Init,
        crate::ContainerKind::Ephemeral,
    ] {
        for c in spec.containers.iter().filter(|c| c.kind == kind) {
            range(&mut causes, c.security_context.run_as_user.as_ref());
            range(&mut causes, c.security_context.run_as_group.as_ref());
        }
    }
    let psc = &spec.security_context;
    range(&mut causes, psc.fs_group.as_ref());
    range(&mut causes, psc.run_as_user.as_ref());
    range(&mut causes, psc.run_as_group.as_ref());
    for g in &psc.supplemental_groups {
        range(&mut causes, Some(g));
    }
    if let Some(p) = policy {
        if p.value != "Merge" && p.value != "Strict" {
            causes.push(format!(
                "{}: Unsupported value: {:?}: supported values: \"Merge\", \"Strict\"",
                p.path, p.value
            ));
        }
    }
    if spec.os_name.as_ref().is_some_and(|os| os.value == "windows") {
        let forbidden = |causes: &mut Vec<String>, path: &str| {
            causes.push(format!("{path}: Forbidden: cannot be set for a windows pod"))
        };
        let prefix = format!("{}.securityContext", spec.path);
        for (set, name) in [
            (psc.run_as_user.is_some(), "runAsUser"),
            (psc.run_as_group.is_some(), "runAsGroup"),
            (psc.supplemental_groups_set, "supplementalGroups"),
            (policy.is_some(), "supplementalGroupsPolicy"),
            (psc.fs_group.is_some(), "fsGroup"),
        ] {
            if set {
                forbidden(&mut causes, &format!("{prefix}.{name}"));
            }
        }
        for c in &spec.containers {
            for f in [&c.security_context.run_as_user, &c.security_context.run_as_group]
                .into_iter()
                .flatten()
            {
                forbidden(&mut causes, &f.path);
            }
        }
    }
    match causes.first() {
        None => Ok(()),
        Some(first) => Err(Refusal {
            stage: Stage::ApiValidation,
            reason: "Invalid".to_owned(),
            message: first.clone(),
            all_messages: causes,
            event_message: None,
            location: None,
        }),
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::manifest::test_pod_spec;

    #[test]
    fn every_cause_in_kube_apiserver_order() {
        let spec = test_pod_spec(
            "kind: Pod\nspec:\n  securityContext: {fsGroup: -1, runAsUser: 2147483648, supplementalGroupsPolicy: strict}\n  containers: [{name: c, securityContext: {runAsGroup: -2}}]\n",
        );
        let e = validate(&spec, spec.security_context.supplemental_groups_policy.as_ref()).unwrap_err();
        assert_eq!(e.stage, Stage::ApiValidation);
        assert_eq!(
            e.all_messages,
            [
                "spec.containers[0].securityContext.runAsGroup: Invalid value: -2: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.fsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.supplementalGroupsPolicy: Unsupported value: \"strict\": supported values: \"Merge\", \"Strict\"",
            ]
        );
        assert_eq!(e.message, e.all_messages[0]);
    }

    #[test]
    fn gate_off_drops_the_field_before_validation() {
        let spec = test_pod_spec(
            "kind: Pod\nspec:\n  securityContext: {supplementalGroupsPolicy: nonsense}\n  containers: [{name: c}]\n",
        );
        let env = Environment {
            kubernetes_minor: 32,
            feature_gate: Some(false),
            ..Environment::default()
        };
        let policy = drop_disabled_fields(spec.security_context.supplemental_groups_policy.as_ref(), &env);
        assert!(policy.is_none());
        assert!(validate(&spec, policy).is_ok());
    }

    #[test]
    fn empty_supplemental_groups_is_still_set_for_windows() {
        let spec = test_pod_spec("kind: Pod\nspec:\n  os: {name: windows}\n  securityContext: {supplementalGroups: []}\n  containers: [{name: c}]\n");
        let e = validate(&spec, None).unwrap_err();
        assert_eq!(
            e.message,
            "spec.securityContext.supplementalGroups: Forbidden: cannot be set for a windows pod"
        );
    }
}
