// The admission-policy tab asks `window.podgroupsPolicy(stateJson)`, "Apply Strict"
// `window.podgroupsApplyStrict(manifest)` (playground/src/policy_tab.rs); only then is the policy
// module (policy.js and its wasm) imported. Its answer enters the app through
// its reducer (`policyVerdict`); a failure goes to the error panel (`notice`).
import { policyInput, policyVerdict, notice, manifestFixed } from "podgroups-wasm";

const policy = () => import(new URL("policy.js", import.meta.url).href);

export function setup() {
  window.podgroupsPolicy = (state) => {
    policy()
      .then((m) => m.evaluate(state, { policyInput, policyVerdict, notice }))
      .catch((e) => notice(`The admission policy could not be loaded: ${e.message ?? e}`));
  };
  // "Apply Strict" (playground/src/policy_tab.rs): the fix runs in the same lazily loaded module.
  window.podgroupsApplyStrict = (manifest) => {
    policy()
      .then((m) => m.applyStrict(manifest))
      .then((fixed) => manifestFixed(manifest, fixed))
      .catch((e) => notice(`could not apply Strict: ${e.message ?? e}`));
  };
}
