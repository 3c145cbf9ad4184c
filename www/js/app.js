// The playground page: load the wasm (same origin, nothing else) and mount the Yew app.
import init, { mount } from "podgroups-wasm";

const root = document.getElementById("app");
init({ module_or_path: new URL("podgroups_bg.wasm", import.meta.url) })
  .then(() => {
    root.textContent = "";
    mount(root);
  })
  .catch((e) => {
    root.textContent = `The playground could not start: ${e}. It needs a browser with WebAssembly.`;
  });
