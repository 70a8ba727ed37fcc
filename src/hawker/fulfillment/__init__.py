"""Fulfilment: packages from a paid order to the buyer's door, tracked and checked."""
