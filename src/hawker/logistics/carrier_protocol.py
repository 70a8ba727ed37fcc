"""Hawker's carrier protocol: the wire shapes both sides share, and webhook signatures.

A carrier integration speaks it over HTTP (the carrier simulator does):

Hawker -> carrier (base URL per carrier, default `settings.carrier_sim_url`):
  POST /v1/carriers/{code}/quotes                     price and transit for a parcel
  POST /v1/carriers/{code}/shipments                  buy a label (idempotent on `reference`)
  POST /v1/carriers/{code}/shipments/{tracking}/cancel  void a label, or return an accepted
                                                      parcel to its sender
  POST /v1/carriers/{code}/shipments/{tracking}/hold    stop a parcel (weight review)
  POST /v1/carriers/{code}/shipments/{tracking}/release let a held parcel go on
  POST /v1/carriers/{code}/trackers                   follow a parcel the seller shipped

carrier -> Hawker:
  POST /api/v1/logistics/carriers/{code}/events with the header
  `X-Carrier-Signature: sha256=<lowercase hex HMAC-SHA256(key=webhook secret, msg=raw body)>`
  and a body `{"carrier": code, "sent_at": iso8601, "events": [CarrierEvent, ...]}`.
  Events may repeat (same `event_id`) and arrive out of order.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from hawker.models import TrackingStatus

SIGNATURE_HEADER = "X-Carrier-Signature"
SIGNATURE_PREFIX = "sha256="

T = TrackingStatus

# The raw event codes of the carrier protocol and the tracking status each one means.
RAW_CODES: dict[str, TrackingStatus] = {
    "LABEL_CREATED": T.INFO_RECEIVED,
    "PICKED_UP": T.ACCEPTED,
    "DEPARTED_FACILITY": T.IN_TRANSIT,
    "ARRIVED_FACILITY": T.IN_TRANSIT,
    "OUT_FOR_DELIVERY": T.OUT_FOR_DELIVERY,
    "DELIVERY_ATTEMPTED": T.FAILED_ATTEMPT,
    "DELIVERED": T.DELIVERED,
    "HELD": T.EXCEPTION,
    "EXCEPTION": T.EXCEPTION,
    "RETURN_TO_SENDER": T.RETURNING,
    "RETURNED_TO_SENDER": T.RETURNED,
}


def normalise(raw_code: str) -> TrackingStatus | None:
    """The tracking status of a raw carrier code; None for a code Hawker does not know."""
    return RAW_CODES.get(raw_code.strip().upper())


def sign(secret: str, body: bytes) -> str:
    """The signature header value for a webhook body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of a webhook signature header."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip().lower())


Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class CarrierEvent(BaseModel):
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    tracking_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    code: Code
    description: Annotated[str, StringConstraints(max_length=255)] = ""
    location: Annotated[str, StringConstraints(max_length=120)] = ""
    occurred_at: datetime
    weight_g: int | None = Field(default=None, ge=0, le=1_000_000)


class CarrierWebhook(BaseModel):
    carrier: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    sent_at: datetime | None = None
    events: list[CarrierEvent] = Field(max_length=500)


class Address(BaseModel):
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country_code: str
    phone: str = ""


class QuoteRequest(BaseModel):
    service_code: str
    origin: Address
    destination: Address
    weight_g: int = Field(ge=0)
    length_cm: int = Field(ge=0)
    width_cm: int = Field(ge=0)
    height_cm: int = Field(ge=0)


class QuoteResponse(BaseModel):
    price_minor: int
    currency: str
    transit_days: int


class ShipmentRequest(BaseModel):
    reference: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    service_code: str
    sender: Address
    recipient: Address
    weight_g: int = Field(ge=0)
    length_cm: int = Field(ge=0)
    width_cm: int = Field(ge=0)
    height_cm: int = Field(ge=0)
    currency: str = "USD"


class ShipmentResponse(BaseModel):
    shipment_id: str
    tracking_number: str
    price_minor: int
    currency: str
    label: dict[str, object]


class TrackerRequest(BaseModel):
    tracking_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    reference: str = ""
    weight_g: int = Field(ge=0)
    recipient: Address


class ShipmentStatus(BaseModel):
    tracking_number: str
    status: str
