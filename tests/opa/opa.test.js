// The OPA-ABI artifact (target/policy/podgroups-policy-opa.wasm) under the OPA Wasm SDK for node,
// with Gatekeeper's input shape {"review": <AdmissionRequest>, "parameters": <settings>}.
// Needs `cargo xtask policy` first; run with `npm test` in tests/opa (CI: .ci/test.d/20-policy.sh).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { loadPolicy } = require("@open-policy-agent/opa-wasm");

const repo = path.resolve(__dirname, "../..");
const ARTIFACT = "podgroups-policy-opa.wasm";

function artifactPath() {
  const dirs = [process.env.PODGROUPS_POLICY_DIR, process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, "policy"), path.join(repo, "target/policy")];
  for (const dir of dirs.filter(Boolean)) {
    const p = path.resolve(dir, ARTIFACT);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${ARTIFACT} not found in ${dirs.filter(Boolean).join(", ")}; run \`cargo xtask policy\` first`);
}

const wasm = fs.readFileSync(artifactPath());

function review(name) {
  return JSON.parse(fs.readFileSync(path.join(repo, "tests/fixtures/policy", name), "utf8")).request;
}

async function policy() {
  return loadPolicy(wasm);
}

/** The Gatekeeper violations of one evaluation, checking the result-set shape on the way. */
function violations(p, input) {
  const rs = p.evaluate(input);
  assert.equal(rs.length, 1, JSON.stringify(rs));
  assert.ok(Array.isArray(rs[0].result), JSON.stringify(rs));
  return rs[0].result;
}

test("exports ABI 1.2 and one entrypoint", async () => {
  const p = await policy();
  assert.equal(p.minorVersion, 2);
  assert.deepEqual(p.entrypoints, { "podgroups/violation": 0 });
  const mod = new WebAssembly.Module(wasm);
  const imports = WebAssembly.Module.imports(mod);
  assert.deepEqual(imports.map((i) => `${i.module}.${i.name}:${i.kind}`), ["env.memory:memory"]);
});

test("a bare Pod is a violation naming the field and the fix", async () => {
  const p = await policy();
  const v = violations(p, { review: review("pod-create-bare.json"), parameters: {} });
  assert.equal(v.length, 1);
  assert.equal(
    v[0].msg,
    'Pod shop/web: spec.securityContext.supplementalGroupsPolicy is not set, so the image\'s /etc/group can add groups that no rule sees; set it to "Strict"',
  );
  assert.equal(v[0].details.field, "spec.securityContext.supplementalGroupsPolicy");
  assert.equal(v[0].details.subject, "Pod shop/web");
});

test("mutate is ignored: Gatekeeper mode only validates", async () => {
  const p = await policy();
  const v = violations(p, { review: review("deployment-create-bare.json"), parameters: { mutate: true } });
  assert.equal(v.length, 1);
  assert.match(v[0].msg, /^Deployment shop\/web: spec\.template\.spec\.securityContext\.supplementalGroupsPolicy is not set/);
});

test("compliant, exempt and skipped requests have no violations", async () => {
  const p = await policy();
  const ranges = {
    run_as_user: { rule: "MustRunAs", ranges: [{ min: 1000, max: 1999 }] },
    run_as_group: { rule: "MustRunAs", ranges: [{ min: 3000, max: 3999 }] },
    supplemental_groups: { rule: "MustRunAs", ranges: [{ min: 4000, max: 4999 }] },
    fs_group: { rule: "MustRunAs", ranges: [{ min: 4000, max: 4999 }] },
    require_run_as_group: true,
  };
  assert.deepEqual(violations(p, { review: review("pod-create-strict-in-range.json"), parameters: ranges }), []);
  assert.deepEqual(violations(p, { review: review("pod-create-bare.json"), parameters: { exempt_namespaces: ["shop"] } }), []);
  assert.deepEqual(violations(p, { review: review("pod-update-label.json"), parameters: {} }), []);
});

test("range rules, Merge and workload updates", async () => {
  const p = await policy();
  const v = violations(p, {
    review: review("statefulset-update-merge.json"),
    parameters: { run_as_group: { rule: "MustRunAs", ranges: [{ min: 1000, max: 2000 }] } },
  });
  assert.deepEqual(v.map((x) => x.details.field), [
    "spec.template.spec.securityContext.supplementalGroupsPolicy",
    "spec.template.spec.containers[0].securityContext.runAsGroup",
  ]);
  assert.equal(v[1].details.container, 'container "db"');
  assert.match(v[1].msg, /is not set; set it within 1000-2000 \(run_as_group MustRunAs\)$/);
});

test("bad parameters and wrong kinds are violations with messages", async () => {
  const p = await policy();
  let v = violations(p, { review: review("pod-create-bare.json"), parameters: { mutate: "yes" } });
  assert.equal(v[0].msg, 'podgroups policy: invalid parameters: mutate must be true or false, got "yes"');
  v = violations(p, { review: review("configmap-create.json"), parameters: {} });
  assert.match(v[0].msg, /^ConfigMap shop\/settings: request\.kind "ConfigMap" is not handled by this policy/);
});

test("garbage input is a violation, never a trap", async () => {
  const p = await policy();
  const notJson = new TextEncoder().encode("{not json").buffer;
  let v = violations(p, notJson);
  assert.match(v[0].msg, /^podgroups policy: the input is not JSON/);
  v = violations(p, 42);
  assert.match(v[0].msg, /request must be an AdmissionRequest object/);
  v = violations(p, { review: { operation: "CREATE" } });
  assert.match(v[0].msg, /request\.object is missing/);
  const deep = new TextEncoder().encode(`{"review": ${"[".repeat(3000)}${"]".repeat(3000)}}`).buffer;
  assert.match(violations(p, deep)[0].msg, /recursion limit exceeded/);
  const deepParameters = new TextEncoder().encode(`{"review": {}, "parameters": ${"[".repeat(3000)}${"]".repeat(3000)}}`).buffer;
  assert.match(violations(p, deepParameters)[0].msg, /recursion limit exceeded/);
  const huge = review("pod-create-bare.json");
  huge.object.spec.securityContext = { supplementalGroupsPolicy: "Strict", runAsUser: 1e308, supplementalGroups: Array.from({ length: 200000 }, (_, i) => i * 7) };
  v = violations(p, { review: huge, parameters: { supplemental_groups: { rule: "MayRunAs", ranges: [{ min: 0, max: 0 }] } } });
  assert.deepEqual(v.map((x) => x.details.field), ["spec.securityContext.supplementalGroups[1]", "spec.securityContext.runAsUser"]);
  assert.match(v[0].msg, /199998 more entries are invalid or outside the ranges$/);
  // Nesting just within the parser's limit is evaluated normally (the 128 KiB stack holds).
  const nested = review("pod-create-bare.json");
  let deepValue = {};
  for (let i = 0; i < 118; i++) deepValue = { a: deepValue };
  nested.object.metadata.labels = deepValue;
  v = violations(p, { review: nested, parameters: {} });
  assert.equal(v[0].details.field, "spec.securityContext.supplementalGroupsPolicy");
  // Still healthy afterwards.
  assert.equal(violations(p, { review: review("pod-create-bare.json"), parameters: {} }).length, 1);
});

test("the pre-1.2 call sequence (eval context, json parse/dump) gives the same answer", async () => {
  const p = await policy();
  const input = { review: review("pod-create-merge.json"), parameters: {} };
  const fast = p.evaluate(input);
  p.minorVersion = 1; // the SDK then uses opa_eval_ctx_* + eval, as Kubewarden's gatekeeper host does
  const slow = p.evaluate(input);
  assert.deepEqual(slow, fast);
  assert.match(slow[0].result[0].msg, /supplementalGroupsPolicy is "Merge"/);
  p.setData({ unused: { nested: [1, 2] } });
  assert.deepEqual(p.evaluate(input), fast);
});

test("the heap is reset between evaluations: memory stops growing", async () => {
  const p = await policy();
  const input = { review: review("deployment-create-bare.json"), parameters: {} };
  for (let i = 0; i < 200; i++) p.evaluate(input);
  const settled = p.mem.buffer.byteLength;
  for (let i = 0; i < 2000; i++) p.evaluate(input);
  assert.equal(p.mem.buffer.byteLength, settled);
  p.minorVersion = 1;
  for (let i = 0; i < 200; i++) p.evaluate(input);
  const settledSlow = p.mem.buffer.byteLength;
  for (let i = 0; i < 2000; i++) p.evaluate(input);
  assert.equal(p.mem.buffer.byteLength, settledSlow);
});
