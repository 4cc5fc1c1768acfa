//! Output files that readers see whole or not at all. A bounded run writes each file sink and
//! dead-letter file under a temporary name in the target's folder (`.<name>.velo-<pid>.tmp`)
//! and renames it over the target once the run has finished, so the target holds either the
//! previous output or the complete new one — whether the run fails, is stopped or is killed. An
//! appending run writes at the end of the target and, unless it finishes, cuts the file back to
//! what it was. A run over an unbounded input (a watched file) writes the target as it goes, so
//! it can be followed.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How an output file becomes visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staging {
    /// Written under a temporary name, renamed over the target when the run finishes.
    Replace,
    /// Appended to the target; cut back to its old length unless the run finishes.
    Append,
    /// Written at the target as it goes (unbounded runs).
    Live,
}

/// An output file being written; see the module documentation. Dropping it without
/// [`StagedFile::commit`] leaves the target as it was before (except [`Staging::Live`]).
#[derive(Debug)]
pub struct StagedFile {
    target: PathBuf,
    file: File,
    undo: Undo,
}

#[derive(Debug)]
enum Undo {
    /// Remove the temporary file.
    Remove(PathBuf),
    /// Cut the target back to `len` bytes followed by `tail`.
    Restore {
        len: u64,
        tail: Vec<u8>,
    },
    Nothing,
}

impl StagedFile {
    /// Starts writing `target` (its folder must exist). With [`Staging::Append`], `existing`
    /// receives the target's current contents and writes go after them.
    pub fn create(target: &Path, staging: Staging, existing: &mut Vec<u8>) -> io::Result<Self> {
        let (file, undo) = match staging {
            Staging::Replace => {
                let temp = temporary_name(target);
                // One left by a killed run of an earlier process with this id.
                let _ = std::fs::remove_file(&temp);
                let file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
                (file, Undo::Remove(temp))
            }
            Staging::Append => {
                let mut file = OpenOptions::new().create(true).read(true).write(true).truncate(false).open(target)?;
                existing.clear();
                file.read_to_end(existing)?;
                (file, Undo::Restore { len: existing.len() as u64, tail: Vec::new() })
            }
            Staging::Live => (File::create(target)?, Undo::Nothing),
        };
        Ok(Self { target: target.to_path_buf(), file, undo })
    }

    /// The file it will become.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Cuts an appended-to file to its first `keep` bytes (a JSON array's closing `]` goes
    /// before new rows are added); undone with the rest if the run does not finish.
    pub fn cut(&mut self, keep: u64) -> io::Result<()> {
        if let Undo::Restore { len, tail } = &mut self.undo
            && keep < *len
        {
            let mut removed = vec![0; (*len - keep) as usize];
            self.file.seek(SeekFrom::Start(keep))?;
            self.file.read_exact(&mut removed)?;
            removed.extend_from_slice(tail);
            *tail = removed;
            *len = keep;
        }
        self.file.set_len(keep)?;
        self.file.seek(SeekFrom::End(0))?;
        Ok(())
    }

    /// Forces what was written to disk.
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Makes the output visible: synced, then renamed over the target (a replaced file).
    pub fn commit(mut self) -> io::Result<()> {
        self.file.sync_data()?;
        if let Undo::Remove(temp) = std::mem::replace(&mut self.undo, Undo::Nothing) {
            std::fs::rename(&temp, &self.target).inspect_err(|_| {
                let _ = std::fs::remove_file(&temp);
            })?;
            sync_folder(&self.target);
        }
        Ok(())
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.undo, Undo::Nothing) {
            Undo::Remove(temp) => {
                let _ = std::fs::remove_file(temp);
            }
            Undo::Restore { len, tail } => {
                let restored = self.file.set_len(len).and_then(|()| {
                    self.file.seek(SeekFrom::End(0))?;
                    self.file.write_all(&tail)?;
                    self.file.sync_data()
                });
                if let Err(e) = restored {
                    eprintln!("velo: cannot restore `{}` after a failed append: {e}", self.target.display());
                }
            }
            Undo::Nothing => {}
        }
    }
}

/// `.<name>.velo-<pid>.tmp` beside `target`: same folder (so the rename is atomic), hidden, and
/// not matched by a source glob of the target's extension.
fn temporary_name(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.velo-{}.tmp", std::process::id()))
}

/// Makes a rename in the folder of `target` durable (best effort: not every system allows it).
fn sync_folder(target: &Path) {
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(f) = File::open(folder) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("velo-rt-staged-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_replaced_file_appears_whole_on_commit_and_not_at_all_otherwise() {
        let dir = scratch("replace");
        let target = dir.join("out.csv");
        std::fs::write(&target, "old\n").unwrap();
        let mut f = StagedFile::create(&target, Staging::Replace, &mut Vec::new()).unwrap();
        f.write_all(b"new, half").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n", "not visible while written");
        drop(f);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n", "a run that did not finish");
        assert_eq!(files_in(&dir), ["out.csv"], "the temporary file is gone");
        let mut f = StagedFile::create(&target, Staging::Replace, &mut Vec::new()).unwrap();
        f.write_all(b"new\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(files_in(&dir), ["out.csv"]);
    }

    #[test]
    fn an_append_that_does_not_finish_is_undone() {
        let dir = scratch("append");
        let target = dir.join("out.json");
        std::fs::write(&target, "[\n{\"a\":1}\n]\n").unwrap();
        let mut existing = Vec::new();
        let mut f = StagedFile::create(&target, Staging::Append, &mut existing).unwrap();
        assert_eq!(existing, b"[\n{\"a\":1}\n]\n");
        f.cut(9).unwrap();
        f.write_all(b",\n{\"a\":2}").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "[\n{\"a\":1}\n]\n", "restored, `]` included");
        let mut f = StagedFile::create(&target, Staging::Append, &mut existing).unwrap();
        f.cut(9).unwrap();
        f.write_all(b",\n{\"a\":2}\n]\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "[\n{\"a\":1},\n{\"a\":2}\n]\n");
    }
}
