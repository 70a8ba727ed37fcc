"""Payments through a card provider adapter, and the double-entry ledger (escrow per shop)."""
