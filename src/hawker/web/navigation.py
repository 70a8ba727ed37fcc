"""What the navigation bars hold, and how statuses read and look.

Domains that add pages (the live room, videos, the live console, flash deals, review
cases) add their entry to the list for their audience here; the layouts draw whatever
these lists hold.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    key: str  # which page is current: templates set `section` to this key
    label: str
    path: str  # for seller sections: relative to /seller/shops/{shop_id}
    icon: str  # the name of a symbol in templates/icons.html


# The buyer's tab bar (bottom of the screen on phones, in the header on desktops).
BUYER_TABS: tuple[NavItem, ...] = (
    NavItem("home", "Home", "/", "home"),
    NavItem("live", "LIVE", "/live", "live"),
    NavItem("discover", "Discover", "/search", "search"),
    NavItem("cart", "Cart", "/cart", "bag"),
    NavItem("orders", "Orders", "/orders", "receipt"),
    NavItem("account", "Me", "/account", "user"),
)

# Seller center, per shop.
SELLER_SECTIONS: tuple[NavItem, ...] = (
    NavItem("overview", "Overview", "", "home"),
    NavItem("products", "Products", "/products", "tag"),
    NavItem("stock", "Stock", "/stock", "box"),
    NavItem("warehouses", "Warehouses", "/warehouses", "store"),
    NavItem("orders", "Orders", "/orders", "receipt"),
    NavItem("packages", "Shipping", "/packages", "truck"),
    NavItem("live", "Live console", "/live", "live"),
)

# Operator console.
OPERATOR_SECTIONS: tuple[NavItem, ...] = (
    NavItem("overview", "Overview", "/operator", "home"),
    NavItem("shops", "Shops", "/operator/shops", "store"),
    NavItem("audits", "Product audits", "/operator/audits", "shield"),
    NavItem("weight_reviews", "Weight checks", "/operator/weight-reviews", "scale"),
    NavItem("audit_log", "Audit log", "/operator/audit-log", "list"),
)

STATUS_LABELS: dict[str, str] = {
    # live sessions and flash deals
    "SCHEDULED": "Scheduled",
    "LIVE": "Live",
    "ENDED": "Ended",
    "COUNTDOWN": "Starting",
    # packages and weight checks
    "PROCESSING": "Processing",
    "TO_FULFILL": "To ship",
    "FULFILLING": "Shipped",
    "OPEN": "Waiting for a decision",
    "CONFIRMED_SHORT": "Confirmed short",
    "CLEARED": "Cleared",
    # orders
    "UNPAID": "Awaiting payment",
    "ON_HOLD": "On hold",
    "AWAITING_SHIPMENT": "Awaiting shipment",
    "PARTIALLY_SHIPPING": "Partially shipped",
    "AWAITING_COLLECTION": "Awaiting collection",
    "IN_TRANSIT": "In transit",
    "DELIVERED": "Delivered",
    "COMPLETED": "Completed",
    "CANCELLED": "Cancelled",
    # products and audits
    "DRAFT": "Draft",
    "PENDING": "In review",
    "FAILED": "Failed review",
    "ACTIVATE": "Live",
    "SELLER_DEACTIVATED": "Deactivated",
    "PLATFORM_DEACTIVATED": "Taken down",
    "FREEZE": "Frozen",
    "DELETED": "Deleted",
    "SUPERSEDED": "Superseded",
    # shops
    "PENDING_REVIEW": "Pending review",
    "ACTIVE": "Active",
    "SUSPENDED": "Suspended",
    "CLOSED": "Closed",
    # warehouses
    "SALES_WAREHOUSE": "Ships orders",
    "RETURN_WAREHOUSE": "Takes returns",
    # stock movements
    "RECEIPT": "Receipt",
    "ADJUSTMENT": "Adjustment",
    "RESERVATION": "Reserved",
    "RELEASE": "Released",
    "SHIPMENT": "Shipped",
    "RETURN": "Returned",
}

STATUS_TONES: dict[str, str] = {
    "SCHEDULED": "wait",
    "LIVE": "bad",
    "ENDED": "neutral",
    "COUNTDOWN": "wait",
    "PROCESSING": "wait",
    "TO_FULFILL": "info",
    "FULFILLING": "info",
    "OPEN": "wait",
    "CONFIRMED_SHORT": "bad",
    "CLEARED": "good",
    "UNPAID": "wait",
    "ON_HOLD": "wait",
    "AWAITING_SHIPMENT": "info",
    "PARTIALLY_SHIPPING": "info",
    "AWAITING_COLLECTION": "info",
    "IN_TRANSIT": "info",
    "DELIVERED": "good",
    "COMPLETED": "good",
    "CANCELLED": "bad",
    "PENDING": "wait",
    "FAILED": "bad",
    "ACTIVATE": "good",
    "SELLER_DEACTIVATED": "neutral",
    "PLATFORM_DEACTIVATED": "bad",
    "FREEZE": "bad",
    "PENDING_REVIEW": "wait",
    "ACTIVE": "good",
    "SUSPENDED": "bad",
    "CLOSED": "neutral",
}
