"""Local stand-ins and the service stack's processes, started by tests and benchmarks."""
