//! The planner: turns parsed statements into a typed [`Plan`] — sources with static schemas,
//! statements with bound filter and projection, sinks and runtime properties — checking every
//! WITH key and reporting all problems at once.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sqlparser::ast::{
    Expr, GroupByExpr, LimitClause, SelectItem, SelectItemQualifiedWildcardKind, Spanned, TableFactor, Value,
};

mod grouping;
mod window;

use crate::bind::{Binder, Calls, Scope, ScopeColumn};
use crate::diagnostics::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::ir::aggregate::AggregatePlan;
use crate::ir::expr::{Origin, TExpr};
use crate::ir::plan::{AppSource, Input, OutputItem, Plan, SourcePlan, StatementPlan};
use crate::ir::types::SqlType;
use crate::ir::window::{
    EVENT_TIME_COLUMN, EventTime, LateStrategy, TIMESTAMP_COLUMN, TimeFormat, Unreadable, WindowPlan,
};
use crate::names::{field_names, struct_name};
use crate::schema::{self};
use crate::syntax::annotations::{self, JobAnnotations};
use crate::syntax::{CreateStatement, EmitMode, ParsedApp, Property, SinkTarget, WindowClause};
use velo_spec::FileFormat;

const FORMAT_HELP: &str = "use epoch_millis, epoch_seconds, iso8601 or a pattern like '%d/%m/%Y %H:%M:%S'";

const SOURCE_KEYS: &[&str] = &[
    "type",
    "path",
    "format",
    "delimiter",
    "header",
    "has_headers",
    "schema",
    "schema.file",
    "dlq",
    "watch",
    "config_file",
    "event.time.field",
    "event.time.format",
];
const SINK_KEYS: &[&str] = &[
    "type",
    "path",
    "format",
    "delimiter",
    "header",
    "has_headers",
    "append",
    "decimal.format",
    "dlq",
    "compression",
    "config_file",
];
const STATEMENT_KEYS: &[&str] = &["dlq", "watermark.max_out_of_orderness", "allowed.lateness", "late.data.strategy"];
/// App-wide keys that windowed statements read (the last three also per statement).
const WINDOW_KEYS: &[&str] = &[
    "event.time.field",
    "event.time.format",
    "watermark.max_out_of_orderness",
    "allowed.lateness",
    "late.data.strategy",
];
/// App-wide keys Velostream knows that have no effect in Velo yet (a warning, not an error).
const GLOBAL_KEYS: &[&str] = &[
    "watermark.strategy",
    "mode",
    "use_transactions",
    "failure_strategy",
    "max_retries",
    "retry_backoff",
    "max_batch_size",
    "batch_timeout",
    "partitioning_strategy",
    "prometheus.port",
];

/// Plans a parsed app. Returns `None` if any error was reported.
pub(crate) fn plan(src: &AppSource, parsed: &ParsedApp, diags: &mut Diagnostics) -> Option<Plan> {
    let (app, jobs) = annotations::interpret(&parsed.annotations, parsed.statements.len(), diags);
    let mut planner = Planner {
        src,
        diags,
        props: BTreeMap::new(),
        sources: Vec::new(),
        statements: Vec::new(),
        files_read: Vec::new(),
        used: Vec::new(),
    };
    planner.collect_properties(parsed);
    for (i, (stmt, job)) in parsed.statements.iter().zip(jobs).enumerate() {
        planner.statement(stmt, job);
        let conditions = parsed.annotations.iter().filter(|(s, a)| *s == i && a.key == "metric_condition");
        for (_, a) in conditions {
            planner.metric_condition(a);
        }
    }
    planner.check_keys(parsed);
    if !planner.diags.has_errors() {
        planner.check_outputs(parsed);
    }
    let Planner { props, sources, statements, files_read, used, .. } = planner;
    if diags.has_errors() {
        return None;
    }
    let mut used = used;
    for s in &statements {
        if !used.contains(&s.name) {
            used.push(s.name.clone());
        }
    }
    let objects: Vec<String> = used.clone();
    let properties = props
        .into_iter()
        .filter(|(k, _)| used.iter().any(|o| k.starts_with(&format!("{o}."))))
        .map(|(k, p)| (k, p.value))
        .collect();
    let mut app = app;
    app.name.get_or_insert_with(|| src.default_name.clone());
    Some(Plan { app, sources, statements, properties, objects, files_read })
}

struct Planner<'a> {
    src: &'a AppSource,
    diags: &'a mut Diagnostics,
    /// Every WITH property of the app, `object.key` → property.
    props: BTreeMap<String, Property>,
    sources: Vec<SourcePlan>,
    statements: Vec<StatementPlan>,
    files_read: Vec<PathBuf>,
    /// Source and sink objects in use (runtime-configurable).
    used: Vec<String>,
}

fn span_of(e: &impl Spanned) -> Span {
    Span::from_sql(e.span())
}

impl Planner<'_> {
    fn collect_properties(&mut self, parsed: &ParsedApp) {
        for stmt in &parsed.statements {
            for p in &stmt.with {
                if let Some(old) = self.props.get(&p.key)
                    && old.value != p.value
                {
                    self.diags.push(Diagnostic::warning(
                        "W0506",
                        p.key_span.clone(),
                        format!("`{}` is set twice; the later value `{}` wins", p.key, p.value),
                    ));
                }
                self.props.insert(p.key.clone(), p.clone());
            }
            for u in &stmt.uri_sources {
                self.add_uri_object(&u.name, &u.uri, "file_source", &u.span);
            }
            if let Some(SinkTarget::Uri(uri, span)) = &stmt.into {
                self.add_uri_object(&crate::syntax::uri_name(uri), uri, "file_sink", span);
            }
        }
    }

    fn add_uri_object(&mut self, name: &str, uri: &str, kind: &str, span: &Span) {
        let prop = |key: &str, value: &str| Property {
            key: format!("{name}.{key}"),
            value: value.into(),
            key_span: span.clone(),
            value_span: span.clone(),
        };
        if let Some(rest) = uri.strip_prefix("file://") {
            self.props.insert(format!("{name}.type"), prop("type", kind));
            self.props.insert(format!("{name}.path"), prop("path", rest));
        } else if uri.contains("://") {
            self.diags.push(
                Diagnostic::error("E0901", span.clone(), format!("`{uri}`: only file:// URIs are supported so far"))
                    .with_help("Kafka sources and sinks are planned"),
            );
        } else {
            self.props.insert(format!("{name}.type"), prop("type", kind));
            self.props.insert(format!("{name}.path"), prop("path", uri));
        }
    }

    fn prop(&self, object: &str, key: &str) -> Option<&Property> {
        self.props.get(&format!("{object}.{key}"))
    }

    /// The value of property `p` parsed by `parse` (`None` when unset); a value that does not
    /// parse is error E0513 saying it is not `what`, with `help`.
    fn property_value<T>(
        &mut self,
        p: Option<Property>,
        what: &str,
        help: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ()> {
        let Some(p) = p else { return Ok(None) };
        match parse(&p.value) {
            Some(v) => Ok(Some(v)),
            None => {
                self.diags.push(
                    Diagnostic::error("E0513", p.value_span.clone(), format!("`{}` is not {what}", p.value))
                        .with_help(help.to_string()),
                );
                Err(())
            }
        }
    }

    /// `'<source>.<key>'` for a source input, else the app-wide `'<key>'`.
    fn input_prop(&self, input: Input, key: &str) -> Option<Property> {
        let own = match input {
            Input::Source(i) => self.prop(&self.sources[i].name, key),
            Input::Statement(_) => None,
        };
        own.or(self.props.get(key)).cloned()
    }

    /// The configured event time of `input` records (`'event.time.field'` and
    /// `'event.time.format'`), for `_event_time`; an error says why it cannot be read.
    fn configured_event_time(&self, input: Input, scope: &Scope) -> Result<EventTime, Unreadable> {
        let format = match self.input_prop(input, "event.time.format") {
            Some(p) => Some(TimeFormat::parse(&p.value).ok_or_else(|| Unreadable {
                why: format!("`{}` is not an event-time format", p.value),
                help: Some(FORMAT_HELP.into()),
            })?),
            None => None,
        };
        let column = self.input_prop(input, "event.time.field").map(|p| p.value);
        event_time_column(column.as_deref(), format, scope)
    }

    /// Plans a WINDOW clause: its shape, the event time (the column named in the clause, else
    /// `'<source>.event.time.field'` or `'event.time.field'`, else processing time) and the
    /// watermark properties.
    fn window(&mut self, statement: &str, clause: &WindowClause, input: Input, scope: &Scope) -> Option<WindowPlan> {
        let spec = window::parse_clause(clause, self.diags)?;
        let format = self
            .property_value(
                self.input_prop(input, "event.time.format"),
                "an event-time format",
                FORMAT_HELP,
                TimeFormat::parse,
            )
            .ok()?;
        let configured = || self.input_prop(input, "event.time.field").map(|p| p.value);
        let system = |name: &str, system: &str| {
            name.eq_ignore_ascii_case(system) && !scope.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name))
        };
        let column = match spec.time_column {
            Some(c) if system(&c, TIMESTAMP_COLUMN) => None,
            Some(c) if system(&c, EVENT_TIME_COLUMN) => configured(),
            Some(c) => Some(c),
            None => configured(),
        };
        let time = match event_time_column(column.as_deref(), format, scope) {
            Ok(time) => time,
            Err(Unreadable { why, help }) => {
                let mut d = Diagnostic::error("E0218", clause.span.clone(), why);
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                self.diags.push(d);
                return None;
            }
        };
        if time.column.is_none() {
            self.diags.push(
                Diagnostic::warning("W0220", clause.span.clone(), "this window uses processing time")
                    .with_help("name the event-time column, e.g. TUMBLING(ts, 1m), or set 'event.time.field'"),
            );
        }
        // `'<statement>.<key>'` overrides the app-wide `'<key>'`.
        let own = |this: &Self, key: &str| this.prop(statement, key).or(this.props.get(key)).cloned();
        let duration = |this: &mut Self, key: &str| {
            let p = own(this, key);
            let what = format!("a duration for `{key}`");
            let help = "write e.g. '5s', '2m', '500ms' or a number of milliseconds";
            this.property_value(p, &what, help, window::duration_value).map(|ms| ms.unwrap_or(0))
        };
        let out_of_orderness = duration(self, "watermark.max_out_of_orderness").ok()?;
        let allowed_lateness = duration(self, "allowed.lateness").ok()?;
        let late = self
            .property_value(
                own(self, "late.data.strategy"),
                "a late-data strategy",
                "use drop, dead_letter or update_previous_window",
                LateStrategy::parse,
            )
            .ok()?
            .unwrap_or(LateStrategy::Drop);
        Some(WindowPlan { kind: spec.kind, time, out_of_orderness, allowed_lateness, late })
    }

    fn statement(&mut self, stmt: &CreateStatement, job: JobAnnotations) {
        let name = stmt.name.value.clone();
        if self.statements.iter().any(|s| s.name == name) {
            self.diags.push(Diagnostic::error(
                "E0207",
                Span::from_sql(stmt.name.span),
                format!("`{name}` is created twice"),
            ));
            return;
        }
        let Some(select) = stmt.select() else {
            self.diags.push(Diagnostic::error(
                "E0901",
                span_of(&*stmt.query),
                "UNION and other set operations are not supported yet",
            ));
            return;
        };
        self.unsupported_clauses(stmt, select);
        let Some((input, mut scope)) = self.input(select) else {
            return;
        };
        scope.event_time = Some(self.configured_event_time(input, &scope));
        let filter = select.selection.as_ref().and_then(|w| Binder::new(&scope, self.diags).bind_condition(w, "WHERE"));
        let window = match &stmt.window {
            Some(clause) => match self.window(&name, clause, input, &scope) {
                Some(w) => Some(w),
                None => return,
            },
            None => None,
        };
        if let (Some(clause), false) = (&stmt.window, crate::bind::aggregate::aggregates(select)) {
            self.diags.push(
                Diagnostic::error("E0219", clause.span.clone(), "WINDOW needs GROUP BY or an aggregate")
                    .with_help("e.g. SELECT sym, COUNT(*) FROM trades GROUP BY sym WINDOW TUMBLING(ts, 1m)"),
            );
            return;
        }
        let grouped = crate::bind::aggregate::aggregates(select);
        if grouped {
            for item in &select.projection {
                if matches!(item, SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)) {
                    let msg = "`*` cannot be used with GROUP BY or aggregates";
                    self.diags.push(Diagnostic::error("E0214", span_of(item), msg));
                }
            }
        } else if let Some(h) = &select.having {
            self.diags.push(Diagnostic::error("E0214", span_of(h), "HAVING needs GROUP BY or an aggregate"));
        }
        let keys = if grouped {
            match grouping::keys(select, &scope, window.is_some(), self.diags) {
                Some(keys) => keys,
                None => return,
            }
        } else {
            Vec::new()
        };
        let mut calls = Calls::new(grouped, window.is_some(), &scope, &select.named_window);
        let items_scope = Scope { aliases_first: grouped, ..scope.clone() };
        let mut items = self.projection(stmt, &select.projection, items_scope, &mut calls);
        let having = match (&select.having, grouped) {
            (Some(h), true) => match Binder::with_calls(&scope, self.diags, &mut calls).bind_condition(h, "HAVING") {
                Some(h) => Some(h),
                None => return,
            },
            _ => None,
        };
        let Calls { aggregates, over, .. } = calls;
        let aggregate = grouped.then(|| {
            items = std::mem::take(&mut items)
                .into_iter()
                .map(|it| OutputItem { expr: grouping::over_groups(it.expr, &keys, self.diags), ..it })
                .collect();
            let having = having.map(|h| grouping::over_groups(h, &keys, self.diags));
            // Windows emit once per window by default; plain GROUP BY a running row per record.
            let emit = stmt.emit.unwrap_or(if window.is_some() { EmitMode::Final } else { EmitMode::Changes });
            AggregatePlan { keys, calls: aggregates, having, emit, window }
        });
        let limit = self.limit(stmt);
        let sink = self.sink(stmt);
        let decimal_as_number = sink
            .as_ref()
            .and_then(|s| self.prop(s, "decimal.format"))
            .is_some_and(|p| p.value.eq_ignore_ascii_case("number"));
        let key_columns =
            stmt.key_items.iter().filter_map(|i| items.get(*i).map(|it: &OutputItem| it.name.clone())).collect();
        let taken: Vec<&str> = self
            .sources
            .iter()
            .map(|s| s.struct_name.as_str())
            .chain(self.statements.iter().map(|s| s.struct_name.as_str()))
            .collect();
        let struct_name = struct_name(&name, &taken);
        let ident = unique_ident(&name, self.statements.iter().map(|s| s.ident.as_str()).chain(["errors"]));
        self.statements.push(StatementPlan {
            name,
            kind: stmt.kind,
            input,
            filter,
            items,
            distinct: select.distinct.is_some(),
            limit,
            sink,
            struct_name,
            ident,
            decimal_as_number,
            key_columns,
            job,
            aggregate,
            over,
            over_expiry: stmt.over_expiry,
        });
    }

    fn unsupported_clauses(&mut self, stmt: &CreateStatement, select: &sqlparser::ast::Select) {
        let mut unsupported = |span: Span, what: &str| {
            self.diags.push(Diagnostic::error("E0901", span, format!("{what} is not supported yet")));
        };
        if let GroupByExpr::All(_) = &select.group_by {
            unsupported(Span::from_sql(select.select_token.0.span), "GROUP BY ALL");
        }
        if let Some(o) = &stmt.query.order_by {
            self.diags.push(
                Diagnostic::warning(
                    "W0208",
                    span_of(o),
                    "ORDER BY does not sort a stream; rows keep their arrival order",
                )
                .with_help("remove ORDER BY, or sort the output file afterwards"),
            );
        }
        if let Some(with) = &stmt.query.with {
            self.diags.push(Diagnostic::error(
                "E0901",
                span_of(with),
                "WITH (common table expressions) is not supported yet",
            ));
        }
        if !stmt.columns.is_empty() {
            let n = stmt.columns.len();
            let items = select.projection.len();
            if n != items
                || select
                    .projection
                    .iter()
                    .any(|p| matches!(p, SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)))
            {
                self.diags.push(Diagnostic::error(
                    "E0209",
                    Span::from_sql(stmt.name.span),
                    format!("the column list names {n} columns but the query selects {items} items (without `*`)"),
                ));
            }
        }
    }

    /// Resolves FROM into an input and the names it brings into scope.
    fn input(&mut self, select: &sqlparser::ast::Select) -> Option<(Input, Scope)> {
        let from = match select.from.as_slice() {
            [one] => one,
            [] => {
                self.diags.push(Diagnostic::error(
                    "E0210",
                    Span::from_sql(select.select_token.0.span),
                    "the query has no FROM source",
                ));
                return None;
            }
            [_, second, ..] => {
                self.diags.push(Diagnostic::error(
                    "E0901",
                    span_of(second),
                    "several FROM sources (joins) are not supported yet",
                ));
                return None;
            }
        };
        if let Some(j) = from.joins.first() {
            self.diags.push(Diagnostic::error("E0901", span_of(&j.relation), "JOIN is not supported yet"));
            return None;
        }
        let TableFactor::Table { name, alias, .. } = &from.relation else {
            self.diags.push(Diagnostic::error(
                "E0901",
                span_of(&from.relation),
                "only named sources are supported in FROM so far",
            ));
            return None;
        };
        let source = name.to_string().trim_matches('"').to_string();
        let span = span_of(name);
        let mut qualifiers = vec![source.clone()];
        if let Some(a) = alias {
            qualifiers.push(a.name.value.clone());
        }
        if let Some(i) = self.statements.iter().position(|s| s.name == source) {
            let columns = self.statements[i].columns();
            return Some((Input::Statement(i), Scope { columns, qualifiers, ..Scope::default() }));
        }
        let index = match self.sources.iter().position(|s| s.name == source) {
            Some(i) => i,
            None => {
                let plan = self.source(&source, &span)?;
                self.sources.push(plan);
                self.sources.len() - 1
            }
        };
        let s = &self.sources[index];
        let columns = s
            .schema
            .columns
            .iter()
            .zip(&s.fields)
            .map(|(c, f)| ScopeColumn { name: c.name.clone(), field: f.clone(), ty: c.ty })
            .collect();
        Some((Input::Source(index), Scope { columns, qualifiers, ..Scope::default() }))
    }

    fn source(&mut self, name: &str, span: &Span) -> Option<SourcePlan> {
        let Some(ty) = self.prop(name, "type").cloned() else {
            let later = "(a statement can only read sources and statements defined before it)";
            let known: Vec<&str> = self
                .props
                .iter()
                .filter(|(k, p)| k.ends_with(".type") && p.value.contains("_source"))
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
        };
        match ty.value.as_str() {
            "file_source" | "file_source_mmap" => {}
            "kafka_source" => {
                self.diags.push(
                    Diagnostic::error("E0901", ty.value_span.clone(), "Kafka sources are not supported yet")
                        .with_help("use a file_source for now"),
                );
                return None;
            }
            other => {
                let mut d =
                    Diagnostic::error("E0507", ty.value_span.clone(), format!("`{other}` is not a source type"));
                if let Some(s) = did_you_mean(other, ["file_source", "file_source_mmap", "kafka_source"]) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
                return None;
            }
        }
        self.used.push(name.to_string());
        let (format, delimiter) = self.file_format(name, &ty.value_span)?;
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
        let taken: Vec<&str> = self
            .sources
            .iter()
            .map(|s| s.struct_name.as_str())
            .chain(self.statements.iter().map(|s| s.struct_name.as_str()))
            .collect();
        let ident = unique_ident(name, self.sources.iter().map(|s| s.ident.as_str()));
        Some(SourcePlan { name: name.to_string(), struct_name: struct_name(name, &taken), ident, schema, fields })
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
            if text.contains(['*', '?', '[']) {
                let mut matches: Vec<PathBuf> =
                    glob::glob(&text).ok()?.filter_map(Result::ok).filter(|p| p.is_file()).collect();
                matches.sort();
                matches.into_iter().next()
            } else {
                c.is_file().then_some(c)
            }
        })
    }

    /// Binds the select list (aggregates and window functions into `calls`): each item is an
    /// output column, named by its alias (or the statement's column list) and readable by later
    /// items under its alias, with the column list's type when one is declared.
    fn projection(
        &mut self,
        stmt: &CreateStatement,
        projection: &[SelectItem],
        mut scope: Scope,
        calls: &mut Calls<'_>,
    ) -> Vec<OutputItem> {
        let mut items: Vec<(String, TExpr, Span)> = Vec::new();
        // The column list of `CREATE STREAM s (a DECIMAL(10,2), …) AS SELECT …`, when it matches
        // the select list (E0209 otherwise).
        let declared = (stmt.columns.len() == projection.len()).then_some(stmt.columns.as_slice());
        for (i, item) in projection.iter().enumerate() {
            match item {
                SelectItem::Wildcard(_) => {
                    for c in &scope.columns {
                        let column = TExpr::Column { field: c.field.clone(), ty: c.ty, at: Origin::default() };
                        items.push((c.name.clone(), column, Span::default()));
                    }
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(q), _) => {
                    let q = q.to_string();
                    if !scope.qualifiers.iter().any(|n| n.eq_ignore_ascii_case(&q)) {
                        self.diags.push(Diagnostic::error(
                            "E0204",
                            span_of(item),
                            format!("unknown source or alias `{q}`"),
                        ));
                        continue;
                    }
                    for c in &scope.columns {
                        let column = TExpr::Column { field: c.field.clone(), ty: c.ty, at: Origin::default() };
                        items.push((c.name.clone(), column, Span::default()));
                    }
                }
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    let alias = match item {
                        SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
                        _ => default_name(e, i),
                    };
                    let Some(mut t) = Binder::with_calls(&scope, self.diags, calls).bind(e) else { continue };
                    let mut name = alias.clone();
                    if let Some(col) = declared.map(|d| &d[i]) {
                        name = col.name.value.clone();
                        match SqlType::parse(&col.data_type.to_string()) {
                            Some(ty) => t = t.cast_to(ty),
                            None => self.diags.push(Diagnostic::error(
                                "E0303",
                                Span::from_sql(col.name.span),
                                format!("unsupported column type `{}`", col.data_type),
                            )),
                        }
                    }
                    scope.locals.push((alias, format!("v{}", items.len()), t.ty()));
                    items.push((name, t, span_of(e)));
                }
                other => {
                    self.diags.push(Diagnostic::error("E0901", span_of(other), format!("`{other}` is not supported")))
                }
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for (name, _, span) in &items {
            if seen.contains(&name.as_str()) {
                let span = if span.is_empty() { Span::from_sql(stmt.name.span) } else { span.clone() };
                self.diags.push(
                    Diagnostic::error("E0208", span, format!("the output has two columns named `{name}`"))
                        .with_help("give one of them an alias with AS"),
                );
            }
            seen.push(name);
        }
        let names: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
        let fields = field_names(&names);
        items.into_iter().zip(fields).map(|((name, expr, _), field)| OutputItem { name, field, expr }).collect()
    }

    fn limit(&mut self, stmt: &CreateStatement) -> Option<u64> {
        match &stmt.query.limit_clause {
            None => None,
            Some(LimitClause::LimitOffset { limit: Some(Expr::Value(v)), offset: None, limit_by })
                if limit_by.is_empty() =>
            {
                match &v.value {
                    Value::Number(n, _) => n.parse().ok().or_else(|| {
                        self.diags.push(Diagnostic::error(
                            "E0211",
                            Span::from_sql(v.span),
                            "LIMIT needs a whole number",
                        ));
                        None
                    }),
                    _ => {
                        self.diags.push(Diagnostic::error(
                            "E0211",
                            Span::from_sql(v.span),
                            "LIMIT needs a whole number",
                        ));
                        None
                    }
                }
            }
            Some(other) => {
                self.diags.push(Diagnostic::error(
                    "E0211",
                    Span::from_sql(stmt.name.span),
                    format!("`{other}` is not supported; use LIMIT n"),
                ));
                None
            }
        }
    }

    /// The sink object of a statement: `INTO name|uri`, else the object named like the statement.
    fn sink(&mut self, stmt: &CreateStatement) -> Option<String> {
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
            Some(SinkTarget::Uri(uri, span)) => (crate::syntax::uri_name(uri), Some(span.clone())),
            None => (stmt.name.value.clone(), None),
        };
        let Some(ty) = self.prop(&object, "type").cloned() else {
            if let Some(span) = span {
                self.diags.push(
                    Diagnostic::error("E0503", span, format!("sink `{object}` is not configured")).with_help(format!(
                        "configure it in WITH: '{object}.type' = 'file_sink', '{object}.path' = 'out.csv'"
                    )),
                );
            }
            return None;
        };
        match ty.value.as_str() {
            "file_sink" => {}
            "kafka_sink" => {
                self.diags.push(Diagnostic::error("E0901", ty.value_span.clone(), "Kafka sinks are not supported yet"));
                return None;
            }
            other => {
                let mut d = Diagnostic::error("E0507", ty.value_span.clone(), format!("`{other}` is not a sink type"));
                if let Some(s) = did_you_mean(other, ["file_sink", "kafka_sink"]) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
                return None;
            }
        }
        self.file_format(&object, &ty.value_span)?;
        if let Some(other) = self.statements.iter().find(|s| s.sink.as_deref() == Some(object.as_str())) {
            let span = span.unwrap_or_else(|| Span::from_sql(stmt.name.span));
            self.diags.push(
                Diagnostic::error("E0510", span, format!("`{object}` is already the sink of `{}`", other.name))
                    .with_help("give each statement its own sink (two writers would overwrite each other's file)"),
            );
            return None;
        }
        if !self.used.contains(&object) {
            self.used.push(object.clone());
        }
        Some(object)
    }

    /// Checks a `@metric_condition`: a SQL boolean expression over the statement's output
    /// columns, compiled like WHERE (Velostream silently emitted unconditionally when it failed).
    fn metric_condition(&mut self, a: &crate::syntax::annotations::Annotation) {
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
    fn check_outputs(&mut self, parsed: &ParsedApp) {
        let names: Vec<String> = self.statements.iter().map(|s| s.name.clone()).collect();
        for (i, s) in self.statements.iter().enumerate() {
            let read = self.statements.iter().any(|o| o.input == Input::Statement(i));
            if s.sink.is_none() && !read {
                let span = parsed
                    .statements
                    .iter()
                    .find(|p| p.name.value == s.name)
                    .map(|p| Span::from_sql(p.name.span))
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
            .filter(|p| !self.statements.iter().any(|s| s.sink.as_deref() == p.key.strip_suffix(".type")))
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

    /// Reports WITH keys that name no object of the app or that an object does not understand.
    fn check_keys(&mut self, parsed: &ParsedApp) {
        let statements: Vec<String> = parsed.statements.iter().map(|s| s.name.value.clone()).collect();
        let objects: Vec<String> =
            self.props.keys().filter_map(|k| k.strip_suffix(".type")).map(str::to_string).collect();
        let props: Vec<Property> = self.props.values().cloned().collect();
        for p in props {
            if WINDOW_KEYS.contains(&p.key.as_str()) {
                continue;
            }
            if GLOBAL_KEYS.contains(&p.key.as_str()) {
                self.diags.push(Diagnostic::warning(
                    "W0504",
                    p.key_span.clone(),
                    format!("`{}` has no effect yet", p.key),
                ));
                continue;
            }
            let Some((object, key)) = p.key.split_once('.') else {
                self.diags.push(
                    Diagnostic::error("E0501", p.key_span.clone(), format!("`{}` is not a WITH key", p.key))
                        .with_help("keys are 'object.key', e.g. 'orders.path'"),
                );
                continue;
            };
            if STATEMENT_KEYS.contains(&key) && statements.iter().any(|s| s == object) {
                continue; // A statement's own key, also when its sink has its name.
            }
            let kind = self.prop(object, "type").map(|t| t.value.clone());
            let allowed: &[&str] = match kind.as_deref() {
                Some(t) if t.starts_with("file_source") || t == "kafka_source" => SOURCE_KEYS,
                Some(t) if t.ends_with("_sink") => SINK_KEYS,
                Some(_) => continue,
                None if statements.iter().any(|s| s == object) => STATEMENT_KEYS,
                None => {
                    let names = objects.iter().chain(&statements).map(String::as_str);
                    let mut d = Diagnostic::error(
                        "E0502",
                        p.key_span.clone(),
                        format!(
                            "`{}` configures `{object}`, which has no '{object}.type' and is not a statement",
                            p.key
                        ),
                    );
                    if let Some(s) = did_you_mean(object, names) {
                        d = d.with_help(format!("did you mean `{s}.{key}`?"));
                    }
                    self.diags.push(d);
                    continue;
                }
            };
            if kind.as_deref().is_some_and(|k| k.starts_with("kafka")) {
                continue; // Kafka client keys pass through to librdkafka.
            }
            if !allowed.contains(&key) {
                let mut d =
                    Diagnostic::error("E0501", p.key_span.clone(), format!("unknown key `{key}` for `{object}`"));
                d = d.with_help(match did_you_mean(key, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{object}.{s}`?"),
                    None => format!("known keys: {}", allowed.join(", ")),
                });
                self.diags.push(d);
            } else if ["watch", "compression", "config_file"].contains(&key) {
                self.diags.push(Diagnostic::error(
                    "E0901",
                    p.key_span.clone(),
                    format!("`{key}` is not supported yet"),
                ));
            } else if key == "decimal.format" && !["number", "string"].contains(&p.value.as_str()) {
                self.diags.push(Diagnostic::error(
                    "E0509",
                    p.value_span.clone(),
                    "decimal.format must be `string` or `number`",
                ));
            }
        }
    }
}

/// `snake(name)`, with a numeric suffix if that is already taken.
fn unique_ident<'a>(name: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let base = crate::names::snake(name);
    let mut candidate = base.clone();
    let mut k = 2;
    while taken.clone().any(|t| t == candidate) {
        candidate = format!("{base}_{k}");
        k += 1;
    }
    candidate
}

/// The output name of an unaliased select item: the column name, the function name, or
/// `col<N>` (1-based position).
fn default_name(e: &Expr, index: usize) -> String {
    match e {
        Expr::Identifier(id) => id.value.clone(),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()).unwrap_or_default(),
        Expr::Function(f) => f.name.to_string().to_ascii_lowercase(),
        Expr::Nested(inner) => default_name(inner, index),
        _ => format!("col{}", index + 1),
    }
}

/// The event time read from `column` (a column of `scope`) with `format`; no column means
/// processing time.
fn event_time_column(column: Option<&str>, format: Option<TimeFormat>, scope: &Scope) -> Result<EventTime, Unreadable> {
    let Some(name) = column else {
        return Ok(EventTime { column: None, format });
    };
    let Some(col) = scope.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)) else {
        let help =
            did_you_mean(name, scope.columns.iter().map(|c| c.name.as_str())).map(|s| format!("did you mean `{s}`?"));
        return Err(Unreadable { why: format!("the event-time column `{name}` is not a column of the input"), help });
    };
    let readable = match (&format, col.ty) {
        (None, ty) => matches!(ty, SqlType::Timestamp | SqlType::BigInt),
        (Some(TimeFormat::EpochMillis | TimeFormat::EpochSeconds), SqlType::BigInt) => true,
        (Some(_), ty) => ty == SqlType::String,
    };
    if !readable {
        return Err(Unreadable {
            why: format!("the event-time column `{}` is {}, which cannot be read as a time", col.name, col.ty),
            help: Some(
                "use a TIMESTAMP or BIGINT (epoch milliseconds) column, or a STRING column with 'event.time.format'"
                    .into(),
            ),
        });
    }
    let at = Origin { span: Span::default(), text: col.name.clone() };
    Ok(EventTime { column: Some(TExpr::Column { field: col.field.clone(), ty: col.ty, at }), format })
}
