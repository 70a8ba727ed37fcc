"""The carrier simulator as an HTTP service: `hawker carrier-sim`.

It serves Hawker's carrier protocol for any carrier code (quotes, shipments, cancel, hold,
release, trackers) and pushes signed tracking webhooks to Hawker. With `auto` on, a
background loop emits due events and delivers them every `tick_seconds`; without a webhook
URL the batches wait until drained through a test hook.

Test hooks (`/_sim/...`, on unless `test_hooks` is off) move the simulator's clock, emit
due events now, script a parcel (empty box, failed attempt, duplicate or late events),
push a parcel along, show parcels, drain and reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from hawker.logistics import carrier_protocol as wire
from hawker.logistics.simulator.engine import (
    Faults,
    Parcel,
    Script,
    ShipmentClosed,
    UnknownShipment,
    World,
)

log = logging.getLogger("hawker.carrier_sim")

LEVEL_PRICES = {"EXPRESS": (900, 250), "STANDARD": (500, 150), "ECONOMY": (350, 100)}
LEVEL_DAYS = {"EXPRESS": 1, "STANDARD": 3, "ECONOMY": 6}
MAX_DELIVERY_ATTEMPTS = 20


@dataclass
class SimConfig:
    webhook_url: str | None = None  # Hawker's base URL; None: batches wait to be drained
    default_secret: str = "hawker-dev-carrier-secret-change-me"
    secrets: dict[str, str] = field(default_factory=dict)  # per carrier code
    delay_scale: float = 1.0
    auto: bool = True
    tick_seconds: float = 0.5
    test_hooks: bool = True
    faults: Faults = field(default_factory=Faults)
    seed: int | None = None

    def secret(self, carrier: str) -> str:
        return self.secrets.get(carrier, self.default_secret)


@dataclass
class Delivery:
    carrier: str
    url: str | None
    body: bytes
    signature: str
    status: int | None = None
    attempts: int = 0


class Simulator:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.world = World(delay_scale=config.delay_scale, faults=config.faults, seed=config.seed)
        self.lock = asyncio.Lock()
        self.waiting: list[Delivery] = []  # queued when there is no webhook URL
        self.log: list[Delivery] = []
        self.retries: dict[str, int] = {}

    def batch(self, carrier: str, events: list[dict[str, Any]]) -> Delivery:
        body = json.dumps(
            {"carrier": carrier, "sent_at": self.world.clock.now().isoformat(), "events": events},
            separators=(",", ":"),
        ).encode()
        url = None
        if self.config.webhook_url:
            base = self.config.webhook_url.rstrip("/")
            url = f"{base}/api/v1/logistics/carriers/{carrier}/events"
        return Delivery(carrier, url, body, wire.sign(self.config.secret(carrier), body))

    async def flush(self) -> list[Delivery]:
        """Send every waiting event, one signed batch per carrier."""
        sent: list[Delivery] = []
        for carrier, events in self.world.take_outbox().items():
            delivery = self.batch(carrier, events)
            if delivery.url is None:
                self.waiting.append(delivery)
                continue
            await self._push(delivery, events)
            sent.append(delivery)
        return sent

    async def _push(self, delivery: Delivery, events: list[dict[str, Any]]) -> None:
        assert delivery.url is not None
        delivery.attempts += 1
        answer: dict[str, Any] = {}
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                r = await client.post(
                    delivery.url,
                    content=delivery.body,
                    headers={
                        "Content-Type": "application/json",
                        wire.SIGNATURE_HEADER: delivery.signature,
                    },
                )
            delivery.status = r.status_code
            answer = _json(r.content)
        except httpx.HTTPError:
            log.warning("webhook to %s failed; will retry", delivery.url)
            delivery.status = None
        self.log.append(delivery)
        if delivery.status is None or delivery.status >= 500:
            self.world.requeue(delivery.carrier, events)  # at least once: send again later
            return
        # Events for parcels the receiver does not know yet are retried a few times.
        unknown = set(answer.get("unknown", []))
        again = [
            e
            for e in events
            if e["event_id"] in unknown and self._retry(e["event_id"]) <= MAX_DELIVERY_ATTEMPTS
        ]
        if again:
            self.world.requeue(delivery.carrier, again)

    def _retry(self, event_id: str) -> int:
        self.retries[event_id] = self.retries.get(event_id, 0) + 1
        return self.retries[event_id]

    async def tick(self) -> tuple[int, list[Delivery]]:
        async with self.lock:
            emitted = self.world.due()
            return emitted, await self.flush()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("carrier simulator tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.config.tick_seconds)


def _json(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _status(parcel: Parcel) -> dict[str, Any]:
    return {"tracking_number": parcel.tracking_number, "status": parcel.state}


async def _body(request: Request, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise _Invalid(exc.errors(include_url=False)) from exc


class _Invalid(Exception):
    def __init__(self, errors: Any) -> None:
        self.errors = errors


def carrier_routes(sim: Simulator) -> APIRouter:
    api = APIRouter(prefix="/v1/carriers/{code}")
    world = sim.world

    @api.post("/quotes")
    async def quote(code: str, request: Request) -> JSONResponse:
        body: wire.QuoteRequest = await _body(request, wire.QuoteRequest)
        level = world.level_of(body.service_code)
        base, per_half_kg = LEVEL_PRICES[level]
        volumetric = -(-(body.length_cm * body.width_cm * body.height_cm * 1000) // 5000)
        chargeable = max(body.weight_g, volumetric)
        steps = max(0, -(-(chargeable - 500) // 500))
        cross = body.origin.country_code.upper() != body.destination.country_code.upper()
        days = LEVEL_DAYS[level] + (4 if cross else 0)
        currency = {"US": "USD", "GB": "GBP"}.get(body.origin.country_code.upper(), "USD")
        price = base + steps * per_half_kg + (1500 if cross else 0)
        return JSONResponse({"price_minor": price, "currency": currency, "transit_days": days})

    @api.post("/shipments")
    async def create(code: str, request: Request) -> JSONResponse:
        body: wire.ShipmentRequest = await _body(request, wire.ShipmentRequest)
        parcel, _ = world.create_shipment(
            carrier=code,
            reference=body.reference,
            service_code=body.service_code,
            weight_g=body.weight_g,
            origin_city=body.sender.city,
            destination_city=body.recipient.city,
            destination_country=body.recipient.country_code,
        )
        level = world.level_of(body.service_code)
        base, per_half_kg = LEVEL_PRICES[level]
        steps = max(0, -(-(body.weight_g - 500) // 500))
        label = {
            "format": "hawker-carrier-label/1",
            "carrier": code,
            "service_code": body.service_code,
            "shipment_id": parcel.shipment_id,
            "tracking_number": parcel.tracking_number,
            "barcode": {"symbology": "code128", "value": parcel.tracking_number},
            "routing_code": f"{body.recipient.country_code}-{body.recipient.postal_code[:3]}",
            "sender": body.sender.model_dump(),
            "recipient": body.recipient.model_dump(),
            "weight_g": body.weight_g,
            "dimensions_cm": [body.length_cm, body.width_cm, body.height_cm],
            "reference": body.reference,
        }
        return JSONResponse(
            {
                "shipment_id": parcel.shipment_id,
                "tracking_number": parcel.tracking_number,
                "price_minor": base + steps * per_half_kg,
                "currency": body.currency,
                "label": label,
            }
        )

    @api.post("/trackers")
    async def follow(code: str, request: Request) -> JSONResponse:
        body: wire.TrackerRequest = await _body(request, wire.TrackerRequest)
        try:
            parcel, _ = world.create_shipment(
                carrier=code,
                reference=body.reference or body.tracking_number,
                service_code="STANDARD",
                weight_g=body.weight_g,
                origin_city="",
                destination_city=body.recipient.city,
                destination_country=body.recipient.country_code,
                label=False,
                tracking_number=body.tracking_number,
            )
        except ShipmentClosed as exc:
            return _error(409, "tracking_number_in_use", str(exc))
        return JSONResponse(_status(parcel))

    async def act(code: str, tracking_number: str, what: str) -> JSONResponse:
        try:
            parcel = getattr(world, what)(code, tracking_number)
        except UnknownShipment:
            return _error(404, "unknown_shipment", f"No shipment {tracking_number}.")
        except ShipmentClosed as exc:
            return _error(409, "shipment_closed", str(exc))
        return JSONResponse(_status(parcel))

    @api.post("/shipments/{tracking_number}/cancel")
    async def cancel(code: str, tracking_number: str) -> JSONResponse:
        return await act(code, tracking_number, "cancel")

    @api.post("/shipments/{tracking_number}/hold")
    async def hold(code: str, tracking_number: str) -> JSONResponse:
        return await act(code, tracking_number, "hold")

    @api.post("/shipments/{tracking_number}/release")
    async def release(code: str, tracking_number: str) -> JSONResponse:
        return await act(code, tracking_number, "release")

    return api


class ClockIn(BaseModel):
    now: datetime | None = None
    advance_seconds: float | None = None
    frozen: bool = True


class ScriptIn(BaseModel):
    measured_weight_g: int | None = Field(default=None, ge=0)
    failed_attempts: int = Field(default=0, ge=0, le=5)
    duplicate: list[str] = []
    late: list[str] = []


class AdvanceIn(BaseModel):
    through: str = "DELIVERED"


class ConfigIn(BaseModel):
    webhook_url: str | None = None
    delay_scale: float | None = Field(default=None, ge=0)
    weight_jitter_g: int | None = Field(default=None, ge=0)
    failed_attempt_rate: float | None = Field(default=None, ge=0, le=1)
    duplicate_rate: float | None = Field(default=None, ge=0, le=1)
    out_of_order_rate: float | None = Field(default=None, ge=0, le=1)
    secrets: dict[str, str] | None = None


def _deliveries(items: list[Delivery]) -> list[dict[str, Any]]:
    return [
        {
            "carrier": d.carrier,
            "url": d.url,
            "status": d.status,
            "signature": d.signature,
            "body": d.body.decode(),
        }
        for d in items
    ]


def hook_routes(sim: Simulator) -> APIRouter:
    hooks = APIRouter(prefix="/_sim")
    world = sim.world

    @hooks.post("/clock")
    async def set_clock(body: ClockIn) -> dict[str, Any]:
        if body.now is not None:
            world.clock.set(body.now, frozen=body.frozen)
        if body.advance_seconds:
            world.clock.advance(body.advance_seconds)
        return {"now": world.clock.now().isoformat(), "frozen": world.clock.frozen is not None}

    @hooks.post("/tick")
    async def tick() -> dict[str, Any]:
        emitted, sent = await sim.tick()
        return {"emitted": emitted, "deliveries": _deliveries(sent)}

    @hooks.post("/config")
    async def configure(body: ConfigIn) -> dict[str, Any]:
        c = sim.config
        if "webhook_url" in body.model_fields_set:
            c.webhook_url = body.webhook_url
        if body.delay_scale is not None:
            c.delay_scale = world.delay_scale = body.delay_scale
        for name in ("weight_jitter_g", "failed_attempt_rate", "duplicate_rate"):
            value = getattr(body, name)
            if value is not None:
                setattr(c.faults, name, value)
        if body.out_of_order_rate is not None:
            c.faults.out_of_order_rate = body.out_of_order_rate
        if body.secrets is not None:
            c.secrets.update(body.secrets)
        return {
            "webhook_url": c.webhook_url,
            "delay_scale": c.delay_scale,
            "faults": vars(c.faults),
        }

    @hooks.post("/parcels/{tracking_number}/script")
    async def script(tracking_number: str, body: ScriptIn) -> JSONResponse:
        try:
            parcel = world.set_script(
                tracking_number,
                Script(
                    measured_weight_g=body.measured_weight_g,
                    failed_attempts=body.failed_attempts,
                    duplicate=set(body.duplicate),
                    late=set(body.late),
                ),
            )
        except UnknownShipment:
            return _error(404, "unknown_shipment", f"No shipment {tracking_number}.")
        return JSONResponse(parcel.view())

    @hooks.post("/parcels/{tracking_number}/advance")
    async def advance(tracking_number: str, body: AdvanceIn) -> JSONResponse:
        try:
            world.advance_parcel(tracking_number, body.through)
        except UnknownShipment:
            return _error(404, "unknown_shipment", f"No shipment {tracking_number}.")
        except ShipmentClosed as exc:
            return _error(409, "shipment_closed", str(exc))
        async with sim.lock:
            sent = await sim.flush()
        return JSONResponse({"deliveries": _deliveries(sent)})

    @hooks.get("/parcels/{tracking_number}")
    async def parcel(tracking_number: str) -> JSONResponse:
        try:
            return JSONResponse(world.find(tracking_number).view())
        except UnknownShipment:
            return _error(404, "unknown_shipment", f"No shipment {tracking_number}.")

    @hooks.get("/parcels")
    async def parcels() -> dict[str, Any]:
        return {"items": [p.view() for p in world.parcels.values()]}

    @hooks.post("/drain")
    async def drain() -> dict[str, Any]:
        async with sim.lock:
            await sim.flush()
            waiting, sim.waiting = sim.waiting, []
        return {"deliveries": _deliveries(waiting)}

    @hooks.get("/deliveries")
    async def deliveries() -> dict[str, Any]:
        return {"items": _deliveries(sim.log)}

    @hooks.post("/reset")
    async def reset() -> dict[str, Any]:
        world.reset()
        sim.waiting.clear()
        sim.log.clear()
        sim.retries.clear()
        return {"ok": True}

    return hooks


def create_simulator_app(config: SimConfig | None = None) -> FastAPI:
    """The simulator's ASGI app (`app.state.simulator` is its Simulator)."""
    sim = Simulator(config or SimConfig())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(sim.run(stop)) if sim.config.auto else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task

    app = FastAPI(
        title="Hawker carrier simulator",
        summary="A simulated carrier for development, tests and the demo. Not a real carrier.",
        lifespan=lifespan,
    )
    app.state.simulator = sim

    @app.exception_handler(_Invalid)
    async def invalid(_: Request, exc: _Invalid) -> JSONResponse:
        return JSONResponse(
            {
                "error": "invalid_request",
                "details": json.loads(json.dumps(exc.errors, default=str)),
            },
            status_code=422,
        )

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"ok": True, "parcels": len(sim.world.parcels), "now": sim.world.clock.now()}

    app.include_router(carrier_routes(sim))
    if sim.config.test_hooks:
        app.include_router(hook_routes(sim))
    return app
