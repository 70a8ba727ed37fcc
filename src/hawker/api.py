"""One include_router per domain, nothing else."""

from __future__ import annotations

from fastapi import APIRouter

from hawker.accounts import endpoints as accounts
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
