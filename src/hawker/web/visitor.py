"""Who is looking at a page: the logged-in user (if any), the market they shop in, their cart.

The market comes from the user's profile when logged in, from a cookie for guests, and
otherwise is the first active market (United States in the default data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from hawker.cart import service as cart
from hawker.deps import OptionalUser, SessionDep
from hawker.errors import NotAuthenticated, PermissionDenied
from hawker.models import Market, User, UserRole
from hawker.regions import service as regions

MARKET_COOKIE = "hawker_market"
DEFAULT_MARKET = "US"


@dataclass(frozen=True)
class Visitor:
    user: User | None
    market: Market
    markets: list[Market]
    cart_count: int

    @property
    def is_operator(self) -> bool:
        return self.user is not None and self.user.role == UserRole.OPERATOR

    @property
    def locale(self) -> str:
        return self.market.locale

    def market_of(self, code: str) -> Market:
        """The market `code` (for showing a thing in its own market's formats)."""
        for market in self.markets:
            if market.code == code:
                return market
        return self.market


def choose_market(markets: list[Market], *candidates: str | None) -> Market:
    """The first candidate code that names an active market, else the default one."""
    by_code = {m.code: m for m in markets}
    for code in candidates:
        if code and code.upper() in by_code:
            return by_code[code.upper()]
    return by_code.get(DEFAULT_MARKET) or markets[0]


async def get_visitor(request: Request, session: SessionDep, user: OptionalUser) -> Visitor:
    markets = await regions.list_markets(session, active_only=False)
    active = [m for m in markets if m.is_active] or markets
    market = choose_market(
        active, user.market_code if user else None, request.cookies.get(MARKET_COOKIE)
    )
    count = 0
    if user is not None:
        count = sum(quantity for _, quantity in await cart.contents(session, user.id))
    return Visitor(user=user, market=market, markets=active, cart_count=count)


async def get_member(visitor: Annotated[Visitor, Depends(get_visitor)]) -> Visitor:
    """A logged-in visitor; others are sent to the login page."""
    if visitor.user is None:
        raise NotAuthenticated("Log in to see this page.")
    return visitor


async def get_operator(visitor: Annotated[Visitor, Depends(get_member)]) -> Visitor:
    if not visitor.is_operator:
        raise PermissionDenied("Only platform operators may open the console.")
    return visitor


def user_of(visitor: Visitor) -> User:
    """The logged-in user of a visitor that `get_member` let through."""
    if visitor.user is None:
        raise NotAuthenticated("Log in to see this page.")
    return visitor.user


VisitorDep = Annotated[Visitor, Depends(get_visitor)]
MemberDep = Annotated[Visitor, Depends(get_member)]
OperatorDep = Annotated[Visitor, Depends(get_operator)]
