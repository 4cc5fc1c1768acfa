//! Compile-time diagnostics: one type for every problem the compiler finds, collected (never
//! thrown one by one) and rendered like rustc: code, `file:line:col`, the source line with a
//! caret under the span, and a help line.

use std::fmt::Write as _;

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The app still compiles.
    Warning,
    /// The app cannot be compiled.
    Error,
}

/// A position range in one source file; lines and columns are 1-based, columns count characters.
/// `file` is empty for the app's own SQL file, else the path of another file (a schema).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    /// First line.
    pub line: u64,
    /// First column.
    pub column: u64,
    /// Last line.
    pub end_line: u64,
    /// Column just past the end.
    pub end_column: u64,
}

impl Span {
    /// A span from sqlparser's inclusive-start, exclusive-end token span.
    pub fn from_sql(s: sqlparser::tokenizer::Span) -> Self {
        Self { line: s.start.line, column: s.start.column, end_line: s.end.line, end_column: s.end.column }
    }

    /// A span of `len` characters at one point.
    pub fn at(line: u64, column: u64, len: u64) -> Self {
        Self { line, column, end_line: line, end_column: column + len.max(1) }
    }

    /// Whether this span points nowhere (line 0).
    pub fn is_empty(&self) -> bool {
        self.line == 0
    }
}

/// One problem found in an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `E0201` (see `docs/diagnostics.md`).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// How to fix it, when we know.
    pub help: Option<String>,
}

/// Characters of a source line shown at most, and before the span when the line is cut.
const MAX_SHOWN: usize = 160;
const CONTEXT: usize = 60;

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self { code, severity: Severity::Error, message: message.into(), span, help: None }
    }

    /// A warning.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self { code, severity: Severity::Warning, message: message.into(), span, help: None }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic against the file text, rustc style, without colour.
    pub fn render(&self, file_name: &str, text: &str) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{sev}[{}]: {}\n", self.code, self.message);
        if self.span.is_empty() {
            let _ = writeln!(out, "  --> {file_name}");
        } else {
            let line_no = self.span.line;
            let _ = writeln!(out, "  --> {file_name}:{}:{}", line_no, self.span.column);
            if let Some(line) = text.lines().nth(line_no as usize - 1) {
                let gutter = line_no.to_string().len();
                let pad = " ".repeat(gutter);
                let start = self.span.column.saturating_sub(1) as usize;
                let line_len = line.chars().count();
                let end = if self.span.end_line == line_no {
                    (self.span.end_column.saturating_sub(1) as usize).max(start + 1)
                } else {
                    line_len.max(start + 1)
                };
                // A long line is shown around the span, `…` marking what is cut.
                let from = if line_len > MAX_SHOWN { start.saturating_sub(CONTEXT) } else { 0 };
                let to = line_len.min(from + MAX_SHOWN).max(start + 1);
                let (before, after) = (if from > 0 { "…" } else { "" }, if to < line_len { "…" } else { "" });
                let shown: String = line.chars().skip(from).take(to - from).collect();
                // Keep tabs so the caret lines up under them.
                let lead: String =
                    line.chars().skip(from).take(start - from).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                let marker = if from > 0 { " " } else { "" };
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{line_no} | {before}{shown}{after}");
                let _ = writeln!(out, "{pad} | {marker}{lead}{}", "^".repeat(end.min(to).saturating_sub(start).max(1)));
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// The diagnostics of one compilation, in the order found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one.
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Whether any is an error.
    pub(crate) fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// All of them, sorted by position.
    pub(crate) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by_key(|d| (d.span.line, d.span.column));
        self.items.dedup();
        self.items
    }
}

pub(crate) use velo_spec::did_you_mean;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_span() {
        let d = Diagnostic::error("E0201", Span::at(2, 8, 6), "unknown column `amuont`")
            .with_help("did you mean `amount`?");
        let text = "CREATE STREAM s AS\nSELECT amuont FROM orders";
        assert_eq!(
            d.render("app.sql", text),
            "error[E0201]: unknown column `amuont`\n  --> app.sql:2:8\n  |\n2 | SELECT amuont FROM orders\n  |        ^^^^^^\n  = help: did you mean `amount`?\n"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("SELECT {} FROM s", vec!["x"; 500].join(" + "));
        let d = Diagnostic::error("E0001", Span::at(1, 1003, 1), "too deep");
        let text = d.render("app.sql", &line);
        let shown: Vec<&str> = text.lines().collect();
        assert!(shown[3].starts_with("1 | …") && shown[3].ends_with('…'), "{text}");
        assert!(shown[3].chars().count() <= 4 + MAX_SHOWN + 2);
        let caret = shown[4].find('^').unwrap_or(0);
        assert_eq!(shown[3].chars().nth(shown[4][..caret].chars().count()), line.chars().nth(1002), "{text}");
    }
}
