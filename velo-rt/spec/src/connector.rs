//! Connector kinds (`'<object>.type'`) and the WITH keys each understands: the one registry the
//! planner checks keys against and the runtime checks start-up overrides against.

/// A kind of source or sink, named by `'<object>.type'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectorKind {
    /// `file_source`: CSV or JSON files (one file or a glob), read to their end.
    FileSource,
    /// `file_sink`: a CSV, JSON Lines or JSON array file.
    FileSink,
    /// `kafka_source`: a Kafka topic.
    KafkaSource,
    /// `kafka_sink`: a Kafka topic.
    KafkaSink,
}

/// Whether a key does something yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// Understood and honoured.
    Supported,
    /// Known (Velostream has it) but not implemented yet: an error that says so.
    Planned,
}

/// One WITH key of a connector, `'<object>.<name>'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key after the object name, e.g. `path`.
    pub name: &'static str,
    /// Whether it is implemented.
    pub status: KeyStatus,
    /// Whether a built binary accepts it from `--set object.key=value` or `VELO_<OBJECT>_<KEY>`.
    pub overridable: bool,
}

const fn key(name: &'static str, overridable: bool) -> Key {
    Key { name, status: KeyStatus::Supported, overridable }
}

const fn planned(name: &'static str) -> Key {
    Key { name, status: KeyStatus::Planned, overridable: false }
}

/// Keys every file object understands.
const FILE_SOURCE_KEYS: &[Key] = &[
    key("type", false),
    key("path", true),
    key("format", true),
    key("delimiter", true),
    key("header", true),
    key("has_headers", true),
    key("schema", false),
    key("schema.file", false),
    key("dlq", true),
    key("event.time.field", false),
    key("event.time.format", false),
    key("watch", true),
    planned("config_file"),
];

const FILE_SINK_KEYS: &[Key] = &[
    key("type", false),
    key("path", true),
    key("format", true),
    key("delimiter", true),
    key("header", true),
    key("has_headers", true),
    key("append", true),
    key("decimal.format", false),
    key("dlq", true),
    planned("compression"),
    planned("config_file"),
];

/// Keys Velo reads itself from a Kafka object (the others go to the Kafka client).
const KAFKA_KEYS: &[Key] = &[key("type", false)];

/// Keys of a statement (`'<statement>.<key>'`), also accepted on its sink's name.
pub const STATEMENT_KEYS: &[Key] = &[
    key("dlq", true),
    key("watermark.max_out_of_orderness", false),
    key("allowed.lateness", false),
    key("late.data.strategy", false),
];

impl ConnectorKind {
    /// Every kind, sources first.
    pub const ALL: [ConnectorKind; 4] =
        [ConnectorKind::FileSource, ConnectorKind::KafkaSource, ConnectorKind::FileSink, ConnectorKind::KafkaSink];

    /// The kind a `'<object>.type'` value names (`file_source_mmap` is Velostream's name for a
    /// mapped file source, which every Velo file source is).
    pub fn parse(type_name: &str) -> Option<Self> {
        match type_name {
            "file_source_mmap" => Some(ConnectorKind::FileSource),
            name => Self::ALL.into_iter().find(|k| k.name() == name),
        }
    }

    /// The `'<object>.type'` value.
    pub fn name(self) -> &'static str {
        match self {
            ConnectorKind::FileSource => "file_source",
            ConnectorKind::FileSink => "file_sink",
            ConnectorKind::KafkaSource => "kafka_source",
            ConnectorKind::KafkaSink => "kafka_sink",
        }
    }

    /// Whether records come from it (else rows go to it).
    pub fn is_source(self) -> bool {
        matches!(self, ConnectorKind::FileSource | ConnectorKind::KafkaSource)
    }

    /// Whether Velo can run it yet.
    pub fn is_supported(self) -> bool {
        matches!(self, ConnectorKind::FileSource | ConnectorKind::FileSink)
    }

    /// The keys it understands. Kafka keys other than these pass through to the Kafka client
    /// (see [`ConnectorKind::passes_other_keys`]).
    pub fn keys(self) -> &'static [Key] {
        match self {
            ConnectorKind::FileSource => FILE_SOURCE_KEYS,
            ConnectorKind::FileSink => FILE_SINK_KEYS,
            ConnectorKind::KafkaSource | ConnectorKind::KafkaSink => KAFKA_KEYS,
        }
    }

    /// The key `name`, if this kind understands it.
    pub fn key(self, name: &str) -> Option<&'static Key> {
        self.keys().iter().find(|k| k.name == name)
    }

    /// Whether keys it does not know are passed on (Kafka client settings) rather than errors.
    pub fn passes_other_keys(self) -> bool {
        matches!(self, ConnectorKind::KafkaSource | ConnectorKind::KafkaSink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip() {
        for k in ConnectorKind::ALL {
            assert_eq!(ConnectorKind::parse(k.name()), Some(k));
            assert_eq!(k.key("type").map(|k| k.overridable), Some(false));
        }
        assert_eq!(ConnectorKind::parse("file_source_mmap"), Some(ConnectorKind::FileSource));
        assert_eq!(ConnectorKind::parse("file"), None);
    }

    #[test]
    fn keys_are_listed_once_per_kind() {
        for k in ConnectorKind::ALL {
            let names: Vec<&str> = k.keys().iter().map(|k| k.name).collect();
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(names.len(), unique.len(), "{k:?}");
        }
        assert_eq!(ConnectorKind::FileSink.key("append").map(|k| k.overridable), Some(true));
        assert_eq!(ConnectorKind::FileSource.key("config_file").map(|k| k.status), Some(KeyStatus::Planned));
    }
}
