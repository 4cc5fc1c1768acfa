velo_rt::velo_sql!(file = "does/not/exist.sql");

fn main() {}
