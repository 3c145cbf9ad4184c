/// <reference types="vite/client" />
// A bundler app using the npm package: the element and explain(), with the package's types, on the
// Kubernetes blog's example as the repository keeps it (examples/blog/, which the CLI embeds too),
// imported as text the way an app bundles its own files.
import { explain, type ExplainInput, type Outcome } from "podgroups-embed";
import manifests from "../../../examples/blog/pod.yaml?raw";
import passwd from "../../../examples/blog/passwd?raw";
import group from "../../../examples/blog/group?raw";

const input = {
  manifests,
  image: { user: "", passwd, group },
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
