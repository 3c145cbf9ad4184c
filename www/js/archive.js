// The image-archive reader, imported by the playground only when a file is dropped or picked: a
// second wasm (playground/archive) kept out of the initial download. Same origin, nothing else.
import init, { readImage } from "podgroups-archive-wasm";

let ready;
// read(bytes: Uint8Array, selector: {reference?, platform?}) -> {ok, image, names, provenance} | {ok: false, error, choices}
export async function read(bytes, selector = {}) {
  ready ??= init({ module_or_path: new URL("podgroups_archive_bg.wasm", import.meta.url) });
  await ready;
  return JSON.parse(readImage(bytes, JSON.stringify(selector)));
}
