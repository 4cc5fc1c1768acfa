//! Runtime configuration of a generated binary: the WITH properties compiled into it, overridden
//! at start-up by `--set object.key=value` flags and `VELO_<OBJECT>_<KEY>` environment variables.

use std::collections::BTreeMap;

use crate::error::FatalError;

/// Keys that may be overridden at start-up for any source or sink object.
pub const OVERRIDABLE_KEYS: &[&str] = &["path", "format", "delimiter", "header", "has_headers", "dlq", "append"];

/// The effective `object.key → value` map of one run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    values: BTreeMap<String, String>,
}

impl Config {
    /// Starts from the properties compiled into the binary.
    pub fn from_properties(props: &[(&str, &str)]) -> Self {
        Self { values: props.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    /// Applies `VELO_<OBJECT>_<KEY>` environment overrides for the given objects.
    pub fn apply_env(&mut self, objects: &[&str], env: impl Fn(&str) -> Option<String>) {
        for object in objects {
            for key in OVERRIDABLE_KEYS {
                if let Some(v) = env(&env_name(object, key)) {
                    self.values.insert(format!("{object}.{key}"), v);
                }
            }
        }
    }

    /// Applies one `object.key=value` override.
    pub fn apply_override(&mut self, spec: &str) -> Result<(), FatalError> {
        let (key, value) =
            spec.split_once('=').ok_or_else(|| FatalError(format!("--set expects object.key=value, got `{spec}`")))?;
        if !key.contains('.') {
            return Err(FatalError(format!("--set expects object.key=value, got `{spec}`")));
        }
        self.values.insert(key.trim().to_string(), value.to_string());
        Ok(())
    }

    /// The value of `object.key`, if set.
    pub fn get(&self, object: &str, key: &str) -> Option<&str> {
        self.values.get(&format!("{object}.{key}")).map(String::as_str)
    }

    /// A boolean property (`true`/`false`), or `default`.
    pub fn flag(&self, object: &str, key: &str, default: bool) -> bool {
        self.get(object, key).map(|v| v.eq_ignore_ascii_case("true") || v == "1").unwrap_or(default)
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

    #[test]
    fn overrides_win_over_compiled_properties() {
        let mut c = Config::from_properties(&[("in.path", "a.csv"), ("out.path", "o.csv")]);
        c.apply_env(&["in", "out"], |k| (k == "VELO_IN_PATH").then(|| "b.csv".to_string()));
        c.apply_override("out.path=p.csv").unwrap();
        assert_eq!(c.get("in", "path"), Some("b.csv"));
        assert_eq!(c.get("out", "path"), Some("p.csv"));
        assert!(c.apply_override("nokey").is_err());
        assert_eq!(env_name("input-data", "has_headers"), "VELO_INPUT_DATA_HAS_HEADERS");
    }
}
