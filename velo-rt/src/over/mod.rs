//! Window functions over rows (`f(…) OVER (PARTITION BY … ORDER BY … ROWS …)`): the state one
//! OVER clause keeps per partition. Rows arrive in the order of the clause's ORDER BY (event-time
//! order in a stream), so every function is computed when its row arrives, over that row and the
//! rows before it in its partition. Each clause keeps only what its frame needs: LAG(x, n) the
//! last n values, `n PRECEDING` frames the last n + 1 values, unbounded frames one accumulator.
//!
//! Modules: [`rows`] (per-partition state computed as each row arrives), [`frames`] (aggregates
//! and values over ROWS/RANGE frames), [`waiting`] (rows that wait for later rows: LEAD,
//! FOLLOWING frames) and [`batch`] (rankings of whole partitions by any order, at the end of the
//! input).

mod batch;
mod frames;
mod rows;
mod waiting;

pub use batch::{by_order, compare, cume_dists, dense_ranks, ntiles, partitions, percent_ranks, ranks, row_numbers};
pub use frames::{Frame, Framed, Ranged, Sliding};
pub use rows::{Expiry, Ranks, Recent};
pub use waiting::{Latest, Waiting};
