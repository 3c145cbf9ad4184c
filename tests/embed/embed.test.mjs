// The documentation integrations in Chromium: a Hugo site (shortcode + companion), an mdBook book
// (preprocessor) and a Vite app (npm package), each built by .ci/test.d/40-embed.sh and served here on
// 127.0.0.1. Each must show the blog example's answer — Merge 3000,4000,50000 / Strict 3000,4000 —
// recompute it when edited, request nothing outside its origin and, for the build-time renderers,
// have the answer in the HTML before any script runs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, stat, mkdir, writeFile, rm } from "node:fs/promises";
import { join, extname, normalize } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { launch } from "../e2e/browser.mjs";

const SITES = {
  hugo: process.env.PODGROUPS_HUGO_DIR,
  book: process.env.PODGROUPS_BOOK_DIR,
  vite: process.env.PODGROUPS_VITE_DIR,
};
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2", ".woff": "font/woff",
  ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject", ".ico": "image/x-icon",
};

/** A static file server for `dir` on a free 127.0.0.1 port. */
async function serve(dir) {
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path.includes("..")) return res.writeHead(400).end();
    let file = join(dir, path);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

let browser;
const servers = {};
before(async () => {
  for (const [name, dir] of Object.entries(SITES)) {
    assert.ok(dir, `PODGROUPS_${name.toUpperCase()}_DIR must name the built site`);
    servers[name] = await serve(dir);
  }
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) s.server.close();
});

/** Opens `path` of a site, recording page errors and CSP violations. */
async function open(site, path, { scripts = true } = {}) {
  const page = await browser.context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(String(e)));
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) page.problems.push(m.text());
  });
  // Without scripts: what a reader who blocks them, a search engine or print sees.
  if (!scripts) await page.route(/\.(js|wasm)$/, (r) => r.abort());
  await page.goto(servers[site].origin + path);
  return page;
}

const merge = '[data-testid="podgroups-widget"] .pg-col[data-policy="merge"]';
const strict = '[data-testid="podgroups-widget"] .pg-col[data-policy="strict"]';

/** The live widget shows the blog answer (in the words of the static one, if given), then
 *  recomputes after an edit of the manifest. */
async function liveAndEditable(page, staticAnswer) {
  await page.waitForSelector(merge, { timeout: 20000 });
  if (staticAnswer !== undefined) {
    assert.equal(await page.locator('[data-testid="podgroups-widget"] .pg-results').first().innerText(), staticAnswer);
  }
  assert.equal(await page.locator(merge).first().getAttribute("data-groups"), "3000,4000,50000");
  assert.equal(await page.locator(strict).first().getAttribute("data-groups"), "3000,4000");
  assert.match(await page.locator(merge).first().textContent(), /groups=3000,4000,50000/);
  // 50000 is highlighted from the report's own `implicit` fact, and styled even under the page's CSP.
  const implicit = page.locator(`${merge} .pg-implicit`).first();
  assert.equal(await implicit.textContent(), "50000");
  assert.notEqual(await implicit.evaluate((e) => getComputedStyle(e).backgroundColor), "rgba(0, 0, 0, 0)");
  const area = page.locator('[data-testid="podgroups-widget"] textarea').first();
  await area.fill((await area.inputValue()).replace("supplementalGroups: [4000]", "supplementalGroups: [4000, 5000]"));
  assert.equal(await page.locator(merge).first().getAttribute("data-groups"), "3000,4000,5000,50000");
  assert.equal(await page.locator(strict).first().getAttribute("data-groups"), "3000,4000,5000");
  await area.fill("kind: Pod\nspec: [");
  assert.match(await page.locator('[data-testid="podgroups-widget"] .pg-err').first().textContent(), /^manifest/);
}

/** The answer is in the HTML itself: served bytes, and the page with every script blocked. */
async function staticFirst(site, path) {
  const html = await (await fetch(servers[site].origin + path)).text();
  assert.match(html, /data-policy="merge" data-groups="3000,4000,50000"/);
  assert.match(html, /data-policy="strict" data-groups="3000,4000"/);
  const page = await open(site, path, { scripts: false });
  const text = await page.locator("podgroups-example").first().innerText();
  assert.match(text, /Merge\s+uid=1000 gid=3000 groups=3000,4000,50000/);
  assert.match(text, /Strict\s+uid=1000 gid=3000 groups=3000,4000/);
  assert.equal(await page.locator('[data-testid="podgroups-widget"]').count(), 0, "no script ran");
  const answer = await page.locator("podgroups-example [data-podgroups-static]").first().innerText();
  await page.close();
  return answer;
}

function sameOrigin(site) {
  const foreign = browser.requests.filter((u) => !u.startsWith(servers[site].origin + "/") && !u.startsWith("data:"));
  assert.deepEqual(foreign, [], "requests that left the origin");
}

test("Hugo: the shortcode's page has the answer before scripts, then is live under a strict CSP", async () => {
  const answer = await staticFirst("hugo", "/blog/");
  // Two examples on the page, one script.
  const html = await (await fetch(servers.hugo.origin + "/blog/")).text();
  assert.equal(html.match(/<podgroups-example /g)?.length, 2);
  assert.equal(html.match(/<script /g)?.length, 1);
  browser.requests.length = 0;
  const page = await open("hugo", "/blog/");
  await liveAndEditable(page, answer);
  const second = page.locator('[data-testid="podgroups-widget"]').nth(1);
  assert.equal(await second.locator('.pg-col[data-policy="strict"]').getAttribute("data-refused"), "SupplementalGroupsPolicyNotSupported");
  assert.deepEqual(page.problems, []);
  sameOrigin("hugo");
  await page.close();
});

test("mdBook: preprocessed chapters have the answer before scripts, then are live, nested pages too", async () => {
  const answer = await staticFirst("book", "/blog.html");
  browser.requests.length = 0;
  const page = await open("book", "/blog.html");
  await liveAndEditable(page, answer);
  // The fence shown inside a markdown code block stays text.
  assert.match(await page.locator("main").textContent(), /```podgroups/);
  assert.deepEqual(page.problems, []);
  const nested = await open("book", "/guide/nested.html");
  await nested.waitForSelector('[data-testid="podgroups-widget"] .pg-col[data-refused]', { timeout: 20000 });
  assert.equal(
    await nested.locator('[data-testid="podgroups-widget"] .pg-col[data-policy="strict"]').getAttribute("data-refused"),
    "SupplementalGroupsPolicyNotSupported",
  );
  sameOrigin("book");
  await page.close();
  await nested.close();
});

test("Vite: an app importing the npm package gets the element and explain(), the wasm bundled", async () => {
  browser.requests.length = 0;
  const page = await open("vite", "/");
  await liveAndEditable(page);
  assert.equal(await page.locator("#api-merge").textContent(), "3000,4000,50000");
  assert.equal(await page.locator("#api-strict").textContent(), "3000,4000");
  // Vite copied the wasm as a hashed asset and the package found it through import.meta.url.
  assert.ok(browser.requests.some((u) => /\/assets\/podgroups_bg-[\w-]+\.wasm$/.test(u)), browser.requests.join("\n"));
  assert.deepEqual(page.problems, []);
  sameOrigin("vite");
  await page.close();
});

// Inputs whose outputs cover each shape explain() returns: runs, refused, depends_on_image, an error.
const BLOG = {
  manifests: "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}\n  containers: [{name: ctr, image: a}]\n",
  image: { user: "", passwd: "u:x:1000:1000::/home/u:/bin/sh\n", group: "g:x:50000:u\n" },
  environment: { runtime: "containerd-2", kubernetes: "1.33" },
};
const SAMPLES = {
  runs: BLOG,
  refused: { ...BLOG, manifests: BLOG.manifests.replace("supplementalGroups: [4000]", "supplementalGroups: [4000], supplementalGroupsPolicy: Strict"), environment: { runtime: "containerd-1.7", kubernetes: "1.33" } },
  dependsOnImage: { ...BLOG, image: { user: "", passwd: BLOG.image.passwd } },
  error: { ...BLOG, manifests: "kind: Pod\nspec: [" },
};

test("index.d.ts describes explain()'s real outputs exactly (tsc, excess properties rejected)", async () => {
  const page = await open("vite", "/");
  await page.waitForSelector(merge, { timeout: 20000 });
  const outputs = {};
  for (const [name, input] of Object.entries(SAMPLES)) outputs[name] = await page.evaluate((i) => window.podgroupsExplain(i), input);
  await page.close();
  assert.equal(outputs.refused.report.workloads[0].containers[0].strict.result, "refused");
  assert.equal(outputs.dependsOnImage.report.workloads[0].containers[0].merge.result, "depends_on_image");
  assert.equal(outputs.error.ok, false);
  // `satisfies` types each literal by the package's declarations: a field the types lack, a missing
  // field, or a wrong type or tag fails the check.
  const dir = join(import.meta.dirname, ".samples");
  await mkdir(dir, { recursive: true });
  const lines = ['import type { ExplainInput, ExplainOutput } from "podgroups-embed";'];
  for (const [name, out] of Object.entries(outputs)) {
    lines.push(`export const ${name}: ExplainOutput = ${JSON.stringify(out)} satisfies ExplainOutput;`);
    lines.push(`export const ${name}Input = ${JSON.stringify(SAMPLES[name])} satisfies ExplainInput;`);
  }
  await writeFile(join(dir, "samples.ts"), lines.join("\n") + "\n");
  const tsc = join(import.meta.dirname, "node_modules/.bin/tsc");
  const args = ["--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler", join(dir, "samples.ts")];
  try {
    await promisify(execFile)(tsc, args);
  } catch (e) {
    assert.fail(`index.d.ts does not match explain()'s output:\n${e.stdout}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
