"""Benchmarks read the same shared data as the tests, located the same way."""

from tests.shared_data import PROJECT_ROOT, SHARED_DATA, shared_data

__all__ = ["PROJECT_ROOT", "SHARED_DATA", "shared_data"]
