"""Random secrets and their stored hashes (below models and security, which both use them)."""

from __future__ import annotations

import hashlib
import secrets


def new_token(nbytes: int = 24) -> str:
    """A URL-safe random secret (192 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def new_link_salt() -> str:
    """An invitation's link salt: 96 random bits in 16 URL-safe characters (invitations.access)."""
    return secrets.token_urlsafe(12)


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: a database leak reveals no usable link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
