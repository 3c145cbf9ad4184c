// A bundler app using the npm package: the element and explain(), with the package's types.
import { explain, type ExplainInput, type Outcome } from "podgroups-embed";

const input = {
  manifests: `apiVersion: v1
kind: Pod
metadata:
  name: implicit-groups
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    supplementalGroups: [4000]
  containers:
  - name: ctr
    image: registry.k8s.io/e2e-test-images/agnhost:2.45
`,
  image: {
    user: "",
    passwd: "user-defined-in-image:x:1000:1000::/home/user-defined-in-image:/bin/sh\n",
    group: "group-defined-in-image:x:50000:user-defined-in-image\n",
  },
  environment: { runtime: "containerd-2", kubernetes: "1.33" },
} satisfies ExplainInput;

// The element, built from the same input.
const example = document.createElement("podgroups-example");
example.setAttribute("runtime", input.environment.runtime);
example.setAttribute("kubernetes", input.environment.kubernetes);
for (const [name, text] of [["manifest", input.manifests], ["passwd", input.image.passwd], ["group", input.image.group]]) {
  const pre = document.createElement("pre");
  pre.dataset.input = name;
  pre.textContent = text;
  example.append(pre);
}
document.getElementById("widget")?.append(example);

const groups = (o: Outcome): string =>
  o.result === "runs" ? o.groups_as_kernel_sees.join(",") : o.result === "refused" ? `refused: ${o.reason}` : "depends on the image";

// For the browser test that checks real outputs against index.d.ts.
Object.assign(window, { podgroupsExplain: explain });

explain(input).then((out) => {
  const c = out.ok ? out.report.workloads[0]?.containers[0] : undefined;
  document.getElementById("api-merge")!.textContent = c ? groups(c.merge) : out.ok ? "no container" : out.text;
  document.getElementById("api-strict")!.textContent = c ? groups(c.strict) : "";
});
