"""Hawker's reference duty tables: used for a market until an operator sets its own.

Illustrative most-favoured-nation rates for the HS chapters live sellers ship most (they
are not a tariff schedule: operators replace them with the rates their customs broker
uses), the de-minimis value below which no duty is due, and customs exchange rates (one
unit of a foreign currency in the market's currency) for declared values in other
currencies. Markets without a table here charge no duty until an operator sets one.
"""

from __future__ import annotations

from decimal import Decimal

D = Decimal

# Rates per HS chapter: 33 cosmetics, 42 bags and leather goods, 61 knitted and 62 woven
# apparel, 64 footwear, 71 jewellery, 85 electrical and electronic goods, 95 toys and games.
_EU_RATES = {
    "33": D("0"),
    "42": D("0.03"),
    "61": D("0.12"),
    "62": D("0.12"),
    "64": D("0.08"),
    "71": D("0.025"),
    "85": D("0.02"),
    "95": D("0"),
}
_EU_FX = {"USD": D("0.92"), "GBP": D("1.17"), "CNY": D("0.13"), "JPY": D("0.0062")}


def _eu(code: str) -> dict[str, object]:
    # EU: no customs duty on consignments of an intrinsic value up to EUR 150
    return {
        "market_code": code,
        "de_minimis_minor": 15000,
        "default_rate": D("0.04"),
        "chapter_rates": dict(_EU_RATES),
        "exchange_rates": dict(_EU_FX),
    }


REFERENCE_TABLES: dict[str, dict[str, object]] = {
    # United States: duty on every import (no de-minimis exemption)
    "US": {
        "market_code": "US",
        "de_minimis_minor": 0,
        "default_rate": D("0.05"),
        "chapter_rates": {
            "33": D("0"),
            "42": D("0.08"),
            "61": D("0.16"),
            "62": D("0.16"),
            "64": D("0.10"),
            "71": D("0.055"),
            "85": D("0"),
            "95": D("0"),
        },
        "exchange_rates": {
            "EUR": D("1.09"),
            "GBP": D("1.27"),
            "CNY": D("0.14"),
            "JPY": D("0.0067"),
        },
    },
    # United Kingdom: no customs duty on consignments up to GBP 135
    "GB": {
        "market_code": "GB",
        "de_minimis_minor": 13500,
        "default_rate": D("0.04"),
        "chapter_rates": {
            "33": D("0"),
            "42": D("0.03"),
            "61": D("0.12"),
            "62": D("0.12"),
            "64": D("0.08"),
            "71": D("0.025"),
            "85": D("0.02"),
            "95": D("0"),
        },
        "exchange_rates": {
            "USD": D("0.79"),
            "EUR": D("0.85"),
            "CNY": D("0.11"),
            "JPY": D("0.0053"),
        },
    },
    **{code: _eu(code) for code in ("DE", "FR", "ES", "IT", "IE")},
}
