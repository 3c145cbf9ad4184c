// The image-archive reader, imported by the playground (drop.js) only when a file is dropped or
// picked: a second wasm (playground/archive) and this code stay out of the initial download. The
// file is read with File.arrayBuffer() and parsed here; nothing leaves the browser.
import init, { readImage } from "podgroups-archive-wasm";

const $ = (id) => document.getElementById(id);
let ready;
let bytes = null;
let report = () => {};

// Sets an app control the way a user would, so the app's own handlers update its state.
function set(id, prop, value, event) {
  const el = $(id);
  if (!el || el[prop] === value) return;
  el[prop] = value;
  el.dispatchEvent(new Event(event, { bubbles: true }));
}
const tick = () => new Promise((r) => setTimeout(r, 0));

async function fill(image) {
  set("image-user", "value", image.user, "input");
  for (const f of ["group", "passwd"]) {
    const text = image[f];
    if (text !== null) {
      set(`has-${f}`, "checked", true, "change");
      await tick();
      set(f, "value", text, "input");
    } else {
      // Absent in the image: the playground's "no such file" state.
      set(f, "value", "", "input");
      await tick();
      set(`has-${f}`, "checked", false, "change");
    }
  }
}

// Reads the image `selector` ({reference, platform}) designates from the last file; on several
// images, lists them in the select so the user can choose one.
async function read(selector) {
  const list = $("image-provenance"), choice = $("image-choice");
  list.textContent = "";
  try {
    ready ??= init({ module_or_path: new URL("podgroups_archive_bg.wasm", import.meta.url) });
    await ready;
    const out = JSON.parse(readImage(bytes, JSON.stringify(selector)));
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
    for (const line of out.provenance) list.append(Object.assign(document.createElement("li"), { textContent: line }));
    await fill(out.image);
  } catch (e) {
    report(String(e.message ?? e));
  }
}

// Reads a dropped or picked file; `onError(message)` shows what went wrong (the app's error panel).
export async function readFile(file, onError) {
  report = onError;
  $("image-name").textContent = file.name;
  bytes = new Uint8Array(await file.arrayBuffer());
  await read({});
}
