// Types of podgroups-embed: explain()'s input and output (the JSON of the podgroups JS API, which is
// podgroups-core's report serialized as is), and the functions the module exports.

/**
 * The image: config `USER` (`""`: none set) and the contents of its `/etc/passwd` and `/etc/group`
 * (`null`: the image has no such file). A part left out is unknown: results it decides are reported
 * as `depends_on_image`.
 */
export interface ExplainImage {
  user?: string | null;
  passwd?: string | null;
  group?: string | null;
}

export interface ExplainEnvironment {
  /** `containerd-2` (default), `containerd-1.7`, `crio`, optionally with a release: `containerd-2.0.5`, `crio-1.32`. */
  runtime?: string;
  /** `1.33`, `v1.33` or `33` (default `1.35`). */
  kubernetes?: string;
  /** The SupplementalGroupsPolicy feature gate; `null`/absent: the version's default. */
  feature_gate?: boolean | null;
}

/** explain()'s input; every field is optional, unknown fields are rejected (explain throws). */
export interface ExplainInput {
  /** One or more manifests, YAML (multi-document) or JSON. */
  manifests?: string;
  image?: ExplainImage;
  environment?: ExplainEnvironment;
}

/** A 1-based position in the input text. */
export interface Location {
  line: number;
  column: number;
}

export type Source = "manifest" | "passwd" | "group" | "image-user" | "scenario" | "environment";

/** Input that cannot be explained (bad YAML, no workload, unknown runtime…). */
export interface InputError {
  source: Source;
  /** Field path inside the document, e.g. `spec.securityContext.runAsUser`. */
  path?: string;
  location?: Location;
  message: string;
}

export type Stage =
  | "api-validation"
  | "kubelet-admission"
  | "sandbox-create"
  | "kubelet-container-config"
  | "runtime-create"
  | "runtime-start";

/** Kubernetes or the runtime refuses the container. */
export interface Refusal {
  stage: Stage;
  /** `Invalid`, `SupplementalGroupsPolicyNotSupported`, `CreateContainerError`… */
  reason: string;
  message: string;
  all_messages?: string[];
  event_message?: string;
  /** The line of the image's file the failure comes from. */
  location?: { file: string; line: number };
  /** The refusing component, in words: `kubelet admission`, … */
  stage_text: string;
  /** The whole refusal in podgroups' words (what the widgets show). */
  text: string;
}

/** Where a uid or gid came from; `text` is podgroups' wording of it. */
export type Origin = { text: string } & (
  | { from: "field"; path: string; location?: Location }
  | { from: "image-user"; user: string }
  | { from: "passwd"; line: number; name: string }
  | { from: "group"; line: number; name: string }
  | { from: "pv-annotation"; value: string }
  | { from: "default"; reason: string }
);

export interface GidOrigins {
  gid: number;
  name?: string;
  origins: Origin[];
  /** Only `/etc/group` membership put it there: Strict removes it. */
  implicit: boolean;
}

export interface ContainerUser {
  linux: { uid: number; gid: number; supplementalGroups: number[] };
}

/** The container process's identity. */
export interface Identity {
  uid: number;
  gid: number;
  additional_gids: number[];
  /** `getgroups(2)`: sorted, not de-duplicated. */
  groups_as_kernel_sees: number[];
  id_groups_coreutils: number[];
  id_groups_busybox: number[];
  id_coreutils: string;
  id_busybox: string;
  status_user: ContainerUser | null;
  applied_policy: "Merge" | "Strict";
  uid_origin: Origin;
  gid_origins: GidOrigins[];
  /** What unknown image parts leave open (only names here). */
  unknown?: Unknown[];
}

export type Fact = "runs" | "uid" | "gid" | "image-groups" | "names";
export type ImagePart = "user" | "passwd" | "group";

/** One fact an unknown part of the image decides, and why. */
export interface Unknown {
  fact: Fact;
  depends_on: ImagePart[];
  reason: string;
}

/** What is certain when an unknown part of the image decides the result (the core's `Partial`). */
export interface PartialIdentity {
  unknown: Unknown[];
  uid: number | null;
  uid_origin?: Origin;
  gid: number | null;
  gid_origins: GidOrigins[];
  applied_policy: "Merge" | "Strict";
}

/** The container runs with an identity, is refused, or depends on an unknown part of the image. */
export type Outcome =
  | ({ result: "runs" } & Identity)
  | ({ result: "refused" } & Refusal)
  | ({ result: "depends_on_image" } & PartialIdentity);

export interface Warning {
  code: string;
  message: string;
}

export interface ContainerReport {
  name: string;
  kind: "init" | "regular" | "ephemeral";
  /** `init container`, `container`, `ephemeral container`. */
  kind_text: string;
  image: string;
  path: string;
  /** The parts of this container's image nobody gave. */
  image_unknown?: ImagePart[];
  /** Does the manifest as written get only groups it names? */
  check: "clean" | "implicit-groups" | "refused" | "unknown";
  /** The manifest exactly as written. */
  as_written: Outcome;
  /** With `supplementalGroupsPolicy` unset or `Merge`. */
  merge: Outcome;
  /** With `supplementalGroupsPolicy: Strict`. */
  strict: Outcome;
  /** Groups only the image's `/etc/group` adds under Merge: what Strict removes. */
  implicit_gids: number[];
  /** The implicit groups of the manifest as written. */
  implicit_as_written: number[];
  /** The implicit groups that setting Strict removes here. */
  strict_removes: number[];
  warnings: Warning[];
}

export interface WorkloadReport {
  kind: string;
  name: string;
  namespace: string;
  document: number;
  pod_spec_path: string;
  location?: Location;
  supplemental_groups_policy: string | null;
  containers: ContainerReport[];
}

export interface Environment {
  runtime: string;
  kubernetes_minor: number;
  feature_gate: boolean | null;
  node_supports_policy: boolean | null;
}

export interface Report {
  environment: Environment;
  /** The environment in words: `containerd 2.x, Kubernetes 1.33, …`. */
  environment_text: string;
  workloads: WorkloadReport[];
  /** Documents without a pod template. */
  skipped?: { kind: string; name: string; document: number }[];
}

export type ExplainOutput =
  | { ok: true; report: Report }
  | {
      ok: false;
      /** The error in podgroups' own words (what the widgets show). */
      text: string;
      error: InputError;
    };

/** Explains the input in the page (loads the wasm on first use). Throws only when `input` has the wrong shape. */
export function explain(input: ExplainInput): Promise<ExplainOutput>;

/** Loads the wasm (once); resolves when explain() can run. */
export function ready(): Promise<unknown>;

/**
 * Defines `<podgroups-example>` and upgrades `<pre data-podgroups>` blocks (done on import).
 * `playground`: a podgroups playground URL for "Open in playground" links.
 */
export function define(options?: { playground?: string }): void;

declare global {
  interface HTMLElementTagNameMap {
    "podgroups-example": HTMLElement;
  }
}
