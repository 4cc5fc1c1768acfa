//! Tumbling and sliding windows: fixed-size windows of groups, fired by the watermark.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::Hash;

use super::clock::Clock;
use super::{Fate, Hop, LateStrategy, Watermarks, WindowBounds};
use crate::agg::Groups;
use crate::error::EvalResult;

/// The start of every window of `hop` that contains `ts`, oldest first.
fn starts(hop: Hop, ts: i64) -> impl Iterator<Item = i64> {
    let Hop { size, advance } = hop;
    let last = ts.div_euclid(advance) * advance;
    // Windows start at `last - j·advance` for every j with `start + size > ts`.
    let count = (size - (ts - last) + advance - 1) / advance;
    (0..count).rev().map(move |j| last - j * advance)
}

struct Window<K, A> {
    groups: Groups<K, A>,
    fired: bool,
}

/// The open (and recently fired) windows of one statement, each with its groups in order of
/// first appearance.
pub struct Windows<K, A> {
    hop: Hop,
    clock: Clock,
    /// By window start; a window's end grows with its start, so this is also firing order.
    windows: BTreeMap<i64, Window<K, A>>,
    /// (window start, group index) updated by the last record.
    touched: Vec<(i64, usize)>,
    /// Group tables of evicted windows, emptied, kept for the next windows (their hash tables
    /// do not grow from nothing again every window).
    spare: Vec<Groups<K, A>>,
}

impl<K: std::fmt::Debug, A: std::fmt::Debug> std::fmt::Debug for Windows<K, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Windows")
            .field("hop", &self.hop)
            .field("open", &self.windows.len())
            .field("watermark", &self.watermark())
            .field("late", &self.clock.late)
            .finish()
    }
}

impl<K, A> Windows<K, A> {
    /// No windows yet.
    pub fn new(hop: Hop, marks: Watermarks) -> Self {
        Self { hop, clock: Clock::new(marks), windows: BTreeMap::new(), touched: Vec::new(), spare: Vec::new() }
    }

    /// The current watermark (`None` before the first record).
    pub fn watermark(&self) -> Option<i64> {
        self.clock.watermark()
    }

    /// Time has reached `now` without a record (processing time, or a source's watermark): the
    /// watermark follows as if a record at `now` had come; [`Windows::fire`] then fires what it
    /// passed.
    pub fn advance(&mut self, now: i64) {
        self.clock.accept(now);
    }

    /// How many records were late.
    pub fn late(&self) -> u64 {
        self.clock.late
    }

    /// How many windows are held (open, or fired and still accepting late records).
    pub fn held(&self) -> usize {
        self.windows.len()
    }

    fn bounds(&self, start: i64) -> WindowBounds {
        WindowBounds { start, end: start.saturating_add(self.hop.size) }
    }
}

impl<K: Hash + Eq + Clone, A: Default> Windows<K, A> {
    /// Folds a record with event time `ts` into every window that contains it and still
    /// accepts it; `fold` finds the record's group among a window's groups, updates it and
    /// returns its index. Fails when `fold` fails.
    pub fn update(
        &mut self,
        ts: i64,
        mut fold: impl FnMut(&mut Groups<K, A>) -> EvalResult<usize>,
    ) -> EvalResult<Fate> {
        self.touched.clear();
        let watermark = self.watermark();
        let marks = self.clock.marks;
        let amend = marks.late == LateStrategy::UpdatePreviousWindow;
        let mut behind = false;
        for start in starts(self.hop, ts) {
            let end = self.bounds(start).end;
            if let Some(w) = watermark.filter(|w| end <= *w) {
                behind = true;
                if !amend || end.saturating_add(marks.allowed_lateness) <= w {
                    continue;
                }
            }
            let spare = &mut self.spare;
            let window = self
                .windows
                .entry(start)
                .or_insert_with(|| Window { groups: spare.pop().unwrap_or_default(), fired: false });
            let g = fold(&mut window.groups)?;
            self.touched.push((start, g));
        }
        if self.touched.is_empty() && behind {
            return Ok(self.clock.late(ts));
        }
        self.clock.accept(ts);
        Ok(Fate::Placed)
    }

    /// The groups the last record updated, with their window: EMIT CHANGES emits them all.
    pub fn touched(&self) -> impl Iterator<Item = (WindowBounds, &K, &A)> {
        self.touched.iter().filter_map(|&(start, g)| {
            let (k, a) = self.windows.get(&start)?.groups.get(g);
            Some((self.bounds(start), k, a))
        })
    }

    /// The groups the last record updated in windows that had already fired
    /// (`update_previous_window`): EMIT FINAL emits their corrected rows.
    pub fn amended(&self) -> impl Iterator<Item = (WindowBounds, &K, &A)> {
        self.touched.iter().filter_map(|&(start, g)| {
            let w = self.windows.get(&start).filter(|w| w.fired)?;
            let (k, a) = w.groups.get(g);
            Some((self.bounds(start), k, a))
        })
    }

    /// Fires the windows the watermark has reached (every window when `flush`, at the end of
    /// the input), oldest first, passing each group to `emit` when `rows` (EMIT FINAL); then
    /// evicts the windows that can no longer change. A window evicted as it fires hands its keys
    /// over (`Cow::Owned`); one kept for late records lends them.
    pub fn fire<E>(
        &mut self,
        flush: bool,
        rows: bool,
        mut emit: impl FnMut(WindowBounds, Cow<'_, K>, &A) -> Result<(), E>,
    ) -> Result<(), E> {
        let watermark = self.clock.firing_line(flush);
        let size = self.hop.size;
        let marks = self.clock.marks;
        let amend = marks.late == LateStrategy::UpdatePreviousWindow;
        for (&start, window) in self.windows.iter_mut() {
            let bounds = WindowBounds { start, end: start.saturating_add(size) };
            if bounds.end > watermark {
                break;
            }
            if !window.fired {
                window.fired = true;
                if rows && (flush || !amend) {
                    for (k, a) in window.groups.drain() {
                        emit(bounds, Cow::Owned(k), &a)?;
                    }
                } else if rows {
                    for (k, a) in window.groups.iter() {
                        emit(bounds, Cow::Borrowed(k), a)?;
                    }
                }
            }
        }
        let keep = if amend { marks.allowed_lateness } else { 0 };
        while let Some(entry) = self.windows.first_entry() {
            let end = entry.key().saturating_add(size);
            if !entry.get().fired || (!flush && end.saturating_add(keep) > watermark) {
                break;
            }
            let mut groups = entry.remove().groups;
            if self.spare.len() < 4 {
                groups.clear();
                self.spare.push(groups);
            }
        }
        self.touched.clear();
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::owned_cow, reason = "the test windows are keyed by String, so they lend `Cow<String>`")]
mod tests {
    use super::*;
    use crate::agg::{Accumulator, Count};

    const MIN: i64 = 60_000;

    fn tumbling(size: i64) -> Hop {
        Hop { size, advance: size }
    }

    fn marks(out_of_orderness: i64, late: LateStrategy, allowed_lateness: i64) -> Watermarks {
        Watermarks { out_of_orderness, allowed_lateness, late }
    }

    /// Feeds (event time, key) records; returns every emitted (start, key, count) in order.
    fn run(kind: Hop, marks: Watermarks, records: &[(i64, &str)], rows: bool) -> (Vec<(i64, String, i64)>, u64) {
        let mut w: Windows<String, Count> = Windows::new(kind, marks);
        let mut out = Vec::new();
        let mut emit = |b: WindowBounds, k: Cow<'_, String>, a: &Count| -> Result<(), ()> {
            out.push((b.start, k.into_owned(), Accumulator::<()>::result(a).unwrap().unwrap()));
            Ok(())
        };
        for &(ts, key) in records {
            let fate = w
                .update(ts, |groups| {
                    let (g, acc) = groups.entry(&key.to_string());
                    Accumulator::<()>::update(acc, Some(&()))?;
                    Ok(g)
                })
                .unwrap();
            if fate == Fate::Placed {
                for (b, k, a) in w.amended() {
                    emit(b, Cow::Borrowed(k), a).unwrap();
                }
            }
            w.fire(false, rows, &mut emit).unwrap();
        }
        w.fire(true, rows, &mut emit).unwrap();
        assert_eq!(w.held(), 0, "the end of input evicts every window");
        (out, w.late())
    }

    #[test]
    fn sliding_windows_cover_every_containing_start() {
        let kind = Hop { size: 5 * MIN, advance: MIN };
        let all: Vec<i64> = starts(kind, 7 * MIN + 30_000).collect();
        assert_eq!(all, vec![3 * MIN, 4 * MIN, 5 * MIN, 6 * MIN, 7 * MIN]);
        assert_eq!(starts(tumbling(MIN), -1).collect::<Vec<_>>(), vec![-MIN], "epoch-aligned below 0");
        assert_eq!(starts(tumbling(MIN), MIN).collect::<Vec<_>>(), vec![MIN], "end is exclusive");
    }

    #[test]
    fn tumbling_windows_fire_when_the_watermark_passes_their_end() {
        let recs = [(10, "a"), (20, "b"), (MIN + 5, "a"), (30, "a"), (2 * MIN, "b")];
        // No out-of-orderness: the record at 30 ms arrives after window 0 fired: late.
        let (out, late) = run(tumbling(MIN), marks(0, LateStrategy::Drop, 0), &recs, true);
        assert_eq!(out, vec![(0, "a".into(), 1), (0, "b".into(), 1), (MIN, "a".into(), 1), (2 * MIN, "b".into(), 1)]);
        assert_eq!(late, 1);
        // With 10 s out-of-orderness the watermark is behind, and the record counts.
        let (out, late) = run(tumbling(MIN), marks(10_000, LateStrategy::Drop, 0), &recs, true);
        assert_eq!(out[0], (0, "a".into(), 2));
        assert_eq!(late, 0);
    }

    #[test]
    fn update_previous_window_re_emits_within_the_allowed_lateness() {
        let recs = [(10, "a"), (MIN + 5, "a"), (30, "a"), (3 * MIN, "a"), (40, "a")];
        let strategy = marks(0, LateStrategy::UpdatePreviousWindow, MIN);
        let (out, late) = run(tumbling(MIN), strategy, &recs, true);
        // Window 0 fires at 1:00.005 with 1, is amended to 2 by the record at 30 ms; at 3:00 the
        // watermark passes 0:00 + 1 min + 1 min lateness, so the record at 40 ms is late.
        assert_eq!(out, vec![(0, "a".into(), 1), (0, "a".into(), 2), (MIN, "a".into(), 1), (3 * MIN, "a".into(), 1)]);
        assert_eq!(late, 1);
    }

    #[test]
    fn emit_changes_mode_still_evicts_windows() {
        let recs: Vec<(i64, &str)> = (0..1000).map(|i| (i * MIN, "k")).collect();
        let mut w: Windows<String, Count> = Windows::new(tumbling(MIN), marks(0, LateStrategy::Drop, 0));
        for (ts, key) in recs {
            w.update(ts, |groups| Ok(groups.entry(&key.to_string()).0)).unwrap();
            assert_eq!(w.touched().count(), 1);
            w.fire(false, false, |_, _, _| Err(())).unwrap();
            assert!(w.held() <= 1, "closed windows are evicted on a long ordered stream");
        }
    }
}
