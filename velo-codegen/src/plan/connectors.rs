//! Sources and sinks: what `'<object>.type'` names (a connector kind of the registry in
//! `velo_spec::connector`), the file format and options, and the schema of a source (declared,
//! from a schema file, or inferred from the data at build time).

use std::path::{Path, PathBuf};

use velo_spec::{ConnectorKind, FileFormat};

use super::Planner;
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::ir::plan::{SinkPlan, SourcePlan};
use crate::names::field_names;
use crate::schema;
use crate::syntax::{CreateStatement, Property, SinkTarget};

impl Planner<'_> {
    /// The connector kind of `object`, which must be a source (`source`) or a sink; an unknown
    /// or wrong kind is E0507, one Velo cannot run yet E0901.
    fn connector(&mut self, object: &str, source: bool) -> Option<(ConnectorKind, Property)> {
        let ty = self.prop(object, "type")?.clone();
        let role = if source { "source" } else { "sink" };
        match ConnectorKind::parse(&ty.value).filter(|k| k.is_source() == source) {
            Some(kind) if kind.is_supported() => Some((kind, ty)),
            Some(kind) => {
                let mut d = Diagnostic::error(
                    "E0901",
                    ty.value_span.clone(),
                    format!("`{}` {role}s are not supported yet", kind.name()),
                );
                if source {
                    d = d.with_help("use a file_source for now");
                }
                self.diags.push(d);
                None
            }
            None => {
                let kinds = ConnectorKind::ALL.iter().filter(|k| k.is_source() == source).map(|k| k.name());
                let mut d =
                    Diagnostic::error("E0507", ty.value_span.clone(), format!("`{}` is not a {role} type", ty.value));
                if let Some(s) = did_you_mean(&ty.value, kinds) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
                None
            }
        }
    }

    /// Plans the source `name` that a statement reads (at `span`).
    pub(super) fn source(&mut self, name: &str, span: &Span) -> Option<SourcePlan> {
        if self.prop(name, "type").is_none() {
            let later = "(a statement can only read sources and statements defined before it)";
            let known: Vec<&str> = self
                .props
                .iter()
                .filter(|(k, p)| {
                    k.ends_with(".type") && ConnectorKind::parse(&p.value).is_some_and(ConnectorKind::is_source)
                })
                .filter_map(|(k, _)| k.strip_suffix(".type"))
                .chain(self.statements.iter().map(|s| s.name.as_str()))
                .collect();
            let help = match did_you_mean(name, known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("configure it in WITH: '{name}.type' = 'file_source', '{name}.path' = 'data.csv'"),
            };
            self.diags.push(
                Diagnostic::error(
                    "E0203",
                    span.clone(),
                    format!("`{name}` is neither a configured source nor an earlier statement {later}"),
                )
                .with_help(help),
            );
            return None;
        }
        let (connector, ty) = self.connector(name, true)?;
        self.mark_used(name);
        let (format, delimiter) = self.file_format(name, &ty.value_span)?;
        self.check_watch(name, format)?;
        let schema = if let Some(p) = self.prop(name, "schema").cloned() {
            schema::parse_inline(&p.value, &p.value_span, self.diags)?
        } else if let Some(p) = self.prop(name, "schema.file").cloned() {
            let path = self.src.base_dir.join(&p.value);
            self.files_read.push(path.clone());
            schema::load_file(&path, &p.value, &p.value_span, self.diags)?
        } else {
            let Some(path) = self.prop(name, "path").cloned() else {
                self.diags.push(Diagnostic::error(
                    "E0505",
                    ty.key_span.clone(),
                    format!("source `{name}` needs '{name}.path'"),
                ));
                return None;
            };
            let Some(file) = self.find_data_file(&path.value) else {
                self.diags.push(
                    Diagnostic::error("E0306", path.value_span.clone(), format!("cannot infer the schema of `{name}`: `{}` was not found at build time", path.value))
                        .with_help(format!("declare '{name}.schema' = 'col TYPE, …', or build where the file exists (paths are tried against the current folder, then the .sql file's folder)")),
                );
                return None;
            };
            match schema::infer_file(&file, &path.value, format, delimiter) {
                Ok(s) => s,
                Err(e) => {
                    self.diags.push(Diagnostic::error(
                        "E0307",
                        path.value_span.clone(),
                        format!("cannot infer the schema of `{name}`: {e}"),
                    ));
                    return None;
                }
            }
        };
        let names: Vec<&str> = schema.columns.iter().map(|c| c.name.as_str()).collect();
        let fields = field_names(&names);
        let (ident, struct_name) = (self.unique_ident(name), self.struct_name(name));
        Some(SourcePlan { name: name.to_string(), connector, format, struct_name, ident, schema, fields })
    }

    /// Checks `watch`: a flag, and only for one CSV or JSON Lines file (a growing JSON array is
    /// not valid JSON until it ends, and a glob would need watching a folder).
    fn check_watch(&mut self, object: &str, format: FileFormat) -> Option<()> {
        let Some(p) = self.prop(object, "watch").cloned() else { return Some(()) };
        let why = match velo_spec::parse_flag(&p.value) {
            None => format!("`{}` must be true or false", p.key),
            Some(false) => return Some(()),
            Some(true) if format == FileFormat::Json => "a JSON array cannot be watched; write JSON Lines".to_string(),
            Some(true) if self.prop(object, "path").is_some_and(|path| path.value.contains(['*', '?', '['])) => {
                "`watch` follows one file, not a glob".to_string()
            }
            Some(true) => return Some(()),
        };
        self.diags.push(Diagnostic::error("E0509", p.value_span.clone(), why));
        None
    }

    /// Checks `format`/`delimiter`/`header` of a file object; returns (format, delimiter).
    fn file_format(&mut self, object: &str, type_span: &Span) -> Option<(FileFormat, u8)> {
        let path = self.prop(object, "path").map(|p| p.value.clone()).unwrap_or_default();
        let format = match self.prop(object, "format").cloned() {
            Some(p) => match FileFormat::from_name(&p.value) {
                Some(f) => f,
                None => {
                    let known = velo_spec::format::FORMAT_NAMES.iter().copied();
                    let msg = if ["parquet", "avro", "protobuf"].contains(&p.value.to_ascii_lowercase().as_str()) {
                        format!("the file format `{}` is not supported yet", p.value)
                    } else {
                        format!("unknown file format `{}`", p.value)
                    };
                    let mut d = Diagnostic::error("E0508", p.value_span.clone(), msg);
                    d = d.with_help(match did_you_mean(&p.value, known) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("use one of: {}", velo_spec::format::FORMAT_NAMES.join(", ")),
                    });
                    self.diags.push(d);
                    return None;
                }
            },
            None => FileFormat::from_path(&path),
        };
        let header = ["header", "has_headers"].iter().find_map(|k| self.prop(object, k).cloned());
        let format = match (&header, format) {
            (Some(h), FileFormat::Csv) if velo_spec::parse_flag(&h.value) == Some(false) => FileFormat::CsvNoHeader,
            (Some(h), _) if velo_spec::parse_flag(&h.value).is_none() => {
                self.diags.push(Diagnostic::error(
                    "E0509",
                    h.value_span.clone(),
                    format!("`{}` must be true or false", h.key),
                ));
                return None;
            }
            _ => format,
        };
        let delimiter = match self.prop(object, "delimiter").cloned() {
            None => b',',
            Some(d) => match velo_spec::parse_delimiter(&d.value) {
                Ok(b) => b,
                Err(e) => {
                    self.diags.push(Diagnostic::error("E0509", d.value_span.clone(), e));
                    return None;
                }
            },
        };
        if path.is_empty() {
            self.diags.push(Diagnostic::error("E0505", type_span.clone(), format!("`{object}` needs '{object}.path'")));
            return None;
        }
        Some((format, delimiter))
    }

    fn find_data_file(&self, path: &str) -> Option<PathBuf> {
        let path = path.strip_prefix("file://").unwrap_or(path);
        let candidates = [PathBuf::from(path), self.src.base_dir.join(path)];
        candidates.into_iter().find_map(|c| {
            let text = c.to_string_lossy().to_string();
            if velo_spec::files::is_glob(&text) { first_match(&text) } else { c.is_file().then_some(c) }
        })
    }

    /// The sink of statement `index`: `INTO name|uri`, else the object named like the statement
    /// (none when there is no such object).
    pub(super) fn sink(&mut self, index: usize, stmt: &CreateStatement) -> Option<SinkPlan> {
        if let Some(select) = stmt.select()
            && let Some(into) = &select.into
        {
            self.diags.push(
                Diagnostic::error(
                    "E0216",
                    Span::from_sql(stmt.name.span),
                    format!("`{into}` before FROM is not supported"),
                )
                .with_help("write the sink after the query: `SELECT … FROM source INTO sink`"),
            );
            return None;
        }
        let (object, span) = match &stmt.into {
            Some(SinkTarget::Name(n)) => (n.value.clone(), Some(Span::from_sql(n.span))),
            Some(SinkTarget::Uri(uri, span)) => (self.object_name(index, uri), Some(span.clone())),
            None => (stmt.name.value.clone(), None),
        };
        if self.prop(&object, "type").is_none() {
            if let Some(span) = span {
                self.diags.push(
                    Diagnostic::error("E0503", span, format!("sink `{object}` is not configured")).with_help(format!(
                        "configure it in WITH: '{object}.type' = 'file_sink', '{object}.path' = 'out.csv'"
                    )),
                );
            }
            return None;
        }
        let (connector, ty) = self.connector(&object, false)?;
        let (format, _) = self.file_format(&object, &ty.value_span)?;
        if let Some(&other) = self.index.sinks.get(&object) {
            let span = span.unwrap_or_else(|| Span::from_sql(stmt.name.span));
            let other = &self.statements[other].name;
            self.diags.push(
                Diagnostic::error("E0510", span, format!("`{object}` is already the sink of `{other}`"))
                    .with_help("give each statement its own sink (two writers would overwrite each other's file)"),
            );
            return None;
        }
        self.mark_used(&object);
        let decimal_as_number =
            self.prop(&object, "decimal.format").is_some_and(|p| p.value.eq_ignore_ascii_case("number"));
        Some(SinkPlan { object, connector, format, decimal_as_number })
    }
}

/// Folder entries that checking looks at, at most, to find a sample file for a glob: a glob
/// such as `/**/*.csv` would otherwise walk the whole file system.
const GLOB_VISITS: usize = 20_000;

/// The first regular file, in path order, that matches `pattern`, looked for by a sorted walk
/// from the pattern's literal folder (no deeper than its components unless it has `**`),
/// giving up after [`GLOB_VISITS`] entries.
fn first_match(pattern: &str) -> Option<PathBuf> {
    let matcher = glob::Pattern::new(pattern).ok()?;
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts.iter().take_while(|p| !velo_spec::files::is_glob(p)).count();
    let base = match parts[..literal].join("/") {
        b if b.is_empty() && pattern.starts_with('/') => "/".to_string(),
        b if b.is_empty() => ".".to_string(),
        b => b,
    };
    let depth = if pattern.contains("**") { usize::MAX } else { parts.len() - literal };
    let mut visits = 0;
    walk(Path::new(&base), depth, &matcher, &mut visits)
}

fn walk(dir: &Path, depth: usize, matcher: &glob::Pattern, visits: &mut usize) -> Option<PathBuf> {
    if depth == 0 {
        return None;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        *visits += 1;
        if *visits > GLOB_VISITS {
            return None;
        }
        let text = path.to_string_lossy();
        let shown = text.strip_prefix("./").unwrap_or(&text);
        if path.is_file() && (matcher.matches(&text) || matcher.matches(shown)) {
            return Some(path);
        }
        if path.is_dir()
            && !path.is_symlink()
            && let Some(found) = walk(&path, depth - 1, matcher, visits)
        {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glob_samples_its_first_file_by_a_bounded_walk() {
        let dir = std::env::temp_dir().join(format!("velo-glob-{}", std::process::id()));
        for f in ["b/2.csv", "a/x/3.csv", "a/1.csv", "a/0.txt", "c.csv"] {
            let path = dir.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x\n").unwrap();
        }
        let at = |p: &str| first_match(&format!("{}/{p}", dir.display()));
        assert_eq!(at("*/*.csv"), Some(dir.join("a/1.csv")));
        assert_eq!(at("**/3.csv"), Some(dir.join("a/x/3.csv")));
        assert_eq!(at("*.csv"), Some(dir.join("c.csv")), "no deeper than the pattern");
        assert_eq!(at("*/*.json"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
