"""Co-leads: other organisations steering one statement with its lead (issue 17)."""
