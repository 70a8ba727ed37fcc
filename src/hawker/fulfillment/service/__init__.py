"""Fulfilment's business rules, split by use case; this module is their face.

- allocating: an order leaving ON_HOLD gets its warehouse(s), packages and deadlines.
- shipping: the seller arranges shipment (platform label or own carrier + tracking).
- tracking: signed carrier webhooks in; packages and orders move on carrier scans.
- reviews: operators decide suspected empty or short boxes.
- deadlines: late dispatch and auto-cancel timers.
- performance: late dispatch and valid tracking rates per shop.
- packages, views, estimates: what sellers, buyers and checkout read.
- documents: shipping labels, packing slips and pick lists as PDF.
"""

from hawker.fulfillment.service.allocating import allocate_order, deadlines, market_tz
from hawker.fulfillment.service.deadlines import (
    AUTO_CANCEL_REASON,
    auto_cancel,
    close_order_packages,
    flag_late_dispatches,
)
from hawker.fulfillment.service.documents import Rendered, pick_list, shipping_documents
from hawker.fulfillment.service.errors import (
    DuplicatePackages,
    InvalidCarrierPayload,
    InvalidSignature,
    NoDeliveryOption,
    PackageCancelled,
    PackageNotArranged,
    PackageNotFound,
    PackageNotToFulfill,
    ReviewAlreadyDecided,
    ShippingDetailsRequired,
    TrackingNumberInUse,
    WeightReviewNotFound,
)
from hawker.fulfillment.service.estimates import ShopEstimate, estimate_shops
from hawker.fulfillment.service.packages import (
    Due,
    PackageDetail,
    PackageSummary,
    ShopPackages,
    list_shop_packages,
    package_detail,
    summaries,
)
from hawker.fulfillment.service.performance import (
    DispatchRate,
    Performance,
    TrackingRate,
    shop_performance,
)
from hawker.fulfillment.service.progress import PackageChanged, follow_packages
from hawker.fulfillment.service.reviews import (
    ReviewView,
    ShopHistory,
    decide,
    get_review,
    list_reviews,
)
from hawker.fulfillment.service.shipping import arrange_shipment, shop_package
from hawker.fulfillment.service.tracking import (
    IngestResult,
    apply_package_events,
    ingest_carrier_events,
)
from hawker.fulfillment.service.views import (
    PackageView,
    TimelineEntry,
    TrackingView,
    package_views,
    tracking_for_buyer,
    tracking_for_operator,
    tracking_for_shop,
    tracking_view,
)

__all__ = [
    "AUTO_CANCEL_REASON",
    "DispatchRate",
    "Due",
    "DuplicatePackages",
    "IngestResult",
    "InvalidCarrierPayload",
    "InvalidSignature",
    "NoDeliveryOption",
    "PackageCancelled",
    "PackageChanged",
    "PackageDetail",
    "PackageNotArranged",
    "PackageNotFound",
    "PackageNotToFulfill",
    "PackageSummary",
    "PackageView",
    "Performance",
    "Rendered",
    "ReviewAlreadyDecided",
    "ReviewView",
    "ShippingDetailsRequired",
    "ShopEstimate",
    "ShopHistory",
    "ShopPackages",
    "TimelineEntry",
    "TrackingNumberInUse",
    "TrackingRate",
    "TrackingView",
    "WeightReviewNotFound",
    "allocate_order",
    "apply_package_events",
    "arrange_shipment",
    "auto_cancel",
    "close_order_packages",
    "deadlines",
    "decide",
    "estimate_shops",
    "flag_late_dispatches",
    "follow_packages",
    "get_review",
    "ingest_carrier_events",
    "list_reviews",
    "list_shop_packages",
    "market_tz",
    "package_detail",
    "package_views",
    "pick_list",
    "shipping_documents",
    "shop_package",
    "shop_performance",
    "summaries",
    "tracking_for_buyer",
    "tracking_for_operator",
    "tracking_for_shop",
    "tracking_view",
]
