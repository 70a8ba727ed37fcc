"""Server-rendered pages: the buyer's shop, the seller center and the operator console.

`router` holds every page; `install(app)` mounts /static and turns the app's error
handlers into friendly pages for browsers (the JSON API under /api keeps its JSON errors).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from hawker.web import (
    pages_auth,
    pages_buyer,
    pages_checkout,
    pages_fulfillment,
    pages_live,
    pages_live_console,
    pages_operator,
    pages_orders,
    pages_seller,
    pages_seller_products,
)
from hawker.web.errors import install_error_pages
from hawker.web.rendering import STATIC_DIR

router = APIRouter(include_in_schema=False)
router.include_router(pages_buyer.router)
router.include_router(pages_checkout.router)
router.include_router(pages_live.router)
router.include_router(pages_orders.router)
router.include_router(pages_auth.router)
router.include_router(pages_seller.router)
router.include_router(pages_seller_products.router)
router.include_router(pages_live_console.router)
router.include_router(pages_operator.router)
router.include_router(pages_fulfillment.router)


def install(app: FastAPI) -> None:
    """Static files at /static and HTML error pages (after the API's handlers exist)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_pages(app)
