"""One include_router per domain, nothing else."""

from __future__ import annotations

from fastapi import APIRouter

from hawker.accounts import endpoints as accounts
from hawker.cart import endpoints as cart
from hawker.catalog import endpoints as catalog
from hawker.checkout import endpoints as checkout
from hawker.customs import endpoints as customs
from hawker.flash import endpoints as flash
from hawker.fulfillment import endpoints as fulfillment
from hawker.inventory import endpoints as inventory
from hawker.live import endpoints as live
from hawker.live import ws as live_ws
from hawker.logistics import endpoints as logistics
from hawker.media import endpoints as media
from hawker.orders import endpoints as orders
from hawker.payments import endpoints as payments
from hawker.regions import endpoints as regions
from hawker.shops import endpoints as shops

router = APIRouter()
router.include_router(accounts.router)
router.include_router(accounts.me_router)
router.include_router(regions.router)
router.include_router(shops.router)
router.include_router(shops.seller_router)
router.include_router(shops.operator_router)
router.include_router(shops.audit_router)
router.include_router(catalog.categories_router)
router.include_router(catalog.seller_router)
router.include_router(catalog.products_router)
router.include_router(catalog.operator_router)
router.include_router(inventory.seller_router)
router.include_router(payments.router)
router.include_router(payments.seller_router)
router.include_router(payments.operator_router)
router.include_router(cart.router)
router.include_router(checkout.router)
router.include_router(checkout.order_pay_router)
router.include_router(orders.router)
router.include_router(orders.seller_router)
router.include_router(orders.operator_router)
router.include_router(media.router)
router.include_router(media.me_router)
router.include_router(live.router)
router.include_router(live.me_router)
router.include_router(live.hooks_router)
router.include_router(live_ws.router)
router.include_router(flash.router)
router.include_router(logistics.router)
router.include_router(logistics.seller_router)
router.include_router(logistics.operator_router)
router.include_router(fulfillment.seller_router)
router.include_router(fulfillment.buyer_router)
router.include_router(fulfillment.operator_router)
router.include_router(fulfillment.carrier_router)
router.include_router(customs.router)
router.include_router(customs.seller_router)
router.include_router(customs.operator_router)
