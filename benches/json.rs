//! Load and save benchmarks (filled in below).
fn main() {}
