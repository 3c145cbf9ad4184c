// A minimal waPC host for Node (WASI preview 1 from node:wasi), enough to run the built Kubewarden
// policy module (`cargo xtask policy`) the way policy-server's wapc/wasmtime host does: `_start` or
// `_initialize`, then `wapc_init`, then `__guest_call`. The guest's `kubewarden/tracing/log` host calls
// are answered with an empty success (refusing them makes the SDK's logger panic); any other host
// call fails. Used to get the real policy's verdicts for the policy-tab test.
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

export async function loadPolicy(path) {
  const module = await WebAssembly.compile(readFileSync(path));
  return {
    /** A fresh instance (policy-server instantiates one per request). */
    async instance() {
      const wasi = new WASI({ version: "preview1", args: [], env: {}, returnOnExit: true });
      let memory;
      const bytes = (ptr, len) => new Uint8Array(memory.buffer, ptr, len);
      const text = (ptr, len) => new TextDecoder().decode(bytes(ptr, len).slice());
      let op = new Uint8Array(), msg = new Uint8Array();
      let response = null, error = null, hostResponse = new Uint8Array(), hostError = new Uint8Array();
      const wapc = {
        __guest_request(opPtr, ptr) { bytes(opPtr, op.length).set(op); bytes(ptr, msg.length).set(msg); },
        __guest_response(ptr, len) { response = bytes(ptr, len).slice(); },
        __guest_error(ptr, len) { error = text(ptr, len); },
        __host_call(bdPtr, bdLen, nsPtr, nsLen, opPtr, opLen) {
          const call = [text(bdPtr, bdLen), text(nsPtr, nsLen), text(opPtr, opLen)].join("/");
          if (call === "kubewarden/tracing/log") { hostResponse = new Uint8Array(); return 1; }
          hostError = new TextEncoder().encode(`host call ${call} not provided by this test host`);
          return 0;
        },
        __host_response_len: () => hostResponse.length,
        __host_response(ptr) { bytes(ptr, hostResponse.length).set(hostResponse); },
        __host_error_len: () => hostError.length,
        __host_error(ptr) { bytes(ptr, hostError.length).set(hostError); },
        __console_log() {},
      };
      // wasiImport rather than getImportObject(): the latter is missing from older Node releases.
      const instance = await WebAssembly.instantiate(module, { wapc, wasi_snapshot_preview1: wasi.wasiImport });
      memory = instance.exports.memory;
      if (instance.exports._start) wasi.start(instance);
      else wasi.initialize(instance);
      instance.exports.wapc_init?.();
      return {
        /** Calls waPC operation `name` with a JSON payload; returns the parsed JSON answer. */
        call(name, payload) {
          op = new TextEncoder().encode(name);
          msg = new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload));
          response = null; error = null;
          const ok = instance.exports.__guest_call(op.length, msg.length);
          if (!ok) throw new Error(`waPC ${name} failed: ${error}`);
          return JSON.parse(new TextDecoder().decode(response));
        },
      };
    },
  };
}

/** Applies an RFC 6902 patch of add/remove/replace operations (what json_patch::diff emits). */
export function applyPatch(doc, patch) {
  const out = structuredClone(doc);
  for (const { op, path, value } of patch) {
    const keys = path.split("/").slice(1).map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
    const last = keys.pop();
    let parent = out;
    for (const k of keys) parent = parent[k];
    if (!["add", "remove", "replace"].includes(op)) throw new Error(`unexpected op ${op}`);
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (op === "add") parent.splice(i, 0, value);
      else if (op === "remove") parent.splice(i, 1);
      else parent[i] = value;
    } else if (op === "remove") delete parent[last];
    else parent[last] = value;
  }
  return out;
}
