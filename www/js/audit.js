// The cluster audit of a pasted dump, imported by audit-setup.js only when the user runs it: a
// third wasm (playground/audit) runs podgroups-audit on the pasted text and answers with the view's
// model, which this file only draws (text nodes only: pasted text is never parsed as HTML).
// Nothing leaves the browser.
import init, { auditDump } from "podgroups-audit-wasm";

const $ = (id) => document.getElementById(id);
let ready;

// The view's styles come with it, so the playground's first download does not carry them.
const STYLE = `
.audit { margin: .5rem 1rem 1rem; }
.audit textarea { width: 100%; }
.audit-image { display: grid; gap: .25rem; margin: .5rem 0; }
.audit-summary { font-weight: 600; font-size: 1.05em; }
.audit-workload { border: 1px solid var(--border); border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; }
.audit-workload h4 { margin: 0 0 .25rem; }
.audit-workload table { border-collapse: collapse; width: 100%; font-size: .9em; }
.audit-workload th, .audit-workload td { text-align: left; border-top: 1px solid var(--border); padding: .2rem .4rem; vertical-align: top; }
.audit-break { color: var(--err); font-weight: 600; }
.audit-unknown, .audit-meta { color: var(--muted); }
.audit-errors { color: var(--err); }
`;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "testid") e.dataset.testid = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

// What the user pasted: empty boxes are left out (unknown), never sent as empty files.
function paste() {
  const images = [...document.querySelectorAll(".audit-image")].map((f) => {
    const image = { image: f.querySelector('[name="image"]').value.trim() };
    for (const n of ["user", "passwd", "group"]) {
      const v = f.querySelector(`[name="${n}"]`).value;
      if (v !== "") image[n] = v;
    }
    return image;
  }).filter((i) => i.image);
  return { pods: $("audit-pods").value, nodes: $("audit-nodes").value, images };
}

function finding(f, app) {
  const li = el("li", { testid: "audit-finding", "data-code": f.code }, el("code", {}, f.code), " ",
    f.container ? `${f.container}: ` : "", f.message);
  if (f.link) {
    const { manifest, runtime, kubernetes_minor: minor, feature_gate: gate, image } = f.link;
    const fragment = app.podLink(manifest, runtime, minor, gate ?? undefined, JSON.stringify(image));
    const a = el("a", { href: `#${fragment}`, testid: "audit-explain" }, `Explain ${f.link.label}`);
    a.addEventListener("click", (e) => {
      e.preventDefault();
      app.openLink(fragment);
      $("app").scrollIntoView();
    });
    li.append(" — ", a);
  }
  return li;
}

function workload(w, app) {
  const rows = w.containers.map((c) => el("tr", {},
    el("td", {}, c.name, el("div", { class: "audit-meta" }, c.images.join(", "))),
    el("td", { testid: "audit-implicit" }, c.implicit.length ? c.implicit.join(", ") : (c.known ? "none" : "unknown"),
      c.unknown.length ? el("div", { class: "audit-unknown" }, c.unknown.join("; ")) : null),
    el("td", {}, c.strict_would_remove.length ? c.strict_would_remove.join(", ") : "nothing"),
    el("td", { class: c.would_break.length ? "audit-break" : "" }, c.would_break.join(", ") || "—")));
  return el("section", { class: "audit-workload", testid: "audit-workload", "data-workload": w.title },
    el("h4", {}, w.title),
    el("div", { class: "audit-meta" }, `${w.pods}; supplementalGroupsPolicy: ${w.policy}`),
    el("table", {},
      el("thead", {}, el("tr", {}, ...["Container", "Implicit groups", "Strict would remove", "Would break"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows)),
    w.findings.length ? el("ul", {}, ...w.findings.map((f) => finding(f, app))) : null);
}

function draw(view, app) {
  const parts = [el("p", { class: "audit-summary", testid: "audit-summary" }, view.summary.headline)];
  if (view.environments.length) parts.push(el("ul", { class: "audit-meta" }, ...view.environments.map((e) => el("li", {}, e))));
  if (view.unknown_images.length) {
    parts.push(el("p", { class: "audit-unknown", testid: "audit-unknown-images" },
      `Images unknown here (paste their files above to know them; observed groups still count): ${view.unknown_images.join(", ")}`));
  }
  if (view.errors.length) parts.push(el("ul", { class: "audit-errors", testid: "audit-errors" }, ...view.errors.map((e) => el("li", {}, e))));
  parts.push(...view.workloads.map((w) => workload(w, app)));
  $("audit-out").replaceChildren(...parts);
}

// Runs the audit on what is pasted; `app` is the playground's `podLink` and `openLink`.
export async function run(app) {
  try {
    if (!ready) {
      document.head.append(el("style", {}, STYLE));
      ready = init({ module_or_path: new URL("podgroups_audit_bg.wasm", import.meta.url) });
    }
    await ready;
    const answer = JSON.parse(auditDump(JSON.stringify(paste())));
    if (!answer.ok) throw new Error(answer.error);
    draw(answer.view, app);
  } catch (e) {
    $("audit-out").replaceChildren(el("p", { class: "audit-errors", testid: "audit-errors" }, String(e.message ?? e)));
  }
}

// One more set of image boxes, empty.
export function addImage() {
  const boxes = document.querySelectorAll(".audit-image");
  const fresh = boxes[boxes.length - 1].cloneNode(true);
  for (const f of fresh.querySelectorAll("input, textarea")) f.value = "";
  boxes[boxes.length - 1].after(fresh);
}
