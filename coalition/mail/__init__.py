"""Mail: the outbox and its sender."""
