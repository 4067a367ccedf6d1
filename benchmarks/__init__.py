"""mtaudit's benchmark suite: one module per benchmark, all run by ``python -m benchmarks.run``."""
