"""One include_router per domain, nothing else."""

from __future__ import annotations

from fastapi import APIRouter

from hawker.accounts import endpoints as accounts
from hawker.regions import endpoints as regions

router = APIRouter()
router.include_router(accounts.router)
router.include_router(accounts.me_router)
router.include_router(regions.router)
