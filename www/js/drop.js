// Image archives into the editors: drop a `docker save` / OCI archive anywhere on the page, or pick
// one with the button. The file is read with File.arrayBuffer() and parsed by a second wasm module
// (archive.js), imported only now; nothing leaves the browser.
const $ = (id) => document.getElementById(id);
let bytes = null;

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

async function read(selector) {
  const error = $("image-error"), list = $("image-provenance"), choice = $("image-choice");
  error.hidden = true;
  list.textContent = "";
  try {
    const { read } = await import(new URL("archive.js", import.meta.url).href);
    const out = await read(bytes, selector);
    if (!selector.reference) choice.hidden = choice.previousElementSibling.hidden = !out.choices?.length;
    if (out.choices?.length) {
      choice.replaceChildren(new Option("Choose an image…", ""), ...out.choices.map((c) => {
        const o = new Option(c.label, c.reference);
        o.dataset.platform = c.platform ?? "";
        return o;
      }));
      choice.options[0].disabled = true;
    }
    if (!out.ok) throw new Error(out.error);
    for (const line of out.provenance) list.append(Object.assign(document.createElement("li"), { textContent: line }));
    await fill(out.image);
  } catch (e) {
    error.textContent = String(e.message ?? e);
    error.hidden = false;
  }
}

export async function readFile(file) {
  $("image-name").textContent = file.name;
  bytes = new Uint8Array(await file.arrayBuffer());
  await read({});
}

export function setup() {
  const input = $("image-file");
  if (!input) return;
  $("image-pick").addEventListener("click", () => input.click());
  input.addEventListener("change", () => input.files[0] && readFile(input.files[0]));
  $("image-choice").addEventListener("change", (e) => {
    const o = e.target.selectedOptions[0];
    read({ reference: o.value, platform: o.dataset.platform || null });
  });
  const root = document.documentElement;
  const files = (e) => e.dataTransfer?.types?.includes("Files");
  addEventListener("dragover", (e) => { if (files(e)) { e.preventDefault(); root.classList.add("dropping"); } });
  addEventListener("dragleave", (e) => { if (!e.relatedTarget) root.classList.remove("dropping"); });
  addEventListener("drop", (e) => {
    root.classList.remove("dropping");
    const file = e.dataTransfer?.files?.[0];
    if (file) { e.preventDefault(); readFile(file); }
  });
}
