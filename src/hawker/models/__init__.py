"""All ORM tables, one module per aggregate. Import this package to register them all."""

from hawker.models.accounts import ApiToken, AuditLog, User, UserRole
from hawker.models.cart import CartItem
from hawker.models.catalog import (
    Category,
    PriceHistory,
    Product,
    ProductAudit,
    ProductImage,
    ProductStatus,
    Sku,
)
from hawker.models.idempotency import IdempotencyRecord
from hawker.models.inventory import MovementKind, Stock, StockMovement
from hawker.models.orders import (
    AllocationStatus,
    Order,
    OrderAllocation,
    OrderHistory,
    OrderLine,
    OrderStatus,
    OrderType,
)
from hawker.models.outbox import Job, JobStatus, OutboxEvent
from hawker.models.payments import (
    JournalEntry,
    LedgerAccount,
    Payment,
    PaymentOrder,
    PaymentStatus,
    Posting,
    Refund,
)
from hawker.models.regions import Market, TaxMode
from hawker.models.shops import (
    SellerType,
    Shop,
    ShopMember,
    ShopRole,
    ShopStatus,
    Warehouse,
    WarehouseType,
)

__all__ = [
    "AllocationStatus",
    "ApiToken",
    "AuditLog",
    "CartItem",
    "Category",
    "IdempotencyRecord",
    "Job",
    "JobStatus",
    "JournalEntry",
    "LedgerAccount",
    "Market",
    "MovementKind",
    "Order",
    "OrderAllocation",
    "OrderHistory",
    "OrderLine",
    "OrderStatus",
    "OrderType",
    "OutboxEvent",
    "Payment",
    "PaymentOrder",
    "PaymentStatus",
    "Posting",
    "PriceHistory",
    "Product",
    "ProductAudit",
    "ProductImage",
    "ProductStatus",
    "Refund",
    "SellerType",
    "Shop",
    "ShopMember",
    "ShopRole",
    "ShopStatus",
    "Sku",
    "Stock",
    "StockMovement",
    "TaxMode",
    "User",
    "UserRole",
    "Warehouse",
    "WarehouseType",
]
