"""Benchmarks that print their figures: ``.venv/bin/python -m bench`` from the repository root.

run.py is the suite (gunicorn on loopback, ours beside a baseline app); diff_bench.py times
the word diff alone (``python -m bench.diff_bench``).
"""
