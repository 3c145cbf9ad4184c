// The package's types reject what explain() rejects: each line below must be a type error.
import { explain, type ExplainOutput } from "podgroups-embed";

// @ts-expect-error: the field is `manifests`.
void explain({ manifest: "kind: Pod" });
// @ts-expect-error: passwd is text or null.
void explain({ image: { passwd: 1000 } });
declare const out: ExplainOutput;
// @ts-expect-error: a report exists only when ok is true.
void out.report;
