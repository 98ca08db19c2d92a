"""Accounts: organisations, lead users, sessions and API tokens."""
