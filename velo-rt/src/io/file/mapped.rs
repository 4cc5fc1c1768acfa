//! Memory-mapped input files, read in windows: the pages of a window are handed back to the OS
//! once it has been read, so resident memory stays at a few windows per reader thread whatever
//! the file size.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::error::FatalError;

/// Bytes read between two releases of mapped pages.
pub(super) const WINDOW: usize = 8 << 20;

/// A read-only memory map of one input file.
pub(super) struct Mapped {
    map: Mmap,
    /// Bytes per window (tests use tiny windows to cross many boundaries).
    window: usize,
}

impl Mapped {
    /// Maps `file`; `None` for an empty file.
    pub(super) fn open(file: &Path) -> Result<Option<Self>, FatalError> {
        let f = File::open(file).map_err(|e| FatalError(format!("cannot open `{}`: {e}", file.display())))?;
        if f.metadata()?.len() == 0 {
            return Ok(None);
        }
        // SAFETY: the file is opened read-only. If another process truncates it while it is
        // mapped, reading the lost pages raises SIGBUS, which `report_truncated_inputs` turns
        // into an error message and exit code 1 (what a file source documents).
        let map = unsafe { Mmap::map(&f) }.map_err(|e| FatalError(format!("cannot map `{}`: {e}", file.display())))?;
        Ok(Some(Self { map, window: WINDOW }))
    }

    /// The same map read in windows of `window` bytes.
    pub(super) fn with_window(self, window: usize) -> Self {
        Self { window, ..self }
    }

    /// The windows of `from..to` as `(start, end)`, each ending at a line boundary (see
    /// [`window_end`]); the reader releases each once read.
    pub(super) fn windows(&self, from: usize, to: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut pos = from;
        std::iter::from_fn(move || {
            (pos < to).then(|| {
                let end = window_end(self.data(), pos, to, self.window);
                let window = (pos, end);
                pos = end;
                window
            })
        })
    }

    /// Bytes per window.
    pub(super) fn window(&self) -> usize {
        self.window
    }

    /// The file's bytes.
    pub(super) fn data(&self) -> &[u8] {
        &self.map
    }

    /// Drops the resident pages that lie wholly inside `from..to`. Their contents stay valid:
    /// touching them again reads them back from the page cache.
    pub(super) fn release(&self, from: usize, to: usize) {
        #[cfg(target_os = "linux")]
        {
            const PAGE: usize = 4096;
            let (from, to) = (from.next_multiple_of(PAGE), to - to % PAGE);
            if to > from {
                // SAFETY: the mapping is shared, read-only and file-backed, so MADV_DONTNEED only
                // unmaps clean pages; later reads fault the unchanged file contents back in. The
                // advice is a hint: failing to give it changes nothing but memory use.
                let _ = unsafe { self.map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from) };
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (from, to);
    }
}

/// Makes the SIGBUS that reading a mapped input raises once another process has truncated it a
/// clear error: the message below and exit code 1, instead of a crash. Outputs being replaced are
/// only written to temporary files until the run ends, so their targets stay as they were.
pub(crate) fn report_truncated_inputs() -> std::io::Result<()> {
    const MESSAGE: &[u8] = b"velo: error: an input file became shorter while it was read (another process \
truncated it); the run is stopped and the outputs it replaces are left as they were\n";
    let on_sigbus = || {
        use std::io::Write;
        use std::os::fd::FromRawFd;
        // SAFETY: fd 2 is standard error, open for the life of the process; ManuallyDrop keeps
        // it open. `write` on a File is one write(2) call, which is async-signal-safe.
        let mut stderr = std::mem::ManuallyDrop::new(unsafe { File::from_raw_fd(2) });
        let _ = stderr.write_all(MESSAGE);
        signal_hook::low_level::exit(1);
    };
    // SAFETY: the action only writes to fd 2 and calls _exit, both async-signal-safe; it never
    // returns, so the faulting access is not retried.
    unsafe { signal_hook::low_level::register(signal_hook::consts::SIGBUS, on_sigbus) }.map(|_| ())
}

/// A byte range of a file that starts at a record boundary, with the line number of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Range {
    pub start: usize,
    pub end: usize,
    pub first_line: u64,
}

/// Where the window that starts at `from` ends: at the first line boundary at least `window`
/// bytes on, or at `end`.
fn window_end(data: &[u8], from: usize, end: usize, window: usize) -> usize {
    let target = from.saturating_add(window);
    if target >= end {
        return end;
    }
    memchr::memchr(b'\n', &data[target..end]).map_or(end, |i| target + i + 1)
}

/// Splits `data[start..]` into at most `n` pieces of about equal size that begin and end at
/// line boundaries.
pub(super) fn split_lines(data: &[u8], start: usize, n: usize) -> Vec<(usize, usize)> {
    let len = data.len();
    let step = (len - start.min(len)) / n.max(1);
    let mut pieces = Vec::new();
    let mut from = start.min(len);
    while from < len {
        let to = if pieces.len() + 1 >= n || step == 0 { len } else { window_end(data, from, len, step.max(1)) };
        pieces.push((from, to));
        from = to;
    }
    pieces
}

/// What a pre-scan of a range found: its line count and whether it has a quote character (then
/// a quoted field could span lines, and the file cannot be split at line boundaries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Scan {
    pub newlines: u64,
    pub quotes: bool,
}

/// Scans `from..to` window by window, releasing each window's pages.
pub(super) fn scan(mapped: &Mapped, from: usize, to: usize) -> Scan {
    let data = mapped.data();
    let mut found = Scan::default();
    for (pos, end) in mapped.windows(from, to) {
        found.newlines += memchr::memchr_iter(b'\n', &data[pos..end]).count() as u64;
        found.quotes |= memchr::memchr(b'"', &data[pos..end]).is_some();
        mapped.release(pos, end);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_everything_once_at_line_boundaries() {
        let data = b"h\na\nbb\nccc\ndddd\ne\n";
        for n in 1..8 {
            let pieces = split_lines(data, 2, n);
            assert_eq!(pieces.first().map(|p| p.0), Some(2));
            assert_eq!(pieces.last().map(|p| p.1), Some(data.len()));
            for w in pieces.windows(2) {
                assert_eq!(w[0].1, w[1].0);
                assert_eq!(data[w[0].1 - 1], b'\n', "pieces end at line boundaries");
            }
            assert!(pieces.len() <= n);
        }
        assert!(split_lines(b"h\n", 2, 4).is_empty());
    }

    /// Run in a child process by the test below: maps a file, truncates it and reads it.
    #[test]
    fn truncated_child() {
        let Some(path) = std::env::var_os("VELO_TRUNCATED_CHILD") else { return };
        report_truncated_inputs().unwrap();
        std::fs::write(&path, vec![b'x'; 1 << 20]).unwrap();
        let mapped = Mapped::open(Path::new(&path)).unwrap().unwrap();
        File::options().write(true).open(&path).unwrap().set_len(0).unwrap();
        let tail = mapped.data()[(1 << 20) - 1];
        panic!("read {tail} from a truncated file");
    }

    #[test]
    fn reading_a_file_truncated_by_another_process_is_a_clear_error_not_a_crash() {
        let path = std::env::temp_dir().join(format!("velo-rt-truncated-{}", std::process::id()));
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "io::file::mapped::tests::truncated_child", "--nocapture", "--test-threads=1"])
            .env("VELO_TRUNCATED_CHILD", &path)
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("an input file became shorter while it was read"), "{stderr}");
    }

    #[test]
    fn windows_end_after_a_newline_or_at_the_end() {
        let data = b"aaaa\nbb\ncccccc";
        assert_eq!(window_end(data, 0, data.len(), 2), 5);
        assert_eq!(window_end(data, 5, data.len(), 1), 8);
        assert_eq!(window_end(data, 8, data.len(), 2), data.len());
        assert_eq!(window_end(data, 0, data.len(), 100), data.len());
    }
}
