//! Contract code to deploy: Wasm bytes, a file, or a workspace crate built for
//! `wasm32-unknown-unknown` on demand (once per process).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use metron_wasm_build::{cargo_build, TARGET};

/// The cargo profile contracts are built with when the workspace declares it
/// (`[profile.contract]`, size-optimized); `release` otherwise.
pub const CONTRACT_PROFILE: &str = "contract";

/// Name of the nested build's target dir, under the workspace's target dir. Not the
/// target dir itself: the `cargo test` that runs the harness holds that one's lock.
pub const NESTED_TARGET_SUBDIR: &str = "metron-test-wasm";

/// Code of a contract: where its Wasm module comes from, and an optional label for
/// gas reports. Cheap to clone; a crate is built when its bytes are first needed
/// ([`Code::bytes`]), then cached for the rest of the process.
#[derive(Clone, Debug)]
pub struct Code {
    source: Source,
    label: Option<String>,
}

#[derive(Clone, Debug)]
enum Source {
    Wasm(Arc<[u8]>),
    File(PathBuf),
    Crate {
        package: String,
        manifest_dir: PathBuf,
    },
}

/// Why a contract's Wasm module could not be had.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// `Code::file`: the file cannot be read.
    #[error("cannot read {}: {message}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The workspace could not be found or read (`cargo metadata` failed), or the
    /// package is not in it, or `Code::this_crate` ran outside cargo.
    #[error("cannot find the contract crate: {0}")]
    Locate(String),
    /// The nested `cargo build` failed (cargo's stderr included).
    #[error("{0}")]
    Build(String),
}

impl Code {
    /// A Wasm module given as bytes (e.g. `metron_contracts::MACRO_TOKEN_WASM`, or
    /// `wat::parse_str(..)`'s output).
    pub fn wasm(bytes: impl Into<Vec<u8>>) -> Code {
        Code {
            source: Source::Wasm(bytes.into().into()),
            label: None,
        }
    }

    /// A Wasm module in the file `path`, read when deployed. Labelled with the file stem.
    pub fn file(path: impl Into<PathBuf>) -> Code {
        let path = path.into();
        let label = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        Code {
            source: Source::File(path),
            label,
        }
    }

    /// The `cdylib` package `package` of the workspace the running test belongs to
    /// (found from the `CARGO_MANIFEST_DIR` that `cargo test` sets, else from this
    /// crate's own workspace), built for `wasm32-unknown-unknown` with the workspace's
    /// `contract` profile (`release` if it has none) by a nested `cargo build --locked`
    /// whose target dir is `<target dir>/metron-test-wasm`. Labelled with `package`.
    pub fn crate_name(package: &str) -> Code {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        Code::crate_at(manifest_dir, package)
    }

    /// The package whose tests are running (`CARGO_PKG_NAME` and `CARGO_MANIFEST_DIR`,
    /// which `cargo test` sets), built as [`Code::crate_name`] builds a package: a
    /// contract crate's own end-to-end tests run its real Wasm. Outside cargo the bytes
    /// are a [`BuildError::Locate`].
    pub fn this_crate() -> Code {
        let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
        let manifest_dir =
            std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
        Code::crate_at(manifest_dir, &package)
    }

    /// Package `package` of the workspace that contains `manifest_dir`, built as
    /// [`Code::crate_name`] builds one.
    pub fn crate_at(manifest_dir: impl Into<PathBuf>, package: &str) -> Code {
        Code {
            source: Source::Crate {
                package: package.to_owned(),
                manifest_dir: manifest_dir.into(),
            },
            label: Some(package.to_owned()),
        }
    }

    /// The same code with `label` as its name in gas reports.
    pub fn named(mut self, label: impl Into<String>) -> Code {
        self.label = Some(label.into());
        self
    }

    /// The label of gas reports, if any.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The Wasm module's bytes: the given bytes, the file read, or the crate built (the
    /// first time in this process; later calls return the cached module, so a test run
    /// sees one build of each crate whatever changes meanwhile).
    ///
    /// # Errors
    /// [`BuildError`]: the file cannot be read, the crate cannot be found or fails to
    /// build.
    pub fn bytes(&self) -> Result<Arc<[u8]>, BuildError> {
        match &self.source {
            Source::Wasm(bytes) => Ok(bytes.clone()),
            Source::File(path) => {
                std::fs::read(path)
                    .map(Arc::from)
                    .map_err(|e| BuildError::Read {
                        path: path.clone(),
                        message: e.to_string(),
                    })
            }
            Source::Crate {
                package,
                manifest_dir,
            } => build_cached(manifest_dir, package),
        }
    }
}

/// Modules built in this process, by (manifest dir the workspace was found from, package). The lock is held during a
/// build: concurrent tests asking for the same crate wait for one build.
type BuildCache = BTreeMap<(PathBuf, String), Result<Arc<[u8]>, BuildError>>;

fn build_cached(manifest_dir: &Path, package: &str) -> Result<Arc<[u8]>, BuildError> {
    static CACHE: OnceLock<Mutex<BuildCache>> = OnceLock::new();
    if package.is_empty() || manifest_dir.as_os_str().is_empty() {
        return Err(BuildError::Locate(
            "CARGO_PKG_NAME / CARGO_MANIFEST_DIR are not set: run the test with cargo, or use \
             Code::crate_at"
                .into(),
        ));
    }
    let mut cache = CACHE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    cache
        .entry((manifest_dir.to_path_buf(), package.to_owned()))
        .or_insert_with(|| Workspace::of(manifest_dir)?.build(package))
        .clone()
}

/// What the harness needs to know of a workspace (from `cargo metadata --no-deps`).
struct Workspace {
    root: PathBuf,
    target_dir: PathBuf,
    /// Package name -> name of its `cdylib` target (the module's file stem).
    cdylibs: BTreeMap<String, String>,
    /// Packages without a `cdylib` target.
    others: Vec<String>,
}

fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

impl Workspace {
    fn of(manifest_dir: &Path) -> Result<Workspace, BuildError> {
        let output = Command::new(cargo())
            .current_dir(manifest_dir)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .map_err(|e| BuildError::Locate(format!("cannot run cargo metadata: {e}")))?;
        if !output.status.success() {
            return Err(BuildError::Locate(format!(
                "cargo metadata in {} failed: {}",
                manifest_dir.display(),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        let meta: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| BuildError::Locate(format!("cargo metadata output: {e}")))?;
        let path = |key: &str| {
            meta[key]
                .as_str()
                .map(PathBuf::from)
                .ok_or_else(|| BuildError::Locate(format!("cargo metadata has no {key}")))
        };
        let mut workspace = Workspace {
            root: path("workspace_root")?,
            target_dir: path("target_directory")?,
            cdylibs: BTreeMap::new(),
            others: Vec::new(),
        };
        for package in meta["packages"].as_array().into_iter().flatten() {
            let Some(name) = package["name"].as_str() else {
                continue;
            };
            let cdylib = package["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| {
                    t["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "cdylib"))
                })
                .and_then(|t| t["name"].as_str());
            match cdylib {
                Some(target) => {
                    // Cargo names the file after the target with `-` made `_`.
                    workspace
                        .cdylibs
                        .insert(name.to_owned(), target.replace('-', "_"));
                }
                None => workspace.others.push(name.to_owned()),
            }
        }
        Ok(workspace)
    }

    /// `contract` if the root manifest declares that profile, else `release`.
    fn profile(&self) -> &'static str {
        let manifest = std::fs::read_to_string(self.root.join("Cargo.toml")).unwrap_or_default();
        if manifest.contains(&format!("[profile.{CONTRACT_PROFILE}]")) {
            CONTRACT_PROFILE
        } else {
            "release"
        }
    }

    fn build(&self, package: &str) -> Result<Arc<[u8]>, BuildError> {
        let Some(stem) = self.cdylibs.get(package) else {
            let why = if self.others.iter().any(|p| p == package) {
                "has no cdylib target (add `crate-type = [\"cdylib\", \"rlib\"]` to its [lib])"
            } else {
                "is not a member"
            };
            return Err(BuildError::Locate(format!(
                "package `{package}` of the workspace at {} {why}",
                self.root.display()
            )));
        };
        let profile = self.profile();
        let target_dir = self.target_dir.join(NESTED_TARGET_SUBDIR);
        cargo_build(&cargo(), &self.root, profile, &target_dir, &[package])
            .map_err(BuildError::Build)?;
        let module = target_dir
            .join(TARGET)
            .join(profile)
            .join(format!("{stem}.wasm"));
        std::fs::read(&module)
            .map(Arc::from)
            .map_err(|e| BuildError::Read {
                path: module,
                message: e.to_string(),
            })
    }
}
