//! The planner: turns parsed statements into a typed [`Plan`] — sources with static schemas,
//! statements with bound filter and projection, sinks and runtime properties — checking every
//! WITH key and reporting all problems at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use sqlparser::ast::{
    Expr, GroupByExpr, LimitClause, SelectItem, SelectItemQualifiedWildcardKind, Spanned, TableFactor, Value,
};

mod checks;
mod connectors;
mod grouping;
mod properties;
mod window;

use crate::bind::{Binder, Calls, Scope, ScopeColumn};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::ir::aggregate::AggregatePlan;
use crate::ir::expr::{Origin, TExpr};
use crate::ir::plan::{AppSource, Input, OutputItem, Plan, SourcePlan, StatementPlan};
use crate::ir::types::SqlType;
use crate::names::field_names;
use crate::syntax::annotations::{self, JobAnnotations};
use crate::syntax::{CreateStatement, EmitMode, ParsedApp, Property};

/// Plans a parsed app. Returns `None` if any error was reported.
pub(crate) fn plan(src: &AppSource, parsed: &ParsedApp, diags: &mut Diagnostics) -> Option<Plan> {
    let (app, jobs) = annotations::interpret(&parsed.annotations, parsed.statements.len(), diags);
    let mut planner = Planner {
        src,
        diags,
        props: BTreeMap::new(),
        uri_objects: HashMap::new(),
        uri_names: HashMap::new(),
        sources: Vec::new(),
        statements: Vec::new(),
        files_read: Vec::new(),
        used: Vec::new(),
        index: Index::default(),
    };
    planner.collect_properties(parsed);
    let mut conditions: HashMap<usize, Vec<&annotations::Annotation>> = HashMap::new();
    for (s, a) in parsed.annotations.iter().filter(|(_, a)| a.key == "metric_condition") {
        conditions.entry(*s).or_default().push(a);
    }
    for (i, (stmt, job)) in parsed.statements.iter().zip(jobs).enumerate() {
        // A statement that fails to plan has no output for its metric conditions to read.
        if !planner.statement(i, stmt, job) {
            continue;
        }
        for a in conditions.remove(&i).unwrap_or_default() {
            planner.metric_condition(a);
        }
    }
    planner.check_keys(parsed);
    if !planner.diags.has_errors() {
        planner.check_outputs(parsed);
        planner.check_files();
    }
    let names: Vec<String> = planner.statements.iter().map(|s| s.name.clone()).collect();
    for name in &names {
        planner.mark_used(name);
    }
    let Planner { props, sources, statements, files_read, used, index, .. } = planner;
    if diags.has_errors() {
        return None;
    }
    let objects: Vec<String> = used;
    // `object.key`: the object is a prefix of the key ending at one of its dots.
    let of_used = |k: &str| k.match_indices('.').any(|(at, _)| index.used.contains(&k[..at]));
    let properties = props.into_iter().filter(|(k, _)| of_used(k)).map(|(k, p)| (k, p.value)).collect();
    let mut app = app;
    app.name.get_or_insert_with(|| src.default_name.clone());
    Some(Plan { app, sources, statements, properties, objects, files_read })
}

struct Planner<'a> {
    src: &'a AppSource,
    diags: &'a mut Diagnostics,
    /// Every WITH property of the app, `object.key` → property.
    props: BTreeMap<String, Property>,
    /// The object of each URI source and sink: (URI, kind) → object name.
    uri_objects: HashMap<(String, velo_spec::ConnectorKind), String>,
    /// (statement, the name it uses for a URI) → the URI's object.
    uri_names: HashMap<(usize, String), String>,
    sources: Vec<SourcePlan>,
    statements: Vec<StatementPlan>,
    files_read: Vec<PathBuf>,
    /// Source and sink objects in use (runtime-configurable), in order of first use.
    used: Vec<String>,
    index: Index,
}

/// Lookups by name over what is planned so far, so planning stays linear in the number of
/// statements.
#[derive(Default)]
struct Index {
    /// Statement name → its index in `statements`.
    statements: HashMap<String, usize>,
    /// Sink object → the statement writing it.
    sinks: HashMap<String, usize>,
    /// Rust identifiers of sources and statements.
    idents: HashSet<String>,
    /// Row struct names of sources and statements.
    structs: HashSet<String>,
    /// The members of `used`.
    used: HashSet<String>,
    /// Names of URI objects.
    uri_objects: HashSet<String>,
}

fn span_of(e: &impl Spanned) -> Span {
    Span::from_sql(e.span())
}

impl Planner<'_> {
    /// Plans statement `index`; `false` when it has errors.
    fn statement(&mut self, index: usize, stmt: &CreateStatement, job: JobAnnotations) -> bool {
        let name = stmt.name.value.clone();
        if self.index.statements.contains_key(&name) {
            self.diags.push(Diagnostic::error(
                "E0207",
                Span::from_sql(stmt.name.span),
                format!("`{name}` is created twice"),
            ));
            return false;
        }
        let Some(select) = stmt.select() else {
            self.diags.push(Diagnostic::error(
                "E0901",
                span_of(&*stmt.query),
                "UNION and other set operations are not supported yet",
            ));
            return false;
        };
        self.unsupported_clauses(stmt, select);
        let Some((input, mut scope)) = self.input(index, select) else {
            return false;
        };
        scope.event_time = Some(self.configured_event_time(input, &scope));
        let filter = select.selection.as_ref().and_then(|w| Binder::new(&scope, self.diags).bind_condition(w, "WHERE"));
        let window = match &stmt.window {
            Some(clause) => match self.window(&name, clause, input, &scope) {
                Some(w) => Some(w),
                None => return false,
            },
            None => None,
        };
        if let (Some(clause), false) = (&stmt.window, crate::bind::aggregate::aggregates(select)) {
            self.diags.push(
                Diagnostic::error("E0219", clause.span.clone(), "WINDOW needs GROUP BY or an aggregate")
                    .with_help("e.g. SELECT sym, COUNT(*) FROM trades GROUP BY sym WINDOW TUMBLING(ts, 1m)"),
            );
            return false;
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
                None => return false,
            }
        } else {
            Vec::new()
        };
        let mut calls = Calls::new(grouped, window.is_some(), &scope, &select.named_window);
        let items_scope = Scope { aliases_first: grouped, ..scope.clone() };
        let mut items = self.projection(stmt, &select.projection, items_scope, &mut calls);
        let having = match (&select.having, grouped) {
            (Some(h), true) => {
                let scope = Scope { outputs: having_names(&items), ..scope.clone() };
                match Binder::with_calls(&scope, self.diags, &mut calls).bind_condition(h, "HAVING") {
                    Some(h) => Some(h),
                    None => return false,
                }
            }
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
        let sink = self.sink(index, stmt);
        let key_columns =
            stmt.key_items.iter().filter_map(|i| items.get(*i).map(|it: &OutputItem| it.name.clone())).collect();
        let (ident, struct_name) = (self.unique_ident(&name), self.struct_name(&name));
        self.index.statements.insert(name.clone(), self.statements.len());
        if let Some(sink) = &sink {
            self.index.sinks.insert(sink.object.clone(), self.statements.len());
        }
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
            key_columns,
            job,
            aggregate,
            over,
            over_expiry: stmt.over_expiry,
        });
        true
    }

    /// A Rust identifier for source or statement `name`: `snake(name)`, with a numeric suffix
    /// if another source or statement has it, or it is one the generated code uses itself (a
    /// `rejects` or `errors` field, the state fields `groups_<x>`, `over_<x>`, `rows_<x>` of
    /// another statement).
    fn unique_ident(&mut self, name: &str) -> String {
        const STATE: [&str; 3] = ["groups_", "over_", "rows_"];
        let idents = &self.index.idents;
        let taken = |c: &str| {
            ["errors", "rejects"].contains(&c)
                || idents.contains(c)
                || STATE.iter().any(|p| c.strip_prefix(p).is_some_and(|b| idents.contains(b)))
                || STATE.iter().any(|p| idents.contains(&format!("{p}{c}")))
        };
        let base = crate::names::snake(name);
        let ident = std::iter::once(base.clone())
            .chain((2..).map(|k| format!("{base}_{k}")))
            .find(|c| !taken(c))
            .unwrap_or(base);
        self.index.idents.insert(ident.clone());
        ident
    }

    /// The Rust struct name of the rows of source or statement `name`, unique in the app.
    fn struct_name(&mut self, name: &str) -> String {
        let structs = &self.index.structs;
        let struct_name = crate::names::struct_name(name, |s| structs.contains(s));
        self.index.structs.insert(struct_name.clone());
        struct_name
    }

    /// Marks source or sink `object` as used (configurable at start-up).
    fn mark_used(&mut self, object: &str) {
        if self.index.used.insert(object.to_string()) {
            self.used.push(object.to_string());
        }
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

    /// Resolves FROM of statement `index` into an input and the names it brings into scope.
    fn input(&mut self, index: usize, select: &sqlparser::ast::Select) -> Option<(Input, Scope)> {
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
        let local = name.to_string().trim_matches('"').to_string();
        let source = self.object_name(index, &local);
        let span = span_of(name);
        let mut qualifiers = vec![local];
        if let Some(a) = alias {
            qualifiers.push(a.name.value.clone());
        }
        if let Some(&i) = self.index.statements.get(&source) {
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
                    scope.locals.push((alias, alias_local(items.len()), t.ty()));
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

/// The local variable that holds select item `i` for the items after it.
fn alias_local(i: usize) -> String {
    format!("v{i}")
}

/// The select items as HAVING may name them: each alias with its expression, the earlier
/// aliases it reads (their locals, see [`alias_local`]) replaced by their own expressions.
fn having_names(items: &[OutputItem]) -> Vec<(String, TExpr)> {
    let mut named: Vec<(String, TExpr)> = Vec::with_capacity(items.len());
    for item in items {
        let e = inline_aliases(item.expr.clone(), &named);
        named.push((item.name.clone(), e));
    }
    named
}

fn inline_aliases(e: TExpr, earlier: &[(String, TExpr)]) -> TExpr {
    if let TExpr::Local { name, .. } = &e
        && let Some((_, x)) = (0..earlier.len()).find(|&i| *name == alias_local(i)).map(|i| &earlier[i])
    {
        return x.clone();
    }
    e.map_operands(|o| inline_aliases(o, earlier))
}
