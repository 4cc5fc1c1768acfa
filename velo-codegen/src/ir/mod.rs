//! The compiler's intermediate representation: SQL types, typed expressions, aggregate and
//! window-function calls, windows, and the plan of a whole app. The binder and planner produce
//! it; the emitter and `velo explain` read it.

pub(crate) mod aggregate;
pub(crate) mod expr;
pub(crate) mod over;
pub(crate) mod plan;
pub(crate) mod types;
pub(crate) mod window;
