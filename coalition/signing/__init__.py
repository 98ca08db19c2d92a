"""Signing: partners sign through their invitation, open sign-on, integrity, the ordered list."""
