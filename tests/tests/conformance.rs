//! Every vector of `tests/vectors/conformance.yaml` (the copy of upstream `shared/`) through the library, every expected field compared.

use podgroups_core::scenario::{simulate, Scenario};
use podgroups_tests::{mismatches, vectors};

#[test]
fn all_vectors_pass_through_the_library() {
    let vectors = vectors();
    assert!(
        vectors.len() >= 58,
        "expected at least 58 vectors, found {}",
        vectors.len()
    );
    let mut failures = Vec::new();
    for v in &vectors {
        let id = v.get("id").and_then(|i| i.as_str()).unwrap_or("?");
        let scenario = Scenario::from_yaml(&v.to_string()).unwrap_or_else(|e| panic!("{id}: {e}"));
        let got = match simulate(&scenario) {
            Ok(sim) => serde_json::to_value(&sim).unwrap(),
            Err(e) => {
                failures.push(format!("{id}: input error {e}"));
                continue;
            }
        };
        let expected = v.get("expected").cloned().unwrap_or_default();
        for m in mismatches(&expected, &got) {
            failures.push(format!("{id}: {m}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn comparison_detects_a_wrong_answer() {
    let v = &vectors()[0];
    let scenario = Scenario::from_yaml(&v.to_string()).unwrap();
    let got = serde_json::to_value(simulate(&scenario).unwrap()).unwrap();
    let mut expected = v.get("expected").cloned().unwrap();
    expected["additional_gids"] = serde_json::json!([3000, 4000]);
    expected["error"] = serde_json::json!({"stage": "runtime-create", "message_contains": "nope"});
    let m = mismatches(&expected, &got);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m[1].starts_with("error:"), "{m:?}");
}
