//! The `velo` command: compile streaming SQL apps into native binaries.
//!
//! Exit codes: 0 success; 1 the app has errors (or its build failed); 2 usage error; a `velo run`
//! passes on the exit code of the app itself (see `docs/cli.md`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
mod build;

use build::{BuildOptions, Profile};
use velo_codegen::{Compiled, Diagnostic, Severity};

/// Velo compiles streaming SQL apps (Velostream dialect) into one native binary each.
#[derive(Parser)]
#[command(name = "velo", version, about, long_about = None)]
struct Cli {
    /// Change to this folder first (like `make -C`): relative paths in WITH resolve there.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    directory: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Compile an app into a native executable.
    Build {
        /// The .sql app.
        file: PathBuf,
        /// Where to put the executable (default: ./<app name>).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Build with fat LTO for distribution (slower to build).
        #[arg(long)]
        dist: bool,
        /// Do not show cargo's progress.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Build (cached) and run an app; arguments after `--` go to the app.
    Run {
        /// The .sql app.
        file: PathBuf,
        /// Build with fat LTO.
        #[arg(long)]
        dist: bool,
        /// Arguments for the app (e.g. `--set input.path=x.csv`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Check apps without compiling them: all diagnostics, CI-friendly exit codes
    /// (0 clean, 1 problems found, 2 usage error).
    Check {
        /// .sql files or folders (searched for *.sql).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Show the schemas (declared or inferred) and the typed plan.
    Explain {
        /// The .sql app.
        file: PathBuf,
    },
    /// Print the generated Rust, formatted.
    Expand {
        /// The .sql app.
        file: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// rustc-style text with carets.
    Human,
    /// One JSON object per diagnostic per line.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(dir) = &cli.directory
        && let Err(e) = std::env::set_current_dir(dir)
    {
        eprintln!("error: cannot change to `{}`: {e}", dir.display());
        return ExitCode::from(2);
    }
    match cli.command {
        Cmd::Build { file, output, dist, quiet } => build_command(&file, output, dist, quiet),
        Cmd::Run { file, dist, args } => match build_app(&file, dist, true) {
            Some((_, bin)) => match Command::new(&bin).args(&args).status() {
                Ok(status) => ExitCode::from(status.code().unwrap_or(1).clamp(0, 255) as u8),
                Err(e) => {
                    eprintln!("error: cannot start `{}`: {e}", bin.display());
                    ExitCode::FAILURE
                }
            },
            None => ExitCode::FAILURE,
        },
        Cmd::Check { paths, format, strict } => check(&paths, format, strict),
        Cmd::Explain { file } => match compile_file(&file, Format::Human) {
            Some((_, c)) => {
                if let Some(plan) = &c.plan {
                    print!("{}", velo_codegen::explain(plan));
                }
                ExitCode::SUCCESS
            }
            None => ExitCode::FAILURE,
        },
        Cmd::Expand { file } => match compile_file(&file, Format::Human) {
            Some((_, c)) => match c.plan.as_ref().map(velo_codegen::generate_main) {
                Some(Ok(code)) => {
                    print!("{code}");
                    ExitCode::SUCCESS
                }
                Some(Err(e)) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
                None => ExitCode::FAILURE,
            },
            None => ExitCode::FAILURE,
        },
    }
}

/// Compiles one file and prints its diagnostics; None if it has errors or cannot be read.
fn compile_file(file: &Path, format: Format) -> Option<(velo_codegen::AppSource, Compiled)> {
    let src = match velo_codegen::load(file) {
        Ok(s) => s,
        Err(e) => {
            report(&e.source, &[*e.diagnostic], format);
            return None;
        }
    };
    let compiled = velo_codegen::compile(&src);
    report(&src, &compiled.diagnostics, format);
    if compiled.has_errors() {
        let n = compiled.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        if format == Format::Human {
            eprintln!(
                "{}: could not compile `{}` due to {n} error{}",
                paint("error", "1;31"),
                src.file_name,
                if n == 1 { "" } else { "s" }
            );
        }
        return None;
    }
    Some((src, compiled))
}

/// `velo build`: the binary goes to `output` (a folder gets it under the app's name), never
/// over the SQL file.
fn build_command(file: &Path, output: Option<PathBuf>, dist: bool, quiet: bool) -> ExitCode {
    let error = |e: String| eprintln!("{}: {e}", paint("error", "1;31"));
    if let Some(Err(e)) = output.as_deref().map(|o| build::refuse_sql_output(o, file)) {
        error(e);
        return ExitCode::from(2);
    }
    let Some((name, bin)) = build_app(file, dist, quiet) else {
        return ExitCode::FAILURE;
    };
    let default = build::package_name(&name);
    let out = match output {
        Some(dir) if dir.is_dir() => dir.join(default),
        Some(out) => out,
        None => PathBuf::from(format!("./{default}")),
    };
    match build::install(&bin, &out, file) {
        Ok(()) => {
            eprintln!("    Finished `{name}` → {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            error(e);
            ExitCode::FAILURE
        }
    }
}

fn build_app(file: &Path, dist: bool, quiet: bool) -> Option<(String, PathBuf)> {
    let (_, compiled) = compile_file(file, Format::Human)?;
    let plan = compiled.plan?;
    let name = plan.name().to_string();
    let code = match velo_codegen::generate_main(&plan) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return None;
        }
    };
    let opts = BuildOptions::from_env(if dist { Profile::Dist } else { Profile::Release }, quiet);
    let started = Instant::now();
    match build::build(&name, &code, &opts) {
        Ok(b) => {
            if !quiet {
                let how = if b.cache_hit { "cache hit" } else { "compiled" };
                eprintln!("    Built `{name}` ({how}) in {:.2} s", started.elapsed().as_secs_f64());
            }
            Some((name, b.binary))
        }
        Err(e) => {
            eprintln!("{}: {e}", paint("error", "1;31"));
            None
        }
    }
}

fn check(paths: &[PathBuf], format: Format, strict: bool) -> ExitCode {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(velo_codegen::find_apps(p));
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            eprintln!("error: `{}` does not exist", p.display());
            return ExitCode::from(2);
        }
    }
    files.sort();
    let mut problems = 0;
    for f in &files {
        let src = match velo_codegen::load(f) {
            Ok(s) => s,
            Err(e) => {
                report(&e.source, &[*e.diagnostic], format);
                problems += 1;
                continue;
            }
        };
        let compiled = velo_codegen::compile(&src);
        report(&src, &compiled.diagnostics, format);
        problems += compiled.diagnostics.iter().filter(|d| d.severity == Severity::Error || strict).count();
    }
    if format == Format::Human {
        let status = if problems == 0 { paint("ok", "1;32") } else { paint("failed", "1;31") };
        eprintln!(
            "checked {} file{}: {status}, {problems} problem{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            if problems == 1 { "" } else { "s" }
        );
    }
    if problems == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn report(src: &velo_codegen::AppSource, diags: &[Diagnostic], format: Format) {
    for d in diags {
        match format {
            Format::Human => {
                let text = d.render(&src.file_name, &src.sql);
                let (word, colour) = match d.severity {
                    Severity::Error => ("error", "1;31"),
                    Severity::Warning => ("warning", "1;33"),
                };
                eprintln!("{}", text.replacen(word, &paint(word, colour), 1));
            }
            Format::Json => {
                let line = serde_json::json!({
                    "file": src.file_name,
                    "line": d.span.line,
                    "column": d.span.column,
                    "end_line": d.span.end_line,
                    "end_column": d.span.end_column,
                    "code": d.code,
                    "severity": d.severity,
                    "message": d.message,
                    "help": d.help,
                });
                println!("{line}");
            }
        }
    }
}

/// ANSI colour, only when standard error is a terminal and NO_COLOR is unset.
fn paint(text: &str, code: &str) -> String {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
