"""The default logistics network Hawker seeds per market: reference data, no database.

Two simulated carriers serve every market (their parcels go through `hawker carrier-sim`):
SWIFT (standard and express, tracking numbers SW + 10 digits) and ECOPOST (economy, EP + 9
digits + the destination country, like a postal S10 number). Rates are a US price list in
cents scaled by each market's flat shipping fee, so they are sensible in every currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hawker.models import DeliveryLevel

L = DeliveryLevel


@dataclass(frozen=True)
class CarrierSpec:
    code: str
    name: str
    tracking_pattern: str


@dataclass(frozen=True)
class ServiceSpec:
    carrier: str
    suffix: str  # the service code is "<market>_<suffix>"
    name: str
    level: DeliveryLevel
    price_factor: Decimal


@dataclass(frozen=True)
class CentreSpec:
    code: str
    name: str
    address_line1: str
    city: str
    postal_code: str
    latitude: str
    longitude: str


CARRIERS = (
    CarrierSpec("SWIFT", "Swift Parcel (simulated)", r"SW[0-9]{10}"),
    CarrierSpec("ECOPOST", "EcoPost (simulated)", r"EP[0-9]{9}[A-Z]{2}"),
)

SERVICES = (
    ServiceSpec("SWIFT", "STANDARD", "Swift Standard", L.STANDARD, Decimal("1")),
    ServiceSpec("SWIFT", "EXPRESS", "Swift Express", L.EXPRESS, Decimal("1.8")),
    ServiceSpec("ECOPOST", "ECONOMY", "EcoPost Economy", L.ECONOMY, Decimal("0.75")),
)

# Weight brackets (chargeable grams) and the US standard zone-1 price (cents) of each.
BRACKETS = ((500, 450), (1000, 520), (2000, 640), (5000, 900), (10000, 1400), (20000, 2200))
MAX_WEIGHT_G = 30000
EXTRA_KG_CENTS = 180
US_FLAT_FEE = 599  # the US market's flat shipping fee: the unit the other markets scale by
DOMESTIC_ZONES = 5
CROSS_BORDER_ZONE = 6

# Business days from acceptance to delivery, (p50, p90), per level and zone.
TRANSIT: dict[DeliveryLevel, dict[int, tuple[int, int]]] = {
    L.EXPRESS: {1: (1, 1), 2: (1, 2), 3: (1, 2), 4: (2, 3), 5: (2, 3), 6: (3, 5)},
    L.STANDARD: {1: (1, 2), 2: (2, 3), 3: (2, 4), 4: (3, 5), 5: (4, 6), 6: (6, 10)},
    L.ECONOMY: {1: (2, 4), 2: (3, 5), 3: (4, 7), 4: (5, 8), 5: (6, 9), 6: (10, 15)},
}


def zone_factor(zone: int) -> Decimal:
    if zone == CROSS_BORDER_ZONE:
        return Decimal(3)
    return Decimal(1) + Decimal("0.08") * (zone - 1)


def rate_rows(level_factor: Decimal, market_fee_minor: int) -> list[tuple[int, int, int]]:
    """(zone, max_weight_g, price_minor) of one service in one market."""
    scale = Decimal(market_fee_minor) / Decimal(US_FLAT_FEE)
    rows = []
    for zone in range(1, CROSS_BORDER_ZONE + 1):
        for max_g, cents in BRACKETS:
            price = Decimal(cents) * level_factor * zone_factor(zone) * scale
            rows.append((zone, max_g, int(price.quantize(Decimal(1), rounding=ROUND_HALF_UP))))
    return rows


def extra_kg_minor(level_factor: Decimal, market_fee_minor: int) -> int:
    value = Decimal(EXTRA_KG_CENTS) * level_factor * market_fee_minor / US_FLAT_FEE
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Where parcels to a postal-code prefix go ("" is the whole country): name, lat, lon.
POSTAL_AREAS: dict[str, dict[str, tuple[str, str, str]]] = {
    "US": {
        "": ("United States", "39.828300", "-98.579500"),
        "0": ("New England and New Jersey", "41.763700", "-72.685100"),
        "1": ("New York and Pennsylvania", "41.500000", "-76.000000"),
        "10": ("New York City", "40.712800", "-74.006000"),
        "11": ("Brooklyn, Queens and Long Island", "40.678200", "-73.944200"),
        "2": ("Mid-Atlantic and Carolinas", "37.540700", "-77.436000"),
        "3": ("Southeast", "33.748800", "-84.387700"),
        "4": ("Ohio Valley and Michigan", "39.961200", "-82.998800"),
        "5": ("Upper Midwest", "44.977800", "-93.265000"),
        "6": ("Central Plains and Illinois", "38.627000", "-90.199400"),
        "7": ("South Central", "32.776700", "-96.797000"),
        "8": ("Mountain West", "39.739200", "-104.990300"),
        "9": ("Pacific", "34.052200", "-118.243700"),
        "94": ("San Francisco Bay Area", "37.774900", "-122.419400"),
        "98": ("Washington State", "47.606200", "-122.332100"),
    },
    "GB": {
        "": ("United Kingdom", "52.486200", "-1.890400"),
        "E": ("East London", "51.507400", "-0.127800"),
        "EC": ("City of London", "51.515600", "-0.093400"),
        "N": ("North London", "51.565000", "-0.105000"),
        "NW": ("North West London", "51.545000", "-0.180000"),
        "SE": ("South East London", "51.470000", "-0.050000"),
        "SW": ("South West London", "51.470000", "-0.180000"),
        "W": ("West London", "51.510000", "-0.200000"),
        "WC": ("West Central London", "51.517000", "-0.120000"),
        "M": ("Manchester", "53.480800", "-2.242600"),
        "B": ("Birmingham", "52.486200", "-1.890400"),
        "G": ("Glasgow", "55.864200", "-4.251800"),
        "EH": ("Edinburgh", "55.953300", "-3.188300"),
        "L": ("Liverpool", "53.408400", "-2.991600"),
        "LS": ("Leeds", "53.800800", "-1.549100"),
        "BS": ("Bristol", "51.454500", "-2.587900"),
        "CF": ("Cardiff", "51.481600", "-3.179100"),
        "NE": ("Newcastle", "54.978300", "-1.617800"),
        "MK": ("Milton Keynes", "52.040600", "-0.759400"),
    },
    "DE": {
        "": ("Germany", "51.165700", "10.451500"),
        "0": ("Saxony", "51.339700", "12.373100"),
        "1": ("Berlin and Brandenburg", "52.520000", "13.405000"),
        "2": ("Hamburg and the North", "53.551100", "9.993700"),
        "3": ("Lower Saxony and Hesse North", "52.375900", "9.732000"),
        "4": ("Düsseldorf and the Ruhr", "51.227700", "6.773500"),
        "5": ("Cologne and Bonn", "50.937500", "6.960300"),
        "6": ("Frankfurt and the Rhine-Main", "50.110900", "8.682100"),
        "7": ("Stuttgart and Baden", "48.775800", "9.182900"),
        "8": ("Munich and Upper Bavaria", "48.135100", "11.582000"),
        "9": ("Nuremberg and Franconia", "49.452100", "11.076700"),
    },
    "ID": {"": ("Jakarta", "-6.208800", "106.845600")},
    "TH": {"": ("Bangkok", "13.756300", "100.501800")},
    "VN": {"": ("Ho Chi Minh City", "10.823100", "106.629700")},
    "MY": {"": ("Kuala Lumpur", "3.139000", "101.686900")},
    "PH": {"": ("Manila", "14.599500", "120.984200")},
    "SG": {"": ("Singapore", "1.352100", "103.819800")},
    "JP": {"": ("Tokyo", "35.676200", "139.650300")},
    "MX": {"": ("Mexico City", "19.432600", "-99.133200")},
    "BR": {"": ("São Paulo", "-23.550500", "-46.633300")},
    "ES": {"": ("Madrid", "40.416800", "-3.703800")},
    "IE": {"": ("Dublin", "53.349800", "-6.260300")},
    "FR": {"": ("Paris", "48.856600", "2.352200")},
    "IT": {"": ("Rome", "41.902800", "12.496400")},
}

CENTRES: dict[str, CentreSpec] = {
    "US": CentreSpec(
        "US-EWR1",
        "Hawker Fulfilment Edison",
        "100 Logistics Way",
        "Edison",
        "08817",
        "40.518700",
        "-74.412100",
    ),
    "GB": CentreSpec(
        "GB-MK1",
        "Hawker Fulfilment Milton Keynes",
        "1 Distribution Road",
        "Milton Keynes",
        "MK1 1AA",
        "52.040600",
        "-0.759400",
    ),
    "DE": CentreSpec(
        "DE-LEJ1",
        "Hawker Fulfilment Leipzig",
        "Logistikring 1",
        "Leipzig",
        "04109",
        "51.339700",
        "12.373100",
    ),
    "JP": CentreSpec(
        "JP-CHB1",
        "Hawker Fulfilment Ichikawa",
        "1-1 Shiohama",
        "Ichikawa",
        "272-0127",
        "35.721900",
        "139.931000",
    ),
    "ID": CentreSpec(
        "ID-CKR1",
        "Hawker Fulfilment Cikarang",
        "Jl. Industri 1",
        "Cikarang",
        "17530",
        "-6.261500",
        "107.153000",
    ),
}


def centre_for(market_code: str) -> CentreSpec:
    """The market's seeded fulfilment centre (at its main city where none is listed)."""
    found = CENTRES.get(market_code)
    if found is not None:
        return found
    name, lat, lon = POSTAL_AREAS.get(market_code, {}).get("", (market_code, "0", "0"))
    return CentreSpec(
        f"{market_code}-FC1",
        f"Hawker Fulfilment {name}",
        "1 Logistics Park",
        name,
        "00000",
        lat,
        lon,
    )
