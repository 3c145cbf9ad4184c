//! Natively, for every stored AdmissionReview: the tab, given the request's object as the manifest
//! and its operation, namespace and old object as its inputs, rebuilds a request the policy answers
//! exactly as it answers the stored one (the browser suite compares the tab with the built module).

use podgroups_policy::{evaluate, Settings};
use podgroups_policy_tab::verdict::{answer, Answer, Verdict};
use serde_json::{json, Value};

#[test]
fn the_tab_s_request_gets_the_stored_request_s_verdict() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/policy");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(review) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).unwrap_or_default()) else {
            continue;
        };
        if review["kind"] != "AdmissionReview" {
            continue;
        }
        let request = &review["request"];
        for settings in [
            json!({}),
            json!({"mutate": false}),
            json!({"run_as_user": {"rule": "MustRunAsNonRoot"}}),
        ] {
            let expected = evaluate(request, &Settings::from_json(&settings).unwrap(), true);
            let old = request.get("oldObject").map(|o| o.to_string()).unwrap_or_default();
            let tab =
                json!({"s": settings.to_string(), "op": request["operation"], "ns": request["namespace"], "old": old});
            let state = json!({"m": request["object"].to_string(), "pol": tab.to_string()}).to_string();
            let Answer::Verdicts(verdicts) = answer(&state) else {
                panic!("{}: {:?}", path.display(), answer(&state))
            };
            let [Verdict::Answered(got)] = verdicts.as_slice() else {
                panic!("{}: {verdicts:?}", path.display())
            };
            let at = format!("{} with {settings}", path.display());
            assert_eq!(got.allowed, expected.accepted(), "{at}");
            assert_eq!(got.message, expected.message(), "{at}");
            assert_eq!(got.warnings, expected.warnings, "{at}");
            let patch = expected
                .mutated
                .map(|m| serde_json::to_value(json_patch::diff(&request["object"], &m)).unwrap());
            assert_eq!(got.patch, patch, "{at}");
            seen += 1;
        }
    }
    assert!(seen >= 27, "{seen} cases");
}
