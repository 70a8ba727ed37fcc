"""Checkout: pricing, placing orders (one per shop) and paying for them."""
