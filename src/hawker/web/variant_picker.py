"""The product page's variant picker: a product's SKUs seen as options ("Colour", "Size")
with values, and the SKU a buyer's choice of values names. Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hawker.models import Sku
from hawker.web.rendering import money

MAX_OPTIONS = 3


@dataclass(frozen=True)
class Option:
    name: str
    values: list[str]


@dataclass(frozen=True)
class Variant:
    sku: Sku
    values: list[str]  # one per option, in the options' order
    available: int

    @property
    def name(self) -> str:
        return " / ".join(v for v in self.values if v) or "Standard"


def _attributes(sku: Sku) -> dict[str, str]:
    out: dict[str, str] = {}
    for attribute in sku.sales_attributes or []:
        name = str(attribute.get("name", "")).strip()
        if name and name.casefold() not in {n.casefold() for n in out}:
            out[name] = str(attribute.get("value_name", "")).strip()
    return out


def options_of(skus: Sequence[Sku]) -> list[Option]:
    """The product's options, named as on its first SKU, values in order of appearance."""
    if not skus:
        return []
    names = list(_attributes(skus[0]))[:MAX_OPTIONS]
    options: list[Option] = []
    for name in names:
        values: list[str] = []
        for sku in skus:
            value = _value(sku, name)
            if value and value not in values:
                values.append(value)
        options.append(Option(name, values))
    return options


def _value(sku: Sku, name: str) -> str:
    for key, value in _attributes(sku).items():
        if key.casefold() == name.casefold():
            return value
    return ""


def variants_of(
    skus: Sequence[Sku], options: Sequence[Option], available: Mapping[int, int]
) -> list[Variant]:
    return [
        Variant(sku, [_value(sku, o.name) for o in options], available.get(sku.id, 0))
        for sku in skus
    ]


def match(variants: Sequence[Variant], chosen: Sequence[str]) -> Variant | None:
    """The variant whose values are exactly `chosen` (the only one when there is one)."""
    if len(variants) == 1 and not any(chosen):
        return variants[0]
    for variant in variants:
        if list(chosen) == variant.values:
            return variant
    return None


def picker_data(variants: Sequence[Variant], *, locale: str) -> list[dict[str, Any]]:
    """What the page's script needs to show the chosen variant's price and stock."""
    return [
        {
            "sku_id": str(v.sku.id),
            "values": v.values,
            "name": v.name,
            "price": money(v.sku.price_minor, v.sku.currency, locale),
            "available": v.available,
        }
        for v in variants
    ]
