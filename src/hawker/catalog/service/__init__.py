"""The catalog's business rules. Other domains import from here.

For other domains: `skus_for_sale`, `SellableSku`, `lowest_price_since`, `sku_name`.
"""

from hawker.catalog.service.audit import (
    AUDIT_REQUESTED,
    STATUS_CHANGED,
    Listing,
    audit_listing,
    contains_term,
    platform_deactivate,
    prohibited_term_problems,
    reinstate,
    required_field_problems,
    run_audit,
)
from hawker.catalog.service.categories import (
    CategoryNode,
    category_and_descendants,
    category_tree,
    create_category,
    slugify,
)
from hawker.catalog.service.images import process_image, sniff_format, upload_image
from hawker.catalog.service.products import (
    activate_product,
    check_skus,
    create_product,
    deactivate_product,
    delete_product,
    update_prices,
    update_product,
)
from hawker.catalog.service.sellable import (
    SellableSku,
    lowest_price_since,
    sku_name,
    skus_for_sale,
)
from hawker.catalog.service.views import (
    AuditQueueEntry,
    ProductListItem,
    ProductView,
    PublicListItem,
    PublicView,
    audit_queue,
    public_product,
    public_products,
    seller_product_view,
    seller_products,
    shop_locale,
)

__all__ = [
    "AUDIT_REQUESTED",
    "STATUS_CHANGED",
    "AuditQueueEntry",
    "CategoryNode",
    "Listing",
    "ProductListItem",
    "ProductView",
    "PublicListItem",
    "PublicView",
    "SellableSku",
    "activate_product",
    "audit_listing",
    "audit_queue",
    "category_and_descendants",
    "category_tree",
    "check_skus",
    "contains_term",
    "create_category",
    "create_product",
    "deactivate_product",
    "delete_product",
    "lowest_price_since",
    "platform_deactivate",
    "process_image",
    "prohibited_term_problems",
    "public_product",
    "public_products",
    "reinstate",
    "required_field_problems",
    "run_audit",
    "seller_product_view",
    "seller_products",
    "shop_locale",
    "sku_name",
    "skus_for_sale",
    "slugify",
    "sniff_format",
    "update_prices",
    "update_product",
    "upload_image",
]
