//! Runtime configuration of a generated binary: the WITH properties compiled into it, overridden
//! at start-up by `--set object.key=value` flags and `VELO_<OBJECT>_<KEY>` environment variables.
//! Which keys may be overridden comes from the connector registry (`velo_spec::connector`).

use std::collections::BTreeMap;

use velo_spec::connector::{ConnectorKind, Key, STATEMENT_KEYS};

use crate::error::FatalError;

/// The effective `object.key → value` map of one run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    values: BTreeMap<String, String>,
    /// The sources, sinks and statements whose settings may be overridden.
    objects: Vec<String>,
}

impl Config {
    /// Starts from the properties compiled into the binary; `objects` are the sources, sinks and
    /// statements of the app.
    pub fn new(props: &[(&str, &str)], objects: &[&str]) -> Self {
        Self {
            values: props.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            objects: objects.iter().map(|o| o.to_string()).collect(),
        }
    }

    /// The keys of `object` a start-up override may set.
    fn overridable(&self, object: &str) -> impl Iterator<Item = &'static str> {
        let keys: &'static [Key] = match self.get(object, "type").and_then(ConnectorKind::parse) {
            Some(kind) => kind.keys(),
            None => STATEMENT_KEYS,
        };
        keys.iter().filter(|k| k.overridable).map(|k| k.name)
    }

    /// Applies `VELO_<OBJECT>_<KEY>` environment overrides.
    pub fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) {
        let mut found = Vec::new();
        for object in &self.objects {
            for key in self.overridable(object) {
                if let Some(v) = env(&env_name(object, key)) {
                    found.push((format!("{object}.{key}"), v));
                }
            }
        }
        self.values.extend(found);
    }

    /// Applies one `object.key=value` override; an unknown object or a key the object does not
    /// take is an error with a hint.
    pub fn apply_override(&mut self, spec: &str) -> Result<(), FatalError> {
        let usage = || FatalError(format!("--set expects object.key=value, got `{spec}`"));
        let (key, value) = spec.split_once('=').ok_or_else(usage)?;
        let (object, name) = key.trim().split_once('.').ok_or_else(usage)?;
        if !self.objects.iter().any(|o| o == object) {
            let hint = velo_spec::did_you_mean(object, self.objects.iter().map(String::as_str))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| format!("; the app has: {}", self.objects.join(", ")));
            return Err(FatalError(format!("--set {key}: the app has no object `{object}`{hint}")));
        }
        let keys: Vec<&str> = self.overridable(object).collect();
        if !keys.contains(&name) {
            let hint = velo_spec::did_you_mean(name, keys.iter().copied())
                .map(|s| format!("did you mean `{object}.{s}`?"))
                .unwrap_or_else(|| format!("keys that can be set at start-up: {}", keys.join(", ")));
            return Err(FatalError(format!("--set {key}: `{name}` cannot be set for `{object}`; {hint}")));
        }
        self.values.insert(format!("{object}.{name}"), value.to_string());
        Ok(())
    }

    /// The value of `object.key`, if set.
    pub fn get(&self, object: &str, key: &str) -> Option<&str> {
        self.values.get(&format!("{object}.{key}")).map(String::as_str)
    }

    /// A boolean property (`true`/`false`), or `default` when unset.
    pub fn flag(&self, object: &str, key: &str, default: bool) -> Result<bool, FatalError> {
        match self.get(object, key) {
            None => Ok(default),
            Some(v) => velo_spec::parse_flag(v)
                .ok_or_else(|| FatalError(format!("`{object}.{key}` must be true or false, not `{v}`"))),
        }
    }

    /// `header` (or Velostream's `has_headers`) of a CSV object; true when unset.
    pub fn header(&self, object: &str) -> Result<bool, FatalError> {
        let has_headers = self.flag(object, "has_headers", true)?;
        self.flag(object, "header", has_headers)
    }
}

/// The environment variable that overrides `object.key`: `VELO_INPUT_DATA_PATH` for
/// `input_data.path`.
pub fn env_name(object: &str, key: &str) -> String {
    let mut name = String::from("VELO_");
    for c in object.chars().chain(std::iter::once('_')).chain(key.chars()) {
        name.push(if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' });
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(
            &[("in.type", "file_source"), ("in.path", "a.csv"), ("out.type", "file_sink"), ("out.path", "o.csv")],
            &["in", "out", "stmt"],
        )
    }

    #[test]
    fn overrides_win_over_compiled_properties() {
        let mut c = config();
        c.apply_env(|k| (k == "VELO_IN_PATH").then(|| "b.csv".to_string()));
        c.apply_override("out.path=p.csv").unwrap();
        c.apply_override("stmt.dlq=d.jsonl").unwrap();
        assert_eq!(c.get("in", "path"), Some("b.csv"));
        assert_eq!(c.get("out", "path"), Some("p.csv"));
        assert_eq!(c.get("stmt", "dlq"), Some("d.jsonl"));
        assert!(c.apply_override("nokey").is_err());
        assert_eq!(env_name("input-data", "has_headers"), "VELO_INPUT_DATA_HAS_HEADERS");
    }

    #[test]
    fn unknown_objects_and_keys_are_errors_with_a_hint() {
        let mut c = config();
        let e = c.apply_override("inn.path=x").unwrap_err().0;
        assert!(e.contains("no object `inn`") && e.contains("did you mean `in`?"), "{e}");
        let e = c.apply_override("in.pth=x").unwrap_err().0;
        assert!(e.contains("did you mean `in.path`?"), "{e}");
        let e = c.apply_override("in.schema=x BIGINT").unwrap_err().0;
        assert!(e.contains("cannot be set"), "{e}");
        assert!(c.apply_override("in.append=true").is_err(), "append is a sink key");
    }

    #[test]
    fn flags_are_true_or_false() {
        let mut c = config();
        assert!(c.header("in").unwrap());
        c.apply_override("in.has_headers=false").unwrap();
        assert!(!c.header("in").unwrap());
        c.apply_override("in.header=TRUE").unwrap();
        assert!(c.header("in").unwrap());
        c.apply_override("out.append=yes").unwrap();
        assert!(c.flag("out", "append", false).is_err());
    }
}
