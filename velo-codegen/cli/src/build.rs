//! `velo build`: writes the generated crate into velo's cache workspace, compiles it with cargo
//! against `velo-rt`, and caches the binary by content hash.
//!
//! ```text
//! $VELO_CACHE_DIR (default ~/.cache/velo)
//!   workspace-<rt>/Cargo.toml, Cargo.lock  one workspace for all apps built against one velo-rt
//!                                         checkout (<rt>: a hash of its path), lock seeded from
//!                                         velo's own
//!   workspace-<rt>/apps/<app>/src/main.rs  the generated code
//!   workspace-<rt>/apps/<app>.lock         held while <app> is written and compiled, so two
//!                                         builds of apps with one name do not mix
//!   target/                              one shared target dir: velo-rt is compiled once
//!   bin/<app>-<hash>                     finished binaries; an unchanged app is a cache hit
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The cargo profile an app is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Optimised, incremental, no LTO: fast rebuilds.
    Release,
    /// Fat LTO and one codegen unit: for images.
    Dist,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Release => "release",
            Profile::Dist => "dist",
        }
    }
}

/// Where and how to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The cache root.
    pub cache_dir: PathBuf,
    /// The `velo-rt` crate the apps link against.
    pub runtime_dir: PathBuf,
    /// Profile.
    pub profile: Profile,
    /// Suppress cargo's progress output.
    pub quiet: bool,
}

impl BuildOptions {
    /// Defaults: `$VELO_CACHE_DIR` or `~/.cache/velo`; `$VELO_RT_PATH` or the velo-rt next to
    /// this crate's sources.
    pub fn from_env(profile: Profile, quiet: bool) -> Self {
        let cache_dir = std::env::var_os("VELO_CACHE_DIR").map(PathBuf::from).unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
            home.join(".cache").join("velo")
        });
        let runtime_dir = std::env::var_os("VELO_RT_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../velo-rt"));
        Self { cache_dir, runtime_dir, profile, quiet }
    }
}

/// A built app.
#[derive(Debug, Clone)]
pub struct Built {
    /// The cached binary.
    pub binary: PathBuf,
    /// Whether it came from the cache without running cargo.
    pub cache_hit: bool,
}

const WORKSPACE_TOML: &str = include_str!("../../../templates/workspace.Cargo.toml");
const APP_TOML: &str = include_str!("../../../templates/app.Cargo.toml");
const SEED_LOCK: &str = include_str!("../../../Cargo.lock");

/// A package name for an app name (`Hello World` → `hello_world`).
pub fn package_name(app: &str) -> String {
    let s = velo_codegen::names::lower_alnum(app);
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) { format!("app_{s}") } else { s }
}

/// Builds (or finds in the cache) the binary for generated `main_rs`.
pub fn build(app_name: &str, main_rs: &str, opts: &BuildOptions) -> Result<Built, String> {
    // A prefix keeps names cargo reserves (`build`, `deps`, `examples`, …) out of the way.
    let pkg = format!("velo_app_{}", package_name(app_name));
    let runtime = opts
        .runtime_dir
        .canonicalize()
        .map_err(|e| format!("velo-rt not found at `{}` ({e}); set VELO_RT_PATH", opts.runtime_dir.display()))?;
    let key = cache_key(main_rs, &runtime, opts.profile);
    let bin_dir = opts.cache_dir.join("bin");
    let binary = bin_dir.join(format!("{pkg}-{key}"));
    if binary.is_file() {
        return Ok(Built { binary, cache_hit: true });
    }
    let ws = workspace_dir(&opts.cache_dir, &runtime);
    let app_dir = ws.join("apps").join(&pkg);
    std::fs::create_dir_all(app_dir.join("src")).map_err(|e| e.to_string())?;
    // Apps that share a name share a package folder: one build at a time writes and compiles it
    // (the lock is released when `_lock` is dropped, or when the process dies).
    let lock_path = ws.join("apps").join(format!("{pkg}.lock"));
    let _lock = std::fs::File::create(&lock_path)
        .and_then(|f| f.lock().map(|()| f))
        .map_err(|e| format!("cannot lock `{}`: {e}", lock_path.display()))?;
    if binary.is_file() {
        return Ok(Built { binary, cache_hit: true });
    }
    write_if_changed(&ws.join("Cargo.toml"), WORKSPACE_TOML)?;
    if !ws.join("Cargo.lock").exists() {
        write_if_changed(&ws.join("Cargo.lock"), SEED_LOCK)?;
    }
    let toml = APP_TOML
        .replace("{{name}}", &pkg)
        .replace("{{version}}", env!("CARGO_PKG_VERSION"))
        .replace("{{runtime}}", &runtime.display().to_string().replace('\\', "/"));
    write_if_changed(&app_dir.join("Cargo.toml"), &toml)?;
    write_if_changed(&app_dir.join("src").join("main.rs"), main_rs)?;
    let target = opts.cache_dir.join("target");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("build")
        .arg("--profile")
        .arg(opts.profile.name())
        .arg("-p")
        .arg(&pkg)
        .arg("--manifest-path")
        .arg(ws.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target);
    if opts.quiet {
        cmd.arg("--quiet");
    }
    // Do not inherit a caller's cargo settings that would change the artifact (e.g. from tests).
    cmd.env_remove("RUSTFLAGS").env_remove("CARGO_TARGET_DIR").env_remove("CARGO_BUILD_TARGET_DIR");
    let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !opts.quiet {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
    }
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "internal error: the generated code for `{app_name}` did not compile. This is a bug in velo; please report it with the .sql file.\n{}",
            stderr.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let built = target.join(opts.profile.name()).join(&pkg);
    std::fs::create_dir_all(&bin_dir).map_err(|e| e.to_string())?;
    let tmp = bin_dir.join(format!(".{pkg}-{key}.tmp"));
    std::fs::copy(&built, &tmp).map_err(|e| format!("cannot copy `{}`: {e}", built.display()))?;
    std::fs::rename(&tmp, &binary).map_err(|e| e.to_string())?;
    Ok(Built { binary, cache_hit: false })
}

/// Copies the built `binary` to `out` by writing a temporary file beside it and renaming, so a
/// running copy of the old binary is not disturbed and a failed copy leaves nothing
/// half-written. Refuses to overwrite the app's `sql` file (or any `.sql` file).
pub fn install(binary: &Path, out: &Path, sql: &Path) -> Result<(), String> {
    refuse_sql_output(out, sql)?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.velo-{}.tmp", std::process::id()));
    let cannot = |e: std::io::Error| format!("cannot write `{}`: {e}", out.display());
    std::fs::copy(binary, &tmp).map_err(cannot)?;
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        cannot(e)
    })
}

/// An error when `out` is the app's `sql` file (or any `.sql` file): a binary never replaces SQL.
pub fn refuse_sql_output(out: &Path, sql: &Path) -> Result<(), String> {
    let same = |a: &Path, b: &Path| a.canonicalize().ok().zip(b.canonicalize().ok()).is_some_and(|(a, b)| a == b);
    if same(out, sql) || out.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")) {
        return Err(format!("refusing to write the binary over `{}`: choose another -o path", out.display()));
    }
    Ok(())
}

/// The cache workspace of apps built against the velo-rt at `runtime`: one per checkout, since
/// one Cargo workspace cannot hold two different `velo-rt` packages.
fn workspace_dir(cache_dir: &Path, runtime: &Path) -> PathBuf {
    let hash = Sha256::digest(runtime.to_string_lossy().as_bytes());
    cache_dir.join(format!("workspace-{}", hash.iter().take(6).map(|b| format!("{b:02x}")).collect::<String>()))
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// Hash of everything the binary depends on: the generated code, the profile, the velo version,
/// the templates and dependency lock, the toolchain, and the runtime sources (size and
/// modification time of each file).
fn cache_key(main_rs: &str, runtime: &Path, profile: Profile) -> String {
    let mut h = Sha256::new();
    h.update(main_rs.as_bytes());
    h.update(profile.name().as_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(WORKSPACE_TOML.as_bytes());
    h.update(APP_TOML.as_bytes());
    h.update(SEED_LOCK.as_bytes());
    h.update(toolchain().as_bytes());
    let mut files = Vec::new();
    collect_files(runtime, &mut files);
    files.sort();
    for f in files {
        if let Ok(m) = std::fs::metadata(&f) {
            h.update(f.to_string_lossy().as_bytes());
            h.update(m.len().to_le_bytes());
            if let Ok(t) =
                m.modified().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).map_err(std::io::Error::other))
            {
                h.update(t.as_nanos().to_le_bytes());
            }
        }
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The compiler cargo will use (`rustc -vV`), which shapes the binary as much as the code does.
fn toolchain() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc).arg("-vV").output().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default()
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target") {
                collect_files(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_runtime_checkout_has_its_own_workspace() {
        let cache = Path::new("/cache");
        let (a, b) =
            (workspace_dir(cache, Path::new("/src/a/velo-rt")), workspace_dir(cache, Path::new("/src/b/velo-rt")));
        assert_ne!(a, b, "two checkouts of velo-rt cannot share one Cargo workspace");
        assert_eq!(a, workspace_dir(cache, Path::new("/src/a/velo-rt")), "one checkout keeps its workspace");
        assert!(a.starts_with(cache));
    }
}
