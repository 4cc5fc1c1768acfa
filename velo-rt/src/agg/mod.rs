//! Aggregation: accumulators for each aggregate function and the group table of a GROUP BY.
//!
//! Every accumulator skips NULL inputs (SQL semantics) and is mergeable, so partial states of
//! parallel workers can be combined. Decimal sums are exact `i128` and checked: overflow is a
//! per-record error, never a wrap.

use crate::error::EvalResult;

/// The running state of one aggregate over values of type `In`.
pub trait Accumulator<In>: Default + Clone {
    /// The result type (non-NULL).
    type Out;
    /// Adds one input value; NULL is ignored.
    fn update(&mut self, v: Option<&In>) -> EvalResult<()>;
    /// Combines another partial state into this one.
    fn merge(&mut self, other: &Self) -> EvalResult<()>;
    /// The aggregate's value; NULL when no non-NULL input was seen (COUNT gives 0).
    fn result(&self) -> EvalResult<Option<Self::Out>>;
}

/// An accumulator that can also take a value out again (exactly): a sliding frame of an OVER
/// aggregate updates it in O(1) per row instead of folding the whole frame.
pub trait Retract<In>: Accumulator<In> {
    /// Removes one value that was added before; NULL is ignored.
    fn retract(&mut self, v: Option<&In>);
}

mod groups;
mod simple;
mod stats;
mod total;

pub use groups::{Groups, KeyF64};
pub use simple::{Count, CountDistinct, First, Last, Max, Min, StringAgg};
pub use stats::{CoMoments, Moments, PercentileCont, PercentileDisc, stat};
pub use total::{AvgDecimal, AvgDouble, SumDecimal, SumDouble, SumInt};

/// Folds `vals` into a fresh accumulator and returns its result.
#[cfg(test)]
fn run<A: Accumulator<T>, T>(vals: &[Option<T>]) -> Option<A::Out> {
    let mut a = A::default();
    for v in vals {
        a.update(v.as_ref()).unwrap();
    }
    a.result().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Decimal;

    #[test]
    fn aggregates_skip_nulls() {
        let vals = [Some(Decimal::<2>(1050)), None, Some(Decimal(-25))];
        assert_eq!(run::<Count, _>(&vals), Some(2));
        assert_eq!(run::<SumDecimal<2>, _>(&vals), Some(Decimal(1025)));
        assert_eq!(run::<AvgDecimal<2, 6>, _>(&vals), Some(Decimal(5_125_000)));
        assert_eq!(run::<Min<Decimal<2>>, _>(&vals), Some(Decimal(-25)));
        assert_eq!(run::<Max<Decimal<2>>, _>(&vals), Some(Decimal(1050)));
        assert_eq!(run::<SumInt, _>(&[None::<i64>]), None);
        assert_eq!(run::<AvgDecimal<0, 6>, _>(&[None::<Decimal<0>>]), None);
        assert_eq!(run::<Count, _>(&[None::<i64>]), Some(0));
    }
}
