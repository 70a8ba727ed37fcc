"""Typed errors of the logistics domain (stable codes)."""

from __future__ import annotations

from hawker.errors import BadRequest, Conflict, NotFound


class CarrierNotFound(NotFound):
    """No such carrier."""

    code = "carrier_not_found"


class CarrierServiceNotFound(NotFound):
    """No such carrier service."""

    code = "carrier_service_not_found"


class CentreNotFound(NotFound):
    """No such fulfilment centre."""

    code = "fulfilment_centre_not_found"


class CarrierCodeTaken(Conflict):
    """Another carrier already has this code."""

    code = "carrier_code_taken"


class ServiceCodeTaken(Conflict):
    """This carrier already has a service with this code."""

    code = "service_code_taken"


class CentreCodeTaken(Conflict):
    """Another fulfilment centre already has this code."""

    code = "centre_code_taken"


class AlreadyEnrolled(Conflict):
    """The shop already stores stock in this fulfilment centre."""

    code = "already_enrolled"


class InvalidTrackingPattern(BadRequest):
    """The tracking-number pattern is not a valid regular expression."""

    code = "invalid_tracking_pattern"


class InvalidRateTable(BadRequest):
    """The rate table is not valid."""

    code = "invalid_rate_table"


class InvalidTransitTimes(BadRequest):
    """The transit times are not valid."""

    code = "invalid_transit_times"


class InvalidNetworkField(BadRequest):
    """A field of the logistics network is not valid."""

    code = "invalid_network_field"


class UnknownCarrier(BadRequest):
    """Hawker does not know that carrier."""

    code = "unknown_carrier"


class InvalidTrackingNumber(BadRequest):
    """The tracking number does not have the carrier's format."""

    code = "invalid_tracking_number"


class ServiceNotInMarket(BadRequest):
    """That carrier service does not serve the warehouse's market."""

    code = "service_not_in_market"
