//! The WITH properties of an app: collected from every statement, with objects for the URI
//! sources and sinks (`FROM 'trades.csv'`), read as typed values, and checked against the
//! connector registry (`velo_spec::connector`): a key no object understands is an error with a
//! suggestion, a planned one says so.

use std::collections::HashSet;

use velo_spec::ConnectorKind;
use velo_spec::connector::{KeyStatus, STATEMENT_KEYS};

use super::Planner;
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::ir::plan::Input;
use crate::syntax::{ParsedApp, Property, SinkTarget, uri_name};

/// App-wide keys that windowed statements read (the last three also per statement).
const WINDOW_KEYS: &[&str] = &[
    "event.time.field",
    "event.time.format",
    "watermark.max_out_of_orderness",
    "allowed.lateness",
    "late.data.strategy",
];
/// App-wide keys Velostream knows that have no effect in Velo yet (a warning, not an error),
/// with what Velo does instead. A name ending in `.` covers every key it begins.
const GLOBAL_KEYS: &[(&str, &str)] = &[
    ("watermark.strategy", WATERMARK),
    ("mode", BATCHING),
    ("use_transactions", DELIVERY),
    ("delivery.guarantee", DELIVERY),
    ("failure_strategy", FAILURES),
    ("max_retries", FAILURES),
    ("retry_backoff", FAILURES),
    ("retry.", FAILURES),
    ("circuit.breaker.", FAILURES),
    ("dead.letter.queue.", DEAD_LETTERS),
    ("max_batch_size", BATCHING),
    ("batch_timeout", BATCHING),
    ("max.batch.size", BATCHING),
    ("batch.", BATCHING),
    ("linger.ms", BATCHING),
    ("kafka.", BATCHING),
    ("partitioning_strategy", BATCHING),
    ("performance_profile", BATCHING),
    ("max.memory.mb", MEMORY),
    ("memory.", MEMORY),
    ("spill.to.disk", MEMORY),
    ("cache.", MEMORY),
    ("join.timeout", MEMORY),
    ("table_model", MEMORY),
    ("retention", MEMORY),
    ("prometheus.", METRICS),
    ("observability.", METRICS),
    ("metrics.", METRICS),
    ("tracing.", METRICS),
];
const WATERMARK: &str =
    "the watermark is the largest event time seen minus 'watermark.max_out_of_orderness' (docs/windows.md)";
const DELIVERY: &str = "file sinks replace their output atomically when the run ends; records are never dropped";
const FAILURES: &str = "a record that fails goes to the dead-letter file and the run goes on; a sink that cannot be written stops the run with an error";
const DEAD_LETTERS: &str =
    "dead letters go to the JSON Lines file named by '<statement>.dlq' or '<source>.dlq' (docs/files.md)";
const BATCHING: &str = "velo sizes batches itself; '@num_partitions' or '--partitions' set the threads";
const MEMORY: &str =
    "state is kept in memory and bounded by windows, watermarks and OVER's EXPIRE AFTER (docs/windows.md)";
const METRICS: &str = "the binary prints a summary of what it read and wrote when it ends";

/// What Velo does instead of a Velostream app-wide key it accepts without effect.
fn global_key(key: &str) -> Option<&'static str> {
    let covers = |name: &str| name == key || (name.ends_with('.') && key.starts_with(name));
    GLOBAL_KEYS.iter().find(|(name, _)| covers(name)).map(|&(_, instead)| instead)
}

impl Planner<'_> {
    /// Collects the WITH properties of every statement, then gives each URI source and sink an
    /// object of its own (one per URI and kind, named after the file and unique in the app).
    pub(super) fn collect_properties(&mut self, parsed: &ParsedApp) {
        for p in parsed.statements.iter().flat_map(|s| &s.with) {
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
        let statements: HashSet<&str> = parsed.statements.iter().map(|s| s.name.value.as_str()).collect();
        for (i, stmt) in parsed.statements.iter().enumerate() {
            for u in &stmt.uri_sources {
                if let Some(object) = self.uri_object(&u.uri, ConnectorKind::FileSource, &u.span, &statements, None) {
                    self.uri_names.insert((i, u.name.clone()), object);
                }
            }
            if let Some(SinkTarget::Uri(uri, span)) = &stmt.into {
                let own = Some(stmt.name.value.as_str());
                if let Some(object) = self.uri_object(uri, ConnectorKind::FileSink, span, &statements, own) {
                    // Keyed by the URI itself: the statement may read a file of the same name.
                    self.uri_names.insert((i, uri.clone()), object);
                }
            }
        }
    }

    /// The object of `uri` as a `kind`: the same one for the same URI, else a new one named after
    /// the file, not taken by another object or statement (`own`: the statement a sink may
    /// share its name with).
    fn uri_object(
        &mut self,
        uri: &str,
        kind: ConnectorKind,
        span: &Span,
        statements: &HashSet<&str>,
        own: Option<&str>,
    ) -> Option<String> {
        if let Some(name) = self.uri_objects.get(&(uri.to_string(), kind)) {
            return Some(name.clone());
        }
        let path = match uri.strip_prefix("file://") {
            Some(rest) => rest,
            None if uri.contains("://") => {
                self.diags.push(
                    Diagnostic::error(
                        "E0901",
                        span.clone(),
                        format!("`{uri}`: only file:// URIs are supported so far"),
                    )
                    .with_help("Kafka sources and sinks are planned"),
                );
                return None;
            }
            None => uri,
        };
        let base = uri_name(uri);
        let taken = |name: &str| {
            (statements.contains(name) && Some(name) != own)
                || self.props.contains_key(&format!("{name}.type"))
                || self.index.uri_objects.contains(name)
        };
        let name = std::iter::once(base.clone())
            .chain((2..).map(|k| format!("{base}_{k}")))
            .find(|n| !taken(n))
            .unwrap_or(base);
        let prop = |key: &str, value: &str| Property {
            key: format!("{name}.{key}"),
            value: value.into(),
            key_span: span.clone(),
            value_span: span.clone(),
        };
        self.props.insert(format!("{name}.type"), prop("type", kind.name()));
        self.props.insert(format!("{name}.path"), prop("path", path));
        self.uri_objects.insert((uri.to_string(), kind), name.clone());
        self.index.uri_objects.insert(name.clone());
        Some(name)
    }

    /// The object statement `stmt` means by `local` (a name it gave a URI source, or the URI of
    /// its sink): URIs are objects of their own.
    pub(super) fn object_name(&self, stmt: usize, local: &str) -> String {
        self.uri_names.get(&(stmt, local.to_string())).cloned().unwrap_or_else(|| local.to_string())
    }

    /// The connector kind `'<object>.type'` names, with the property (`None` when unset or not
    /// a kind).
    pub(super) fn kind(&self, object: &str) -> Option<(ConnectorKind, &Property)> {
        let p = self.prop(object, "type")?;
        Some((ConnectorKind::parse(&p.value)?, p))
    }

    pub(super) fn prop(&self, object: &str, key: &str) -> Option<&Property> {
        self.props.get(&format!("{object}.{key}"))
    }

    /// The value of property `p` parsed by `parse` (`None` when unset); a value that does not
    /// parse is error E0513 saying it is not `what`, with `help`.
    pub(super) fn property_value<T>(
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
    pub(super) fn input_prop(&self, input: Input, key: &str) -> Option<Property> {
        let own = match input {
            Input::Source(i) => self.prop(&self.sources[i].name, key),
            Input::Statement(_) => None,
        };
        own.or(self.props.get(key)).cloned()
    }

    /// Reports WITH keys that name no object of the app or that an object does not understand.
    pub(super) fn check_keys(&mut self, parsed: &ParsedApp) {
        let statements: HashSet<&str> = parsed.statements.iter().map(|s| s.name.value.as_str()).collect();
        let objects: Vec<String> =
            self.props.keys().filter_map(|k| k.strip_suffix(".type")).map(str::to_string).collect();
        let props: Vec<Property> = self.props.values().cloned().collect();
        for p in props {
            if WINDOW_KEYS.contains(&p.key.as_str()) {
                continue;
            }
            // A key of a configured object or statement is that object's, whatever it is called.
            let owned = |object: &str| self.prop(object, "type").is_some() || statements.contains(object);
            let object = p.key.split('.').next().unwrap_or_default();
            if let Some(instead) = global_key(&p.key).filter(|_| !owned(object)) {
                self.diags.push(
                    Diagnostic::warning("W0504", p.key_span.clone(), format!("`{}` has no effect in velo yet", p.key))
                        .with_help(format!("instead, {instead}")),
                );
                continue;
            }
            let Some((object, key)) = p.key.split_once('.') else {
                self.diags.push(
                    Diagnostic::error("E0501", p.key_span.clone(), format!("`{}` is not a WITH key", p.key))
                        .with_help("keys are 'object.key', e.g. 'orders.path'"),
                );
                continue;
            };
            let statement_key = STATEMENT_KEYS.iter().any(|k| k.name == key);
            if statement_key && statements.contains(object) {
                continue; // A statement's own key, also when its sink has its name.
            }
            let keys = match self.kind(object) {
                Some((kind, _)) if kind.passes_other_keys() => continue, // Kafka client keys
                Some((kind, _)) => kind.keys(),
                // A `type` that names no kind is reported where the object is used.
                None if self.prop(object, "type").is_some() => continue,
                None if statements.contains(object) => STATEMENT_KEYS,
                None => {
                    let names = objects.iter().map(String::as_str).chain(statements.iter().copied());
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
            match keys.iter().find(|k| k.name == key) {
                None => {
                    let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
                    let mut d =
                        Diagnostic::error("E0501", p.key_span.clone(), format!("unknown key `{key}` for `{object}`"));
                    d = d.with_help(match did_you_mean(key, names.iter().copied()) {
                        Some(s) => format!("did you mean `{object}.{s}`?"),
                        None => format!("known keys: {}", names.join(", ")),
                    });
                    self.diags.push(d);
                }
                Some(k) if k.status == KeyStatus::Planned => {
                    self.diags.push(Diagnostic::error(
                        "E0901",
                        p.key_span.clone(),
                        format!("`{key}` is not supported yet"),
                    ));
                }
                Some(_) if key == "decimal.format" && !["number", "string"].contains(&p.value.as_str()) => {
                    self.diags.push(Diagnostic::error(
                        "E0509",
                        p.value_span.clone(),
                        "decimal.format must be `string` or `number`",
                    ));
                }
                Some(_) => {}
            }
        }
    }
}
