"""Webhooks (issue 22): the lead organisation's systems hear of signatures, states,
editions and updates, by signed HTTP deliveries from a durable queue."""
