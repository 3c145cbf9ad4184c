// Measures the playground's budgets (playground/README.md) and prints them; never a pass/fail
// on wall-clock time. Usage: node budgets.mjs [dist-dir]   (server at PODGROUPS_URL, default :8080)
//  1. wasm + JS + CSS of the playground, gzipped (level 9), against 300 KB (issue 11); the lazily loaded
//     image-archive reader, the cluster audit (wasm + JS each) and the admission-policy tab
//     (wasm + JS + CSS) separately;
//  2. first result on screen after navigation (performance mark set by the app), against 1 s;
//  3. recomputation after a keystroke with a 1,000-line manifest and a 5,000-line /etc/group,
//     against 16 ms: the engine's time (measured in the app) and keystroke-to-DOM-updated (until the
//     DOM shows the keystroke's result), for an edit dispatched as an input event and for real key
//     presses (from the keydown, so Chromium's own layout before the edit counts too).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, open, until } from "./browser.mjs";

const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "www", "dist");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
/** The nearest-rank percentile `p` (0–100) of `xs`. */
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)];

// 1. Sizes.
let total = 0;
console.log("asset sizes (gzip -9):");
for (const f of ["podgroups_bg.wasm", "app.js", "playground.css"]) {
  const raw = readFileSync(join(dist, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  console.log(`  ${f.padEnd(20)} ${(raw.length / 1024).toFixed(1).padStart(8)} KB raw ${(gz / 1024).toFixed(1).padStart(8)} KB gzip`);
}
console.log(`  total gzip ${(total / 1024).toFixed(1)} KB (budget 300 KB): ${total <= 300 * 1024 ? "within" : "OVER"}`);
// Modules imported on demand are not in the 300 KB: the image-archive reader (when a file is dropped
// or picked), the cluster audit (when an audit runs) and the admission-policy tab (when first shown).
for (const [what, files] of [
  ["an image archive", ["podgroups_archive_bg.wasm", "archive.js"]],
  ["a cluster audit", ["podgroups_audit_bg.wasm", "audit.js"]],
  ["opening the admission-policy tab", ["podgroups_policytab_bg.wasm", "policy.js", "policy.css"]],
]) {
  let lazy = 0;
  console.log(`lazily loaded on ${what} (not part of the initial download):`);
  for (const f of files) {
    const raw = readFileSync(join(dist, f));
    const gz = gzipSync(raw, { level: 9 }).length;
    lazy += gz;
    console.log(`  ${f.padEnd(28)} ${(raw.length / 1024).toFixed(1).padStart(8)} KB raw ${(gz / 1024).toFixed(1).padStart(8)} KB gzip`);
  }
  console.log(`  total gzip ${(lazy / 1024).toFixed(1)} KB`);
}

const browser = await launch();
try {
  // 2. First result, fresh page each time (the browser cache is warm after the first run).
  const firsts = [];
  for (let i = 0; i < 5; i++) {
    const page = await open(browser.context);
    firsts.push(await page.evaluate(() => performance.getEntriesByName("podgroups-first-result")[0]?.startTime ?? NaN));
    await page.close();
  }
  console.log(`first result after navigation: median ${median(firsts).toFixed(0)} ms, max ${max(firsts).toFixed(0)} ms over ${firsts.length} loads (budget: median under 500 ms; first load ${firsts[0].toFixed(0)} ms)`);

  // 3. Keystrokes on a large input.
  const page = await open(browser.context);
  const pod = (i) => [
    "---", "apiVersion: v1", "kind: Pod", "metadata:", `  name: pod-${i}`, "  namespace: bench", "spec:",
    "  securityContext:", `    runAsUser: ${1000 + (i % 3)}`, "    runAsGroup: 3000", "    supplementalGroups: [4000, 4001]",
    "  initContainers:", "  - name: init", "    image: example.com/init:1", "    securityContext:", "      runAsUser: 0",
    "  containers:", "  - name: app", "    image: example.com/app:1", "    securityContext:", `      runAsGroup: ${3000 + i}`,
    "      allowPrivilegeEscalation: false", "  - name: side", "    image: example.com/side:1", "    # padding",
  ];
  const manifest = Array.from({ length: 40 }, (_, i) => pod(i)).flat().join("\n") + "\n";
  const group = Array.from({ length: 5000 }, (_, i) =>
    `group${i}:x:${10000 + i}:${i % 250 === 0 ? "u1000,u1001" : `other${i}`}`).join("\n") + "\n";
  const passwd = ["root:x:0:0:root:/root:/bin/sh", "u1000:x:1000:1000::/home/u:/bin/sh", "u1001:x:1001:1001::/home/v:/bin/sh"].join("\n") + "\n";
  await page.evaluate(({ manifest, group, passwd }) => {
    for (const [id, v] of [["manifest", manifest], ["group", group], ["passwd", passwd]]) {
      const ta = document.getElementById(id);
      ta.value = v;
      ta.dispatchEvent(new InputEvent("input", { bubbles: true }));
    }
  }, { manifest, group, passwd });
  await until(page, () => document.querySelectorAll(".container-result").length >= 100, undefined, 30000);
  const lines = await page.evaluate(() => [document.getElementById("manifest").value.split("\n").length, document.getElementById("group").value.split("\n").length]);
  const engine = [];
  const toDom = [];
  for (let i = 0; i < 30; i++) {
    const r = await page.evaluate((i) => new Promise((resolve) => {
      const ta = document.getElementById("manifest");
      const root = document.querySelector(".playground");
      const t0 = performance.now();
      // Done when a mutation leaves this keystroke's result on screen (the renamed container), not
      // at the first mutation: a page that drew the editor first and the results later is measured
      // to the results.
      const obs = new MutationObserver(() => {
        const dom = performance.now() - t0;
        if (!root.querySelector(`.container-result[data-container="side${i}"]`)) return;
        obs.disconnect();
        resolve({ dom, engine: Number(root.dataset.computeMs) });
      });
      obs.observe(root, { attributes: true, childList: true, subtree: true, characterData: true });
      // One keystroke: change a name in the last document.
      ta.value = ta.value.replace(/name: side\d*\n(?![\s\S]*name: side)/, `name: side${i}\n`);
      ta.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: "x" }));
    }), i);
    engine.push(r.engine);
    toDom.push(r.dom);
  }
  console.log(`keystroke with a ${lines[0]}-line manifest and a ${lines[1]}-line /etc/group (30 keystrokes):`);
  console.log(`  engine (explain) median ${median(engine).toFixed(2)} ms, max ${max(engine).toFixed(2)} ms (budget 16 ms)`);
  console.log(`  keystroke to DOM updated median ${median(toDom).toFixed(2)} ms, p95 ${percentile(toDom, 95).toFixed(2)} ms, max ${max(toDom).toFixed(2)} ms (budget: p95 under 16 ms)`);

  // The same, typed: real key presses at the end of the last container's name (Chromium lays the
  // page out before it edits the text), timed from the keydown to the DOM showing the new name.
  await page.evaluate(() => {
    const ta = document.getElementById("manifest");
    const at = ta.value.lastIndexOf("name: side") + "name: side".length;
    ta.value = ta.value.slice(0, at) + ta.value.slice(at).replace(/^\d*/, "");
    ta.dispatchEvent(new InputEvent("input", { bubbles: true }));
    ta.focus();
    ta.setSelectionRange(at, at);
  });
  const typed = [];
  for (let i = 0; i < 30; i++) {
    const key = i % 2 ? "Backspace" : "x";
    const want = i % 2 ? "side" : "sidex";
    // The listener is in place before the key is pressed; the page keeps the answer's promise.
    await page.evaluate((want) => {
      const ta = document.getElementById("manifest");
      const root = document.querySelector(".playground");
      window.podgroupsTyped = new Promise((resolve) => {
        ta.addEventListener("keydown", () => {
          const t0 = performance.now();
          const last = () => [...root.querySelectorAll('.container-result[data-container^="side"]')].pop();
          const obs = new MutationObserver(() => {
            if (last()?.dataset.container !== want) return;
            obs.disconnect();
            resolve(performance.now() - t0);
          });
          obs.observe(root, { attributes: true, childList: true, subtree: true, characterData: true });
        }, { once: true, capture: true });
      });
    }, want);
    await page.keyboard.press(key);
    typed.push(await page.evaluate(() => window.podgroupsTyped));
  }
  console.log(`  typed (keydown to DOM updated, 30 key presses) median ${median(typed).toFixed(2)} ms, p95 ${percentile(typed, 95).toFixed(2)} ms, max ${max(typed).toFixed(2)} ms (budget: p95 under 16 ms)`);
  await page.close();
} finally {
  await browser.close();
}
