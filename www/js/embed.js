// podgroups embed script: turns <podgroups-example> elements and <pre data-podgroups> blocks into
// live widgets, computed in the page by the same wasm as the playground. No network request
// besides this script and podgroups_bg.wasm next to it.
//
//   <script type="module" src="https://…/embed.js"></script>
//   <podgroups-example runtime="containerd-2" kubernetes="1.33" user="">
//     <pre data-input="manifest">kind: Pod …</pre>
//     <pre data-input="group">group-defined-in-image:x:50000:user-defined-in-image</pre>
//     <pre data-input="passwd">user-defined-in-image:x:1000:1000::/home/u:/bin/sh</pre>
//   </podgroups-example>
//
// Also exported for pages that want the report itself: `import { explain, ready } from ".../embed.js"`.
import init, { explain as wasmExplain, shareFragment } from "podgroups-wasm";

const wasmUrl = new URL("podgroups_bg.wasm", import.meta.url);
const playgroundUrl = new URL("./", import.meta.url);
export const ready = init({ module_or_path: wasmUrl });

/** explain(input) -> {ok: true, report} | {ok: false, error}; see the playground README. */
export async function explain(input) {
  await ready;
  return wasmExplain(input);
}

const STYLE = `
.pg-widget{font:14px/1.45 system-ui,sans-serif;border:1px solid #8884;border-radius:8px;padding:.75rem;margin:1rem 0;max-width:52rem}
.pg-widget textarea{width:100%;box-sizing:border-box;font:13px/1.5 ui-monospace,monospace;min-height:8rem;padding:.5rem;border:1px solid #8886;border-radius:6px;background:transparent;color:inherit}
.pg-widget .pg-cols{display:grid;grid-template-columns:1fr 1fr;gap:.75rem;margin-top:.5rem}
.pg-widget .pg-col{border:1px solid #8884;border-radius:6px;padding:.5rem}
.pg-widget .pg-col h4{margin:0 0 .25rem;font-size:.9rem}
.pg-widget .pg-implicit{background:#f5a62333;border-radius:4px;padding:0 .2rem;outline:1px dashed #c77d00}
.pg-widget .pg-err{color:#c62828;white-space:pre-wrap}
.pg-widget .pg-foot{display:flex;justify-content:space-between;font-size:.8rem;margin-top:.4rem;opacity:.85}
.pg-widget code{font-family:ui-monospace,monospace}`;

function injectStyle() {
  if (document.getElementById("pg-embed-style")) return;
  const s = document.createElement("style");
  s.id = "pg-embed-style";
  s.textContent = STYLE;
  document.head.append(s);
}

function text(el, selector) {
  const found = el.querySelector(selector);
  return found ? found.textContent.replace(/^\n/, "") : null;
}

function inputOf(el) {
  const manifest = text(el, '[data-input="manifest"]') ?? (el.tagName === "PRE" ? el.textContent : "");
  return {
    manifests: manifest,
    image: {
      user: el.getAttribute("user") ?? el.dataset.user ?? "",
      passwd: text(el, '[data-input="passwd"]') ?? el.dataset.passwd ?? null,
      group: text(el, '[data-input="group"]') ?? el.dataset.group ?? null,
    },
    environment: {
      runtime: el.getAttribute("runtime") ?? el.dataset.runtime ?? "containerd-2",
      kubernetes: el.getAttribute("kubernetes") ?? el.dataset.kubernetes ?? "1.35",
    },
  };
}

function column(title, outcome, implicit) {
  const col = document.createElement("div");
  col.className = "pg-col";
  const h = document.createElement("h4");
  h.textContent = title;
  col.append(h);
  const body = document.createElement("div");
  if (outcome.result === "runs") {
    body.append(`uid=${outcome.uid} gid=${outcome.gid} groups=`);
    outcome.groups_as_kernel_sees.forEach((g, i) => {
      if (i) body.append(",");
      const span = document.createElement("span");
      span.textContent = g;
      if (implicit.includes(g) && title === "Merge") {
        span.className = "pg-implicit";
        span.title = "only from the image's /etc/group: Strict removes it";
      }
      body.append(span);
    });
  } else {
    body.className = "pg-err";
    body.textContent = `does not run: ${outcome.reason}: ${outcome.message}`;
  }
  col.append(body);
  return col;
}

function render(out, results) {
  results.textContent = "";
  if (!out.ok) {
    const p = document.createElement("p");
    p.className = "pg-err";
    const e = out.error;
    const where = e.location ? ` at line ${e.location.line}, column ${e.location.column}` : "";
    p.textContent = `The ${e.source} cannot be read${where}: ${e.message}`;
    results.append(p);
    return;
  }
  for (const w of out.report.workloads) {
    for (const c of w.containers) {
      const title = document.createElement("div");
      title.innerHTML = "";
      const code = document.createElement("code");
      code.textContent = `${w.kind} ${w.name} / ${c.name}`;
      title.append(code);
      const cols = document.createElement("div");
      cols.className = "pg-cols";
      cols.append(column("Merge", c.merge, c.implicit_gids), column("Strict", c.strict, c.implicit_gids));
      results.append(title, cols);
    }
  }
}

async function upgrade(el) {
  if (el.dataset.pgReady) return;
  el.dataset.pgReady = "1";
  injectStyle();
  await ready;
  const input = inputOf(el);
  const widget = document.createElement("div");
  widget.className = "pg-widget";
  widget.setAttribute("data-testid", "podgroups-widget");
  const area = document.createElement("textarea");
  area.value = input.manifests;
  area.spellcheck = false;
  area.setAttribute("aria-label", "Pod manifest (editable)");
  const results = document.createElement("div");
  results.setAttribute("aria-live", "polite");
  const foot = document.createElement("div");
  foot.className = "pg-foot";
  const note = document.createElement("span");
  note.textContent = "Computed in your browser by podgroups.";
  const open = document.createElement("a");
  open.textContent = "Open in playground ↗";
  open.target = "_blank";
  open.rel = "noopener";
  foot.append(note, open);
  const update = () => {
    input.manifests = area.value;
    render(wasmExplain(input), results);
    open.href = `${playgroundUrl}#${shareFragment(input)}`;
  };
  area.addEventListener("input", update);
  widget.append(area, results, foot);
  el.replaceWith(widget);
  update();
}

class PodgroupsExample extends HTMLElement {
  connectedCallback() {
    // Children are parsed after the element connects; wait a frame so they exist.
    requestAnimationFrame(() => upgrade(this));
  }
}

if (!customElements.get("podgroups-example")) customElements.define("podgroups-example", PodgroupsExample);
const scan = () => document.querySelectorAll("pre[data-podgroups]").forEach(upgrade);
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
else scan();
