"""Tests of the pure-Python domain rules (no app fixture)."""
