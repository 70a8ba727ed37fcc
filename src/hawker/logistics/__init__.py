"""Logistics: the network of warehouses and fulfilment centres, carriers, rates, transit."""
