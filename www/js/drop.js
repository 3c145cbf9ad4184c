// Image archives into the editors: drop a `docker save` / OCI archive anywhere on the page, or pick
// one with the button. Only the listeners live here; the reader (archive.js and its wasm) is
// imported from this site when a file arrives.
import { loadImage, notice } from "podgroups-wasm";

// The image enters the app through its reducer (`loadImage`); errors go to its error panel (`notice`).
const load = (file) => import(new URL("archive.js", import.meta.url).href).then((m) => m.readFile(file, { loadImage, notice }));

export function setup() {
  const input = document.getElementById("image-file");
  if (!input) return;
  document.getElementById("image-pick").addEventListener("click", () => input.click());
  input.addEventListener("change", () => input.files[0] && load(input.files[0]));
  const root = document.documentElement;
  const files = (e) => e.dataTransfer?.types?.includes("Files");
  addEventListener("dragover", (e) => { if (files(e)) { e.preventDefault(); root.classList.add("dropping"); } });
  addEventListener("dragleave", (e) => { if (!e.relatedTarget) root.classList.remove("dropping"); });
  addEventListener("drop", (e) => {
    root.classList.remove("dropping");
    const file = e.dataTransfer?.files?.[0];
    if (file) { e.preventDefault(); load(file); }
  });
}
