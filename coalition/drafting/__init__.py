"""Drafting: statements, revisions, redlines and the life cycle."""
