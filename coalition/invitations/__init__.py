"""Invitations: partner links, review comments and suggestions, response tracking."""
