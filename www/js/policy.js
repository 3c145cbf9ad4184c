// The admission-policy tab's module (playground/policy), imported by policy-load.js when the tab is
// first shown (or "Apply Strict" first clicked: the core's fix lives here too): the podgroups
// policy's own Rust code, compiled to a separate wasm so it is not part of the page's first download. Its controls and stylesheet come with it: the app draws an empty
// `#policy-controls` and keeps the tab's inputs in its state as the JSON text the controls write
// (`pol`, through its reducer: `policyInput`); the verdict goes back the same way (`policyVerdict`).
import init, { policyTab, applyStrict as fix } from "podgroups-policy-wasm";

let ready;
let manifest = "";

const CONTROLS = `
<div class="policy-field"><div class="head"><label for="policy-settings">Policy settings (YAML or JSON; empty: the defaults)</label></div>
<textarea id="policy-settings" data-testid="policy-settings" spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off" rows="6"
 placeholder="mutate: true&#10;exempt_images: [&quot;registry.k8s.io/pause:*&quot;]&#10;run_as_user: {rule: MustRunAsNonRoot}"></textarea></div>
<div class="request">
 <div class="field"><label for="policy-operation">Operation</label>
  <select id="policy-operation" data-testid="policy-operation"><option>CREATE</option><option>UPDATE</option></select></div>
 <div class="field"><label for="policy-namespace">Namespace</label>
  <input id="policy-namespace" data-testid="policy-namespace" type="text" spellcheck="false" placeholder="the object's, else default"></div>
</div>
<div class="policy-field" id="policy-old-box"><div class="head"><label for="policy-old">Old objects (UPDATE)</label>
 <button type="button" data-testid="policy-old-from-manifest">Take the manifest as it is now</button></div>
<textarea id="policy-old" data-testid="policy-old" spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off" rows="6"></textarea></div>`;

// Draws the controls into the app's empty `#policy-controls` (again after the tab was closed) with
// the state's values, and wires them to the app's reducer.
function controls(tab, app) {
  const root = document.getElementById("policy-controls");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  if (!root.firstChild) {
    root.innerHTML = CONTROLS;
    $("policy-settings").value = tab.s ?? "";
    $("policy-operation").value = tab.op ?? "CREATE";
    $("policy-namespace").value = tab.ns ?? "";
    $("policy-old").value = tab.old ?? "";
    const send = () => app.policyInput(JSON.stringify({
      s: $("policy-settings").value, op: $("policy-operation").value,
      ns: $("policy-namespace").value, old: $("policy-old").value,
    }));
    root.addEventListener("input", send);
    root.addEventListener("change", () => {
      // Choosing UPDATE with no old objects takes the manifest as it is (before the update's edits).
      if ($("policy-operation").value === "UPDATE" && !$("policy-old").value) $("policy-old").value = manifest;
      send();
    });
    root.querySelector('[data-testid="policy-old-from-manifest"]').addEventListener("click", () => {
      $("policy-old").value = manifest;
      send();
    });
  }
  $("policy-old-box").hidden = $("policy-operation").value !== "UPDATE";
}

// Starts the module's wasm (and the tab's stylesheet) once.
function load() {
  if (!ready) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("policy.css", import.meta.url).href;
    document.head.append(css);
    ready = init({ module_or_path: new URL("podgroups_policytab_bg.wasm", import.meta.url) });
  }
  return ready;
}

// "Apply Strict": the manifest as the core's fix rewrites it; throws why it cannot.
export async function applyStrict(text) {
  await load();
  return fix(text);
}

// Answers for the app's state (its share-link JSON) through the app's `policyVerdict`.
export async function evaluate(state, app) {
  load();
  try {
    const parsed = JSON.parse(state);
    manifest = parsed.m ?? "";
    controls(parsed.pol ? JSON.parse(parsed.pol) : {}, app);
    await ready;
    app.policyVerdict(policyTab(state));
  } catch (e) {
    app.notice(`The admission policy could not run: ${e.message ?? e}`);
  }
}
