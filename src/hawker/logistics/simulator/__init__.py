"""The carrier simulator: a separate HTTP service that behaves like a carrier (not a real one)."""
