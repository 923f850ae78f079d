"""Benchmarks and the load run (`make bench`, `make load`); not part of `make test`."""
