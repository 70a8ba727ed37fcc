"""Stock per SKU and warehouse: receipts, adjustments, reservations for orders, shipments."""
