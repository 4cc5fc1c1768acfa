//! The files an app reads and writes, and the rule that no two of its objects use one file: a
//! sink that writes its own source, two sinks on one path, or dead letters written over a sink
//! or a source would destroy data. The compiler applies the rule to the paths in the SQL
//! (relative to the `.sql` file's folder); a built binary applies it again at start-up, after
//! overrides, to the paths it will really open (relative to the working directory).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// What an app does with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileUse {
    /// A file source reads it (the path may be a glob).
    Reads,
    /// A file sink writes it.
    Writes,
    /// Dead letters are written to it.
    DeadLetters,
}

/// One file of an app: the object that uses it, how, and the path as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFile {
    /// The source, sink or statement it belongs to.
    pub object: String,
    /// How it is used.
    pub used: FileUse,
    /// The configured path (`file://` stripped).
    pub path: String,
}

impl AppFile {
    /// How the file is named in messages: ``source `trades` (`data/trades.csv`)``.
    pub fn describe(&self) -> String {
        let role = match self.used {
            FileUse::Reads => "source",
            FileUse::Writes => "sink",
            FileUse::DeadLetters => "the dead letters of",
        };
        format!("{role} `{}` (`{}`)", self.object, self.path)
    }
}

/// A configured path without its `file://` scheme.
pub fn strip_file_scheme(path: &str) -> &str {
    path.strip_prefix("file://").unwrap_or(path)
}

/// Where the dead letters of `statement` (writing to `sink`, if any) go: `'<statement>.dlq'`,
/// else `'<sink>.dlq'`, else `<sink path>.dlq.jsonl` beside a file sink; `None` means standard
/// error. `get(object, key)` reads the configuration.
pub fn dead_letter_file<'a>(
    get: &impl Fn(&str, &str) -> Option<&'a str>,
    statement: &str,
    sink: Option<&str>,
) -> Option<String> {
    let own = |object: &str| get(object, "dlq").map(|p| strip_file_scheme(p).to_string());
    own(statement).or_else(|| {
        let sink = sink?;
        own(sink).or_else(|| {
            let is_file = get(sink, "type") == Some(crate::ConnectorKind::FileSink.name());
            let path = get(sink, "path").filter(|_| is_file)?;
            Some(format!("{}.dlq.jsonl", strip_file_scheme(path)))
        })
    })
}

/// Every file an app uses: its file sources and sinks (`statements` are `(name, sink)` pairs)
/// and the dead-letter files of its statements and sources.
pub fn app_files<'a>(
    get: &impl Fn(&str, &str) -> Option<&'a str>,
    statements: &[(&str, Option<&str>)],
    sources: &[&str],
) -> Vec<AppFile> {
    let kind = |object: &str| get(object, "type").and_then(crate::ConnectorKind::parse);
    let file = |object: &str, used: FileUse, path: &str| AppFile {
        object: object.to_string(),
        used,
        path: strip_file_scheme(path).to_string(),
    };
    let mut files = Vec::new();
    for &source in sources {
        if let (Some(crate::ConnectorKind::FileSource), Some(path)) = (kind(source), get(source, "path")) {
            files.push(file(source, FileUse::Reads, path));
        }
        if let Some(dlq) = get(source, "dlq") {
            files.push(file(source, FileUse::DeadLetters, dlq));
        }
    }
    for &(statement, sink) in statements {
        if let Some(sink) = sink
            && let (Some(crate::ConnectorKind::FileSink), Some(path)) = (kind(sink), get(sink, "path"))
        {
            files.push(file(sink, FileUse::Writes, path));
        }
        if let Some(dlq) = dead_letter_file(get, statement, sink) {
            files.push(file(statement, FileUse::DeadLetters, &dlq));
        }
    }
    files
}

/// Whether `path` is a glob pattern rather than one file.
pub fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// `path` made absolute against `base`, with `.` and `..` folded and the symbolic links of the
/// part that exists resolved, so two spellings of one file compare equal even before it exists.
pub fn resolve(path: &str, base: &Path) -> PathBuf {
    let joined = base.join(path);
    let mut lexical = PathBuf::new();
    for c in std::path::absolute(&joined).unwrap_or(joined).components() {
        match c {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    for existing in lexical.ancestors() {
        if let Ok(real) = existing.canonicalize() {
            return real.join(lexical.strip_prefix(existing).unwrap_or(Path::new("")));
        }
    }
    lexical
}

/// Pairs `(i, j)`, `i < j`, of `files` that are one file, paths taken relative to `base`. A
/// glob source clashes with every file its pattern matches, as a later run would read it; two
/// sources may read one file.
pub fn clashes(files: &[AppFile], base: &Path) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut first: HashMap<PathBuf, usize> = HashMap::new();
    let mut writers = Vec::new();
    for (j, f) in files.iter().enumerate() {
        if f.used == FileUse::Reads && is_glob(&f.path) {
            continue;
        }
        let path = resolve(&f.path, base);
        match first.get(&path) {
            Some(&i) if files[i].used != FileUse::Reads || f.used != FileUse::Reads => found.push((i, j)),
            Some(_) => {}
            None => {
                first.insert(path.clone(), j);
            }
        }
        if f.used != FileUse::Reads {
            writers.push((j, path));
        }
    }
    for (i, f) in files.iter().enumerate().filter(|(_, f)| f.used == FileUse::Reads && is_glob(&f.path)) {
        for (j, path) in &writers {
            if matches(&f.path, base, path) {
                found.push((i.min(*j), i.max(*j)));
            }
        }
    }
    found.sort_unstable();
    found
}

/// Whether the glob `pattern` (relative to `base`) matches the resolved path `file`.
fn matches(pattern: &str, base: &Path, file: &Path) -> bool {
    // The pattern's folder may be spelt through a link or with `..`: match it resolved.
    let resolved = resolve(pattern, base);
    let (Some(folder), Some(name)) = (resolved.parent(), resolved.file_name()) else {
        return false;
    };
    let folder = resolve(&folder.to_string_lossy(), Path::new("/"));
    glob::Pattern::new(&folder.join(name).to_string_lossy()).is_ok_and(|p| p.matches_path(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str, &str) -> Option<&'static str> {
        move |o: &str, k: &str| pairs.iter().find(|(key, _)| *key == format!("{o}.{k}")).map(|(_, v)| *v)
    }

    #[test]
    fn dead_letters_go_where_the_statement_its_sink_or_the_sink_path_says() {
        let get = config(&[("out.type", "file_sink"), ("out.path", "file://o/x.csv"), ("s2.dlq", "d.jsonl")]);
        assert_eq!(dead_letter_file(&get, "s1", Some("out")).as_deref(), Some("o/x.csv.dlq.jsonl"));
        assert_eq!(dead_letter_file(&get, "s2", Some("out")).as_deref(), Some("d.jsonl"));
        assert_eq!(dead_letter_file(&get, "s3", None), None);
    }

    #[test]
    fn one_file_under_two_spellings_clashes() {
        let dir = std::env::temp_dir().join(format!("velo-spec-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(dir.join("data/in.csv"), "a\n").unwrap();
        let link = dir.join("link.csv");
        let _ = std::fs::remove_file(&link);
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("data/in.csv"), &link).unwrap();
        let f = |object: &str, used, path: &str| AppFile { object: object.into(), used, path: path.into() };
        let files = vec![
            f("in", FileUse::Reads, "./data/in.csv"),
            f("out", FileUse::Writes, "data/../link.csv"),
            f("all", FileUse::Reads, "data/*.csv"),
            f("s", FileUse::DeadLetters, "data/new.csv"),
            f("t", FileUse::DeadLetters, "other/new.csv"),
            f("again", FileUse::Reads, "data/in.csv"),
        ];
        let found = clashes(&files, &dir);
        #[cfg(unix)]
        assert!(found.contains(&(0, 1)), "a symbolic link to the source: {found:?}");
        assert!(found.contains(&(2, 3)), "a file the glob would read next time: {found:?}");
        assert!(!found.iter().any(|&(i, j)| (i, j) == (0, 5) || (i, j) == (2, 5)), "two readers: {found:?}");
        assert!(!found.iter().any(|&(_, j)| j == 4), "{found:?}");
        assert_eq!(resolve("x/../y/./z.csv", Path::new("/nowhere")), PathBuf::from("/nowhere/y/z.csv"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
