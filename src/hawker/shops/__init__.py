"""Shops: application and review, membership (owner, staff), warehouses."""
