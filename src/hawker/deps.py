"""Request dependencies shared by every router: session, runtime, current user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts import service as accounts
from hawker.errors import NotAuthenticated, PermissionDenied
from hawker.kit.clock import Clock
from hawker.models import User, UserRole
from hawker.runtime import Runtime

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request; committed after the handler returns without error.

    Reads (GET/HEAD) use the read session; everything else the write session.
    """
    rt: Runtime = request.app.state.runtime
    if request.method in READ_METHODS:
        async with rt.db.read_session() as session:
            yield session
    else:
        async with rt.db.session() as session:
            request.state.db_session = session  # committed by the route before responding
            yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_clock(request: Request) -> Clock:
    rt: Runtime = request.app.state.runtime
    return rt.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


def bearer_or_cookie(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    rt: Runtime = request.app.state.runtime
    return request.cookies.get(rt.settings.session_cookie)


async def optional_user(request: Request, session: SessionDep) -> User | None:
    token = bearer_or_cookie(request)
    if not token:
        return None
    rt: Runtime = request.app.state.runtime
    return await accounts.user_for_token(session, token, now=rt.clock.now())


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("Log in to do that.")
    return user


async def current_operator(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != UserRole.OPERATOR:
        raise PermissionDenied("Only platform operators may do that.")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
CurrentOperator = Annotated[User, Depends(current_operator)]
