"""Benchmarks for blogapp (``make bench``); not tests, never collected by pytest."""
