//! # velo-codegen
//!
//! The Velo compiler as a library: [`compile`] runs parse → bind → plan on one `.sql` app and
//! returns the typed [`Plan`] or every diagnostic found; [`generate_main`] and [`app_module`]
//! emit its Rust. The `velo` CLI (`velo-codegen/cli`) and the `velo_sql!` macro (`velo-macros`)
//! are thin shells over this API.
//!
//! | stage | folder | job |
//! |---|---|---|
//! | syntax | `syntax/` | the sqlparser wrapper: Velostream clauses, WITH properties, annotations |
//! | schemas | `schema/` | inline schemas, `.avsc`/`.schema.yaml` files, inference from data |
//! | bind | `bind/` | names → typed expressions; functions, aggregates and window functions |
//! | plan | `plan/` | statements → the operator graph: sources, GROUP BY, windows, sinks, WITH keys |
//! | IR | `ir/` | what the stages hand each other: types, expressions, calls, the plan |
//! | emit | `emit/` | Rust tokens: rows, evaluation, the dataflow, `run`, library mode |

#![deny(unreachable_pub)]

mod bind;
mod diagnostics;
mod emit;
mod explain;
mod ir;
pub mod names;
mod plan;
mod schema;
mod syntax;

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

pub use diagnostics::{Diagnostic, Severity, Span};
pub use ir::plan::{AppSource, Plan};

/// The result of compiling one app.
#[derive(Debug)]
pub struct Compiled {
    /// The plan, if there were no errors.
    pub plan: Option<Plan>,
    /// Every diagnostic, errors and warnings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Parses, binds and plans an app (no code generation): what `velo check` runs.
pub fn compile(src: &AppSource) -> Compiled {
    on_large_stack(|| {
        let mut diags = diagnostics::Diagnostics::default();
        let parsed = syntax::parse_app(&src.sql, &mut diags);
        let plan = if diags.has_errors() { None } else { plan::plan(src, &parsed, &mut diags) };
        Compiled { plan, diagnostics: diags.into_sorted() }
    })
}

/// Runs `f` on a thread with a stack large enough for the deepest expression a statement may
/// hold (`syntax::nesting::MAX_DEPTH`) in every recursive stage, sqlparser's included; inline
/// when no thread can be started.
fn on_large_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    const STACK: usize = 512 << 20; // address space only: pages are touched as the stack grows
    let job = std::sync::Mutex::new(Some(f));
    let take = || job.lock().ok().and_then(|mut j| j.take());
    let on_thread = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().name("velo-compiler".into()).stack_size(STACK);
        let handle = thread.spawn_scoped(scope, || take().map(|f| f())).ok()?;
        Some(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    match on_thread.flatten() {
        Some(result) => result,
        None => take().map(|f| f()).unwrap_or_else(|| unreachable!("the job ran on neither thread")),
    }
}

/// Why an app file could not be loaded: a diagnostic with a position (E0008 when the file
/// cannot be read, E0007 when it is not UTF-8), and the file as far as it was read (with U+FFFD
/// for what is not UTF-8) to show it against.
#[derive(Debug)]
pub struct LoadError {
    /// The file's text, as far as it could be read.
    pub source: Box<AppSource>,
    /// What is wrong, and where.
    pub diagnostic: Box<Diagnostic>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.diagnostic;
        write!(f, "{}:{}:{}: {}", self.source.file_name, d.span.line, d.span.column, d.message)
    }
}

/// Reads an app file (UTF-8; a byte-order mark is skipped) and describes where it lives.
pub fn load(path: &Path) -> Result<AppSource, LoadError> {
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let default_name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "app".into());
    let mut src = AppSource { sql: String::new(), file_name: path.display().to_string(), base_dir, default_name };
    let failed = |src: AppSource, d: Diagnostic| LoadError { source: Box::new(src), diagnostic: Box::new(d) };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error("E0008", Span::at(1, 1, 1), format!("cannot read the file: {e}"));
            return Err(failed(src, d));
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            src.sql = text.to_string();
            Ok(src)
        }
        Err(e) => {
            src.sql = String::from_utf8_lossy(bytes).into_owned();
            Err(failed(src, encoding_error(bytes, e.valid_up_to())))
        }
    }
}

/// E0007 at byte `at` of `bytes`, the first that is not UTF-8.
fn encoding_error(bytes: &[u8], at: usize) -> Diagnostic {
    let before = String::from_utf8_lossy(&bytes[..at]);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    let message = if utf16 {
        "the file is UTF-16 text; velo reads UTF-8".to_string()
    } else {
        format!("the file is not UTF-8 text: byte 0x{:02X} at offset {at}", bytes[at])
    };
    Diagnostic::error("E0007", Span::at(line, column, 1), message).with_help("save the file as UTF-8")
}

impl Plan {
    /// The app's name (`-- @app:`, else the file name).
    pub fn name(&self) -> &str {
        self.app.name.as_deref().unwrap_or("app")
    }

    /// The schema files read at build time (to rebuild when they change).
    pub fn files_read(&self) -> &[PathBuf] {
        &self.files_read
    }
}

/// Every `.sql` file under `dir`, sorted (skipping `target`, `output` and hidden folders).
pub fn find_apps(dir: &Path) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if p.is_dir() {
                if name != "target" && name != "output" && !name.starts_with('.') {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "sql") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// The formatted `main.rs` of a binary for a planned app.
pub fn generate_main(plan: &Plan) -> Result<String, String> {
    let body = on_large_stack(|| emit::format(emit::main_file(plan)))?;
    Ok(format!("// Generated by velo {} — do not edit.\n{body}", env!("CARGO_PKG_VERSION")))
}

/// The app as a Rust module `pub mod <module> { … }` (what `velo_sql!` expands to). Emitted on
/// the caller's thread: inside a proc macro, token streams belong to the compiler's thread.
pub fn app_module(plan: &Plan, module: &str) -> TokenStream {
    emit::app_module(plan, module)
}

/// Formats generated tokens as Rust source.
pub fn format(tokens: TokenStream) -> Result<String, String> {
    emit::format(tokens)
}

/// The text of `velo explain`: schemas and the typed plan.
pub fn explain(plan: &Plan) -> String {
    explain::explain(plan)
}
