//! Accumulators that count or keep values: COUNT, COUNT(DISTINCT), MIN, MAX, FIRST_VALUE,
//! LAST_VALUE and STRING_AGG.

use super::{Accumulator, Retract};
use crate::error::EvalResult;
use crate::value::ToText;

/// `COUNT(*)` (every row, including NULLs: call with `Some(&())`) and `COUNT(x)`.
#[derive(Debug, Clone, Default)]
pub struct Count {
    n: i64,
}

impl<T> Accumulator<T> for Count {
    type Out = i64;
    #[inline]
    fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
        self.n += i64::from(v.is_some());
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.n += other.n;
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<i64>> {
        Ok(Some(self.n))
    }
}

impl<T> Retract<T> for Count {
    fn retract(&mut self, v: Option<&T>) {
        self.n -= i64::from(v.is_some());
    }
}

/// `COUNT(DISTINCT x)` / `COUNT_DISTINCT(x)`: values compared by their canonical text.
#[derive(Debug, Clone, Default)]
pub struct CountDistinct {
    seen: std::collections::HashSet<String>,
}

impl<T: ToText> Accumulator<T> for CountDistinct {
    type Out = i64;
    fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
        if let Some(v) = v {
            self.seen.insert(v.to_text());
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.seen.extend(other.seen.iter().cloned());
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<i64>> {
        Ok(Some(self.seen.len() as i64))
    }
}

/// An exact running total of unscaled integers and how many were added: the state of SUM and AVG
/// over BIGINT and DECIMAL. The `i128` total cannot overflow while adding 64-bit values, and
/// values can be taken out again exactly (sliding OVER frames).
/// An aggregate that keeps one of its inputs: `keep(new, current)` says whether a non-NULL input
/// replaces the value kept so far.
macro_rules! keep_one {
    ($(#[$doc:meta])* $name:ident, $keep:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<T> {
            v: Option<T>,
        }

        impl<T> Default for $name<T> {
            fn default() -> Self {
                Self { v: None }
            }
        }

        impl<T: PartialOrd + Clone> Accumulator<T> for $name<T> {
            type Out = T;
            #[inline]
            fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
                if let Some(v) = v {
                    let keep: fn(&T, Option<&T>) -> bool = $keep;
                    if keep(v, self.v.as_ref()) {
                        self.v = Some(v.clone());
                    }
                }
                Ok(())
            }
            fn merge(&mut self, other: &Self) -> EvalResult<()> {
                self.update(other.v.as_ref())
            }
            fn result(&self) -> EvalResult<Option<T>> {
                Ok(self.v.clone())
            }
        }
    };
}

keep_one!(
    /// `MIN(x)`.
    Min,
    |new, cur| cur.is_none_or(|c| new < c)
);
keep_one!(
    /// `MAX(x)`.
    Max,
    |new, cur| cur.is_none_or(|c| new > c)
);
keep_one!(
    /// `FIRST_VALUE(x)`: the first non-NULL value in input order.
    First,
    |_, cur| cur.is_none()
);
keep_one!(
    /// `LAST_VALUE(x)`: the last non-NULL value in input order.
    Last,
    |_, _| true
);

/// `STRING_AGG(x, sep)` / `LISTAGG`: non-NULL values joined by a constant separator, in input
/// order. Each input carries the separator: `(value, sep)`.
#[derive(Debug, Clone, Default)]
pub struct StringAgg {
    joined: Option<String>,
    sep: &'static str,
}

impl Accumulator<(String, &'static str)> for StringAgg {
    type Out = String;
    fn update(&mut self, v: Option<&(String, &'static str)>) -> EvalResult<()> {
        if let Some((v, sep)) = v {
            self.sep = sep;
            match &mut self.joined {
                Some(s) => {
                    s.push_str(sep);
                    s.push_str(v);
                }
                None => self.joined = Some(v.clone()),
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        if let Some(o) = &other.joined {
            self.update(Some(&(o.clone(), other.sep)))?;
        }
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<String>> {
        Ok(self.joined.clone())
    }
}
