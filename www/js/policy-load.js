// The admission-policy tab asks `window.podgroupsPolicy(stateJson)` (playground/src/policy_tab.rs);
// only then is the policy module (policy.js and its wasm) imported. Its answer enters the app through
// its reducer (`policyVerdict`); a failure goes to the error panel (`notice`).
import { policyInput, policyVerdict, notice } from "podgroups-wasm";

export function setup() {
  window.podgroupsPolicy = (state) => {
    import(new URL("policy.js", import.meta.url).href)
      .then((m) => m.evaluate(state, { policyInput, policyVerdict, notice }))
      .catch((e) => notice(`The admission policy could not be loaded: ${e.message ?? e}`));
  };
}
