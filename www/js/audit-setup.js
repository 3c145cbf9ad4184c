// The cluster audit's buttons: only the listeners live here; the audit (audit.js and its wasm,
// playground/audit) is imported from this site when the user runs it or adds an image.
import { podLink, openLink } from "podgroups-wasm";

const load = () => import(new URL("audit.js", import.meta.url).href);

export function setup() {
  const run = document.getElementById("audit-run");
  if (!run) return;
  // A finding's link becomes a share link (`podLink`) and opens through the app's reducer (`openLink`).
  run.addEventListener("click", () => load().then((m) => m.run({ podLink, openLink })));
  document.getElementById("audit-add-image").addEventListener("click", () => load().then((m) => m.addImage()));
}
