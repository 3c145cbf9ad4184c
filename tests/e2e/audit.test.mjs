// The cluster audit of a pasted dump: a kubectl-shaped `get pods,replicasets -A -o json` and
// `get nodes -o json` are pasted with one image's files; the summary, a finding, and its link into
// the single-pod explanation (that pod's manifest on its node's runtime and version) are checked.
// Its own browser, so its request check covers the lazily loaded audit module too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { assertStayedOnSite, launch, open, groups, until } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PASSWD = "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP = "wheel:x:101:app\nappgrp:x:1000:app\n";

// Objects as kubectl prints them: apiVersion/kind per item, managedFields, ownerReferences, nodeName,
// status.containerStatuses[].imageID and the kubelet's `user` block.
const managedFields = [{ apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:containers": {} } }, manager: "kube-controller-manager", operation: "Update", time: "2026-11-01T10:00:00Z" }];
const list = (items) => JSON.stringify({ apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } }, null, 4);
const node = (name, runtime, kubelet, features) => ({
  apiVersion: "v1", kind: "Node",
  metadata: { name, labels: { "kubernetes.io/hostname": name }, managedFields },
  status: {
    nodeInfo: { architecture: "amd64", containerRuntimeVersion: runtime, kubeletVersion: kubelet, kubeProxyVersion: kubelet, operatingSystem: "linux", osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.1.0-28-amd64", bootID: "b", machineID: "m", systemUUID: "u" },
    ...(features === undefined ? {} : { features: { supplementalGroupsPolicy: features } }),
  },
});
const spec = (nodeName, image, uid, gid) => ({
  containers: [{ name: "c", image, imagePullPolicy: "IfNotPresent", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }],
  nodeName, restartPolicy: "Always", schedulerName: "default-scheduler", serviceAccountName: "default",
  securityContext: { runAsUser: uid, runAsGroup: gid },
  volumes: [{ name: "kube-api-access-x", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }],
});
const pod = (ns, name, owner, nodeName, image, uid, gid, user) => ({
  apiVersion: "v1", kind: "Pod",
  metadata: {
    name, namespace: ns, uid: `uid-${name}`, managedFields,
    ...(owner ? { labels: { "pod-template-hash": "abc12" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: `uid-${owner}`, controller: true, blockOwnerDeletion: true }] } : {}),
  },
  spec: spec(nodeName, image, uid, gid),
  status: user === undefined ? {} : {
    phase: "Running", hostIP: "10.0.0.1",
    containerStatuses: [{ name: "c", image, imageID: "docker.io/library/app@sha256:aa", ready: true, restartCount: 0, started: true, containerID: "containerd://1", state: { running: { startedAt: "2026-11-01T10:00:00Z" } }, user: { linux: user } }],
  },
});
const observed = { uid: 1000, gid: 3000, supplementalGroups: [101, 1000, 3000] };
const PODS = list([
  pod("shop", "web-abc12-aaaaa", "web-abc12", "n1", "app:1", 1000, 3000, observed),
  pod("shop", "web-abc12-bbbbb", "web-abc12", "n1", "app:1", 1000, 3000, observed),
  pod("misc", "mystery", null, "n2", "registry.example/unknown:1", 10, 10, undefined),
]);
const NODES = list([
  node("n1", "containerd://2.0.5", "v1.33.1", true),
  node("n2", "cri-o://1.32.1", "v1.32.3", undefined),
]);

const sorted = (g) => (g ?? "").split(",").map(Number).sort((a, b) => a - b).join(",");

test("a pasted dump: summary first, per-workload rows, and a finding's link opens that pod's explanation", async () => {
  const page = await open(browser.context);
  const lazy = (u) => u.endsWith("/audit.js") || u.endsWith("/podgroups_audit_bg.wasm");
  assert.deepEqual(browser.requests.filter(lazy), [], "the audit is not part of the initial download");
  await page.locator('[data-testid="audit"] summary').click();
  await page.locator('[data-testid="audit-pods"]').fill(PODS);
  await page.locator('[data-testid="audit-nodes"]').fill(NODES);
  const image = page.locator('[data-testid="audit-image"]');
  await image.locator('[name="image"]').fill("app:1");
  await image.locator('[name="user"]').fill("app");
  await image.locator('[name="passwd"]').fill(PASSWD);
  await image.locator('[name="group"]').fill(GROUP);
  await page.locator('[data-testid="audit-run"]').click();
  await until(page, () => document.querySelector('[data-testid="audit-summary"]'));
  assert.equal(
    await page.locator('[data-testid="audit-summary"]').textContent(),
    "2 workloads, 1 container with implicit groups, 0 already Strict, 1 that would lose a group they may need; 1 container unknown (no pasted image files and no observed user)",
  );
  assert.ok(browser.requests.some(lazy), "the audit module was fetched when the audit ran");
  // The image nobody pasted is unknown, and said so.
  assert.match(await page.locator('[data-testid="audit-unknown-images"]').textContent(), /registry\.example\/unknown:1/);
  const web = page.locator('[data-testid="audit-workload"][data-workload="Deployment shop/web"]');
  assert.match(await web.locator("h4").textContent(), /Deployment shop\/web/);
  assert.equal(
    await web.locator('[data-testid="audit-implicit"]').first().textContent(),
    "101 (wheel, /etc/group line 1; observed), 1000 (appgrp, /etc/group line 2; observed)",
  );
  const broken = web.locator('[data-testid="audit-finding"][data-code="strict-would-break"]');
  assert.match(await broken.textContent(), /Strict would remove 1000 \(image-user-primary-group\)/);
  const mystery = page.locator('[data-testid="audit-workload"][data-workload="Pod misc/mystery"]');
  assert.match(await mystery.locator('[data-testid="audit-implicit"]').textContent(), /^unknown/);

  // The finding's link: a share link of the pod on its node (containerd 2, Kubernetes 1.33, gate on),
  // with the pasted files; opened in place through the app's reducer.
  const link = web.locator('[data-testid="audit-finding"][data-code="implicit-groups"] [data-testid="audit-explain"]');
  assert.match(await link.getAttribute("href"), /^#v1=/);
  assert.match(await link.textContent(), /Pod shop\/web-abc12-aaaaa on containerd:\/\/2\.0\.5, kubelet v1\.33\.1/);
  const href = await link.getAttribute("href");
  await link.click();
  await until(page, () => document.getElementById("manifest").value.includes("web-abc12-aaaaa"));
  assert.equal(await page.locator('[data-testid="runtime-select"]').inputValue(), "containerd-2");
  assert.equal(await page.locator('[data-testid="k8s-version-select"]').inputValue(), "33");
  assert.equal(await page.locator('[data-testid="feature-gate-select"]').inputValue(), "on");
  assert.equal(await page.locator("#group").inputValue(), GROUP);
  await until(page, () => document.querySelector('[data-testid="result-merge"]')?.dataset.groups?.split(",").length === 3);
  assert.equal(sorted(await groups(page, "result-merge")), "101,1000,3000", "what the kubelet observed");
  assert.equal(await groups(page, "result-strict"), "3000");
  // The same link opened as a new page gives the same explanation.
  const fresh = await open(browser.context, href);
  assert.ok((await fresh.locator("#manifest").inputValue()).includes("web-abc12-aaaaa"));
  assert.equal(await fresh.locator('[data-testid="runtime-select"]').inputValue(), "containerd-2");
  assert.equal(sorted(await groups(fresh, "result-merge")), "101,1000,3000");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(fresh.errors, []);
  await fresh.close();
  await page.close();
});

test("a garbled dump names the item and audits the rest", async () => {
  const page = await open(browser.context);
  await page.locator('[data-testid="audit"] summary').click();
  const cut = PODS.slice(0, PODS.indexOf('"name": "mystery"'));
  await page.locator('[data-testid="audit-pods"]').fill(cut);
  await page.locator('[data-testid="audit-run"]').click();
  await until(page, () => document.querySelector('[data-testid="audit-errors"]'));
  assert.match(await page.locator('[data-testid="audit-errors"]').textContent(), /pods: line \d+, column \d+/);
  assert.match(await page.locator('[data-testid="audit-summary"]').textContent(), /^1 workload, /);
  await page.close();
});

test("no request left 127.0.0.1 during the audit (the module is fetched from the site itself)", () => {
  assertStayedOnSite(browser, "podgroups_audit_bg.wasm");
});
