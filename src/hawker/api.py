"""One include_router per domain, nothing else."""

from __future__ import annotations

from fastapi import APIRouter

from hawker.accounts import endpoints as accounts
from hawker.cart import endpoints as cart
from hawker.catalog import endpoints as catalog
from hawker.checkout import endpoints as checkout
from hawker.inventory import endpoints as inventory
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
