// The podgroups widget: turns <podgroups-example> elements and <pre data-podgroups> blocks into live,
// editable widgets computed in the page by the podgroups wasm. Shared by the site's embed.js and the
// npm package `podgroups-embed`; the only requests it makes are for the wasm next to this module.
//
// Everything it shows comes from fields of explain()'s JSON: the groups, each gid's `implicit` fact
// (what Strict removes), the refusal's and the input error's `text` (the core's wording). The markup is
// the one the build-time renderers (mdbook-podgroups, the Hugo companion) write, so a static answer
// and the live one look alike.
import init, { explain as wasmExplain, shareFragment } from "podgroups-wasm";

let loading = null;

/** Starts loading the wasm (once); resolves when explain() can run. */
export function ready() {
  // The literal `new URL("./…", import.meta.url)` lets bundlers (Vite, webpack) find and copy the wasm.
  loading ??= init({ module_or_path: new URL("./podgroups_bg.wasm", import.meta.url) });
  return loading;
}

/** explain(input) -> {ok: true, report} | {ok: false, error, text}; types in index.d.ts. */
export async function explain(input) {
  await ready();
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

const IMPLICIT_TITLE = "only from the image's /etc/group: Strict removes it";

// A constructed stylesheet needs no 'unsafe-inline' in the page's style-src (a <style> element would).
function injectStyle() {
  if (document.pgEmbedStyle) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLE);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  document.pgEmbedStyle = sheet;
}

function text(el, selector) {
  const found = el.querySelector(selector);
  return found ? found.textContent.replace(/^\n/, "") : null;
}

/** explain()'s input from an element: its `<pre data-input>` children and attributes. */
function inputOf(el) {
  const manifest = text(el, '[data-input="manifest"]') ?? (el.tagName === "PRE" ? el.textContent : "");
  const environment = {};
  const runtime = el.getAttribute("runtime") || el.dataset.runtime;
  const kubernetes = el.getAttribute("kubernetes") || el.dataset.kubernetes;
  // Absent: the engine's defaults, as the build-time renderers use.
  if (runtime) environment.runtime = runtime;
  if (kubernetes) environment.kubernetes = kubernetes;
  return {
    manifests: manifest,
    image: {
      user: el.getAttribute("user") ?? el.dataset.user ?? "",
      passwd: text(el, '[data-input="passwd"]') ?? el.dataset.passwd ?? null,
      group: text(el, '[data-input="group"]') ?? el.dataset.group ?? null,
    },
    environment,
  };
}

function node(tag, className, content) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (content !== undefined) e.textContent = content;
  return e;
}

/** One policy's column: `outcome` is the report's `merge` or `strict`. */
function column(title, policy, outcome) {
  const col = node("div", "pg-col");
  col.dataset.policy = policy;
  col.append(node("h4", "", title));
  if (outcome.result === "runs") {
    col.dataset.groups = outcome.groups_as_kernel_sees.join(",");
    const body = node("div");
    body.append(`uid=${outcome.uid} gid=${outcome.gid} groups=`);
    outcome.groups_as_kernel_sees.forEach((g, i) => {
      if (i) body.append(",");
      const implicit = outcome.gid_origins.some((o) => o.gid === g && o.implicit);
      if (implicit) {
        const span = node("span", "pg-implicit", String(g));
        span.title = IMPLICIT_TITLE;
        body.append(span);
      } else body.append(String(g));
    });
    col.append(body);
  } else if (outcome.result === "depends_on_image") {
    col.dataset.dependsOnImage = "";
    col.append(node("div", "", `depends on the image: ${outcome.unknown.map((u) => u.reason).join("; ")}`));
  } else {
    col.dataset.refused = outcome.reason;
    col.append(node("div", "pg-err", `does not run: ${outcome.text}`));
  }
  return col;
}

function render(out, results) {
  results.textContent = "";
  if (!out.ok) {
    const p = node("p", "pg-err", out.text ?? out.error.message);
    p.dataset.error = "";
    results.append(p);
    return;
  }
  for (const w of out.report.workloads) {
    for (const c of w.containers) {
      const title = node("div", "pg-ctr");
      title.append(node("code", "", `${w.kind} ${w.name} / ${c.name}`));
      const cols = node("div", "pg-cols");
      cols.append(column("Merge", "merge", c.merge), column("Strict", "strict", c.strict));
      results.append(title, cols);
    }
  }
}

async function upgrade(el, playground) {
  if (el.dataset.pgReady) return;
  el.dataset.pgReady = "1";
  injectStyle();
  await ready();
  const input = inputOf(el);
  const widget = node("div", "pg-widget");
  widget.dataset.testid = "podgroups-widget";
  const area = node("textarea");
  area.value = input.manifests;
  area.spellcheck = false;
  area.setAttribute("aria-label", "Pod manifest (editable)");
  const results = node("div", "pg-results");
  results.setAttribute("aria-live", "polite");
  const foot = node("div", "pg-foot");
  foot.append(node("span", "", "Computed in your browser by podgroups."));
  const base = el.getAttribute("playground") ?? playground;
  const open = base ? node("a", "", "Open in playground ↗") : null;
  if (open) {
    open.target = "_blank";
    open.rel = "noopener";
    foot.append(open);
  }
  const update = () => {
    input.manifests = area.value;
    render(wasmExplain(input), results);
    if (open) open.href = `${base}#${shareFragment(input)}`;
  };
  area.addEventListener("input", update);
  widget.append(area, results, foot);
  el.replaceWith(widget);
  update();
}

/**
 * Defines <podgroups-example> and upgrades `<pre data-podgroups>` blocks. `playground`: the URL of a
 * podgroups playground for the "Open in playground" link (none when absent; an element's
 * `playground` attribute overrides it).
 */
export function define({ playground } = {}) {
  if (!customElements.get("podgroups-example")) {
    customElements.define(
      "podgroups-example",
      class extends HTMLElement {
        connectedCallback() {
          // Children are parsed after the element connects; wait a frame so they exist.
          requestAnimationFrame(() => upgrade(this, playground));
        }
      },
    );
  }
  const scan = () => document.querySelectorAll("pre[data-podgroups]").forEach((el) => upgrade(el, playground));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
}
