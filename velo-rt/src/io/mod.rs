//! Connectors: file sources and sinks (Kafka comes next), opened by the connector kind their
//! `'<object>.type'` names; and the dead-letter queues.

pub mod dlq;
pub mod file;

use velo_spec::ConnectorKind;

use velo_spec::files;

use crate::app::AppSpec;
use crate::config::Config;
use crate::dataflow::{Consume, Polled, Sink, Source};
use crate::error::FatalError;
use crate::io::file::staged::Staging;
use crate::row::{SinkRow, SourceRow};

pub use velo_spec::files::strip_file_scheme;

fn kind(config: &Config, object: &str) -> Result<ConnectorKind, FatalError> {
    let ty = config.get(object, "type").unwrap_or("");
    ConnectorKind::parse(ty).ok_or_else(|| FatalError(format!("`{object}`: unknown connector type `{ty}`")))
}

/// Opens the sink object `name` as its `type` says; a file is staged as `staging` says.
pub fn open_sink<R: SinkRow + 'static>(
    config: &Config,
    name: &str,
    staging: Staging,
) -> Result<Box<dyn Sink<R>>, FatalError> {
    match kind(config, name)? {
        ConnectorKind::FileSink => Ok(Box::new(file::FileSink::<R>::open(config, name, staging)?)),
        other => Err(FatalError(format!("`{name}`: `{}` cannot be a sink here", other.name()))),
    }
}

/// Whether source `name` ends: a file read to its end (not watched).
pub fn is_bounded(config: &Config, name: &str) -> bool {
    kind(config, name).ok() == Some(ConnectorKind::FileSource) && !config.flag(name, "watch", false).unwrap_or(false)
}

/// Refuses to start when two objects of the app would use one file (a sink over its own
/// source, two sinks on one path, dead letters over a sink or a source), with the paths in
/// effect after overrides, relative to the working directory (see [`velo_spec::files`]).
pub fn check_files(config: &Config, spec: &AppSpec) -> Result<(), FatalError> {
    let get = |object: &str, key: &str| config.get(object, key);
    let statements: Vec<(&str, Option<&str>)> = spec.statements.iter().map(|s| (s.name, s.sink)).collect();
    let sources: Vec<&str> = spec.sources.iter().map(|s| s.name).collect();
    let files = files::app_files(&get, &statements, &sources);
    let here = std::env::current_dir()?;
    match files::clashes(&files, &here).first() {
        Some(&(i, j)) => Err(FatalError(format!(
            "{} and {} are one file; give each its own path",
            files[i].describe(),
            files[j].describe()
        ))),
        None => Ok(()),
    }
}

/// A source of any connector kind.
pub enum AnySource<R> {
    /// Files, read to their end.
    File(file::FileSource<R>),
    /// A file followed as it grows.
    Watched(file::WatchedFile<R>),
}

/// Opens the source object `name` as its `type` says.
pub fn open_source<R: SourceRow>(config: &Config, name: &str) -> Result<AnySource<R>, FatalError> {
    match kind(config, name)? {
        ConnectorKind::FileSource => {
            let spec = file::FileSourceSpec::from_config(config, name)?;
            Ok(match config.flag(name, "watch", false)? {
                true => AnySource::Watched(file::WatchedFile::open(spec)?),
                false => AnySource::File(file::FileSource::from_spec(spec)?),
            })
        }
        other => Err(FatalError(format!("`{name}`: `{}` cannot be a source here", other.name()))),
    }
}

impl<R: SourceRow> Source for AnySource<R> {
    type Row = R;

    #[inline]
    fn poll<C: Consume<R>>(&mut self, consume: &mut C) -> Result<Polled, FatalError> {
        match self {
            AnySource::File(f) => f.poll(consume),
            AnySource::Watched(w) => w.poll(consume),
        }
    }

    fn watermark(&self) -> Option<i64> {
        match self {
            AnySource::File(f) => f.watermark(),
            AnySource::Watched(w) => w.watermark(),
        }
    }

    fn name(&self) -> &str {
        match self {
            AnySource::File(f) => f.name(),
            AnySource::Watched(w) => w.name(),
        }
    }

    fn records(&self) -> u64 {
        match self {
            AnySource::File(f) => f.records(),
            AnySource::Watched(w) => w.records(),
        }
    }

    fn location(&self) -> String {
        match self {
            AnySource::File(f) => f.location(),
            AnySource::Watched(w) => w.location(),
        }
    }
}
