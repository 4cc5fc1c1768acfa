//! Checks of a planned app: `@metric_condition` annotations, compiled like WHERE against their
//! statement's output, and warnings about work that goes nowhere.

use std::collections::{HashMap, HashSet};

use super::Planner;
use crate::bind::{Binder, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::ir::plan::Input;
use crate::syntax::annotations::Annotation;
use crate::syntax::{CreateStatement, ParsedApp, Property};

impl Planner<'_> {
    /// Checks a `@metric_condition`: a SQL boolean expression over the statement's output
    /// columns, compiled like WHERE (Velostream silently emitted unconditionally when it failed).
    pub(super) fn metric_condition(&mut self, a: &Annotation) {
        let Some(stmt) = self.statements.last() else {
            return;
        };
        let columns = stmt.columns();
        let scope = Scope { columns, qualifiers: vec![stmt.name.clone()], ..Scope::default() };
        let dialect = sqlparser::dialect::GenericDialect {};
        let parsed = sqlparser::parser::Parser::new(&dialect).try_with_sql(&a.value).and_then(|mut p| p.parse_expr());
        let expr = match parsed {
            Ok(e) => e,
            Err(e) => {
                self.diags.push(Diagnostic::error("E0602", a.span.clone(), format!("bad @metric_condition: {e}")));
                return;
            }
        };
        let mut inner = Diagnostics::default();
        Binder::new(&scope, &mut inner).bind_condition(&expr, "@metric_condition");
        // Positions inside the comment are relative to its text; report at the annotation.
        for d in inner.into_sorted() {
            let mut d = Diagnostic { span: a.span.clone(), ..d };
            d.message = format!("@metric_condition: {}", d.message);
            self.diags.push(d);
        }
    }

    /// Warns about work that goes nowhere: a statement with no sink that no later statement reads,
    /// and a sink object that no statement writes (often a misspelt statement name).
    pub(super) fn check_outputs(&mut self, parsed: &ParsedApp) {
        let names: Vec<String> = self.statements.iter().map(|s| s.name.clone()).collect();
        let read: HashSet<usize> = self
            .statements
            .iter()
            .filter_map(|s| match s.input {
                Input::Statement(i) => Some(i),
                Input::Source(_) => None,
            })
            .collect();
        let parsed_by_name: HashMap<&str, &CreateStatement> =
            parsed.statements.iter().map(|p| (p.name.value.as_str(), p)).collect();
        for (i, s) in self.statements.iter().enumerate() {
            if s.sink.is_none() && !read.contains(&i) {
                // An unnamed `SELECT … INTO` has a sink; a name without a place is the statement's.
                let span = parsed_by_name
                    .get(s.name.as_str())
                    .map(|p| if p.implicit { p.span.clone() } else { Span::from_sql(p.name.span) })
                    .unwrap_or_default();
                self.diags.push(
                    Diagnostic::warning(
                        "W0511",
                        span,
                        format!("`{}` has no sink and no statement reads it: its rows go nowhere", s.name),
                    )
                    .with_help(format!(
                        "configure '{0}.type' = 'file_sink', '{0}.path' = 'out.csv', or write INTO a sink",
                        s.name
                    )),
                );
            }
        }
        let unused: Vec<Property> = self
            .props
            .values()
            .filter(|p| p.key.ends_with(".type") && p.value.ends_with("_sink"))
            .filter(|p| p.key.strip_suffix(".type").is_some_and(|object| !self.index.sinks.contains_key(object)))
            .cloned()
            .collect();
        for p in unused {
            let object = p.key.trim_end_matches(".type");
            let mut d = Diagnostic::warning(
                "W0512",
                p.key_span.clone(),
                format!("sink `{object}` is configured but no statement writes to it"),
            );
            if let Some(s) = did_you_mean(object, names.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{s}` (a statement writes to the sink named like it)?"));
            }
            self.diags.push(d);
        }
    }
}

impl Planner<'_> {
    /// E0511: two objects of the app use one file — a sink over its own source, two sinks on one
    /// path, dead letters over a sink or a source. Paths are compared as the SQL spells them,
    /// relative to the `.sql` file's folder (a built binary checks again after overrides).
    pub(super) fn check_files(&mut self) {
        let get = |object: &str, key: &str| self.props.get(&format!("{object}.{key}")).map(|p| p.value.as_str());
        let statements: Vec<(&str, Option<&str>)> =
            self.statements.iter().map(|s| (s.name.as_str(), s.sink.as_ref().map(|k| k.object.as_str()))).collect();
        let sources: Vec<&str> = self.sources.iter().map(|s| s.name.as_str()).collect();
        let files = velo_spec::files::app_files(&get, &statements, &sources);
        let mut found = Vec::new();
        for (i, j) in velo_spec::files::clashes(&files, &self.src.base_dir) {
            let (a, b) = (&files[i], &files[j]);
            // Point at the second path as written: its own key, else the sink path it derives from.
            let prop = |object: &str, key: &str| self.props.get(&format!("{object}.{key}"));
            let sink_of = |object: &str| statements.iter().find(|s| s.0 == object).and_then(|s| s.1);
            let key = match b.used {
                velo_spec::FileUse::DeadLetters => prop(&b.object, "dlq")
                    .or_else(|| sink_of(&b.object).and_then(|k| prop(k, "dlq").or_else(|| prop(k, "path")))),
                _ => prop(&b.object, "path"),
            };
            let span = key.map(|p| p.value_span.clone()).unwrap_or_default();
            found.push(
                Diagnostic::error("E0511", span, format!("{} and {} are one file", a.describe(), b.describe()))
                    .with_help("give each its own path: writing a file that the app also reads or writes destroys it"),
            );
        }
        for d in found {
            self.diags.push(d);
        }
    }
}
