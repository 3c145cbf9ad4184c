//! Images read from an OCI registry (feature `registry`; the CLI): the reference is normalized as the
//! kubelet does ([`crate::reference`]), the manifest or index fetched with `oci-client`, and the
//! registry is then seen as an OCI layout whose blobs are fetched on demand into a content-addressed
//! [`Cache`], so platform selection and layer application are the very code that reads archives
//! ([`crate::read_layout`]). Every blob is verified against its digest and size before it is cached.

mod cache;

pub use cache::Cache;

use crate::layout::{Layout, MAX_JSON_BYTES};
use crate::read_at::ReadAt;
use crate::reference::Reference;
use crate::{ArchiveError, ImageArchive, Selector};
use futures_util::StreamExt;
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::Client;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Media types accepted for manifests: OCI and Docker v2, images and indexes.
const MANIFEST_TYPES: [&str; 4] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// How to reach registries.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `os/arch[/variant]`; `None`: `linux/amd64`.
    pub platform: Option<String>,
    pub cache_dir: PathBuf,
    /// Only the cache, no network.
    pub offline: bool,
    /// PEM files of extra CAs (`--registry-ca`).
    pub ca_files: Vec<PathBuf>,
    /// Registries (`host[:port]`) reached over plain HTTP (`--insecure-registry`).
    pub insecure: Vec<String>,
    /// Images fetched at once.
    pub concurrency: usize,
}

/// Bytes as they arrive, for a progress display.
pub trait Progress: Send + Sync {
    /// A blob of `size` bytes (if known) starts downloading.
    fn start(&self, _size: Option<u64>) {}
    /// `n` more bytes arrived.
    fn advance(&self, _n: u64) {}
}

impl Progress for () {}

/// Why an image could not be read from its registry: the image, the registry, the HTTP status and
/// what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryError {
    pub image: String,
    pub registry: String,
    pub status: Option<u16>,
    pub kind: RegistryErrorKind,
    pub message: String,
}

/// The class of a [`RegistryError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryErrorKind {
    /// 401/403: the credentials tried were refused.
    Unauthorized,
    /// 404: no such repository, tag, digest or blob.
    NotFound,
    /// TLS handshake or certificate failure.
    Tls,
    /// Connection refused, reset, cut mid-blob, DNS, timeouts, too many redirects.
    Network,
    /// Content whose digest or size does not match its descriptor.
    DigestMismatch,
    /// `--offline` and not in the cache.
    NotCached,
    /// A bad reference, or the image itself is unusable (see the message).
    Image,
    /// The cache directory cannot be written.
    Cache,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "image {} (registry {}", self.image, self.registry)?;
        if let Some(s) = self.status {
            write!(f, ", HTTP {s}")?;
        }
        write!(f, "): {}", self.message)
    }
}

impl std::error::Error for RegistryError {}

/// One image read from its registry.
#[derive(Debug)]
pub struct Fetched {
    pub reference: Reference,
    pub archive: ImageArchive,
    /// Bytes downloaded for it: manifests, config, layers (0 when everything came from the cache).
    pub downloaded: u64,
}

/// Reads each image (already normalized; give each once) from its registry, `options.concurrency`
/// at a time. Results are in the order of `images`.
pub fn fetch_all(
    images: &[Reference],
    options: &Options,
    progress: Arc<dyn Progress>,
) -> Vec<Result<Fetched, RegistryError>> {
    let fail_all = |message: String| {
        images
            .iter()
            .map(|r| {
                Err(RegistryError {
                    image: r.to_string(),
                    registry: r.registry.clone(),
                    status: None,
                    kind: RegistryErrorKind::Cache,
                    message: message.clone(),
                })
            })
            .collect()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail_all(format!("cannot start the network runtime: {e}")),
    };
    let client = match client(options) {
        Ok(c) => Arc::new(c),
        Err(e) => return fail_all(e),
    };
    let handle = runtime.handle().clone();
    let concurrency = options.concurrency.max(1);
    let mut out: Vec<Option<Result<Fetched, RegistryError>>> = images.iter().map(|_| None).collect();
    for (chunk_index, chunk) in images.chunks(concurrency).enumerate() {
        let results: Vec<Result<Fetched, RegistryError>> = std::thread::scope(|s| {
            let threads: Vec<_> = chunk
                .iter()
                .map(|r| {
                    let source = Source::new(r.clone(), options, client.clone(), handle.clone(), progress.clone());
                    s.spawn(move || source.read())
                })
                .collect();
            threads
                .into_iter()
                .zip(chunk)
                .map(|(t, r)| {
                    t.join().unwrap_or_else(|_| {
                        Err(RegistryError {
                            image: r.to_string(),
                            registry: r.registry.clone(),
                            status: None,
                            kind: RegistryErrorKind::Image,
                            message: "internal error while reading the image".into(),
                        })
                    })
                })
                .collect()
        });
        for (i, r) in results.into_iter().enumerate() {
            if let Some(slot) = out.get_mut(chunk_index * concurrency + i) {
                *slot = Some(r);
            }
        }
    }
    out.into_iter().flatten().collect()
}

fn client(options: &Options) -> Result<Client, String> {
    let mut certs = Vec::new();
    for path in &options.ca_files {
        let data = std::fs::read(path).map_err(|e| format!("--registry-ca {}: {e}", path.display()))?;
        certs.push(Certificate {
            encoding: CertificateEncoding::Pem,
            data,
        });
    }
    let config = ClientConfig {
        protocol: if options.insecure.is_empty() {
            ClientProtocol::Https
        } else {
            ClientProtocol::HttpsExcept(options.insecure.clone())
        },
        extra_root_certificates: certs,
        connect_timeout: Some(std::time::Duration::from_secs(15)),
        read_timeout: Some(std::time::Duration::from_secs(60)),
        ..ClientConfig::default()
    };
    Ok(Client::new(config))
}

/// What is known about a digest from the manifests read so far.
#[derive(Clone, Copy)]
enum Known {
    Manifest,
    Blob {
        size: u64,
        json: bool,
        /// From the layer's media type (`…tar+gzip`, `…tar+zstd`, `…tar`).
        compression: Option<crate::Compression>,
    },
}

/// One image's registry seen as an OCI layout (`index.json` made up of the tag's manifest).
struct Source {
    reference: Reference,
    oci_ref: oci_client::Reference,
    options: Options,
    client: Arc<Client>,
    handle: tokio::runtime::Handle,
    progress: Arc<dyn Progress>,
    cache: Cache,
    auth: RegistryAuth,
    tried: String,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    known: BTreeMap<String, Known>,
    index_json: Vec<u8>,
    /// The first registry failure, reported instead of the layout error it causes.
    failure: Option<RegistryError>,
    downloaded: u64,
    used: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Doc {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<Desc>>,
    #[serde(default)]
    config: Option<Desc>,
    #[serde(default)]
    layers: Option<Vec<Desc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Desc {
    digest: String,
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    size: u64,
}

impl Source {
    fn new(
        reference: Reference,
        options: &Options,
        client: Arc<Client>,
        handle: tokio::runtime::Handle,
        progress: Arc<dyn Progress>,
    ) -> Self {
        let oci_ref = match (&reference.tag, &reference.digest) {
            (Some(t), Some(d)) => oci_client::Reference::with_tag_and_digest(
                reference.registry.clone(),
                reference.repository.clone(),
                t.clone(),
                d.clone(),
            ),
            (_, Some(d)) => {
                oci_client::Reference::with_digest(reference.registry.clone(), reference.repository.clone(), d.clone())
            }
            (t, None) => oci_client::Reference::with_tag(
                reference.registry.clone(),
                reference.repository.clone(),
                t.clone().unwrap_or_else(|| "latest".into()),
            ),
        };
        let (auth, tried) = credentials(&reference);
        Source {
            cache: Cache::new(options.cache_dir.clone()),
            reference,
            oci_ref,
            options: options.clone(),
            client,
            handle,
            progress,
            auth,
            tried,
            state: Mutex::new(State::default()),
        }
    }

    fn error(&self, kind: RegistryErrorKind, status: Option<u16>, message: impl Into<String>) -> RegistryError {
        RegistryError {
            image: self.reference.to_string(),
            registry: self.reference.registry.clone(),
            status,
            kind,
            message: message.into(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Resolves the reference, then reads the image through the archive code.
    fn read(self) -> Result<Fetched, RegistryError> {
        let top = self.top_manifest()?;
        let index = serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": top.1,
                "digest": top.0,
                "size": top.2,
                "annotations": {"org.opencontainers.image.ref.name": self.reference.to_string()},
            }],
        });
        self.lock().index_json = serde_json::to_vec(&index).unwrap_or_default();
        let selector = Selector {
            reference: None,
            platform: self.options.platform.clone(),
            verify_digests: false,
        };
        let result = crate::read_layout(&self, &selector);
        let mut state = self.lock();
        let failure = state.failure.take();
        let downloaded = state.downloaded;
        drop(state);
        match (result, failure) {
            // Another platform's manifest that could not be fetched does not matter once the chosen one was read.
            (Ok(archive), _) => Ok(Fetched {
                reference: self.reference.clone(),
                archive,
                downloaded,
            }),
            // The registry's failure is the cause of the layout error it led to.
            (Err(_), Some(f)) => Err(f),
            (Err(e), None) => Err(self.archive_error(e)),
        }
    }

    fn archive_error(&self, e: ArchiveError) -> RegistryError {
        let mut message = e.to_string().replacen("image archive", "image", 1);
        if e.kind == crate::ErrorKind::NoMatch && !e.choices.is_empty() {
            message.push_str("\n(choose with --platform os/arch[/variant])");
        }
        self.error(RegistryErrorKind::Image, None, message)
    }

    /// The digest, media type and size of what the reference names (an index or a manifest).
    fn top_manifest(&self) -> Result<(String, String, u64), RegistryError> {
        let digest = match (&self.reference.digest, self.options.offline) {
            (Some(d), _) => {
                if self.cache.open(d).is_none() {
                    if self.options.offline {
                        return Err(self.not_cached(d));
                    }
                    self.fetch_manifest(&self.oci_ref, d)?;
                }
                d.clone()
            }
            (None, true) => match self.cache.get_ref(&self.reference.to_string()) {
                Some(d) if self.cache.open(&d).is_some() => d,
                _ => return Err(self.not_cached("the tag")),
            },
            (None, false) => {
                let (bytes, digest) = self
                    .handle
                    .block_on(
                        self.client
                            .pull_manifest_raw(&self.oci_ref, &self.auth, &MANIFEST_TYPES),
                    )
                    .map_err(|e| self.oci_error(e, "the tag's manifest"))?;
                self.store_manifest(&digest, &bytes)?;
                let _ = self.cache.put_ref(&self.reference.to_string(), &digest);
                digest
            }
        };
        let file = self.cache.open(&digest).ok_or_else(|| self.not_cached(&digest))?;
        let bytes = crate::layout::read_small(&file, MAX_JSON_BYTES)
            .ok()
            .flatten()
            .ok_or_else(|| {
                self.error(
                    RegistryErrorKind::Cache,
                    None,
                    format!("cannot read the cached manifest {digest}"),
                )
            })?;
        let media_type = self.learn(&bytes);
        Ok((digest, media_type, bytes.len() as u64))
    }

    fn not_cached(&self, what: &str) -> RegistryError {
        self.error(
            RegistryErrorKind::NotCached,
            None,
            format!(
                "{what} is not in the cache {} (--offline): run once without --offline to fetch it",
                self.cache.dir().display()
            ),
        )
    }

    /// Fetches the manifest `digest` by digest, verifies and caches it.
    fn fetch_manifest(&self, at: &oci_client::Reference, digest: &str) -> Result<(), RegistryError> {
        let by_digest = at.clone_with_digest(digest.to_owned());
        let (bytes, got) = self
            .handle
            .block_on(self.client.pull_manifest_raw(&by_digest, &self.auth, &MANIFEST_TYPES))
            .map_err(|e| self.oci_error(e, &format!("manifest {digest}")))?;
        if got != digest {
            return Err(self.error(
                RegistryErrorKind::DigestMismatch,
                None,
                format!("the registry answered manifest {digest} with content of digest {got}: refused"),
            ));
        }
        self.store_manifest(digest, &bytes)
    }

    fn store_manifest(&self, digest: &str, bytes: &[u8]) -> Result<(), RegistryError> {
        if bytes.len() as u64 > MAX_JSON_BYTES {
            return Err(self.error(
                RegistryErrorKind::Image,
                None,
                format!(
                    "manifest {digest} is {} bytes, over the {MAX_JSON_BYTES}-byte limit: refused",
                    bytes.len()
                ),
            ));
        }
        self.lock().downloaded += bytes.len() as u64;
        self.cache.put(digest, bytes).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => self.error(
                RegistryErrorKind::DigestMismatch,
                None,
                format!("manifest {digest}: {e}: refused"),
            ),
            _ => self.cache_error(e),
        })
    }

    fn cache_error(&self, e: io::Error) -> RegistryError {
        self.error(
            RegistryErrorKind::Cache,
            None,
            format!(
                "cannot write the cache {}: {e}; give a writable --cache-dir",
                self.cache.dir().display()
            ),
        )
    }

    /// Notes the digests a manifest or index names; returns its media type.
    fn learn(&self, bytes: &[u8]) -> String {
        let Ok(doc) = serde_json::from_slice::<Doc>(bytes) else {
            return MANIFEST_TYPES[1].to_owned();
        };
        let mut state = self.lock();
        for m in doc.manifests.iter().flatten() {
            state.known.insert(m.digest.clone(), Known::Manifest);
        }
        if let Some(c) = &doc.config {
            let known = Known::Blob {
                size: c.size,
                json: true,
                compression: None,
            };
            state.known.insert(c.digest.clone(), known);
        }
        for l in doc.layers.iter().flatten() {
            let mt = l.media_type.as_str();
            let compression = if mt.ends_with("+gzip") || mt.ends_with(".gzip") {
                Some(crate::Compression::Gzip)
            } else if mt.ends_with("+zstd") {
                Some(crate::Compression::Zstd)
            } else if mt.ends_with(".tar") {
                Some(crate::Compression::None)
            } else {
                None
            };
            let known = Known::Blob {
                size: l.size,
                json: false,
                compression,
            };
            state.known.insert(l.digest.clone(), known);
        }
        let index = doc.manifests.is_some();
        doc.media_type.unwrap_or_else(|| {
            if index {
                MANIFEST_TYPES[0].to_owned()
            } else {
                MANIFEST_TYPES[1].to_owned()
            }
        })
    }

    /// The blob `digest` from the cache, fetching it first when needed. `Ok(None)`: the registry
    /// or the cache does not have it (the failure is kept for the final error).
    fn blob(&self, digest: &str) -> io::Result<Option<Box<dyn ReadAt + '_>>> {
        let known = self.lock().known.get(digest).copied();
        if self.cache.open(digest).is_none() {
            let fetched = if self.options.offline {
                Err(self.not_cached(&format!("blob {digest}")))
            } else {
                match known {
                    Some(Known::Manifest) => self.fetch_manifest(&self.oci_ref, digest),
                    Some(Known::Blob { size, json, .. }) => self.fetch_blob(digest, size, json),
                    None => Err(self.error(
                        RegistryErrorKind::Image,
                        None,
                        format!("{digest} is not named by the image's manifests"),
                    )),
                }
            };
            if let Err(e) = fetched {
                let mut state = self.lock();
                let message = e.to_string();
                state.failure.get_or_insert(e);
                return if matches!(known, Some(Known::Manifest)) {
                    // Another platform's manifest may be unreachable without harm: list it as missing.
                    Ok(None)
                } else {
                    Err(io::Error::other(message))
                };
            }
        }
        let file = self
            .cache
            .open(digest)
            .ok_or_else(|| io::Error::other(format!("{digest} vanished from the cache")))?;
        if matches!(known, Some(Known::Manifest)) {
            if let Ok(Some(bytes)) = crate::layout::read_small(&file, MAX_JSON_BYTES) {
                self.learn(&bytes);
            }
        }
        self.lock().used.push(digest.to_owned());
        Ok(Some(Box::new(file)))
    }

    /// Downloads a config or layer blob into the cache, verifying size and digest as it streams.
    fn fetch_blob(&self, digest: &str, size: u64, json: bool) -> Result<(), RegistryError> {
        if json && size > MAX_JSON_BYTES {
            return Err(self.error(
                RegistryErrorKind::Image,
                None,
                format!("the image config {digest} is {size} bytes, over the {MAX_JSON_BYTES}-byte limit: refused"),
            ));
        }
        let mut writer = self.cache.writer(digest, Some(size)).map_err(|e| self.cache_error(e))?;
        self.progress.start(Some(size));
        let streamed: Result<(), RegistryError> = self.handle.block_on(async {
            let mut stream = self
                .client
                .pull_blob_stream(&self.oci_ref, digest)
                .await
                .map_err(|e| self.oci_error(e, &format!("blob {digest}")))?;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| {
                    // oci-client reports its own digest check at the end of the stream as InvalidData.
                    if e.kind() == io::ErrorKind::InvalidData || e.to_string().contains("igest") {
                        return self.error(
                            RegistryErrorKind::DigestMismatch,
                            None,
                            format!("blob {digest}: digest mismatch ({e}): refused, nothing was cached (the registry's copy is damaged or was tampered with)"),
                        );
                    }
                    self.error(
                        RegistryErrorKind::Network,
                        None,
                        format!(
                            "the registry stopped sending blob {digest} after {} of {size} bytes ({e}); nothing was cached, run again",
                            writer.written()
                        ),
                    )
                })?;
                writer.write_all(&chunk).map_err(|e| match e.kind() {
                    io::ErrorKind::InvalidData => {
                        self.error(RegistryErrorKind::DigestMismatch, None, format!("blob {digest}: {e}: refused"))
                    }
                    _ => self.cache_error(e),
                })?;
                self.progress.advance(chunk.len() as u64);
            }
            Ok(())
        });
        streamed?;
        let got = writer.written();
        writer.commit().map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => self.error(
                RegistryErrorKind::DigestMismatch,
                None,
                format!("blob {digest}: {e}; refused (the registry's copy is damaged or was tampered with)"),
            ),
            _ => self.cache_error(e),
        })?;
        self.lock().downloaded += got;
        Ok(())
    }

    /// A registry error as a [`RegistryError`] saying what to do.
    fn oci_error(&self, e: OciDistributionError, what: &str) -> RegistryError {
        use OciDistributionError as E;
        use RegistryErrorKind as K;
        let unauthorized = |status| {
            self.error(
                K::Unauthorized,
                Some(status),
                format!(
                    "the registry refused access to {what} with {}; log in with `docker login {}` (podgroups reads \
                     $DOCKER_CONFIG/config.json or ~/.docker/config.json and its credential helpers)",
                    self.tried, self.reference.registry
                ),
            )
        };
        let not_found = || {
            let which = match (&self.reference.digest, &self.reference.tag) {
                (Some(d), _) => format!("digest {d}"),
                (None, Some(t)) => format!("tag {t:?}"),
                (None, None) => "the image".into(),
            };
            self.error(
                K::NotFound,
                Some(404),
                format!(
                    "{what} not found: no {which} in repository {} (check the name and tag, e.g. `skopeo list-tags docker://{}/{}`)",
                    self.reference.repository, self.reference.registry, self.reference.repository
                ),
            )
        };
        match e {
            E::UnauthorizedError { .. } => unauthorized(401),
            E::AuthenticationFailure(m) => {
                let mut err = unauthorized(401);
                err.message = format!("authentication failed ({m}); {}", err.message);
                err
            }
            E::ImageManifestNotFoundError(_) => not_found(),
            E::RegistryError { envelope, .. } => {
                let code = envelope.errors.first().map(|e| &e.code);
                match code {
                    Some(OciErrorCode::Unauthorized) => unauthorized(401),
                    Some(OciErrorCode::Denied) => unauthorized(403),
                    Some(
                        OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::BlobUnknown
                        | OciErrorCode::NotFound,
                    ) => not_found(),
                    Some(OciErrorCode::Toomanyrequests) => self.error(
                        K::Network,
                        Some(429),
                        format!("too many requests for {what}: wait and retry, or log in for a higher limit"),
                    ),
                    _ => self.error(K::Network, None, format!("the registry refused {what}: {envelope}")),
                }
            }
            E::ServerError { code: 404, .. } => not_found(),
            E::ServerError {
                code: c @ (401 | 403), ..
            } => unauthorized(c),
            E::ServerError { code, message, .. } => self.error(
                K::Network,
                Some(code),
                format!(
                    "the registry answered {code} for {what}: {}",
                    message.chars().take(200).collect::<String>()
                ),
            ),
            E::DigestError(d) => self.error(K::DigestMismatch, None, format!("{what}: {d}: refused")),
            E::RequestError(r) => self.request_error(&r, what),
            other => self.error(K::Network, None, format!("{what}: {other}")),
        }
    }

    fn request_error(&self, r: &reqwest::Error, what: &str) -> RegistryError {
        use RegistryErrorKind as K;
        let mut chain = r.to_string();
        let mut source = std::error::Error::source(r);
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        let lower = chain.to_lowercase();
        if r.is_redirect() {
            return self.error(
                K::Network,
                None,
                format!("{what}: too many redirects (a redirect loop?): {chain}; refused"),
            );
        }
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            return self.error(
                K::Tls,
                None,
                format!(
                    "TLS failed for {what}: {chain}; if {} uses a private CA, give its certificate with --registry-ca FILE \
                     (or, for a registry without TLS, --insecure-registry {})",
                    self.reference.registry, self.reference.registry
                ),
            );
        }
        let status = r.status().map(|s| s.as_u16());
        self.error(
            K::Network,
            status,
            format!(
                "cannot reach the registry for {what}: {chain}; check the network and the registry's name, or use \
                 --offline to read only what is cached"
            ),
        )
    }
}

impl Layout for Source {
    /// Layers are described by the manifest, so the reader may try the top layer alone.
    fn layer_hint(&self, path: &str) -> Option<(u64, crate::Compression)> {
        let digest = path.strip_prefix("blobs/")?.replacen('/', ":", 1);
        match self.lock().known.get(&digest) {
            Some(Known::Blob {
                size,
                compression: Some(c),
                ..
            }) => Some((*size, *c)),
            _ => None,
        }
    }

    fn open(&self, path: &str) -> io::Result<Option<Box<dyn ReadAt + '_>>> {
        match path {
            "index.json" => {
                let bytes = self.lock().index_json.clone();
                Ok(Some(Box::new(Owned(bytes))))
            }
            "oci-layout" => Ok(Some(Box::new(Owned(br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec())))),
            _ => match path.strip_prefix("blobs/") {
                Some(rest) => match rest.split_once('/') {
                    Some((alg, hex)) => self.blob(&format!("{alg}:{hex}")),
                    None => Ok(None),
                },
                None => Ok(None),
            },
        }
    }
}

struct Owned(Vec<u8>);

impl ReadAt for Owned {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.0.as_slice().read_at(off, buf)
    }
}

/// Credentials for the reference's registry from the docker config (`$DOCKER_CONFIG/config.json` or
/// `~/.docker/config.json`, `auths` and credential helpers), else anonymous (with the bearer-token flow
/// when the registry asks for it). Also says what was tried, for 401 messages.
fn credentials(r: &Reference) -> (RegistryAuth, String) {
    use docker_credential::{CredentialRetrievalError as C, DockerCredential};
    let key = r.credential_key();
    let config = std::env::var_os("DOCKER_CONFIG")
        .map(|d| PathBuf::from(d).join("config.json").display().to_string())
        .unwrap_or_else(|| "~/.docker/config.json".into());
    match docker_credential::get_credential(key) {
        Ok(DockerCredential::UsernamePassword(u, p)) => (
            RegistryAuth::Basic(u.clone(), p),
            format!("the credentials of user {u:?} for {key} from {config}"),
        ),
        Ok(DockerCredential::IdentityToken(t)) => (
            RegistryAuth::Bearer(t),
            format!("the identity token for {key} from {config}"),
        ),
        Err(C::ConfigNotFound | C::ConfigReadError | C::NoCredentialConfigured) => (
            RegistryAuth::Anonymous,
            format!("no credentials (anonymous; {config} has no entry for {key})"),
        ),
        Err(e) => (
            RegistryAuth::Anonymous,
            format!("no credentials (anonymous; reading those for {key} from {config} failed: {e})"),
        ),
    }
}
