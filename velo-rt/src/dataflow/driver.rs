//! The driver: one loop that runs every source of an app together. Each turn it polls the
//! input furthest behind in event time (ties in turn), so inputs interleave batch by batch;
//! between polls it advances processing time — windows over processing time fire and sinks
//! flush without a new record — and it stops cleanly when asked (SIGTERM/SIGINT): no more
//! reading, sinks flushed and closed, the summary printed. When every input has ended (bounded
//! files), the dataflow gets the end of the input (EMIT FINAL groups, waiting rows) first.
//!
//! Everything per record stays synchronous and monomorphic: an [`Input`] is polled through one
//! virtual call per batch, and pushes each record into the generated dataflow directly.

use std::time::{Duration, Instant};

use super::{Flow, Polled, Record, Source};
use crate::app::Context;
use crate::error::{DecodeError, FatalError};
use crate::window::processing_time;

/// How often the driver's timers fire.
#[derive(Debug, Clone, Copy)]
pub struct Timers {
    /// How often processing time advances the dataflow (windows over processing time fire).
    pub tick: Duration,
    /// How often sinks are flushed while a run goes on.
    pub flush: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Self { tick: Duration::from_millis(100), flush: Duration::from_secs(1) }
    }
}

/// How long the driver sleeps when no input has data.
const IDLE: Duration = Duration::from_millis(10);

/// What the driver needs of a generated dataflow.
pub trait Dataflow {
    /// Processing time is now `now` (epoch ms): windows over processing time fire.
    fn tick(&mut self, now: i64) -> Result<(), FatalError>;
    /// Every input has ended: EMIT FINAL groups and rows still waiting are emitted.
    fn finish(&mut self) -> Result<(), FatalError>;
    /// Buffered rows go to their sinks.
    fn flush(&mut self) -> Result<(), FatalError>;
    /// Sinks and dead-letter files are closed and the statements' summaries recorded.
    fn close(self, ctx: &mut Context) -> Result<(), FatalError>;
}

/// One input of a dataflow `D`: a source and the function that pushes its records into `D`.
pub trait Input<D> {
    /// Reads one batch into `dataflow`.
    fn poll(&mut self, dataflow: &mut D) -> Result<Polled, FatalError>;
    /// The source's watermark hint.
    fn watermark(&self) -> Option<i64>;
    /// Records the source's summary line.
    fn report(&self, ctx: &mut Context);
}

/// The input that reads `source` and hands every record to `push`.
pub fn read<D, S, F>(source: S, push: F) -> Box<dyn Input<D>>
where
    S: Source + 'static,
    F: FnMut(&mut D, Result<&S::Row, DecodeError>, &Record<'_>) -> Result<Flow, FatalError> + 'static,
{
    Box::new(Read { source, push })
}

struct Read<S, F> {
    source: S,
    push: F,
}

impl<D, S, F> Input<D> for Read<S, F>
where
    S: Source,
    F: FnMut(&mut D, Result<&S::Row, DecodeError>, &Record<'_>) -> Result<Flow, FatalError>,
{
    fn poll(&mut self, dataflow: &mut D) -> Result<Polled, FatalError> {
        let push = &mut self.push;
        let mut consume = |row: Result<&S::Row, DecodeError>, rec: &Record<'_>| push(dataflow, row, rec);
        self.source.poll(&mut consume)
    }

    fn watermark(&self) -> Option<i64> {
        self.source.watermark()
    }

    fn report(&self, ctx: &mut Context) {
        ctx.source_done(self.source.name(), &self.source.location(), self.source.records());
    }
}

/// Runs `inputs` into `dataflow` until they end or the run is asked to stop, then closes the
/// dataflow. See the module documentation.
pub fn drive<D: Dataflow>(
    ctx: &mut Context,
    mut dataflow: D,
    mut inputs: Vec<Box<dyn Input<D>>>,
) -> Result<(), FatalError> {
    let mut active: Vec<usize> = (0..inputs.len()).collect();
    let mut turn = 0usize;
    let timers = ctx.timers;
    let (mut next_tick, mut next_flush) = (Instant::now() + timers.tick, Instant::now() + timers.flush);
    let mut idle = vec![false; inputs.len()];
    while !active.is_empty() {
        if ctx.stop_requested() {
            ctx.interrupted = true;
            break;
        }
        let Some(pick) = next_input(&inputs, &active, &idle, turn) else {
            // Nothing has data: wait a little (or until the next timer), then ask everyone again.
            let wait = next_tick.min(next_flush).saturating_duration_since(Instant::now());
            std::thread::sleep(wait.min(IDLE));
            idle.iter_mut().for_each(|i| *i = false);
            fire_timers(&mut dataflow, timers, &mut next_tick, &mut next_flush)?;
            continue;
        };
        turn = turn.wrapping_add(1);
        let i = active[pick];
        match inputs[i].poll(&mut dataflow)? {
            Polled::Ready => idle[i] = false,
            Polled::Idle => idle[i] = true,
            Polled::Done => {
                inputs[i].report(ctx);
                active.remove(pick);
            }
        }
        fire_timers(&mut dataflow, timers, &mut next_tick, &mut next_flush)?;
    }
    for &i in &active {
        inputs[i].report(ctx);
    }
    if !ctx.interrupted {
        dataflow.finish()?;
    }
    dataflow.close(ctx)
}

/// The active input to poll next: among those with data, the one furthest behind in event time
/// (no watermark counts as furthest behind), ties broken in turn.
fn next_input<D>(inputs: &[Box<dyn Input<D>>], active: &[usize], idle: &[bool], turn: usize) -> Option<usize> {
    let n = active.len();
    (0..n)
        .map(|k| (turn + k) % n)
        .filter(|&p| !idle[active[p]])
        .min_by_key(|&p| inputs[active[p]].watermark().unwrap_or(i64::MIN))
}

fn fire_timers<D: Dataflow>(
    dataflow: &mut D,
    timers: Timers,
    next_tick: &mut Instant,
    next_flush: &mut Instant,
) -> Result<(), FatalError> {
    let now = Instant::now();
    if now >= *next_tick {
        dataflow.tick(processing_time())?;
        *next_tick = now + timers.tick;
    }
    if now >= *next_flush {
        dataflow.flush()?;
        *next_flush = now + timers.flush;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::config::Config;
    use crate::dataflow::Consume;

    /// A source of `batches` batches of numbers, each batch one poll, idle for `idle_polls` polls
    /// between batches (an unbounded source waiting for data); its watermark is the last number.
    struct Numbers {
        name: &'static str,
        next: i64,
        step: i64,
        batches: usize,
        idle_polls: usize,
        idle_left: usize,
        seen: Option<i64>,
        endless: bool,
    }

    impl Numbers {
        fn new(name: &'static str, start: i64, step: i64, batches: usize) -> Self {
            Self { name, next: start, step, batches, idle_polls: 0, idle_left: 0, seen: None, endless: false }
        }
    }

    impl Source for Numbers {
        type Row = i64;

        fn poll<C: Consume<i64>>(&mut self, consume: &mut C) -> Result<Polled, FatalError> {
            if self.batches == 0 && !self.endless {
                return Ok(Polled::Done);
            }
            if self.idle_left > 0 || self.batches == 0 {
                self.idle_left = self.idle_left.saturating_sub(1);
                return Ok(Polled::Idle);
            }
            self.batches -= 1;
            self.idle_left = self.idle_polls;
            for _ in 0..2 {
                let rec = Record::derived(self.name);
                consume(Ok(&self.next), &rec)?;
                self.seen = Some(self.next);
                self.next += self.step;
            }
            Ok(Polled::Ready)
        }

        fn watermark(&self) -> Option<i64> {
            self.seen
        }

        fn name(&self) -> &str {
            self.name
        }

        fn records(&self) -> u64 {
            0
        }

        fn location(&self) -> String {
            "memory".into()
        }
    }

    /// What the driver did to a dataflow, in order.
    #[derive(Debug, Default)]
    struct Events {
        rows: Vec<(String, i64)>,
        ticks: usize,
        flushes: usize,
        finished: usize,
        closed: bool,
    }

    /// A dataflow that notes what the driver did.
    #[derive(Default, Clone)]
    struct Log(Arc<Mutex<Events>>);

    impl Log {
        fn events(&self) -> std::sync::MutexGuard<'_, Events> {
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    impl Dataflow for Log {
        fn tick(&mut self, _: i64) -> Result<(), FatalError> {
            self.events().ticks += 1;
            Ok(())
        }
        fn finish(&mut self) -> Result<(), FatalError> {
            self.events().finished += 1;
            Ok(())
        }
        fn flush(&mut self) -> Result<(), FatalError> {
            self.events().flushes += 1;
            Ok(())
        }
        fn close(self, _: &mut Context) -> Result<(), FatalError> {
            self.events().closed = true;
            Ok(())
        }
    }

    fn input(source: Numbers) -> Box<dyn Input<Log>> {
        read(source, |d: &mut Log, row: Result<&i64, DecodeError>, rec: &Record<'_>| {
            let v = *row.map_err(|e| FatalError(e.message))?;
            d.events().rows.push((rec.source.to_string(), v));
            Ok(Flow::Continue)
        })
    }

    fn context(tick_ms: u64) -> Context {
        let mut ctx = Context::new(Config::new(&[], &[]));
        ctx.timers = Timers { tick: Duration::from_millis(tick_ms), flush: Duration::from_millis(tick_ms * 2) };
        ctx
    }

    #[test]
    fn inputs_interleave_by_event_time_and_the_input_ends_once() {
        // `a` runs ahead in event time (10, 20, …), `b` behind (1, 2, …): once both have a
        // watermark, `b` is polled until it catches up, instead of one source after the other.
        let log = Log::default();
        let inputs = vec![input(Numbers::new("a", 10, 10, 3)), input(Numbers::new("b", 1, 1, 12))];
        let mut ctx = context(1000);
        drive(&mut ctx, log.clone(), inputs).unwrap();
        let e = log.events();
        assert_eq!(e.rows.len(), 30);
        assert_eq!(e.rows[0].0, "a", "with no watermark yet, inputs start in turn");
        assert_eq!(e.rows[2].0, "b");
        let at = |s: &str, v: i64| e.rows.iter().position(|r| r.0 == s && r.1 == v).unwrap();
        assert!(at("b", 19) < at("a", 30), "b catches up to a's 20 before a goes on: {:?}", e.rows);
        assert!(at("a", 30) < at("b", 24), "then they alternate: {:?}", e.rows);
        assert_eq!((e.finished, e.closed), (1, true), "the end of the input comes once, then the close");
        assert!(!ctx.interrupted);
    }

    #[test]
    fn timers_fire_while_inputs_are_idle() {
        let mut slow = Numbers::new("slow", 0, 1, 3);
        slow.idle_polls = 8; // ~80 ms of nothing between batches
        let log = Log::default();
        drive(&mut context(20), log.clone(), vec![input(slow)]).unwrap();
        let e = log.events();
        assert_eq!(e.rows.len(), 6);
        assert!(e.ticks >= 4, "processing time advanced without records: {} ticks", e.ticks);
        assert!(e.flushes >= 2, "sinks were flushed while waiting: {} flushes", e.flushes);
        assert_eq!((e.finished, e.closed), (1, true));
    }

    #[test]
    fn a_stop_request_ends_an_endless_run_without_the_end_of_input() {
        let mut endless = Numbers::new("endless", 0, 1, 1);
        endless.endless = true;
        let mut ctx = context(10);
        let stop = Arc::clone(&ctx.stop);
        let asker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            stop.store(15, Ordering::Relaxed);
        });
        let log = Log::default();
        drive(&mut ctx, log.clone(), vec![input(endless)]).unwrap();
        asker.join().unwrap();
        let e = log.events();
        assert!(ctx.interrupted, "the run says it was stopped");
        assert_eq!(e.rows.len(), 2, "the records read before the stop were pushed");
        assert_eq!((e.finished, e.closed), (0, true), "no end of input, but the outputs are closed");
    }
}
