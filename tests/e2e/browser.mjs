// Launches Debian's chromium through playwright-core (no browser download) and records every
// request each page makes, so the tests can prove nothing leaves 127.0.0.1.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BASE = process.env.PODGROUPS_URL ?? "http://127.0.0.1:8080/";
const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Starts a browser; `requests` collects every URL any page of it asked for. */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "podgroups-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const requests = [];
  context.on("request", (r) => requests.push(r.url()));
  return {
    context,
    requests,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a page at `path` (relative to BASE) and waits for the first result. */
export async function open(context, path = "", { waitFor = '[data-testid="result-merge"]' } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(new URL(path, BASE).href);
  if (waitFor) await page.waitForSelector(waitFor, { timeout: 15000 });
  page.errors = errors;
  return page;
}

/** The groups a result column shows, e.g. "3000,4000,50000". */
export async function groups(page, testid, scope = page) {
  return scope.locator(`[data-testid="${testid}"]`).first().getAttribute("data-groups");
}

/** Polls `fn(arg)` in the page until it returns truthy (page.waitForFunction's polling needs
 *  eval, which the site's Content-Security-Policy rightly forbids). */
export async function until(page, fn, arg, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${fn}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asserts that no request of `browser` left the site (data: URLs stay in the page) and, when
 *  `fetched` names a file (e.g. "podgroups_audit_bg.wasm"), that it was fetched from there. */
export function assertStayedOnSite(browser, fetched) {
  if (fetched) assert.ok(browser.requests.some((u) => u.endsWith(`/${fetched}`)), `${fetched} was not fetched`);
  const origin = new URL(BASE).origin;
  const foreign = browser.requests.filter((u) => !u.startsWith(origin + "/") && !u.startsWith("data:"));
  assert.deepEqual(foreign, []);
}
