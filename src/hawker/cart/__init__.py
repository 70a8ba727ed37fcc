"""The buyer's cart: SKUs from any number of shops, in one currency."""
