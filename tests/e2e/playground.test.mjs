// End-to-end tests of the playground in headless Chromium (node:test + playwright-core).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BASE, assertStayedOnSite, launch, open, groups, until } from "./browser.mjs";

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts");
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("the default page shows the blog example: Merge 3000,4000,50000 and Strict 3000,4000", async () => {
  const page = await open(browser.context);
  assert.equal(await groups(page, "result-merge"), "3000,4000,50000");
  assert.equal(await groups(page, "result-strict"), "3000,4000");
  // The implicit group is marked as such in the Merge column.
  const implicit = page.locator('[data-testid="result-merge"] .gid.implicit');
  assert.deepEqual(await implicit.allTextContents(), ["50000"]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("typing a change updates the result", async () => {
  const page = await open(browser.context);
  // Real keystrokes at the end of /etc/group: a new group listing the user.
  await page.locator("#group").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("more:x:60000:user-defined-in-image");
  await until(page, () =>
    document.querySelector('[data-testid="result-merge"]')?.dataset.groups === "3000,4000,50000,60000");
  assert.equal(await groups(page, "result-strict"), "3000,4000");
  // And an edit of the manifest.
  const manifest = await page.locator("#manifest").inputValue();
  await page.locator("#manifest").fill(manifest.replace("supplementalGroups: [4000]", "supplementalGroups: [4000, 4500]"));
  assert.equal(await groups(page, "result-strict"), "3000,4000,4500");
  await page.close();
});

test("the coloured overlay mirrors the text through edits, line by line, with the marks on the right lines", async () => {
  const page = await open(browser.context);
  // The overlay's lines as text, against the textarea's lines (an error past a line's end pads one space).
  const mirrors = (id) => page.evaluate((id) => {
    const lines = [...document.querySelectorAll(`#${id}`)].map((t) => t.value.split("\n"))[0];
    const drawn = [...document.querySelector(`[data-testid="${id}-editor"] .overlay`).children].map((l) => l.textContent);
    return drawn.length === lines.length && drawn.every((d, i) => d === lines[i] || d === `${lines[i]} `);
  }, id);
  assert.ok(await mirrors("manifest"));
  // Real keystrokes: a new line in the middle, text typed on it, then removed again.
  await page.locator("#manifest").click();
  await page.keyboard.press("Control+Home");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("# a comment: { not: closed");
  assert.ok(await mirrors("manifest"));
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  assert.ok(await mirrors("manifest"));
  // An error marks one line; fixing it unmarks it, and the lines below keep no stale mark.
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("a: [\n");
  await page.locator('[data-testid="manifest-editor"] .overlay .l.err').waitFor();
  assert.ok(await mirrors("manifest"));
  const marked = await page.locator('[data-testid="manifest-editor"] .overlay .l.err').getAttribute("data-line");
  const [line] = await page.locator('[data-testid="error-panel"]').textContent().then((t) => t.match(/line (\d+)/).slice(1));
  assert.equal(marked, line);
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Shift+ArrowDown");
  await page.keyboard.press("Backspace");
  await until(page, () => !document.querySelector('[data-testid="manifest-editor"] .overlay .l.err'));
  assert.ok(await mirrors("manifest"));
  assert.equal(await page.locator('[data-testid="manifest-editor"] .overlay [data-line]').count(), 0);
  // A new example replaces every line, of each editor.
  await page.locator('[data-testid="examples-menu"]').selectOption("deployment");
  await until(page, () => document.getElementById("manifest").value.includes("kind: Deployment"));
  assert.ok(await mirrors("manifest"));
  assert.ok(await mirrors("group"));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("clicking an origin highlights the /etc/group line and the manifest field it came from", async () => {
  const page = await open(browser.context);
  await page.locator('[data-testid="origin"][data-gid="50000"]').first().click();
  const hl = page.locator('[data-testid="group-editor"] .overlay .l.hl');
  assert.equal(await hl.count(), 1);
  assert.equal(await hl.getAttribute("data-line"), "4");
  assert.match(await hl.textContent(), /^group-defined-in-image:x:50000:/);
  await page.locator('[data-testid="origin"][data-gid="3000"]').first().click();
  const field = page.locator('[data-testid="manifest-editor"] .overlay .l.hl');
  assert.match(await field.textContent(), /runAsGroup: 3000/);
  assert.equal(await page.locator('[data-testid="group-editor"] .overlay .l.hl').count(), 0);
  await page.close();
});

test("a share link reopens exactly the same state", async () => {
  const page = await open(browser.context);
  await page.locator('[data-testid="runtime-select"]').selectOption("crio");
  await page.locator('[data-testid="k8s-version-select"]').selectOption("34");
  await page.locator('label[for="view-strict"]').click();
  await page.locator('[data-testid="image-user"]').fill("1000:2000");
  const manifest = (await page.locator("#manifest").inputValue()).replace("name: ctr", "name: shared");
  await page.locator("#manifest").fill(manifest);
  // The link follows the state (throttled) in the share box and the address bar.
  await until(page, () => {
    const v = document.querySelector('[data-testid="share-link"] input').value;
    return v.includes("#v1=") && location.hash.length > 4 && v.endsWith(location.hash);
  });
  await page.waitForTimeout(400);
  const link = await page.locator('[data-testid="share-link"] input').inputValue();
  assert.ok(link.startsWith(BASE + "#v1="), link);
  const again = await open(browser.context, link.slice(BASE.length));
  assert.equal(await again.locator('[data-testid="runtime-select"]').inputValue(), "crio");
  assert.equal(await again.locator('[data-testid="k8s-version-select"]').inputValue(), "34");
  assert.equal(await again.locator("#view-strict").isChecked(), true);
  assert.equal(await again.locator('[data-testid="image-user"]').inputValue(), "1000:2000");
  assert.equal(await again.locator("#manifest").inputValue(), manifest);
  assert.equal(await again.locator("#group").inputValue(), await page.locator("#group").inputValue());
  assert.ok(await again.locator('[data-container="shared"]').count() > 0);
  await page.close();
  await again.close();
});

test("a damaged link says so and falls back to the blog example", async () => {
  const page = await open(browser.context, "#v1=garbage!!");
  assert.match(await page.locator('[data-testid="error-panel"]').textContent(), /could not be opened/);
  assert.equal(await groups(page, "result-merge"), "3000,4000,50000");
  await page.close();
});

test("embed mode renders the essentials with an open-in-playground link", async () => {
  const page = await open(browser.context, "?embed=1");
  assert.equal(await page.locator(".playground.embed").count(), 1);
  assert.equal(await groups(page, "result-merge"), "3000,4000,50000");
  assert.equal(await groups(page, "result-strict"), "3000,4000");
  assert.equal(await page.locator('[data-testid="share-link"]').count(), 0);
  assert.equal(await page.locator(".site-header").isVisible(), false);
  await until(page, () => document.querySelector('[data-testid="open-in-playground"]').href.includes("#v1="));
  const href = await page.locator('[data-testid="open-in-playground"]').getAttribute("href");
  const full = await open(browser.context, href.replace(/^\.\//, ""));
  assert.equal(await full.locator(".playground.embed").count(), 0);
  assert.equal(await groups(full, "result-merge"), "3000,4000,50000");
  await page.close();
  await full.close();
});

test("bad YAML shows an inline marker at the reported line and a message", async () => {
  const page = await open(browser.context);
  await page.locator("#manifest").fill("apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n    {name: a\n");
  const panel = page.locator('[data-testid="error-panel"]');
  await panel.locator(".input-error").waitFor();
  const text = await panel.textContent();
  const m = text.match(/line (\d+), column (\d+)/);
  assert.ok(m, text);
  const marked = page.locator('[data-testid="manifest-editor"] .overlay .l.err');
  assert.equal(await marked.count(), 1);
  assert.equal(await marked.getAttribute("data-line"), m[1]);
  assert.equal(await page.locator('[data-testid="manifest-editor"] .overlay .errc').count(), 1);
  assert.equal(await page.locator('[data-testid="manifest-editor"] .gutter .g.err').textContent(), m[1]);
  assert.equal(await page.locator("#manifest").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator('[data-testid="result-merge"]').count(), 0);
  await page.close();
});

test("apply Strict rewrites the manifest so the as-written result drops the implicit group", async () => {
  const page = await open(browser.context);
  await page.locator('[data-testid="apply-strict"]').click();
  await until(page, () => document.querySelector("#manifest").value.includes("supplementalGroupsPolicy: Strict"));
  assert.match(await page.locator('[data-testid="result-strict"] h4').textContent(), /as written/);
  assert.equal(await page.locator('[data-testid="apply-strict"]').count(), 0);
  await page.close();
});

test("the examples menu loads each example; runtime and version change the outcome", async () => {
  const page = await open(browser.context);
  await page.locator('[data-testid="examples-menu"]').selectOption("distroless");
  assert.equal(await page.locator('[data-testid="passwd-state"]').inputValue(), "absent");
  assert.equal(await page.locator("#passwd").isDisabled(), true);
  assert.equal(await groups(page, "result-merge"), await groups(page, "result-strict"));
  await page.locator('[data-testid="examples-menu"]').selectOption("rejected-unsupported-node");
  const strict = page.locator('[data-testid="result-strict"]').first();
  assert.match(await strict.textContent(), /SupplementalGroupsPolicyNotSupported/);
  await page.locator('[data-testid="runtime-select"]').selectOption("containerd-2");
  assert.equal(await groups(page, "result-strict"), "3000,4000");
  await page.close();
});

test("I don't know the image: Merge says what the image decides, Strict stays exact, and a share link keeps it", async () => {
  const page = await open(browser.context);
  for (const part of ["user", "group", "passwd"]) {
    await page.locator(`[data-testid="${part}-state"]`).selectOption("unknown");
  }
  await until(page, () => document.querySelector('[data-testid="result-merge"]')?.dataset.depends === "image");
  // Merge: the manifest's groups are certain; which groups /etc/group adds is open, in the core's words.
  assert.equal(await groups(page, "result-merge"), "3000,4000");
  const openFacts = page.locator('[data-testid="result-merge"] [data-testid="depends-on-image"] li');
  assert.ok((await openFacts.count()) > 0);
  assert.match((await openFacts.allTextContents()).join("\n"), /\/etc\/group/);
  // Strict on containerd 2 with numeric ids needs no image file: exact.
  assert.equal(await groups(page, "result-strict"), "3000,4000");
  assert.equal(await page.locator('[data-testid="result-strict"]').getAttribute("data-depends"), null);
  assert.equal(await page.locator("#group").isDisabled(), true);
  assert.equal(await page.locator("#image-user").isDisabled(), true);
  await until(page, () => location.hash.length > 4 && document.querySelector('[data-testid="share-link"] input').value.endsWith(location.hash));
  await page.waitForTimeout(400);
  const link = await page.locator('[data-testid="share-link"] input').inputValue();
  const again = await open(browser.context, link.slice(BASE.length));
  for (const part of ["user", "group", "passwd"]) {
    assert.equal(await again.locator(`[data-testid="${part}-state"]`).inputValue(), "unknown", part);
  }
  assert.equal(await again.locator('[data-testid="result-merge"]').getAttribute("data-depends"), "image");
  // Switching back to "has the file" brings the text typed before.
  await again.locator('[data-testid="group-state"]').selectOption("present");
  await again.locator('[data-testid="user-state"]').selectOption("present");
  await again.locator('[data-testid="passwd-state"]').selectOption("present");
  await until(again, () => document.querySelector('[data-testid="result-merge"]')?.dataset.groups === "3000,4000,50000");
  assert.deepEqual([...page.errors, ...again.errors], []);
  await page.close();
  await again.close();
});

test("the page says an origin, a refusal's stage and the refusal in the words the JS API returns (the core's)", async () => {
  const page = await open(browser.context, "?example=rejected-unsupported-node");
  const input = {
    manifests: await page.locator("#manifest").inputValue(),
    image: { user: "", passwd: await page.locator("#passwd").inputValue(), group: await page.locator("#group").inputValue() },
    environment: { runtime: "containerd-1.7", kubernetes: "1.33" },
  };
  // The JSON API the embeds use, from the site's own embed.js.
  const out = await page.evaluate(async (input) => (await import(new URL("embed.js", location.href).href)).explain(input), input);
  assert.equal(out.ok, true, JSON.stringify(out));
  const c = out.report.workloads[0].containers[0];
  const strict = page.locator('[data-testid="result-strict"]').first();
  assert.equal(await strict.locator('[data-testid="stage"]').textContent(), c.strict.stage_text);
  assert.equal(await strict.locator('[data-testid="refusal"]').textContent(), c.strict.text);
  await page.locator('label[for="view-merge"]').click();
  const shown = await page.locator('[data-testid="origin"]').allTextContents();
  const api = c.merge.gid_origins.flatMap((g) => g.origins.map((o) => o.text));
  assert.ok(api.length >= 3);
  for (const text of api) assert.ok(shown.includes(text), `${text} not among ${JSON.stringify(shown)}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the guide's embedded widgets compute in the page", async () => {
  const page = await open(browser.context, "guide.html", { waitFor: '[data-testid="podgroups-widget"] .pg-col' });
  const widgets = page.locator('[data-testid="podgroups-widget"]');
  assert.equal(await widgets.count(), 2);
  assert.match(await widgets.first().locator(".pg-col").first().textContent(), /groups=3000,4000,50000/);
  assert.match(await widgets.nth(1).textContent(), /SupplementalGroupsPolicyNotSupported/);
  const iframe = page.frameLocator("iframe");
  await iframe.locator('[data-testid="result-merge"]').first().waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the docs pages load; the policy page offers the built modules or says how to build them", async () => {
  const cli = await open(browser.context, "cli.html", { waitFor: "main h1" });
  assert.match(await cli.locator("main h1").textContent(), /podgroups/);
  await cli.close();
  const page = await open(browser.context, "policy.html", { waitFor: "#downloads" });
  const links = page.locator('[data-testid="download"]');
  if ((await links.count()) > 0) {
    for (const href of await links.evaluateAll((as) => as.map((a) => a.href))) {
      const magic = await page.evaluate(async (u) => [...new Uint8Array(await (await fetch(u)).arrayBuffer()).slice(0, 4)], href);
      assert.deepEqual(magic, [0, 0x61, 0x73, 0x6d], href);
    }
  } else {
    assert.match(await page.locator("main").textContent(), /cargo xtask policy/);
  }
  assert.equal(await page.locator("text=<!--DOWNLOADS-->").count(), 0);
  await page.close();
});

test("keyboard only: arrow keys switch the Merge/Strict view, Enter on an origin highlights its line", async () => {
  const page = await open(browser.context);
  await page.focus("#view-as-written");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.locator("#view-merge").isChecked(), true);
  assert.match(await page.locator(".detail h4").first().textContent(), /Details for Merge/);
  await page.focus('[data-testid="origin"][data-gid="50000"]');
  await page.keyboard.press("Enter");
  assert.equal(await page.locator('[data-testid="group-editor"] .overlay .l.hl').getAttribute("data-line"), "4");
  // Tab moves on from an editor instead of being typed into it.
  await page.focus("#manifest");
  await page.keyboard.press("Tab");
  assert.notEqual(await page.evaluate(() => document.activeElement.id), "manifest");
  await page.close();
});

test("at phone width the page fits the screen (no sideways scrolling)", async () => {
  const page = await open(browser.context);
  await page.setViewportSize({ width: 390, height: 800 });
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `page is ${scroll}px wide in a ${inner}px window`);
  await page.close();
});

test("a screenshot of each theme is saved, and the themes differ", async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const backgrounds = {};
  for (const scheme of ["light", "dark"]) {
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(BASE);
    await page.waitForSelector('[data-testid="result-merge"]');
    const file = join(ARTIFACTS, `playground-${scheme}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(statSync(file).size > 10000, file);
    backgrounds[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.close();
  }
  assert.notEqual(backgrounds.light, backgrounds.dark);
});

test("no request left 127.0.0.1 during all of the above", () => {
  assert.ok(browser.requests.length > 10);
  assertStayedOnSite(browser);
});
