"""Sign up, log in, log out, the account page and the market switcher.

Logging in here sets the same `hawker_session` cookie the API's login sets, so a person
logged in on the pages is logged in for the API too, and the other way round.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request, Response

from hawker.accounts import service as accounts
from hawker.accounts.schemas import SignUp
from hawker.deps import RuntimeDep, SessionDep
from hawker.models import UserRole
from hawker.routing import router as make_router
from hawker.runtime import Runtime
from hawker.shops import service as shops
from hawker.web.forms import FieldErrors, Form, read_form, validate
from hawker.web.rendering import redirect, render, safe_next
from hawker.web.visitor import MARKET_COOKIE, MemberDep, VisitorDep, choose_market, user_of

router = make_router(include_in_schema=False)

MARKET_COOKIE_MAX_AGE = 365 * 24 * 3600


def _set_session_cookie(response: Response, rt: Runtime, token: str) -> None:
    response.set_cookie(
        rt.settings.session_cookie,
        token,
        max_age=rt.settings.token_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=rt.settings.cookie_secure,
    )


# Log in ---------------------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request, visitor: VisitorDep, next: str | None = None) -> Response:
    if visitor.user is not None:
        return redirect(request, safe_next(next))
    return render(
        request,
        "auth/login.html",
        visitor,
        {"values": {"next": safe_next(next, "")}, "errors": FieldErrors()},
    )


@router.post("/login")
async def login(
    request: Request, visitor: VisitorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    email, password = form.get("email"), form.raw("password")
    errors = FieldErrors()
    if not email:
        errors.add("email", "Enter your email address.")
    if not password:
        errors.add("password", "Enter your password.")
    user = None
    status = 400
    if not errors:
        client = request.client.host if request.client else "unknown"
        hits = await rt.broker.hit(f"login:{accounts.normalise_email(email)}:{client}", 60)
        if hits > rt.settings.login_attempts_per_minute:
            errors.add("_form", "Too many login attempts. Wait a minute and try again.")
            status = 429
        else:
            try:
                user = await accounts.authenticate(session, email=email, password=password)
            except accounts.InvalidCredentials:
                errors.add("_form", "That email and password don't match an account.")
                status = 401
    if user is None:
        values = {"email": email, "next": safe_next(form.get("next"), "")}
        return render(
            request,
            "auth/login.html",
            visitor,
            {"values": values, "errors": errors},
            status_code=status,
        )
    now = rt.clock.now()
    token = await accounts.issue_token(
        session, user, now=now, ttl=timedelta(hours=rt.settings.token_ttl_hours)
    )
    default = "/operator" if user.role == UserRole.OPERATOR else "/"
    response = redirect(
        request,
        safe_next(form.get("next"), default),
        flash=f"Welcome back, {user.display_name}.",
    )
    _set_session_cookie(response, rt, token)
    return response


# Sign up --------------------------------------------------------------------------------------


@router.get("/signup")
async def signup_page(request: Request, visitor: VisitorDep, next: str | None = None) -> Response:
    if visitor.user is not None:
        return redirect(request, safe_next(next))
    values = {"next": safe_next(next, ""), "market_code": visitor.market.code}
    return render(request, "auth/signup.html", visitor, {"values": values, "errors": FieldErrors()})


@router.post("/signup")
async def signup(
    request: Request, visitor: VisitorDep, session: SessionDep, rt: RuntimeDep
) -> Response:
    form = await read_form(request)
    errors = FieldErrors()
    values = {
        "display_name": form.get("display_name"),
        "email": form.get("email"),
        "market_code": form.get("market_code") or visitor.market.code,
        "next": safe_next(form.get("next"), ""),
    }
    body = validate(
        SignUp,
        {
            "email": values["email"],
            "password": form.raw("password"),
            "display_name": values["display_name"],
            "market_code": values["market_code"],
            "role": "buyer",
        },
        errors,
    )
    if body is not None and values["market_code"] not in {m.code for m in visitor.markets}:
        errors.add("market_code", "Choose one of the markets in the list.")
    if body is not None and not errors:
        now = rt.clock.now()
        try:
            user = await accounts.create_user(
                session,
                email=body.email,
                password=body.password,
                display_name=body.display_name,
                role=UserRole.BUYER,
                market_code=values["market_code"].upper(),
                now=now,
                hash_profile=rt.settings.password_hash_profile,
            )
        except accounts.EmailTaken:
            errors.add("email", "An account with this email already exists. Log in instead?")
        else:
            token = await accounts.issue_token(
                session, user, now=now, ttl=timedelta(hours=rt.settings.token_ttl_hours)
            )
            response = redirect(
                request,
                safe_next(values["next"]),
                flash=f"Welcome to Hawker, {user.display_name}!",
            )
            _set_session_cookie(response, rt, token)
            return response
    return render(
        request,
        "auth/signup.html",
        visitor,
        {"values": values, "errors": errors},
        status_code=409 if "email" in errors and body is not None else 400,
    )


# Log out --------------------------------------------------------------------------------------


@router.post("/logout")
async def logout(request: Request, session: SessionDep, rt: RuntimeDep) -> Response:
    await read_form(request)
    token = request.cookies.get(rt.settings.session_cookie)
    if token:
        await accounts.revoke(session, token, now=rt.clock.now())
    response = redirect(request, "/", flash="You're logged out. See you soon!")
    response.delete_cookie(rt.settings.session_cookie)
    return response


# Market switcher ------------------------------------------------------------------------------


def _market_choice(form: Form, visitor_markets: list[str]) -> str | None:
    code = form.get("market_code").upper()
    return code if code in visitor_markets else None


@router.post("/market")
async def switch_market(request: Request, visitor: VisitorDep, session: SessionDep) -> Response:
    """Shop in another market: saved in the profile when logged in, in a cookie otherwise."""
    form = await read_form(request)
    code = _market_choice(form, [m.code for m in visitor.markets])
    back = safe_next(form.get("next"))
    if code is None:
        return redirect(
            request, back, flash="Choose one of the markets in the list.", level="error"
        )
    market = choose_market(visitor.markets, code)
    response = redirect(request, back, flash=f"Now shopping in {market.name} ({market.currency}).")
    if visitor.user is not None:
        visitor.user.market_code = market.code
        await session.flush()
    else:
        response.set_cookie(
            MARKET_COOKIE, market.code, max_age=MARKET_COOKIE_MAX_AGE, samesite="lax"
        )
    return response


# Account --------------------------------------------------------------------------------------


@router.get("/account")
async def account(request: Request, visitor: MemberDep, session: SessionDep) -> Response:
    user = user_of(visitor)
    shop_ids = await shops.shop_ids_for_user(session, user.id)
    return render(
        request,
        "buyer/account.html",
        visitor,
        {"section": "account", "user": user, "shop_count": len(shop_ids)},
    )
