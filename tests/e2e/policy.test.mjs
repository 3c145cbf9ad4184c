// The admission-policy tab against the real policy: for every stored AdmissionReview in
// tests/fixtures/policy/ and several settings, the tab's verdict (allowed, message, warnings, JSON
// patch) must equal what the built Kubewarden module (`cargo xtask policy`, run here in a waPC host)
// answers for the same request. The tab's state goes in through a share link, so links carrying the
// settings are exercised too. Its own browser, so its request check covers the lazily loaded module.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import lz from "lz-string";
import { BASE, assertStayedOnSite, launch, open, until } from "./browser.mjs";
import { applyPatch, loadPolicy } from "./wapc.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = join(ROOT, "tests", "fixtures", "policy");
// The module `cargo xtask www` copies into the site (from `cargo xtask policy`), unless given.
const POLICY = process.env.PODGROUPS_POLICY_WASM ?? join(ROOT, "www", "dist", "downloads", "podgroups-policy.wasm");

// Settings as the tab's editor takes them (YAML or JSON text) and as Kubewarden passes them (JSON).
const RANGES = {
  require_run_as_group: true,
  run_as_user: { rule: "MustRunAs", ranges: [{ min: 1000, max: 1999 }] },
  run_as_group: { rule: "MustRunAs", ranges: [{ min: 3000, max: 3999 }] },
  supplemental_groups: { rule: "MustRunAs", ranges: [{ min: 4000, max: 4999 }] },
  fs_group: { rule: "MustRunAs", ranges: [{ min: 4000, max: 4999 }] },
};
const NON_ROOT = { mutate: false, exempt_images: ["ghcr.io/acme/*"], run_as_user: { rule: "MustRunAsNonRoot" } };
const SETTINGS = [
  { text: "", json: {} },
  { text: "mutate: false\n", json: { mutate: false } },
  {
    text: "require_run_as_group: true\nrun_as_user:\n  rule: MustRunAs\n  ranges: [{min: 1000, max: 1999}]\n" +
      "run_as_group: {rule: MustRunAs, ranges: [{min: 3000, max: 3999}]}\n" +
      "supplemental_groups: {rule: MustRunAs, ranges: [{min: 4000, max: 4999}]}\n" +
      "fs_group:\n  rule: MustRunAs\n  ranges:\n  - min: 4000\n    max: 4999\n",
    json: RANGES,
  },
  { text: JSON.stringify(NON_ROOT, null, 2), json: NON_ROOT },
  { text: "run_as_user: {rule: MustRunAsNonRoot}\n", json: { run_as_user: { rule: "MustRunAsNonRoot" } } },
  { text: "exempt_namespaces: [shop]\n", json: { exempt_namespaces: ["shop"] } },
];

const reviews = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), "utf8"))])
  .filter(([, r]) => r.kind === "AdmissionReview");

let browser;
let policy;
before(async () => {
  assert.ok(existsSync(POLICY), `${POLICY} is missing: cargo xtask www builds it (cargo xtask policy)`);
  policy = await loadPolicy(POLICY);
  browser = await launch();
});
after(async () => { await browser?.close(); });

let cases = 0;
/** Opens the playground on `state` (a share link, the tab open) and reads the tab's answer. */
async function tabAnswer(state) {
  const link = `${BASE}?case=${++cases}#v1=${lz.compressToEncodedURIComponent(JSON.stringify(state))}`;
  const page = await open(browser.context, link, { waitFor: '[data-testid="policy-answer"] [data-testid]' });
  const answer = await page.evaluate(() => {
    const root = document.querySelector('[data-testid="policy-answer"]');
    const text = (el, id) => el.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
    const value = (id) => document.getElementById(id)?.value ?? null;
    return {
      // The controls policy.js draws, filled from the link's state.
      controls: { s: value("policy-settings"), op: value("policy-operation"), ns: value("policy-namespace"), old: value("policy-old") },
      settingsError: text(root, "policy-settings-error"),
      error: text(root, "policy-manifest-error") ?? text(root, "policy-state-error"),
      verdicts: [...root.querySelectorAll('[data-testid="policy-verdict"]')].map((v) => ({
        allowed: v.dataset.allowed,
        message: text(v, "policy-message"),
        warnings: [...v.querySelectorAll('[data-testid="policy-warnings"] li')].map((li) => li.textContent),
        patch: text(v, "policy-patch"),
      })),
    };
  });
  assert.deepEqual(page.errors, []);
  await page.close();
  return answer;
}

/** The tab's state for a stored request: its object as the manifest, its operation and namespace. */
function stateFor(request, settings) {
  return {
    m: JSON.stringify(request.object, null, 2),
    u: "", us: true, pt: true,
    // The tab's inputs as its controls write them: JSON text the app carries.
    pol: JSON.stringify({
      s: settings, op: request.operation, ns: request.namespace ?? "",
      old: request.oldObject ? JSON.stringify(request.oldObject, null, 2) : "",
    }),
  };
}

test("every policy fixture under every settings set: the tab's verdict is the Kubewarden module's", async () => {
  assert.ok(reviews.length >= 9, `fixtures found: ${reviews.map(([f]) => f)}`);
  let mutated = 0, rejected = 0;
  for (const [file, review] of reviews) {
    for (const settings of SETTINGS) {
      const where = `${file} with ${JSON.stringify(settings.json)}`;
      const wasm = (await policy.instance()).call("validate", { request: review.request, settings: settings.json });
      const tab = await tabAnswer(stateFor(review.request, settings.text));
      assert.deepEqual(tab.controls, JSON.parse(stateFor(review.request, settings.text).pol), where);
      assert.equal(tab.settingsError, null, where);
      assert.equal(tab.verdicts.length, 1, `${where}: ${JSON.stringify(tab)}`);
      const [v] = tab.verdicts;
      assert.equal(v.allowed, String(wasm.accepted), where);
      assert.equal(v.message, wasm.message ?? null, where);
      assert.deepEqual(v.warnings, wasm.warnings ?? [], where);
      if (wasm.mutated_object == null) {
        assert.equal(v.patch, null, where);
      } else {
        // The patch takes the submitted object to exactly the module's mutated_object.
        const patch = JSON.parse(v.patch);
        assert.ok(patch.length > 0, where);
        assert.deepEqual(applyPatch(review.request.object, patch), wasm.mutated_object, where);
        mutated++;
      }
      if (!wasm.accepted) rejected++;
    }
  }
  // The sets above reach every kind of answer.
  assert.ok(mutated >= 5 && rejected >= 5, `mutated ${mutated}, rejected ${rejected}`);
});

test("invalid settings: the tab says what the module's validate_settings says", async () => {
  const [, review] = reviews.find(([f]) => f === "pod-create-bare.json");
  for (const [text, json] of [
    ["mutate: 1\n", { mutate: 1 }],
    ["runAsUser: {rule: RunAsAny}\n", { runAsUser: { rule: "RunAsAny" } }],
    ["fs_group: {rule: MustRunAs, ranges: [{min: 10, max: 1}]}\n", { fs_group: { rule: "MustRunAs", ranges: [{ min: 10, max: 1 }] } }],
  ]) {
    const wasm = (await policy.instance()).call("validate_settings", json);
    assert.equal(wasm.valid, false);
    const tab = await tabAnswer(stateFor(review.request, text));
    assert.ok(tab.settingsError?.endsWith(wasm.message), `${tab.settingsError} vs ${wasm.message}`);
    assert.deepEqual(tab.verdicts, []);
  }
});

test("the tab loads its module only when opened, follows edits, and its settings go into the share link", async () => {
  const page = await open(browser.context);
  const lazy = (u) => u.endsWith("/policy.js") || u.endsWith("/podgroups_policytab_bg.wasm");
  const before = browser.requests.length;
  await page.waitForTimeout(300);
  assert.deepEqual(browser.requests.slice(before).filter(lazy), [], "the policy module is not part of the first download");
  await page.locator('[data-testid="tab-policy"]').click();
  // The blog pod does not say Strict: the defaults mutate it.
  await until(page, () => document.querySelector('[data-testid="policy-verdict"]')?.dataset.allowed === "true");
  assert.match(await page.locator('[data-testid="policy-patch"]').textContent(), /supplementalGroupsPolicy/);
  assert.match(await page.locator('[data-testid="policy-diff"] .add').first().textContent(), /supplementalGroupsPolicy: Strict/);
  await page.locator("#policy-settings").fill("mutate: false\n");
  await until(page, () => document.querySelector('[data-testid="policy-verdict"]')?.dataset.allowed === "false");
  assert.match(await page.locator('[data-testid="policy-message"]').textContent(), /is not set.*set it to "Strict"/);
  // UPDATE takes the manifest as it is as the old objects.
  await page.locator('[data-testid="policy-operation"]').selectOption("UPDATE");
  await until(page, () => document.getElementById("policy-old")?.value === document.getElementById("manifest").value);
  // The share link carries the tab (it follows the state at most every 300 ms).
  let state;
  for (const end = Date.now() + 5000; ;) {
    const link = await page.locator("#share-url").inputValue();
    state = JSON.parse(lz.decompressFromEncodedURIComponent(link.split("#v1=")[1]));
    if ((state.pol && JSON.parse(state.pol).op === "UPDATE") || Date.now() > end) break;
    await page.waitForTimeout(100);
  }
  const tab = JSON.parse(state.pol);
  assert.equal(tab.s, "mutate: false\n");
  assert.equal(tab.op, "UPDATE");
  assert.equal(state.pt, true);
  // Back to the groups.
  await page.locator('[data-testid="tab-groups"]').click();
  await page.waitForSelector('[data-testid="result-merge"]');
  assert.ok(browser.requests.some(lazy));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("no request left 127.0.0.1 (the policy module is fetched from the site itself)", () => {
  assertStayedOnSite(browser, "podgroups_policytab_bg.wasm");
});
