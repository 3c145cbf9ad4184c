// The image-archive reader, imported by the playground (drop.js) only when a file is dropped or
// picked: a second wasm (playground/archive) and this code stay out of the initial download. The
// file is read with File.arrayBuffer() and parsed here; nothing leaves the browser.
import init, { readImage } from "podgroups-archive-wasm";

const $ = (id) => document.getElementById(id);
let ready;
let bytes = null;
// The app's exports (drop.js passes them): `loadImage(answer)` fills the image inputs through the
// app's reducer, `notice(message)` shows what went wrong in its error panel.
let app = { loadImage() {}, notice() {} };

// Reads the image `selector` ({reference, platform}) designates from the last file; on several
// images, lists them in the select so the user can choose one.
async function read(selector) {
  const choice = $("image-choice");
  try {
    ready ??= init({ module_or_path: new URL("podgroups_archive_bg.wasm", import.meta.url) });
    await ready;
    const answer = readImage(bytes, JSON.stringify(selector));
    const out = JSON.parse(answer);
    if (!selector.reference) choice.hidden = choice.previousElementSibling.hidden = !out.choices?.length;
    if (out.choices?.length) {
      choice.replaceChildren(new Option("Choose an image…", ""), ...out.choices.map((c) => {
        const o = new Option(c.label, c.reference);
        o.dataset.platform = c.platform ?? "";
        return o;
      }));
      choice.options[0].disabled = true;
      choice.onchange = () => {
        const o = choice.selectedOptions[0];
        read({ reference: o.value, platform: o.dataset.platform || null });
      };
    }
    if (!out.ok) throw new Error(out.error);
    app.loadImage(answer);
  } catch (e) {
    app.notice(String(e.message ?? e));
  }
}

// Reads a dropped or picked file; `exports` are the app's `loadImage` and `notice`.
export async function readFile(file, exports) {
  app = exports;
  $("image-name").textContent = file.name;
  bytes = new Uint8Array(await file.arrayBuffer());
  await read({});
}
