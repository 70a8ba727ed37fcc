"""Carrier adapters: the one interface Hawker uses to talk to any carrier.

`CarrierAdapter` is what fulfilment calls (quote, create shipment, cancel, hold, release,
follow a seller-shipped parcel) plus `normalise` for incoming events. `HttpCarrier` speaks
Hawker's carrier protocol (`hawker.logistics.carrier_protocol`) over HTTP: the carrier
simulator serves it, and a real carrier's integration would be one more adapter.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from hawker.errors import HawkerError
from hawker.logistics import carrier_protocol as wire
from hawker.models import TrackingStatus

M = TypeVar("M", bound=BaseModel)


class CarrierUnavailable(HawkerError):
    """The carrier could not be reached; nothing was bought. Try again."""

    status_code = 502
    code = "carrier_unavailable"


class CarrierRejected(HawkerError):
    """The carrier refused the request."""

    status_code = 409
    code = "carrier_rejected"


class CarrierAdapter(Protocol):
    code: str

    async def quote(self, request: wire.QuoteRequest) -> wire.QuoteResponse: ...

    async def create_shipment(self, request: wire.ShipmentRequest) -> wire.ShipmentResponse: ...

    async def cancel_shipment(self, tracking_number: str) -> wire.ShipmentStatus: ...

    async def hold(self, tracking_number: str) -> wire.ShipmentStatus: ...

    async def release(self, tracking_number: str) -> wire.ShipmentStatus: ...

    async def register_tracking(self, request: wire.TrackerRequest) -> wire.ShipmentStatus: ...

    def normalise(self, raw_code: str) -> TrackingStatus | None: ...


class HttpCarrier:
    """A carrier reached over HTTP with Hawker's carrier protocol."""

    def __init__(
        self,
        code: str,
        base_url: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.code = code
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.transport = transport

    def _url(self, path: str) -> str:
        return f"{self.base_url}/v1/carriers/{self.code}{path}"

    async def _post(self, path: str, body: dict[str, Any], model: type[M]) -> M:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as c:
                r = await c.post(self._url(path), json=body)
        except httpx.HTTPError as exc:
            raise CarrierUnavailable(
                f"Carrier {self.code} could not be reached; try again.",
                details={"carrier": self.code},
            ) from exc
        if r.status_code >= 500:
            raise CarrierUnavailable(
                f"Carrier {self.code} answered {r.status_code}; try again.",
                details={"carrier": self.code, "status": r.status_code},
            )
        if r.status_code >= 400:
            try:
                reason = r.json().get("error", r.text)
            except ValueError:
                reason = r.text
            raise CarrierRejected(
                f"Carrier {self.code} refused: {reason}",
                details={"carrier": self.code, "status": r.status_code, "reason": reason},
            )
        try:
            return model.model_validate(r.json())
        except (ValueError, ValidationError) as exc:
            raise CarrierUnavailable(
                f"Carrier {self.code} sent an answer Hawker cannot read.",
                details={"carrier": self.code},
            ) from exc

    async def quote(self, request: wire.QuoteRequest) -> wire.QuoteResponse:
        return await self._post("/quotes", request.model_dump(mode="json"), wire.QuoteResponse)

    async def create_shipment(self, request: wire.ShipmentRequest) -> wire.ShipmentResponse:
        return await self._post(
            "/shipments", request.model_dump(mode="json"), wire.ShipmentResponse
        )

    async def cancel_shipment(self, tracking_number: str) -> wire.ShipmentStatus:
        return await self._post(f"/shipments/{tracking_number}/cancel", {}, wire.ShipmentStatus)

    async def hold(self, tracking_number: str) -> wire.ShipmentStatus:
        return await self._post(f"/shipments/{tracking_number}/hold", {}, wire.ShipmentStatus)

    async def release(self, tracking_number: str) -> wire.ShipmentStatus:
        return await self._post(f"/shipments/{tracking_number}/release", {}, wire.ShipmentStatus)

    async def register_tracking(self, request: wire.TrackerRequest) -> wire.ShipmentStatus:
        return await self._post("/trackers", request.model_dump(mode="json"), wire.ShipmentStatus)

    def normalise(self, raw_code: str) -> TrackingStatus | None:
        return wire.normalise(raw_code)
