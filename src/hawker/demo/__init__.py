"""The demo market: `hawker demo` seeds shops, products, buyers and orders, then serves."""
