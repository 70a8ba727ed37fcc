from __future__ import annotations

from datetime import timedelta

from fastapi import Request, Response

from hawker.accounts import service
from hawker.accounts.schemas import LogIn, MeUpdate, SignUp, TokenOut, UserOut
from hawker.deps import CurrentUser, RuntimeDep, SessionDep, bearer_or_cookie
from hawker.errors import RateLimited
from hawker.models import UserRole
from hawker.regions import service as regions
from hawker.routing import router as make_router

router = make_router(prefix="/auth", tags=["accounts"])
me_router = make_router(prefix="/me", tags=["accounts"])


def _set_cookie(response: Response, rt: RuntimeDep, token: str, max_age: int) -> None:
    response.set_cookie(
        rt.settings.session_cookie,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=rt.settings.cookie_secure,
    )


@router.post("/signup", response_model=TokenOut, status_code=201)
async def signup(body: SignUp, response: Response, session: SessionDep, rt: RuntimeDep) -> TokenOut:
    now = rt.clock.now()
    if body.market_code is not None:
        await regions.get_market(session, body.market_code.upper())
    user = await service.create_user(
        session,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        role=UserRole(body.role),
        market_code=body.market_code.upper() if body.market_code else None,
        now=now,
        hash_profile=rt.settings.password_hash_profile,
    )
    ttl = timedelta(hours=rt.settings.token_ttl_hours)
    token = await service.issue_token(session, user, now=now, ttl=ttl)
    _set_cookie(response, rt, token, int(ttl.total_seconds()))
    return TokenOut(token=token, expires_at=now + ttl, user=UserOut.model_validate(user))


@router.post("/login", response_model=TokenOut)
async def login(
    body: LogIn, request: Request, response: Response, session: SessionDep, rt: RuntimeDep
) -> TokenOut:
    client = request.client.host if request.client else "unknown"
    hits = await rt.broker.hit(f"login:{service.normalise_email(body.email)}:{client}", 60)
    if hits > rt.settings.login_attempts_per_minute:
        raise RateLimited("Too many login attempts; wait a minute and try again.")
    user = await service.authenticate(session, email=body.email, password=body.password)
    now = rt.clock.now()
    ttl = timedelta(hours=rt.settings.token_ttl_hours)
    token = await service.issue_token(session, user, now=now, ttl=ttl)
    _set_cookie(response, rt, token, int(ttl.total_seconds()))
    return TokenOut(token=token, expires_at=now + ttl, user=UserOut.model_validate(user))


@router.post("/logout", status_code=204)
async def logout(request: Request, session: SessionDep, rt: RuntimeDep) -> Response:
    token = bearer_or_cookie(request)
    if token:
        await service.revoke(session, token, now=rt.clock.now())
    response = Response(status_code=204)
    response.delete_cookie(rt.settings.session_cookie)
    return response


@me_router.get("", response_model=UserOut)
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@me_router.patch("", response_model=UserOut)
async def update_me(body: MeUpdate, user: CurrentUser, session: SessionDep) -> UserOut:
    if body.market_code is not None:
        market = await regions.get_market(session, body.market_code.upper())
        user.market_code = market.code
    if body.display_name is not None:
        user.display_name = body.display_name.strip()
    await session.flush()
    return UserOut.model_validate(user)
