//! Every app in `apps/`, expanded by the Velo compiler at build time (see `build.rs`): one
//! module per app, named after its path (`apps/quickstart/02_filter.sql` →
//! `quickstart_02_filter`). The end-to-end tests in `tests/` run them in-process.

include!(concat!(env!("OUT_DIR"), "/apps.rs"));

pub mod fuzz;
