"""Typed errors of the fulfilment domain (stable codes)."""

from __future__ import annotations

from hawker.errors import BadRequest, Conflict, HawkerError, InvalidState, NotFound


class PackageNotFound(NotFound):
    """No such package."""

    code = "package_not_found"


class PackageNotToFulfill(InvalidState):
    """The package's shipment is already arranged, or the package is closed."""

    code = "package_not_to_fulfill"


class NoDeliveryOption(InvalidState):
    """No carrier service ships this package's delivery level from its warehouse."""

    code = "no_delivery_option"


class TrackingNumberInUse(Conflict):
    """Another package already has this carrier and tracking number."""

    code = "tracking_number_in_use"


class ShippingDetailsRequired(BadRequest):
    """Seller shipping needs the carrier and the tracking number."""

    code = "shipping_details_required"


class WeightReviewNotFound(NotFound):
    """No such weight review."""

    code = "weight_review_not_found"


class ReviewAlreadyDecided(InvalidState):
    """The weight review has already been decided."""

    code = "review_already_decided"


class InvalidSignature(HawkerError):
    """The carrier webhook's signature does not match its body."""

    status_code = 401
    code = "invalid_signature"


class InvalidCarrierPayload(HawkerError):
    """The carrier webhook's body is not valid."""

    status_code = 422
    code = "validation_error"


class PackageNotArranged(InvalidState):
    """A shipping label needs the package's tracking number: arrange shipment first."""

    code = "package_not_arranged"


class PackageCancelled(InvalidState):
    """The package is cancelled; it has no shipping documents."""

    code = "package_cancelled"


class DuplicatePackages(BadRequest):
    """The same package is listed more than once."""

    code = "duplicate_package_ids"
