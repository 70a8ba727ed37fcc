"""The catalog's typed errors: each has a stable snake_case code."""

from __future__ import annotations

from hawker.errors import BadRequest, Conflict, HawkerError, InvalidState, NotFound


class UnknownCategory(BadRequest):
    """The category does not exist."""

    code = "unknown_category"


class CategoryNotLeaf(BadRequest):
    """Products go in a leaf category (one without sub-categories)."""

    code = "category_not_leaf"


class CategoryExists(Conflict):
    """A category with this slug already exists."""

    code = "category_exists"


class CategoryInUse(Conflict):
    """The category holds products, so it cannot get sub-categories."""

    code = "category_in_use"


class InvalidCategoryName(BadRequest):
    """The category name must contain letters or digits."""

    code = "invalid_category_name"


class ProductNotFound(NotFound):
    """No such product."""

    code = "product_not_found"


class UnknownSku(BadRequest):
    """The request names a SKU that is not part of this product."""

    code = "unknown_sku"


class ImageNotFound(NotFound):
    """No such image in this shop."""

    code = "image_not_found"


class ImageInUse(Conflict):
    """The image already belongs to another product."""

    code = "image_in_use"


class DuplicateImage(BadRequest):
    """The same image is listed twice."""

    code = "duplicate_image"


class DuplicateSellerSku(BadRequest):
    """Two SKUs of the product share a seller SKU code."""

    code = "duplicate_seller_sku"


class DuplicateSalesAttributes(BadRequest):
    """Two SKUs of the product have the same sales attribute values."""

    code = "duplicate_sales_attributes"


class InvalidSalesAttributes(BadRequest):
    """Every SKU must name the same sales attributes, each once."""

    code = "invalid_sales_attributes"


class DuplicateSku(BadRequest):
    """The same SKU is listed twice."""

    code = "duplicate_sku"


class InvalidProductStatus(InvalidState):
    """The product's status does not allow that."""

    code = "invalid_product_status"


class ProductLocked(InvalidState):
    """The platform has deactivated or frozen this product; it cannot be edited."""

    code = "product_locked"


class ConcurrentUpdate(Conflict):
    """The product changed while this request ran; load it again and retry."""

    code = "concurrent_update"


class InvalidAuditStatus(BadRequest):
    """Unknown audit status."""

    code = "invalid_audit_status"


class UnsupportedImageType(HawkerError):
    """Only JPEG, PNG and WebP images are accepted."""

    status_code = 415
    code = "unsupported_image_type"


class ImageTooLarge(HawkerError):
    """The image is too large."""

    status_code = 413
    code = "image_too_large"


class InvalidImage(BadRequest):
    """The image data is corrupt."""

    code = "invalid_image"
