"""Users and logins, created through the real sign-up path."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx

from hawker.accounts import service as accounts
from hawker.models import User, UserRole
from hawker.runtime import Runtime

_seq = itertools.count(1)


@dataclass
class Actor:
    """A logged-in user: `headers` authenticate API calls as them."""

    user_id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def signup(
    client: httpx.AsyncClient,
    *,
    email: str | None = None,
    password: str = "correct horse battery",
    display_name: str = "Test User",
    role: str = "buyer",
    market_code: str | None = "US",
) -> Actor:
    email = email or f"user{next(_seq)}@example.com"
    r = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": email,
            "password": password,
            "display_name": display_name,
            "role": role,
            "market_code": market_code,
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    return Actor(user_id=int(body["user"]["id"]), email=email, token=body["token"])


async def make_operator(rt: Runtime, *, email: str | None = None) -> Actor:
    """Operators cannot sign up; they are created directly (as `hawker users create` does)."""
    from datetime import timedelta

    email = email or f"operator{next(_seq)}@example.com"
    async with rt.db.session() as s:
        user: User = await accounts.create_user(
            s,
            email=email,
            password="operator password",
            display_name="Operator",
            role=UserRole.OPERATOR,
            now=rt.clock.now(),
            hash_profile="fast",
        )
        token = await accounts.issue_token(s, user, now=rt.clock.now(), ttl=timedelta(days=1))
        user_id = user.id
    return Actor(user_id=user_id, email=email, token=token)
