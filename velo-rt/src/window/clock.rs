//! The event-time clock of one windowed statement.

use super::{Fate, Watermarks};

/// The watermark of one statement and how many records were late.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    pub(super) marks: Watermarks,
    pub(super) max_event_time: Option<i64>,
    pub(super) late: u64,
}

impl Clock {
    pub(super) fn new(marks: Watermarks) -> Self {
        Self { marks, max_event_time: None, late: 0 }
    }

    /// The largest accepted event time minus the out-of-orderness (`None` before any record).
    pub(super) fn watermark(&self) -> Option<i64> {
        self.max_event_time.map(|m| m.saturating_sub(self.marks.out_of_orderness))
    }

    /// Everything ending at or before this fires now (everything at the end of the input).
    pub(super) fn firing_line(&self, flush: bool) -> i64 {
        if flush { i64::MAX } else { self.watermark().unwrap_or(i64::MIN) }
    }

    /// A record at `ts` was accepted.
    pub(super) fn accept(&mut self, ts: i64) {
        self.max_event_time = Some(self.max_event_time.map_or(ts, |m| m.max(ts)));
    }

    /// A record at `ts` was late.
    pub(super) fn late(&mut self, ts: i64) -> Fate {
        self.late += 1;
        Fate::Late { event_time: ts, watermark: self.watermark().unwrap_or(i64::MIN) }
    }
}
