//! Event-time windows of a GROUP BY: tumbling and sliding (hopping) windows, the watermark that
//! closes them, and what happens to records that arrive after their window closed.
//!
//! The watermark is the largest event time seen so far minus the allowed out-of-orderness. A
//! window `[start, end)` fires — EMIT FINAL emits one row per group — once the watermark reaches
//! `end`. A record all of whose windows have fired is *late*: it is counted and dropped or
//! dead-lettered, or (`update_previous_window`) folded into the fired window, whose row is then
//! emitted again, until the watermark passes `end + allowed lateness`. The end of a bounded input
//! fires every window. Windows are evicted once they can no longer change, so memory is bounded
//! by the windows the watermark has not yet passed.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::Hash;

use crate::agg::Groups;
use crate::error::{EvalError, EvalResult};
use crate::time::Timestamp;

pub use velo_spec::window::{Hop, LateStrategy, TimeFormat, Watermarks};

/// The start of every window of `hop` that contains `ts`, oldest first.
fn starts(hop: Hop, ts: i64) -> impl Iterator<Item = i64> {
    let Hop { size, advance } = hop;
    let last = ts.div_euclid(advance) * advance;
    // Windows start at `last - j·advance` for every j with `start + size > ts`.
    let count = (size - (ts - last) + advance - 1) / advance;
    (0..count).rev().map(move |j| last - j * advance)
}

/// The bounds of one window (`_window_start`, `_window_end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowBounds {
    /// First millisecond in the window.
    pub start: i64,
    /// First millisecond after the window.
    pub end: i64,
}

impl WindowBounds {
    /// `_window_start` as a TIMESTAMP.
    pub fn start_ts(self) -> Option<Timestamp> {
        Some(Timestamp(self.start))
    }

    /// `_window_end` as a TIMESTAMP.
    pub fn end_ts(self) -> Option<Timestamp> {
        Some(Timestamp(self.end))
    }
}

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Folded into at least one window.
    Placed,
    /// Every window of the record had fired: see [`LateStrategy`].
    Late {
        /// The record's event time.
        event_time: i64,
        /// The watermark it arrived behind.
        watermark: i64,
    },
}

impl Fate {
    /// The dead-letter error of a late record.
    pub fn error(self) -> Option<EvalError> {
        match self {
            Fate::Placed => None,
            Fate::Late { event_time, watermark } => Some(EvalError::Late { event_time, watermark }),
        }
    }
}

/// The event time of a record in milliseconds: a TIMESTAMP, or a BIGINT of epoch milliseconds.
pub trait EventTime {
    /// Milliseconds since the epoch; NULL is an error (the record has no place in time).
    fn event_millis(self) -> EvalResult<i64>;
}

impl EventTime for Option<Timestamp> {
    fn event_millis(self) -> EvalResult<i64> {
        self.map(|t| t.0).ok_or_else(null_event_time)
    }
}

impl EventTime for Option<i64> {
    fn event_millis(self) -> EvalResult<i64> {
        self.ok_or_else(null_event_time)
    }
}

fn null_event_time() -> EvalError {
    EvalError::InvalidArgument("the event time is NULL".into())
}

/// The event time of a text column read with `format`; NULL or text that does not match is a
/// record error.
pub fn text_event_time(text: Option<&str>, format: &TimeFormat) -> EvalResult<i64> {
    let text = text.ok_or_else(null_event_time)?;
    let bad = || EvalError::InvalidArgument(format!("event time `{text}` does not match its format {format:?}"));
    let number = || text.trim().parse::<i64>().map_err(|_| bad());
    match format {
        TimeFormat::EpochMillis => number(),
        TimeFormat::EpochSeconds => number()?.checked_mul(1000).ok_or(EvalError::Overflow),
        TimeFormat::Iso8601 => Timestamp::parse(text).map(|t| t.0).ok_or_else(bad),
        TimeFormat::Pattern(p) => crate::temporal::to_timestamp_with(Some(text.to_string()), Some(p.to_string()))?
            .map(|t| t.0)
            .ok_or_else(bad),
    }
}

/// The event time of a BIGINT column of epoch seconds.
pub fn seconds_event_time(v: Option<i64>) -> EvalResult<i64> {
    v.ok_or_else(null_event_time)?.checked_mul(1000).ok_or(EvalError::Overflow)
}

/// Milliseconds since the epoch now: the event time of windows over processing time.
pub fn processing_time() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The event-time clock of one windowed statement: the watermark and the late-record count.
#[derive(Debug, Clone, Copy)]
struct Clock {
    marks: Watermarks,
    max_event_time: Option<i64>,
    late: u64,
}

impl Clock {
    fn new(marks: Watermarks) -> Self {
        Self { marks, max_event_time: None, late: 0 }
    }

    /// The largest accepted event time minus the out-of-orderness (`None` before any record).
    fn watermark(&self) -> Option<i64> {
        self.max_event_time.map(|m| m.saturating_sub(self.marks.out_of_orderness))
    }

    /// Everything ending at or before this fires now (everything at the end of the input).
    fn firing_line(&self, flush: bool) -> i64 {
        if flush { i64::MAX } else { self.watermark().unwrap_or(i64::MIN) }
    }

    /// A record at `ts` was accepted.
    fn accept(&mut self, ts: i64) {
        self.max_event_time = Some(self.max_event_time.map_or(ts, |m| m.max(ts)));
    }

    /// A record at `ts` was late.
    fn late(&mut self, ts: i64) -> Fate {
        self.late += 1;
        Fate::Late { event_time: ts, watermark: self.watermark().unwrap_or(i64::MIN) }
    }
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

/// One session of one key: `[start, end)` where `end` is the last event + the gap.
struct Session<A> {
    start: i64,
    end: i64,
    acc: A,
    /// Fired, and kept for late records (`update_previous_window`).
    fired: bool,
}

/// Sessions by (end, key index, start).
type ByEnd = std::collections::BTreeSet<(i64, usize, i64)>;

/// SESSION windows (`SESSION(ts, gap)`): per key, a session grows while events come less than
/// `gap` apart; an event that bridges two sessions merges them. A session fires when the watermark
/// passes its end. Late records (whose one-event session would already be closed) are counted;
/// with `update_previous_window`, fired sessions are kept for the allowed lateness, a late record
/// within it reopens the session it joins, and the corrected session fires again.
pub struct Sessions<K, A> {
    gap: i64,
    clock: Clock,
    /// Per key (first-appearance order), its sessions, oldest first.
    keys: Groups<K, Vec<Session<A>>>,
    /// Every session that has not fired: the firing order.
    by_end: ByEnd,
    /// Fired sessions kept for late records: the eviction order.
    fired: ByEnd,
    /// (key index, session start) updated by the last record.
    touched: Option<(usize, i64)>,
}

impl<K: std::fmt::Debug, A> std::fmt::Debug for Sessions<K, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("gap", &self.gap)
            .field("open", &self.by_end.len())
            .field("fired", &self.fired.len())
            .field("late", &self.clock.late)
            .finish()
    }
}

impl<K, A> Sessions<K, A> {
    /// No sessions yet.
    pub fn new(gap: i64, marks: Watermarks) -> Self {
        let (by_end, fired) = Default::default();
        Self { gap, clock: Clock::new(marks), keys: Groups::default(), by_end, fired, touched: None }
    }

    /// How many records were late.
    pub fn late(&self) -> u64 {
        self.clock.late
    }

    /// How many sessions are held (open, or fired and still accepting late records).
    pub fn held(&self) -> usize {
        self.by_end.len() + self.fired.len()
    }
}

/// Takes session `s` of key `g` out of the firing or the eviction order.
fn unschedule<A>(by_end: &mut ByEnd, fired: &mut ByEnd, g: usize, s: &Session<A>) {
    let order = if s.fired { fired } else { by_end };
    order.remove(&(s.end, g, s.start));
}

impl<K: Hash + Eq + Clone, A: Default + Clone> Sessions<K, A> {
    /// Folds a record with event time `ts` into its key's session (found by a borrowed `probe`,
    /// see [`Groups::entry_by`]), merging the sessions it bridges with `merge` (older first);
    /// `fold` adds the record to an empty accumulator first, and the sessions change only once
    /// every merge succeeded, so a failing record changes nothing. A session the record joins
    /// is open again, even if it had fired: it fires (again) once the watermark passes its end.
    #[allow(clippy::too_many_arguments)]
    pub fn update<Q: Hash + ?Sized>(
        &mut self,
        ts: i64,
        probe: &Q,
        matches: impl Fn(&K) -> bool,
        to_owned: impl FnOnce() -> K,
        merge: impl Fn(&mut A, &A) -> EvalResult<()>,
        fold: impl FnOnce(&mut A) -> EvalResult<()>,
    ) -> EvalResult<Fate> {
        self.touched = None;
        let end = ts.saturating_add(self.gap);
        if let Some(w) = self.clock.watermark().filter(|w| end <= *w) {
            let marks = self.clock.marks;
            if marks.late != LateStrategy::UpdatePreviousWindow || end.saturating_add(marks.allowed_lateness) <= w {
                return Ok(self.clock.late(ts));
            }
        }
        let mut single = A::default();
        fold(&mut single)?;
        let (g, sessions) = self.keys.entry_by(probe, matches, to_owned);
        let overlaps = |s: &Session<A>| s.start < end && ts < s.end;
        if sessions.iter().filter(|s| overlaps(s)).count() == 1
            && let Some(s) = sessions.iter_mut().find(|s| overlaps(s))
        {
            // The common case, a record extending its session: merged in place (a failing merge
            // changes nothing). The session stays disjoint from its neighbours, so in order.
            merge(&mut s.acc, &single)?;
            unschedule(&mut self.by_end, &mut self.fired, g, s);
            (s.start, s.end, s.fired) = (s.start.min(ts), s.end.max(end), false);
            self.by_end.insert((s.end, g, s.start));
            self.touched = Some((g, s.start));
            self.clock.accept(ts);
            return Ok(Fate::Placed);
        }
        // A new session, or one bridging several: merge first (older sessions first, then the
        // record) and change nothing until every merge succeeded.
        let (mut start, mut last_end) = (ts, end);
        let mut acc: Option<A> = None;
        for s in sessions.iter().filter(|s| overlaps(s)) {
            start = start.min(s.start);
            last_end = last_end.max(s.end);
            match &mut acc {
                None => acc = Some(s.acc.clone()),
                Some(a) => merge(a, &s.acc)?,
            }
        }
        let mut acc = acc.unwrap_or_default();
        merge(&mut acc, &single)?;
        for s in sessions.iter().filter(|s| overlaps(s)) {
            unschedule(&mut self.by_end, &mut self.fired, g, s);
        }
        sessions.retain(|s| !overlaps(s));
        let at = sessions.iter().position(|s| s.start > start).unwrap_or(sessions.len());
        sessions.insert(at, Session { start, end: last_end, acc, fired: false });
        self.by_end.insert((last_end, g, start));
        self.touched = Some((g, start));
        self.clock.accept(ts);
        Ok(Fate::Placed)
    }

    fn session(&self, g: usize, start: i64) -> Option<(WindowBounds, &K, &A)> {
        let (k, sessions) = self.keys.get(g);
        let s = sessions.iter().find(|s| s.start == start)?;
        Some((WindowBounds { start: s.start, end: s.end }, k, &s.acc))
    }

    /// The session the last record updated (EMIT CHANGES).
    pub fn touched(&self) -> impl Iterator<Item = (WindowBounds, &K, &A)> {
        self.touched.and_then(|(g, start)| self.session(g, start)).into_iter()
    }

    /// Nothing: a session a late record corrects is open again and fires again through
    /// [`Sessions::fire`].
    pub fn amended(&self) -> impl Iterator<Item = (WindowBounds, &K, &A)> {
        std::iter::empty()
    }

    /// Fires the sessions the watermark has passed (all when `flush`), by end then key, passing
    /// each to `emit` when `rows` (EMIT FINAL); forgets them, or with `update_previous_window`
    /// keeps them until the watermark passes their end + the allowed lateness.
    pub fn fire<E>(
        &mut self,
        flush: bool,
        rows: bool,
        mut emit: impl FnMut(WindowBounds, Cow<'_, K>, &A) -> Result<(), E>,
    ) -> Result<(), E> {
        let watermark = self.clock.firing_line(flush);
        let marks = self.clock.marks;
        let keep = !flush && marks.late == LateStrategy::UpdatePreviousWindow;
        while let Some(&(end, g, start)) = self.by_end.first() {
            if end > watermark {
                break;
            }
            self.by_end.pop_first();
            if rows && let Some((b, k, a)) = self.session(g, start) {
                emit(b, Cow::Borrowed(k), a)?;
            }
            let (_, sessions) = self.keys.get_mut(g);
            match sessions.iter_mut().find(|s| s.start == start) {
                Some(s) if keep => {
                    s.fired = true;
                    self.fired.insert((end, g, start));
                }
                _ => sessions.retain(|s| s.start != start),
            }
        }
        while let Some(&(end, g, start)) = self.fired.first() {
            if keep && end.saturating_add(marks.allowed_lateness) > watermark {
                break;
            }
            self.fired.pop_first();
            self.keys.get_mut(g).1.retain(|s| s.start != start);
        }
        self.touched = None;
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
    fn event_times_in_every_format() {
        assert_eq!(text_event_time(Some("1704067200000"), &TimeFormat::EpochMillis), Ok(1_704_067_200_000));
        assert_eq!(text_event_time(Some("1704067200"), &TimeFormat::EpochSeconds), Ok(1_704_067_200_000));
        assert_eq!(text_event_time(Some("2024-01-01T00:00:00Z"), &TimeFormat::Iso8601), Ok(1_704_067_200_000));
        assert_eq!(
            text_event_time(Some("01/01/2024 00:00:01"), &TimeFormat::pattern("%d/%m/%Y %H:%M:%S")),
            Ok(1_704_067_201_000)
        );
        assert!(text_event_time(Some("yesterday"), &TimeFormat::Iso8601).is_err());
        assert!(text_event_time(None, &TimeFormat::EpochMillis).is_err());
        assert_eq!(seconds_event_time(Some(2)), Ok(2000));
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
    fn sessions_grow_merge_and_fire_after_the_gap() {
        let mut s: Sessions<String, Count> = Sessions::new(10_000, marks(0, LateStrategy::Drop, 0));
        let mut out = Vec::new();
        let mut feed = |s: &mut Sessions<String, Count>, ts: i64, key: &str| {
            let owned = key.to_string();
            let fate = s
                .update(
                    ts,
                    &owned,
                    |k| k == key,
                    || owned.clone(),
                    Accumulator::<()>::merge,
                    |a| Accumulator::<()>::update(a, Some(&())),
                )
                .unwrap();
            s.fire(false, true, |b, k: Cow<'_, String>, a: &Count| -> Result<(), ()> {
                out.push((k.into_owned(), b.start, b.end, Accumulator::<()>::result(a).unwrap().unwrap()));
                Ok(())
            })
            .unwrap();
            fate
        };
        feed(&mut s, 0, "a");
        feed(&mut s, 5_000, "a"); // joins: [0, 15 s)
        feed(&mut s, 30_000, "a"); // a new session; the watermark (30 s) closes the first
        feed(&mut s, 21_000, "a"); // bridges [30, 40) and its own [21, 31): merged [21, 40)
        feed(&mut s, 31_000, "b");
        assert_eq!(feed(&mut s, 1_000, "a"), Fate::Late { event_time: 1_000, watermark: 31_000 });
        s.fire(false, true, |b, k: Cow<'_, String>, a: &Count| -> Result<(), ()> {
            out.push((k.into_owned(), b.start, b.end, Accumulator::<()>::result(a).unwrap().unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(out, vec![("a".into(), 0, 15_000, 2)]);
        assert_eq!(s.held(), 2);
        let mut rest = Vec::new();
        s.fire(true, true, |b, k: Cow<'_, String>, a: &Count| -> Result<(), ()> {
            rest.push((k.into_owned(), b.start, b.end, Accumulator::<()>::result(a).unwrap().unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(rest, vec![("a".into(), 21_000, 40_000, 2), ("b".into(), 31_000, 41_000, 1)]);
        assert_eq!((s.held(), s.late()), (0, 1));
    }

    #[test]
    fn late_records_reopen_fired_sessions_within_the_allowed_lateness() {
        let mut s: Sessions<String, Count> =
            Sessions::new(10_000, marks(0, LateStrategy::UpdatePreviousWindow, 30_000));
        let mut out = Vec::new();
        let mut feed = |s: &mut Sessions<String, Count>, ts: i64| {
            let fate = s
                .update(
                    ts,
                    "a",
                    |k| k == "a",
                    || "a".to_string(),
                    Accumulator::<()>::merge,
                    |a| Accumulator::<()>::update(a, Some(&())),
                )
                .unwrap();
            s.fire(false, true, |b, _, a: &Count| -> Result<(), ()> {
                out.push((b.start, b.end, Accumulator::<()>::result(a).unwrap().unwrap()));
                Ok(())
            })
            .unwrap();
            fate
        };
        feed(&mut s, 0); // [0, 10 s)
        feed(&mut s, 20_000); // the watermark (20 s) fires [0, 10 s); it is kept until 40 s
        feed(&mut s, 5_000); // late, within the lateness: joins it → [0, 15 s), 2, fires again
        feed(&mut s, 100_000); // fires [20, 30 s); both fired sessions are evicted
        assert_eq!(feed(&mut s, 50_000), Fate::Late { event_time: 50_000, watermark: 100_000 });
        assert_eq!((s.held(), s.late()), (1, 1));
        s.fire(true, true, |b, _, a: &Count| -> Result<(), ()> {
            out.push((b.start, b.end, Accumulator::<()>::result(a).unwrap().unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(out, vec![(0, 10_000, 1), (0, 15_000, 2), (20_000, 30_000, 1), (100_000, 110_000, 1)]);
        assert_eq!(s.held(), 0);
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
