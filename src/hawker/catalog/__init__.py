"""Catalog: categories, product listings with SKUs and images, the listing audit, browse."""
