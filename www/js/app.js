// The playground page: load the wasm (same origin, nothing else) and mount the Yew app.
import init, { mount } from "podgroups-wasm";
import { setup } from "./drop.js";
import { setup as setupAudit } from "./audit-setup.js";
import { setup as setupPolicy } from "./policy-load.js";

const root = document.getElementById("app");
// ?embed=1 (iframes in docs): the app renders the compact view; the page drops its header and footer.
if (new URLSearchParams(location.search).get("embed") === "1") document.documentElement.classList.add("embed-mode");
setupPolicy();
init({ module_or_path: new URL("podgroups_bg.wasm", import.meta.url) })
  .then(() => {
    root.textContent = "";
    mount(root);
    setup();
    setupAudit();
  })
  .catch((e) => {
    root.textContent = `The playground could not start: ${e}. It needs a browser with WebAssembly.`;
  });
