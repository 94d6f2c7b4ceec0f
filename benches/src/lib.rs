//! Criterion benchmarks of chatbridge (see `benches/` and docs/performance.md); this library is empty.
