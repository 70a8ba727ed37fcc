"""The carrier simulator's world: parcels, their journeys, the events they produce.

No HTTP here. A parcel has a planned journey (label, pickup with a measured weight, hubs,
out for delivery, sometimes a failed attempt, delivered); each step falls due a nominal
delay after the previous one, multiplied by `delay_scale` (1.0 is realistic hours; 0.0005
moves a three-day journey through in about two minutes). Emitted events go to an outbox
of webhook batches, where some are duplicated and some held back behind the next event,
as real carriers do. Tests script a parcel (an empty box, a failed attempt, a duplicate,
an event sent late) and move the simulator's own clock.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

HOUR = 3600.0

# code, description, location kind, nominal hours after the previous step
PICKUP = "PICKED_UP"
JOURNEY: dict[str, list[tuple[str, str, str, float]]] = {
    "EXPRESS": [
        ("PICKED_UP", "Parcel collected and weighed", "origin", 3),
        ("DEPARTED_FACILITY", "Left the origin hub", "origin hub", 3),
        ("ARRIVED_FACILITY", "Arrived at the delivery hub", "destination hub", 14),
        ("OUT_FOR_DELIVERY", "Out for delivery", "destination", 6),
        ("DELIVERED", "Delivered", "destination", 4),
    ],
    "STANDARD": [
        ("PICKED_UP", "Parcel collected and weighed", "origin", 5),
        ("DEPARTED_FACILITY", "Left the origin hub", "origin hub", 6),
        ("ARRIVED_FACILITY", "Arrived at the delivery hub", "destination hub", 30),
        ("OUT_FOR_DELIVERY", "Out for delivery", "destination", 10),
        ("DELIVERED", "Delivered", "destination", 5),
    ],
    "ECONOMY": [
        ("PICKED_UP", "Parcel collected and weighed", "origin", 8),
        ("DEPARTED_FACILITY", "Left the origin hub", "origin hub", 12),
        ("ARRIVED_FACILITY", "Arrived at the delivery hub", "destination hub", 70),
        ("OUT_FOR_DELIVERY", "Out for delivery", "destination", 14),
        ("DELIVERED", "Delivered", "destination", 5),
    ],
}
FAILED_ATTEMPT = ("DELIVERY_ATTEMPTED", "Delivery attempted: nobody home", "destination", 4)
RETRY = ("OUT_FOR_DELIVERY", "Out for delivery (second attempt)", "destination", 18)
RETURN = [
    ("RETURN_TO_SENDER", "Returning to the sender", "origin hub", 2),
    ("RETURNED_TO_SENDER", "Returned to the sender", "origin", 30),
]

TRACKING_FORMATS = {"SWIFT": ("SW", 10, False), "ECOPOST": ("EP", 9, True)}


@dataclass
class Faults:
    weight_jitter_g: int = 3
    failed_attempt_rate: float = 0.1
    duplicate_rate: float = 0.1
    out_of_order_rate: float = 0.1


@dataclass
class Script:
    """A test's instructions for one parcel; when set, random faults leave it alone."""

    measured_weight_g: int | None = None
    failed_attempts: int = 0
    duplicate: set[str] = field(default_factory=set)  # codes sent twice
    late: set[str] = field(default_factory=set)  # codes sent after the next event


@dataclass
class Step:
    code: str
    description: str
    location: str
    delay_s: float
    weight_g: int | None = None


@dataclass
class Parcel:
    carrier: str
    tracking_number: str
    shipment_id: str
    reference: str
    service_code: str
    declared_weight_g: int
    origin_city: str
    destination_city: str
    created_at: datetime
    steps: list[Step]
    cursor: int = 0
    next_due: datetime | None = None
    held: bool = False
    state: str = "CREATED"
    script: Script | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    late: list[dict[str, Any]] = field(default_factory=list)  # held back behind the next event

    @property
    def accepted(self) -> bool:
        return any(e["code"] == PICKUP for e in self.events)

    def view(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "shipment_id": self.shipment_id,
            "reference": self.reference,
            "state": self.state,
            "held": self.held,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "pending": [s.code for s in self.steps[self.cursor :]],
            "events": list(self.events),
        }


class SimClock:
    """Real time plus an offset, or a frozen instant that only moves when told to."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.frozen: datetime | None = None

    def now(self) -> datetime:
        if self.frozen is not None:
            return self.frozen
        return datetime.now(UTC) + self.offset

    def set(self, value: datetime, *, frozen: bool) -> None:
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        if frozen:
            self.frozen = value
        else:
            self.frozen = None
            self.offset = value - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        if self.frozen is not None:
            self.frozen += timedelta(seconds=seconds)
        else:
            self.offset += timedelta(seconds=seconds)


class UnknownShipment(LookupError):
    pass


class ShipmentClosed(ValueError):
    pass


class World:
    """Every parcel of every simulated carrier, and the webhook batches waiting to go."""

    def __init__(
        self,
        *,
        delay_scale: float = 1.0,
        faults: Faults | None = None,
        seed: int | None = None,
        clock: SimClock | None = None,
    ) -> None:
        self.delay_scale = delay_scale
        self.faults = faults or Faults()
        self.rng = random.Random(seed)
        self.clock = clock or SimClock()
        self.parcels: dict[tuple[str, str], Parcel] = {}
        self.by_reference: dict[tuple[str, str], str] = {}
        self.outbox: list[dict[str, Any]] = []  # events waiting to be sent, in send order
        self._numbers = itertools.count(1)
        self._event_ids = itertools.count(1)

    # --- parcels ------------------------------------------------------------------------

    def tracking_number(self, carrier: str, country: str) -> str:
        prefix, digits, suffix = TRACKING_FORMATS.get(carrier, (carrier[:2].upper(), 10, False))
        n = next(self._numbers)
        body = f"{self.rng.randrange(10 ** (digits - 4)):0{digits - 4}d}{n % 10_000:04d}"
        return prefix + body + (country.upper()[:2] if suffix else "")

    @staticmethod
    def level_of(service_code: str) -> str:
        upper = service_code.upper()
        for level in ("EXPRESS", "ECONOMY"):
            if level in upper:
                return level
        return "STANDARD"

    def _journey(self, level: str) -> list[Step]:
        return [Step(c, d, loc, h * HOUR) for c, d, loc, h in JOURNEY[level]]

    def create_shipment(
        self,
        *,
        carrier: str,
        reference: str,
        service_code: str,
        weight_g: int,
        origin_city: str,
        destination_city: str,
        destination_country: str,
        label: bool = True,
        tracking_number: str | None = None,
    ) -> tuple[Parcel, bool]:
        """A new parcel (or the one already made for this reference: idempotent)."""
        key = (carrier, reference)
        if reference and key in self.by_reference:
            return self.parcels[(carrier, self.by_reference[key])], False
        number = tracking_number or self.tracking_number(carrier, destination_country)
        if (carrier, number) in self.parcels:
            raise ShipmentClosed(f"tracking number {number} is already in use")
        now = self.clock.now()
        steps = self._journey(self.level_of(service_code))
        if label:
            steps.insert(0, Step("LABEL_CREATED", "Shipping label created", "origin", 0))
        parcel = Parcel(
            carrier=carrier,
            tracking_number=number,
            shipment_id=f"{carrier}-{next(self._numbers):08d}",
            reference=reference,
            service_code=service_code,
            declared_weight_g=weight_g,
            origin_city=origin_city,
            destination_city=destination_city,
            created_at=now,
            steps=steps,
        )
        parcel.next_due = now + timedelta(seconds=steps[0].delay_s * self.delay_scale)
        self.parcels[(carrier, number)] = parcel
        if reference:
            self.by_reference[key] = number
        return parcel, True

    def get(self, carrier: str, tracking_number: str) -> Parcel:
        parcel = self.parcels.get((carrier, tracking_number))
        if parcel is None:
            raise UnknownShipment(tracking_number)
        return parcel

    def find(self, tracking_number: str) -> Parcel:
        for (_, number), parcel in self.parcels.items():
            if number == tracking_number:
                return parcel
        raise UnknownShipment(tracking_number)

    def cancel(self, carrier: str, tracking_number: str) -> Parcel:
        """Before pickup the label is void; after pickup the parcel goes back to its sender."""
        parcel = self.get(carrier, tracking_number)
        if parcel.state in ("DELIVERED", "CANCELLED", "RETURNING", "RETURNED"):
            raise ShipmentClosed(f"the parcel is {parcel.state}")
        parcel.held = False
        if not parcel.accepted:
            parcel.state = "CANCELLED"
            parcel.steps = parcel.steps[: parcel.cursor]
            parcel.next_due = None
            return parcel
        parcel.state = "RETURNING"
        parcel.steps = parcel.steps[: parcel.cursor] + [Step(*s) for s in RETURN]
        self._schedule_next(parcel, self.clock.now())
        return parcel

    def hold(self, carrier: str, tracking_number: str) -> Parcel:
        parcel = self.get(carrier, tracking_number)
        if parcel.state in ("DELIVERED", "CANCELLED", "RETURNED"):
            raise ShipmentClosed(f"the parcel is {parcel.state}")
        parcel.held = True
        parcel.next_due = None
        return parcel

    def release(self, carrier: str, tracking_number: str) -> Parcel:
        parcel = self.get(carrier, tracking_number)
        if parcel.held:
            parcel.held = False
            self._schedule_next(parcel, self.clock.now())
        return parcel

    def set_script(self, tracking_number: str, script: Script) -> Parcel:
        parcel = self.find(tracking_number)
        parcel.script = script
        if script.failed_attempts:
            self._add_failed_attempts(parcel, script.failed_attempts)
        return parcel

    # --- the journey --------------------------------------------------------------------

    def _add_failed_attempts(self, parcel: Parcel, count: int) -> None:
        for i in range(parcel.cursor, len(parcel.steps)):
            if parcel.steps[i].code == "DELIVERED":
                extra: list[Step] = []
                for _ in range(count):
                    extra += [Step(*FAILED_ATTEMPT), Step(*RETRY)]
                parcel.steps[i:i] = extra
                return

    def _schedule_next(self, parcel: Parcel, after: datetime) -> None:
        if parcel.cursor >= len(parcel.steps) or parcel.held:
            parcel.next_due = None
            return
        delay = parcel.steps[parcel.cursor].delay_s * self.delay_scale
        parcel.next_due = after + timedelta(seconds=delay)

    def _measured_weight(self, parcel: Parcel) -> int:
        if parcel.script is not None and parcel.script.measured_weight_g is not None:
            return parcel.script.measured_weight_g
        jitter = self.faults.weight_jitter_g
        return max(0, parcel.declared_weight_g + self.rng.randint(-jitter, jitter))

    def _emit(self, parcel: Parcel, step: Step, at: datetime) -> None:
        if step.code == PICKUP:
            step.weight_g = self._measured_weight(parcel)
            if parcel.script is None and self.rng.random() < self.faults.failed_attempt_rate:
                self._add_failed_attempts(parcel, 1)
        city = parcel.origin_city if step.location.startswith("origin") else parcel.destination_city
        event = {
            "event_id": f"{parcel.carrier}-E{next(self._event_ids):09d}",
            "tracking_number": parcel.tracking_number,
            "code": step.code,
            "description": step.description,
            "location": f"{city} ({step.location})" if city else step.location,
            "occurred_at": at.isoformat(),
            "weight_g": step.weight_g,
            "_carrier": parcel.carrier,
        }
        parcel.events.append({k: v for k, v in event.items() if not k.startswith("_")})
        parcel.state = {
            "LABEL_CREATED": "CREATED",
            "DELIVERED": "DELIVERED",
            "RETURN_TO_SENDER": "RETURNING",
            "RETURNED_TO_SENDER": "RETURNED",
        }.get(step.code, "IN_TRANSIT")
        script = parcel.script
        late = (
            step.code in script.late
            if script is not None
            else self.rng.random() < self.faults.out_of_order_rate
        )
        twice = (
            step.code in script.duplicate
            if script is not None
            else self.rng.random() < self.faults.duplicate_rate
        )
        held_back, parcel.late = parcel.late, []
        if late and parcel.cursor < len(parcel.steps):
            parcel.late.append(event)  # goes out after the parcel's next event
        else:
            self.outbox.append(event)
        self.outbox.extend(held_back)
        if twice:
            self.outbox.append(dict(event))

    def step(self, parcel: Parcel, at: datetime) -> None:
        step = parcel.steps[parcel.cursor]
        parcel.cursor += 1
        self._emit(parcel, step, at)
        self._schedule_next(parcel, at)
        if parcel.next_due is None and parcel.late:
            self.outbox.extend(parcel.late)  # nothing follows: send what was held back
            parcel.late = []

    def due(self) -> int:
        """Emit every step that has fallen due by the simulator's clock, in time order."""
        now = self.clock.now()
        emitted = 0
        while True:
            ready = [
                p for p in self.parcels.values() if p.next_due is not None and p.next_due <= now
            ]
            if not ready:
                return emitted
            parcel = min(ready, key=lambda p: (p.next_due or now, p.tracking_number))
            assert parcel.next_due is not None
            self.step(parcel, parcel.next_due)
            emitted += 1

    def advance_parcel(self, tracking_number: str, through: str) -> list[dict[str, Any]]:
        """Emit the parcel's next steps now, up to and including the first `through` step."""
        parcel = self.find(tracking_number)
        if parcel.held:
            raise ShipmentClosed("the parcel is held")
        start = len(parcel.events)
        at = self.clock.now()
        while parcel.cursor < len(parcel.steps):
            code = parcel.steps[parcel.cursor].code
            self.step(parcel, at)
            at += timedelta(seconds=1)
            if code == through:
                break
        self._schedule_next(parcel, self.clock.now())
        return parcel.events[start:]

    def take_outbox(self) -> dict[str, list[dict[str, Any]]]:
        """The waiting events grouped by carrier, in send order; the outbox is emptied."""
        batches: dict[str, list[dict[str, Any]]] = {}
        for event in self.outbox:
            carrier = event["_carrier"]
            batches.setdefault(carrier, []).append(
                {k: v for k, v in event.items() if not k.startswith("_")}
            )
        self.outbox = []
        return batches

    def requeue(self, carrier: str, events: Iterable[dict[str, Any]]) -> None:
        self.outbox.extend({**e, "_carrier": carrier} for e in events)

    def reset(self) -> None:
        self.parcels.clear()
        self.by_reference.clear()
        self.outbox.clear()
