//! The plan of a whole app: its sources, its statements (the operator graph: each statement
//! reads one source or an earlier statement) and the runtime properties.

use std::path::PathBuf;

use velo_spec::{ConnectorKind, FileFormat};

use crate::bind::ScopeColumn;
use crate::ir::expr::TExpr;
use crate::ir::over::OverCall;
use crate::schema::Schema;
use crate::syntax::ObjectKind;
use crate::syntax::annotations::{AppAnnotations, JobAnnotations};

/// Where the app comes from.
#[derive(Debug, Clone)]
pub struct AppSource {
    /// The SQL text.
    pub sql: String,
    /// The file name shown in diagnostics.
    pub file_name: String,
    /// The folder of the SQL file (schema files and, as a fallback, data files resolve here).
    pub base_dir: PathBuf,
    /// The app name when no `@app` annotation gives one (the file stem).
    pub default_name: String,
}

/// A whole app, planned.
#[derive(Debug, Clone)]
pub struct Plan {
    /// App name, version and description.
    pub(crate) app: AppAnnotations,
    /// Sources, in order of first use.
    pub(crate) sources: Vec<SourcePlan>,
    /// Statements, in file order.
    pub(crate) statements: Vec<StatementPlan>,
    /// Runtime properties (`object.key`, value) embedded in the binary.
    pub(crate) properties: Vec<(String, String)>,
    /// Objects whose runtime properties may be overridden.
    pub(crate) objects: Vec<String>,
    /// Schema files read at build time, for rebuild tracking (sampled data files are not
    /// tracked: they can be large, and a changed file only matters if its inferred types change).
    pub(crate) files_read: Vec<PathBuf>,
}

/// One source.
#[derive(Debug, Clone)]
pub(crate) struct SourcePlan {
    /// Object name.
    pub(crate) name: String,
    /// What `'<name>.type'` names.
    pub(crate) connector: ConnectorKind,
    /// How its records are written (the default; a run may override it).
    pub(crate) format: FileFormat,
    /// Its schema.
    pub(crate) schema: Schema,
    /// Rust field name of each column.
    pub(crate) fields: Vec<String>,
    /// Rust struct name of its rows.
    pub(crate) struct_name: String,
    /// A snake_case identifier unique among the sources (`push_<ident>` in library mode).
    pub(crate) ident: String,
}

/// What a statement reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// A source, by index.
    Source(usize),
    /// An earlier statement, by index.
    Statement(usize),
}

/// One output column of a statement.
#[derive(Debug, Clone)]
pub(crate) struct OutputItem {
    /// Column name in the output.
    pub(crate) name: String,
    /// Rust field name.
    pub(crate) field: String,
    /// The value.
    pub(crate) expr: TExpr,
}

/// The sink of a statement.
#[derive(Debug, Clone)]
pub(crate) struct SinkPlan {
    /// The sink object.
    pub(crate) object: String,
    /// What `'<object>.type'` names.
    pub(crate) connector: ConnectorKind,
    /// How rows are written (the default; a run may override it).
    pub(crate) format: FileFormat,
    /// JSON sinks write decimals as numbers (`'<sink>.decimal.format' = 'number'`).
    pub(crate) decimal_as_number: bool,
}

/// One `CREATE STREAM|TABLE … AS SELECT …`, planned.
#[derive(Debug, Clone)]
pub(crate) struct StatementPlan {
    /// Stream/table name.
    pub(crate) name: String,
    /// STREAM or TABLE.
    pub(crate) kind: ObjectKind,
    /// What it reads.
    pub(crate) input: Input,
    /// WHERE.
    pub(crate) filter: Option<TExpr>,
    /// Select items.
    pub(crate) items: Vec<OutputItem>,
    /// SELECT DISTINCT.
    pub(crate) distinct: bool,
    /// LIMIT.
    pub(crate) limit: Option<u64>,
    /// Where its rows are written, if anywhere.
    pub(crate) sink: Option<SinkPlan>,
    /// Rust struct name of its rows.
    pub(crate) struct_name: String,
    /// A snake_case identifier unique among the statements and not `errors` (function, variable
    /// and `Output` field names derive from it).
    pub(crate) ident: String,
    /// PRIMARY KEY columns.
    pub(crate) key_columns: Vec<String>,
    /// Job annotations.
    pub(crate) job: JobAnnotations,
    /// GROUP BY and aggregates; the items are then expressions over keys and aggregate results.
    pub(crate) aggregate: Option<crate::ir::aggregate::AggregatePlan>,
    /// Window functions (`f(…) OVER (…)`); the items read them as locals `w<i>`.
    pub(crate) over: Vec<OverCall>,
    /// `EXPIRE AFTER` of the OVER clauses: idle partitions are dropped after this many ms.
    pub(crate) over_expiry: Option<i64>,
}

impl StatementPlan {
    /// The output columns, as a later statement (or a metric condition) sees them.
    pub(crate) fn columns(&self) -> Vec<ScopeColumn> {
        self.items
            .iter()
            .map(|it| ScopeColumn { name: it.name.clone(), field: it.field.clone(), ty: it.expr.ty() })
            .collect()
    }
}
