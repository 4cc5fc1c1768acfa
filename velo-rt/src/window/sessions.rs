//! SESSION windows.

use std::borrow::Cow;
use std::hash::Hash;

use super::clock::Clock;
use super::{Fate, LateStrategy, Watermarks, WindowBounds};
use crate::agg::Groups;
use crate::error::EvalResult;

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

    /// Time has reached `now` without a record: see [`crate::window::Windows::advance`].
    pub fn advance(&mut self, now: i64) {
        self.clock.accept(now);
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
#[allow(clippy::owned_cow, reason = "the test sessions are keyed by String, so they lend `Cow<String>`")]
mod tests {
    use super::*;
    use crate::agg::{Accumulator, Count};

    fn marks(out_of_orderness: i64, late: LateStrategy, allowed_lateness: i64) -> Watermarks {
        Watermarks { out_of_orderness, allowed_lateness, late }
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
}
