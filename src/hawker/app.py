"""create_app(): the ASGI application. The lifespan checks migrations and starts jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import hawker
from hawker import api, tasks, web
from hawker.errors import HawkerError
from hawker.flash import engine as flash_engine
from hawker.flash.buy import BuyRoute
from hawker.live.ws import close_rooms
from hawker.outbox.runner import JobRunner
from hawker.runtime import Runtime
from hawker.schema import ensure_migrated

log = logging.getLogger("hawker")

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}}, status_code=status
    )


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HawkerError)
    async def hawker_error(_: Request, exc: HawkerError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(
            422, "validation_error", "The request is not valid.", _validation_details(exc)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return _error(500, "internal_error", "Something went wrong on our side; try again.")


def create_app(runtime: Runtime | None = None, *, check_migrations: bool = True) -> FastAPI:
    rt = runtime or Runtime.build()
    tasks.register_all()
    runner = JobRunner(rt)
    rt.db.after_commit.append(runner.notify)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_migrations:
            await ensure_migrated(rt.settings.database_url)
        stop = asyncio.Event()
        background: asyncio.Task[None] | None = None
        if rt.settings.run_jobs_in_process:
            background = asyncio.create_task(runner.run_forever(stop))
        await flash_engine.start(app)  # live flash deals: counters resume from the database
        simulation = None
        if rt.settings.demo_simulation:
            from hawker.demo.simulation import DemoSimulation

            simulation = DemoSimulation(rt)
            await simulation.start()
        try:
            yield
        finally:
            if simulation is not None:
                await simulation.close()
            await flash_engine.stop(app)  # answers every purchase already taken
            await close_rooms(app)  # live rooms hand their last counts to the broker
            stop.set()
            if background is not None:
                await background
            await rt.close()

    app = FastAPI(
        title="Hawker",
        version=hawker.__version__,
        summary="Open-source live commerce: shop inside live streams and short videos.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
    )
    app.state.runtime = rt
    app.state.runner = runner
    install_error_handlers(app)
    app.add_middleware(BuyRoute, hawker_app=app)  # live flash deals' hot path, before routing
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(web.router)
    web.install(app)  # /static, and error pages for browsers
    app.mount("/media", StaticFiles(directory=rt.settings.media_dir, check_dir=False), name="media")
    return app
