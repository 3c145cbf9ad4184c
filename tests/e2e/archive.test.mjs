// Image archives in the playground: a docker-save archive built here is picked with the file input;
// the image's USER, /etc/passwd and /etc/group fill the editors and change the result. Its own
// browser, so its request check covers the lazily loaded archive reader too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { assertStayedOnSite, launch, open, groups, until } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A ustar archive of `[path, Buffer|string]` members (regular files only): enough for docker save. */
function tar(members) {
  const blocks = [];
  for (const [path, content] of members) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    const put = (off, len, s) => h.write(s, off, len, "latin1");
    const octal = (n, len) => n.toString(8).padStart(len - 1, "0") + "\0";
    if (path.length > 100) throw new Error(`name too long for this writer: ${path}`);
    put(0, 100, path);
    put(100, 8, octal(0o644, 8));
    put(108, 8, octal(0, 8));
    put(116, 8, octal(0, 8));
    put(124, 12, octal(data.length, 12));
    put(136, 12, octal(0, 12));
    put(148, 8, "        ");
    put(156, 1, "0");
    put(257, 6, "ustar\0");
    put(263, 2, "00");
    let sum = 0;
    for (const b of h) sum += b;
    put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** `docker save` of one-layer images: [{tag, user, files: [[path, text]]}]. */
function dockerSave(images) {
  const members = [];
  const manifest = images.map((img, i) => {
    const config = `${String(i + 1).padStart(64, "c")}.json`;
    const layer = `${String(i + 1).padStart(64, "a")}/layer.tar`;
    members.push([config, JSON.stringify({
      architecture: "amd64", os: "linux", config: { User: img.user },
      rootfs: { type: "layers", diff_ids: [`sha256:${String(i + 1).padStart(64, "0")}`] },
    })]);
    members.push([layer, tar(img.files)]);
    return { Config: config, RepoTags: [img.tag], Layers: [layer] };
  });
  members.push(["manifest.json", JSON.stringify(manifest)]);
  return tar(members);
}

const PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP = "root:x:0:\nextra:x:777:app\n";
const file = (name, buffer) => ({ name, mimeType: "application/x-tar", buffer });
const value = (page, id) => page.locator(`#${id}`).inputValue();
// The Merge column's gids, sorted numerically (the column's own order is the core's concern).
const merge = (page, want) => until(page, (want) => {
  const g = document.querySelector('[data-testid="result-merge"]')?.dataset.groups ?? "";
  return g.split(",").map(Number).sort((a, b) => a - b).join(",") === want;
}, want);
const provenance = (page) => page.locator('[data-testid="image-provenance"] li').allTextContents();

test("picking a docker-save archive fills USER, /etc/passwd and /etc/group, and Merge follows", async () => {
  const page = await open(browser.context);
  assert.equal(await groups(page, "result-merge"), "3000,4000,50000");
  const lazy = (u) => u.endsWith("/archive.js") || u.endsWith("/podgroups_archive_bg.wasm");
  assert.deepEqual(browser.requests.filter(lazy), [], "the archive reader is not part of the initial download");
  const archive = dockerSave([{ tag: "e2e:1", user: "app", files: [["etc/passwd", PASSWD], ["etc/group", GROUP]] }]);
  await page.locator('[data-testid="image-file"]').setInputFiles(file("e2e.tar", archive));
  await until(page, () => document.getElementById("group").value.includes("777"));
  assert.equal(await value(page, "group"), GROUP);
  assert.equal(await value(page, "passwd"), PASSWD);
  assert.equal(await value(page, "image-user"), "app");
  await merge(page, "777,3000,4000");
  assert.equal(await groups(page, "result-strict"), "3000,4000");
  const lines = await provenance(page);
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^passwd: \/etc\/passwd from layer 0/);
  assert.match(lines[2], /^group: \/etc\/group from layer 0/);
  assert.equal(await page.locator('[data-testid="error-panel"] .notice').count(), 0);
  // The provenance holds while the inputs are the archive's: an edit of /etc/group ends it.
  await page.locator("#group").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("more:x:60000:app");
  await until(page, () => document.querySelectorAll('[data-testid="image-provenance"] li').length === 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("several images: a select lists them; each choice re-reads the archive (a file the image lacks is marked absent)", async () => {
  const page = await open(browser.context);
  const archive = dockerSave([
    { tag: "e2e:1", user: "app", files: [["etc/passwd", PASSWD], ["etc/group", GROUP]] },
    { tag: "bare:2", user: "", files: [["etc/passwd", PASSWD]] },
  ]);
  await page.locator('[data-testid="image-file"]').setInputFiles(file("two.tar", archive));
  const choice = page.locator('[data-testid="image-choice"]');
  await until(page, () => !document.querySelector('[data-testid="image-choice"]').hidden);
  await until(page, () => document.querySelector('[data-testid="error-panel"] .notice'));
  assert.match(await page.locator('[data-testid="error-panel"] .notice').textContent(), /several images/);
  await choice.selectOption("e2e:1");
  await merge(page, "777,3000,4000");
  await choice.selectOption("bare:2");
  await until(page, () => document.getElementById("group-state").value === "absent");
  const lines = await provenance(page);
  assert.match(lines[0], /unset/);
  assert.match(lines[2], /^group: absent/);
  await merge(page, "3000,4000");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("dropping an archive on the page highlights it while dragging and reads the dropped file", async () => {
  const page = await open(browser.context);
  const archive = dockerSave([{ tag: "e2e:1", user: "app", files: [["etc/passwd", PASSWD], ["etc/group", GROUP]] }]);
  const highlighted = await page.evaluate((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], "dropped.tar"));
    const target = document.getElementById("manifest");
    target.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    const on = document.documentElement.classList.contains("dropping");
    target.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    return on && !document.documentElement.classList.contains("dropping");
  }, [...archive]);
  assert.ok(highlighted, "the page is highlighted during the drag and not after the drop");
  await merge(page, "777,3000,4000");
  assert.equal(await value(page, "passwd"), PASSWD);
  assert.equal(await page.locator("#image-name").textContent(), "dropped.tar");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a file that is not an image archive leaves the inputs alone and says why", async () => {
  const page = await open(browser.context);
  const before = await value(page, "group");
  await page.locator('[data-testid="image-file"]').setInputFiles(file("notes.txt", Buffer.from("not a tar file at all")));
  await until(page, () => document.querySelector('[data-testid="error-panel"] .notice'));
  assert.match(await page.locator('[data-testid="error-panel"] .notice').textContent(), /image archive/);
  assert.equal(await value(page, "group"), before);
  await page.close();
});

test("no request left 127.0.0.1 while reading archives (the reader is fetched from the site itself)", () => {
  assertStayedOnSite(browser, "podgroups_archive_bg.wasm");
});
