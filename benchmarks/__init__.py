"""Benchmarks of issues 6 and 12: our operations side by side with the naive pandas/geopandas way.

Run ``python -m benchmarks`` (``--help`` for the options); the report is written to
``benchmarks/RESULTS.md``. Not part of the test suite's pass/fail: only a smoke run
on tiny data is (``tests/test_benchmarks_smoke.py``).
"""
