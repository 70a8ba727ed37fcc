"""The route class every Hawker router uses.

The request's transaction is committed before the response leaves the handler, so a client
never receives a success for work that was not durably committed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession


class CommitBeforeResponseRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            response = await original(request)
            session: AsyncSession | None = getattr(request.state, "db_session", None)
            if session is not None and session.in_transaction():
                await session.commit()
                hooks = getattr(request.state, "after_commit", None)
                if hooks:
                    for hook in hooks:
                        hook()
            return response

        return handler


def router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=CommitBeforeResponseRoute, **kwargs)
