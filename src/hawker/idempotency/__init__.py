"""Idempotency keys: the first response to a keyed request is stored and replayed."""
