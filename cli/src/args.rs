//! Command-line arguments: every option type lives here, so the command modules import only this one.

use clap::{Args, Parser, Subcommand, ValueEnum};
use podgroups_core::Environment;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "podgroups",
    version,
    about = "Which groups will my container's process really have? Predicts uid, gid and supplementary \
             groups per container, with the origin of every gid, under Merge and Strict.",
    after_help = "Exit codes: 0 ran; 1 --check found implicit groups, a refused pod, or a result the unknown image decides; 2 bad input or arguments."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Explain each container's identity (with no MANIFEST: the Kubernetes 1.31 blog example).
    Explain(ExplainArgs),
    /// Run one scenario in the conformance-vector format and print the result as JSON.
    Simulate(SimulateArgs),
    /// Print the manifests with supplementalGroupsPolicy: Strict set in every pod spec (comments kept).
    Fix(FixArgs),
    /// Read an image archive (docker save, oci-archive, OCI layout dir): its USER, its groups, the risk.
    Image(ImageCmdArgs),
    /// Audit a cluster dump (kubectl get pods/workloads/nodes -o json|yaml): implicit groups per workload.
    Audit(AuditArgs),
    /// Print a shell completion script: `podgroups completions bash > /etc/bash_completion.d/podgroups`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), generated from these definitions: `podgroups man > podgroups.1`.
    Man,
    /// Admission policies for engines that cannot load the Wasm module (`policy emit vap|map|gatekeeper|kyverno`).
    Policy(PolicyArgs),
}

#[derive(Args)]
pub struct ExplainArgs {
    /// Manifest files (YAML, multi-document, or JSON); `-` reads standard input.
    pub manifests: Vec<PathBuf>,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub archive: ArchiveArgs,
    #[command(flatten)]
    pub env: EnvArgs,
    /// A `pv.beta.kubernetes.io/gid` annotation of a mounted PersistentVolume (repeatable).
    #[arg(long = "pv-gid", value_name = "GID")]
    pub pv_gids: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Exit 1 when a container gets groups from /etc/group that no manifest names, is refused, or
    /// depends on an image part that was not given (it cannot be proven clean).
    #[arg(long)]
    pub check: bool,
}

/// The image's parts given by hand. Each part not given is unknown: results it decides are reported as
/// open, never guessed.
#[derive(Args)]
pub struct ImageArgs {
    /// The image's /etc/passwd.
    #[arg(long, value_name = "FILE")]
    pub passwd: Option<PathBuf>,
    /// The image has no /etc/passwd (distroless, scratch).
    #[arg(long, conflicts_with = "passwd")]
    pub no_passwd: bool,
    /// The image's /etc/group.
    #[arg(long, value_name = "FILE")]
    pub group: Option<PathBuf>,
    /// The image has no /etc/group.
    #[arg(long, conflicts_with = "group")]
    pub no_group: bool,
    /// The image config's USER (e.g. 1000, app, 1000:2000); `--image-user ''` when the image sets none.
    #[arg(long, value_name = "USER")]
    pub image_user: Option<String>,
}

impl ImageArgs {
    /// Whether any part of the image was given by hand.
    pub fn is_empty(&self) -> bool {
        self.passwd.is_none() && !self.no_passwd && self.group.is_none() && !self.no_group && self.image_user.is_none()
    }
}

/// Options of `explain` that read the image from an archive.
#[derive(Args, Default)]
pub struct ArchiveArgs {
    /// Read USER, /etc/passwd and /etc/group from this image archive (docker save / podman save tar,
    /// skopeo oci-archive tar, OCI layout or skopeo dir: directory) instead of --passwd/--group/--image-user.
    #[arg(long, value_name = "ARCHIVE")]
    pub image: Option<PathBuf>,
    /// Which image of the archive: a tag, name or digest (needed when the archive holds several).
    /// Without --image: this image, read from its registry, for every container.
    #[arg(long, value_name = "NAME")]
    pub image_ref: Option<String>,
    /// Platform to read from a multi-platform archive or registry index, os/arch[/variant] (default: linux/amd64).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    #[command(flatten)]
    pub registry: Box<RegistryArgs>,
    /// The archive of one container: KEY is the container's name or its image as written in the
    /// manifest; with an archive of several images, an image KEY also picks the image (repeatable).
    #[arg(long = "image-for", value_name = "KEY=ARCHIVE")]
    pub image_for: Vec<String>,
    /// Also check the archive's layers, config and manifest against their digests (reads every byte).
    #[arg(long)]
    pub verify_digests: bool,
}

impl ArchiveArgs {
    pub fn is_empty(&self) -> bool {
        self.image.is_none() && self.image_for.is_empty() && self.image_ref.is_none()
    }
}

/// `podgroups image`.
#[derive(Args)]
pub struct ImageCmdArgs {
    /// The image archive: docker save / podman save tar, oci-archive tar, OCI layout or skopeo dir: directory.
    /// Omit it and give --image-ref to read the image from its registry.
    #[arg(required_unless_present = "image_ref")]
    pub archive: Option<PathBuf>,
    /// Which image of the archive: a tag, name or digest (needed when the archive holds several).
    /// Without ARCHIVE: the image to read from its registry.
    #[arg(long, value_name = "NAME")]
    pub image_ref: Option<String>,
    /// Platform to read from a multi-platform archive or registry index, os/arch[/variant] (default: linux/amd64).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Also check the archive's layers, config and manifest against their digests (reads every byte).
    #[arg(long)]
    pub verify_digests: bool,
    #[command(flatten)]
    pub registry: Box<RegistryArgs>,
    #[command(flatten)]
    pub env: EnvArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

#[derive(Args)]
pub struct EnvArgs {
    /// Container runtime: containerd-2, containerd-1.7, crio (a release may follow: containerd-2.0.5),
    /// or as a node reports it: containerd://2.0.5, cri-o://1.32.1.
    #[arg(long, default_value = "containerd-2")]
    pub runtime: String,
    /// Kubernetes version of kube-apiserver and kubelet.
    #[arg(long = "kubernetes", value_name = "VERSION", default_value = "1.35")]
    pub kubernetes: String,
    /// The SupplementalGroupsPolicy feature gate (default: the version's default).
    #[arg(long, value_enum)]
    pub gate: Option<OnOff>,
    /// Override node.status.features.supplementalGroupsPolicy (default: derived from runtime and gate).
    #[arg(long, value_enum)]
    pub node_support: Option<OnOff>,
}

impl EnvArgs {
    /// The cluster these options describe.
    pub fn environment(&self) -> Result<Environment, String> {
        Ok(Environment {
            runtime: self.runtime.parse().map_err(|e| format!("--runtime: {e}"))?,
            kubernetes_minor: Environment::parse_kubernetes_version(&self.kubernetes)
                .map_err(|e| format!("--kubernetes: {e}"))?,
            feature_gate: self.gate.map(|g| g.bool()),
            node_supports_policy: self.node_support.map(|g| g.bool()),
        })
    }
}

#[derive(Args)]
pub struct SimulateArgs {
    /// A YAML file with a vector's input fields (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub scenario: PathBuf,
}

#[derive(Args)]
pub struct FixArgs {
    /// Manifest files or directories (`-` for standard input). A directory's .yaml, .yml and .json
    /// files are fixed; with -R also those of its subdirectories.
    #[arg(required = true)]
    pub manifests: Vec<PathBuf>,
    /// Write each fixed file back in place instead of printing (files already Strict are left alone).
    #[arg(short = 'i', long)]
    pub in_place: bool,
    /// Descend into subdirectories of the directories given.
    #[arg(short = 'R', long)]
    pub recursive: bool,
}

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Yaml,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

impl OnOff {
    pub fn bool(self) -> bool {
        self == OnOff::On
    }
}

#[derive(Args)]
pub struct AuditArgs {
    /// `kubectl get pods -A -o json|yaml` and any workload lists (Deployments, StatefulSets, DaemonSets,
    /// Jobs, CronJobs, ReplicaSets) or PersistentVolumes; `-` reads standard input.
    #[arg(required = true)]
    pub dumps: Vec<PathBuf>,
    /// `kubectl get nodes -o json|yaml`: each pod is predicted for its node's runtime and version (repeatable).
    #[arg(long, value_name = "FILE")]
    pub nodes: Vec<PathBuf>,
    /// An image archive for containers whose imageID digest (`sha256:…`), image reference or name is KEY (repeatable).
    #[arg(long = "image-for", value_name = "KEY=ARCHIVE")]
    pub image_for: Vec<String>,
    /// Platform to pick from multi-platform archives (default linux/amd64).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Verify every blob's sha256 while reading archives.
    #[arg(long)]
    pub verify_digests: bool,
    /// The environment assumed for pods whose node is not in --nodes.
    #[command(flatten)]
    pub env: EnvArgs,
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Exit 1 when a container gets groups no manifest names, would lose a needed group, disagrees with
    /// its observed identity, cannot be decided, is refused on a node, has Strict written but not
    /// applied, or an item could not be read.
    #[arg(long)]
    pub check: bool,
    /// Images no --image-for covers are read from their registries (by the running imageID digest).
    #[command(flatten)]
    pub registry: Box<RegistryArgs>,
}

/// How images are read from registries.
#[derive(Args, Default)]
pub struct RegistryArgs {
    /// Read only the registry cache, never the network (also: PODGROUPS_OFFLINE=1). An image not in
    /// the cache is then unknown: the answer says what depends on it.
    #[arg(long)]
    pub offline: bool,
    /// Registry blob cache (default: $PODGROUPS_CACHE_DIR, else $XDG_CACHE_HOME/podgroups or ~/.cache/podgroups).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Keep the cache under this size, deleting the least recently used blobs (e.g. 2G, 500M).
    #[arg(long, value_name = "SIZE")]
    pub cache_max: Option<String>,
    /// A PEM CA certificate to trust for registries (repeatable).
    #[arg(long = "registry-ca", value_name = "FILE")]
    pub registry_ca: Vec<PathBuf>,
    /// Reach this registry (host[:port]) over plain HTTP instead of HTTPS (repeatable).
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// No progress display on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Print ready-to-apply resources that enforce supplementalGroupsPolicy: Strict and the range rules.
    Emit(EmitArgs),
}

#[derive(Args)]
pub struct EmitArgs {
    /// vap: ValidatingAdmissionPolicy + binding (Kubernetes 1.30+); map: MutatingAdmissionPolicy that
    /// sets Strict (1.34 beta); gatekeeper: ConstraintTemplate (CEL) + constraint + Assign mutators;
    /// kyverno: ClusterPolicy.
    #[arg(value_enum)]
    pub form: EmitForm,
    /// The policy's settings (YAML or JSON, the same keys as the Wasm policy's settings).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmitForm {
    Vap,
    Map,
    Gatekeeper,
    Kyverno,
}
