//! Connectors: file sources and sinks (Kafka comes next), opened by the connector kind their
//! `'<object>.type'` names; and the dead-letter queues.

pub mod dlq;
pub mod file;

use velo_spec::ConnectorKind;

use crate::config::Config;
use crate::dataflow::{Consume, Polled, Sink, Source};
use crate::error::FatalError;
use crate::row::{SinkRow, SourceRow};

/// Strips a `file://` scheme from a configured path.
pub fn strip_file_scheme(path: &str) -> &str {
    path.strip_prefix("file://").unwrap_or(path)
}

fn kind(config: &Config, object: &str) -> Result<ConnectorKind, FatalError> {
    let ty = config.get(object, "type").unwrap_or("");
    ConnectorKind::parse(ty).ok_or_else(|| FatalError(format!("`{object}`: unknown connector type `{ty}`")))
}

/// Opens the sink object `name` as its `type` says.
pub fn open_sink<R: SinkRow + 'static>(config: &Config, name: &str) -> Result<Box<dyn Sink<R>>, FatalError> {
    match kind(config, name)? {
        ConnectorKind::FileSink => Ok(Box::new(file::FileSink::<R>::open(config, name)?)),
        other => Err(FatalError(format!("`{name}`: `{}` cannot be a sink here", other.name()))),
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
