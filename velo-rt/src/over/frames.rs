//! Aggregates and values over frames: ROWS n PRECEDING, RANGE INTERVAL … PRECEDING and
//! unbounded frames, with O(1) sliding for invertible aggregates and the tails of FOLLOWING
//! frames at the end of the input.

use std::collections::VecDeque;

use crate::agg::{Accumulator, Retract};
use crate::error::EvalResult;

/// Where a frame starts; it always ends at the current row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// `UNBOUNDED PRECEDING`.
    Unbounded,
    /// `ROWS n PRECEDING`.
    Rows(usize),
    /// `RANGE INTERVAL … PRECEDING` over a time ORDER BY: rows at most this many milliseconds
    /// before the current one.
    Range(i64),
}

/// The values of a bounded frame, oldest first, with their ORDER BY times for RANGE frames
/// (ROWS frames keep no times: a smaller ring to move through memory).
#[derive(Debug, Clone)]
struct FrameValues<In> {
    values: VecDeque<Option<In>>,
    /// The ORDER BY time of each value (RANGE frames only).
    times: VecDeque<i64>,
}

impl<In> Default for FrameValues<In> {
    fn default() -> Self {
        Self { values: VecDeque::new(), times: VecDeque::new() }
    }
}

impl<In> FrameValues<In> {
    /// The aggregate `A` of the newest `len` values.
    fn fold<A: Accumulator<In> + Default>(&self, len: usize) -> EvalResult<Option<A::Out>> {
        let mut acc = A::default();
        for v in self.values.iter().skip(self.values.len().saturating_sub(len)) {
            acc.update(v.as_ref())?;
        }
        acc.result()
    }

    /// Adds the current row (ORDER BY time `ts`) and hands every value that left the frame to
    /// `gone`.
    fn push(&mut self, v: Option<In>, ts: i64, frame: Frame, mut gone: impl FnMut(Option<In>)) {
        self.values.push_back(v);
        match frame {
            Frame::Rows(p) => {
                while self.values.len() > p + 1 {
                    if let Some(v) = self.values.pop_front() {
                        gone(v);
                    }
                }
            }
            Frame::Range(r) => {
                self.times.push_back(ts);
                while self.times.front().is_some_and(|t| *t < ts.saturating_sub(r)) {
                    self.times.pop_front();
                    if let Some(v) = self.values.pop_front() {
                        gone(v);
                    }
                }
            }
            Frame::Unbounded => {}
        }
    }
}

/// FIRST_VALUE / NTH_VALUE over a RANGE frame: the values of the frame's time span.
#[derive(Debug, Clone)]
pub struct Ranged<T> {
    frame: FrameValues<T>,
}

impl<T> Default for Ranged<T> {
    fn default() -> Self {
        Self { frame: FrameValues::default() }
    }
}

impl<T: Clone> Ranged<T> {
    /// Adds the current row (ORDER BY time `ts`) and returns the `n`-th value (from 1) of the rows
    /// at most `range` ms before it.
    pub fn nth(&mut self, v: Option<T>, ts: i64, n: usize, range: i64) -> Option<T> {
        self.frame.push(v, ts, Frame::Range(range), drop);
        self.frame.values.get(n.checked_sub(1)?).cloned().flatten()
    }
}

/// An aggregate over a frame ending at the current row: unbounded frames keep one running
/// accumulator; bounded ones keep their values and fold them for each row.
#[derive(Debug, Clone)]
pub struct Framed<A, In> {
    running: A,
    frame: FrameValues<In>,
}

impl<A: Default, In> Default for Framed<A, In> {
    fn default() -> Self {
        Self { running: A::default(), frame: FrameValues::default() }
    }
}

impl<A: Accumulator<In>, In: Clone> Framed<A, In> {
    /// Adds the current row's value (ORDER BY time `ts`, used by RANGE frames) and returns the
    /// aggregate over the frame.
    pub fn push(&mut self, v: Option<In>, ts: i64, frame: Frame) -> EvalResult<Option<A::Out>> {
        if frame == Frame::Unbounded {
            self.running.update(v.as_ref())?;
            return self.running.result();
        }
        self.frame.push(v, ts, frame, drop);
        self.frame.fold::<A>(usize::MAX)
    }

    /// At the end of the input, the aggregate of a row whose `FOLLOWING` rows never came: over
    /// the newest `len` values of the frame (an unbounded frame: over everything).
    pub fn tail(&self, len: usize, frame: Frame) -> EvalResult<Option<A::Out>> {
        match frame {
            Frame::Unbounded => self.running.result(),
            _ => self.frame.fold::<A>(len),
        }
    }
}

/// An invertible aggregate (COUNT, SUM and AVG of exact numbers) over a frame: values enter and
/// leave one accumulator, O(1) per row whatever the frame size.
#[derive(Debug, Clone)]
pub struct Sliding<A, In> {
    running: A,
    frame: FrameValues<In>,
}

impl<A: Default, In> Default for Sliding<A, In> {
    fn default() -> Self {
        Self { running: A::default(), frame: FrameValues::default() }
    }
}

impl<A: Retract<In>, In: Clone> Sliding<A, In> {
    /// Adds the current row's value and returns the aggregate over the frame.
    pub fn push(&mut self, v: Option<In>, ts: i64, frame: Frame) -> EvalResult<Option<A::Out>> {
        self.running.update(v.as_ref())?;
        if frame != Frame::Unbounded {
            let running = &mut self.running;
            self.frame.push(v, ts, frame, |old| running.retract(old.as_ref()));
        }
        self.running.result()
    }

    /// See [`Framed::tail`] (a sliding frame is always bounded).
    pub fn tail(&self, len: usize, _frame: Frame) -> EvalResult<Option<A::Out>>
    where
        A: Default,
    {
        self.frame.fold::<A>(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agg::{AvgDecimal, SumInt};
    use crate::decimal::Decimal;
    use crate::over::{Recent, Waiting};

    #[test]
    fn tails_fold_the_newest_values_of_the_frame() {
        // ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING keeps 3 rows; after 1, 2, 4, 8 the last row's
        // frame is (4, 8) and the one before it had (2, 4, 8) when 8 arrived.
        let (mut sliding, mut framed): (Sliding<SumInt, i64>, Framed<SumInt, i64>) = Default::default();
        for v in [1, 2, 4, 8] {
            sliding.push(Some(v), 0, Frame::Rows(2)).unwrap();
            framed.push(Some(v), 0, Frame::Rows(2)).unwrap();
        }
        assert_eq!(sliding.tail(2, Frame::Rows(2)).unwrap(), Some(12));
        assert_eq!(framed.tail(2, Frame::Rows(2)).unwrap(), Some(12));
        assert_eq!(sliding.tail(9, Frame::Rows(2)).unwrap(), Some(14), "never more than the frame holds");
        let mut running: Framed<SumInt, i64> = Framed::default();
        running.push(Some(5), 0, Frame::Unbounded).unwrap();
        running.push(Some(6), 0, Frame::Unbounded).unwrap();
        assert_eq!(running.tail(1, Frame::Unbounded).unwrap(), Some(11), "an unbounded start keeps everything");
        let mut waiting: Waiting<i64> = Waiting::default();
        let (a, b) = (waiting.push(1, 10), waiting.push(1, 20));
        waiting.fill(a, |v| *v += 1);
        waiting.cancel(a);
        waiting.fill(b, |v| *v += 2);
        let mut ready = Vec::new();
        waiting.release(&mut ready);
        assert_eq!(ready, [22], "a cancelled row never comes out");
    }

    #[test]
    fn frames_are_bounded_or_running() {
        let mut last2: Framed<SumInt, i64> = Framed::default();
        let got: Vec<_> = [1, 2, 6, 10].into_iter().map(|v| last2.push(Some(v), 0, Frame::Rows(1)).unwrap()).collect();
        assert_eq!(got, vec![Some(1), Some(3), Some(8), Some(16)]);
        let mut avg: Framed<AvgDecimal<0, 6>, Decimal<0>> = Framed::default();
        let got: Vec<_> = [1, 2, 6]
            .into_iter()
            .map(|v| avg.push(Some(Decimal(v)), 0, Frame::Unbounded).unwrap().map(|d| d.to_string()))
            .collect();
        assert_eq!(got, vec![Some("1.000000".into()), Some("1.500000".into()), Some("3.000000".into())]);
        let mut sliding: Sliding<SumInt, i64> = Sliding::default();
        let got: Vec<_> = [Some(1), Some(2), None, Some(6), None, None]
            .into_iter()
            .map(|v| sliding.push(v, 0, Frame::Rows(1)).unwrap())
            .collect();
        assert_eq!(got, vec![Some(1), Some(3), Some(2), Some(6), Some(6), None], "a frame of only NULLs sums to NULL");
        // RANGE 10 ms PRECEDING: rows at most 10 ms before the current one.
        let mut timed: Sliding<SumInt, i64> = Sliding::default();
        let got: Vec<_> = [(0, 1), (5, 2), (10, 4), (16, 8), (40, 16)]
            .into_iter()
            .map(|(t, v)| timed.push(Some(v), t, Frame::Range(10)).unwrap())
            .collect();
        assert_eq!(got, vec![Some(1), Some(3), Some(7), Some(12), Some(16)], "at 16: the rows at 10 and 16");
        let mut max: Framed<crate::agg::Max<i64>, i64> = Framed::default();
        let got: Vec<_> = [(0, 9), (5, 2), (12, 4)]
            .into_iter()
            .map(|(t, v)| max.push(Some(v), t, Frame::Range(10)).unwrap())
            .collect();
        assert_eq!(got, vec![Some(9), Some(9), Some(4)]);
        let mut first: Recent<i64> = Recent::default();
        let got: Vec<_> = [5, 6, 7].into_iter().map(|v| first.nth(Some(v), 1, Some(1))).collect();
        assert_eq!(got, vec![Some(5), Some(5), Some(6)], "FIRST_VALUE over 1 PRECEDING");
    }
}
