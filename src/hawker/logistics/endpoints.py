"""HTTP wiring for the logistics network: operators manage it, sellers configure their
warehouses, everyone logged in can read carriers and fulfilment centres."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hawker.deps import CurrentOperator, CurrentUser, RuntimeDep, SessionDep
from hawker.logistics import service
from hawker.logistics.schemas import (
    CarrierIn,
    CarrierOut,
    CarrierPageOut,
    CarrierPatch,
    CarrierWithSecretOut,
    CentreIn,
    CentreOut,
    CentrePageOut,
    CentrePatch,
    HandlingIn,
    NetworkSeededOut,
    OperatorCarrierOut,
    OptionIn,
    PublicCarrierPageOut,
    RatesIn,
    ServiceDetailOut,
    ServiceIn,
    ServiceListOut,
    ServiceOut,
    ServicePatch,
    SiteListOut,
    SiteOut,
    TransitTimesIn,
    carrier_with_secret_out,
    centre_out,
    operator_carrier_out,
    service_detail_out,
    service_out,
    site_out,
)
from hawker.models import DeliveryLevel
from hawker.routing import router as make_router
from hawker.schemas import Id

router = make_router(prefix="/logistics", tags=["logistics"])
seller_router = make_router(prefix="/seller/shops/{shop_id}/logistics", tags=["seller: logistics"])
operator_router = make_router(prefix="/operator/logistics", tags=["operator: logistics"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
TextQuery = Annotated[str | None, Query(max_length=100)]
MarketQuery = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")]


async def _service_detail(session: SessionDep, service_id: int) -> ServiceDetailOut:
    s = await service.get_service(session, service_id)
    rates, transits = await service.service_tables(session, s.id)
    locale = await service.market_locale(session, s.market_code)
    return service_detail_out(s, rates, transits, locale)


# --- everyone logged in ---------------------------------------------------------------------------


@router.get("/carriers", response_model=PublicCarrierPageOut)
async def list_carriers(
    session: SessionDep,
    _user: CurrentUser,
    q: TextQuery = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> PublicCarrierPageOut:
    page = await service.list_carriers(session, active_only=True, q=q, cursor=cursor, limit=limit)
    return PublicCarrierPageOut(
        items=[CarrierOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get("/services", response_model=ServiceListOut)
async def list_market_services(
    session: SessionDep,
    _user: CurrentUser,
    market_code: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")],
    level: DeliveryLevel | None = None,
) -> ServiceListOut:
    code = market_code.upper()
    locale = await service.market_locale(session, code)
    rows = await service.list_services(session, market_code=code, level=level)
    return ServiceListOut(items=[service_out(s, locale) for s in rows if s.is_active])


@router.get("/fulfilment-centres", response_model=CentrePageOut)
async def list_centres(
    session: SessionDep,
    _user: CurrentUser,
    market_code: MarketQuery = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> CentrePageOut:
    page = await service.list_centres(
        session, market_code=market_code, active_only=True, cursor=cursor, limit=limit
    )
    return CentrePageOut(items=[centre_out(c) for c in page.items], next_cursor=page.next_cursor)


# --- sellers ----------------------------------------------------------------------------------


@seller_router.get("/warehouses", response_model=SiteListOut)
async def shop_network(
    shop_id: Id, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> SiteListOut:
    sites = await service.shop_network(session, user, shop_id, settings=rt.settings)
    return SiteListOut(items=[site_out(p) for p in sites])


@seller_router.put("/warehouses/{warehouse_id}", response_model=SiteOut)
async def set_handling_days(
    shop_id: Id,
    warehouse_id: Id,
    body: HandlingIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
) -> SiteOut:
    profile = await service.set_handling_days(
        session,
        user,
        shop_id,
        warehouse_id,
        handling_days=body.handling_days,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    return site_out(profile)


@seller_router.put("/warehouses/{warehouse_id}/delivery-options/{level}", response_model=SiteOut)
async def set_delivery_option(
    shop_id: Id,
    warehouse_id: Id,
    level: DeliveryLevel,
    body: OptionIn,
    session: SessionDep,
    user: CurrentUser,
    rt: RuntimeDep,
) -> SiteOut:
    profile = await service.set_delivery_option(
        session,
        user,
        shop_id,
        warehouse_id,
        level=level,
        service_id=body.service_id,
        now=rt.clock.now(),
        settings=rt.settings,
    )
    return site_out(profile)


@seller_router.post(
    "/fulfilment-centres/{centre_id}/enrol", response_model=SiteOut, status_code=201
)
async def enrol_in_centre(
    shop_id: Id, centre_id: Id, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> SiteOut:
    profile = await service.enrol_in_centre(
        session, user, shop_id, centre_id, now=rt.clock.now(), settings=rt.settings
    )
    return site_out(profile)


# --- operators: carriers ------------------------------------------------------------------------


@operator_router.get("/carriers", response_model=CarrierPageOut)
async def operator_list_carriers(
    session: SessionDep,
    _operator: CurrentOperator,
    q: TextQuery = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> CarrierPageOut:
    page = await service.list_carriers(session, active_only=False, q=q, cursor=cursor, limit=limit)
    return CarrierPageOut(
        items=[operator_carrier_out(c) for c in page.items], next_cursor=page.next_cursor
    )


@operator_router.post("/carriers", response_model=CarrierWithSecretOut, status_code=201)
async def create_carrier(
    body: CarrierIn, session: SessionDep, operator: CurrentOperator, rt: RuntimeDep
) -> CarrierWithSecretOut:
    carrier = await service.create_carrier(
        session,
        operator,
        code=body.code,
        name=body.name,
        tracking_pattern=body.tracking_pattern,
        webhook_secret=body.webhook_secret,
        api_base_url=body.api_base_url,
        now=rt.clock.now(),
    )
    return carrier_with_secret_out(carrier)


@operator_router.get("/carriers/{carrier_id}", response_model=OperatorCarrierOut)
async def get_carrier(
    carrier_id: Id, session: SessionDep, _operator: CurrentOperator
) -> OperatorCarrierOut:
    return operator_carrier_out(await service.get_carrier(session, carrier_id))


@operator_router.patch(
    "/carriers/{carrier_id}", response_model=CarrierWithSecretOut | OperatorCarrierOut
)
async def update_carrier(
    carrier_id: Id,
    body: CarrierPatch,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> CarrierWithSecretOut | OperatorCarrierOut:
    """Change a carrier; with `rotate_secret` the answer carries the new webhook secret."""
    changes = body.model_dump(exclude_unset=True, exclude={"rotate_secret"})
    carrier = await service.update_carrier(
        session,
        operator,
        carrier_id,
        changes={k: v for k, v in changes.items() if v is not None or k == "api_base_url"},
        rotate_secret=body.rotate_secret,
        now=rt.clock.now(),
    )
    if body.rotate_secret:
        return carrier_with_secret_out(carrier)
    return operator_carrier_out(carrier)


# --- operators: services, rates, transit times ------------------------------------------------


@operator_router.post(
    "/carriers/{carrier_id}/services", response_model=ServiceDetailOut, status_code=201
)
async def create_service(
    carrier_id: Id,
    body: ServiceIn,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> ServiceDetailOut:
    created = await service.create_service(
        session,
        operator,
        carrier_id,
        code=body.code,
        name=body.name,
        market_code=body.market_code,
        level=body.level,
        max_weight_g=body.max_weight_g,
        volumetric_divisor=body.volumetric_divisor,
        extra_kg_minor=body.extra_kg_minor,
        is_default=body.is_default,
        now=rt.clock.now(),
    )
    return await _service_detail(session, created.id)


@operator_router.get("/services", response_model=ServiceListOut)
async def operator_list_services(
    session: SessionDep,
    _operator: CurrentOperator,
    market_code: MarketQuery = None,
    carrier_id: Id | None = None,
    level: DeliveryLevel | None = None,
) -> ServiceListOut:
    rows = await service.list_services(
        session,
        carrier_id=carrier_id,
        market_code=market_code.upper() if market_code else None,
        level=level,
    )
    out: list[ServiceOut] = []
    for s in rows:
        out.append(service_out(s, await service.market_locale(session, s.market_code)))
    return ServiceListOut(items=out)


@operator_router.get("/services/{service_id}", response_model=ServiceDetailOut)
async def get_service(
    service_id: Id, session: SessionDep, _operator: CurrentOperator
) -> ServiceDetailOut:
    return await _service_detail(session, service_id)


@operator_router.patch("/services/{service_id}", response_model=ServiceDetailOut)
async def update_service(
    service_id: Id,
    body: ServicePatch,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> ServiceDetailOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    await service.update_service(session, operator, service_id, changes=changes, now=rt.clock.now())
    return await _service_detail(session, service_id)


@operator_router.put("/services/{service_id}/rates", response_model=ServiceDetailOut)
async def replace_rates(
    service_id: Id,
    body: RatesIn,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> ServiceDetailOut:
    await service.replace_rates(
        session,
        operator,
        service_id,
        [(b.zone, b.max_weight_g, b.price_minor) for b in body.brackets],
        extra_kg_minor=body.extra_kg_minor,
        now=rt.clock.now(),
    )
    return await _service_detail(session, service_id)


@operator_router.put("/services/{service_id}/transit-times", response_model=ServiceDetailOut)
async def replace_transits(
    service_id: Id,
    body: TransitTimesIn,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> ServiceDetailOut:
    await service.replace_transits(
        session,
        operator,
        service_id,
        [(z.zone, z.p50_days, z.p90_days) for z in body.zones],
        now=rt.clock.now(),
    )
    return await _service_detail(session, service_id)


# --- operators: fulfilment centres and the default network ------------------------------------


@operator_router.get("/fulfilment-centres", response_model=CentrePageOut)
async def operator_list_centres(
    session: SessionDep,
    _operator: CurrentOperator,
    market_code: MarketQuery = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> CentrePageOut:
    page = await service.list_centres(
        session, market_code=market_code, active_only=False, cursor=cursor, limit=limit
    )
    return CentrePageOut(items=[centre_out(c) for c in page.items], next_cursor=page.next_cursor)


@operator_router.post("/fulfilment-centres", response_model=CentreOut, status_code=201)
async def create_centre(
    body: CentreIn, session: SessionDep, operator: CurrentOperator, rt: RuntimeDep
) -> CentreOut:
    centre = await service.create_centre(
        session, operator, fields=body.model_dump(), now=rt.clock.now()
    )
    return centre_out(centre)


@operator_router.patch("/fulfilment-centres/{centre_id}", response_model=CentreOut)
async def update_centre(
    centre_id: Id,
    body: CentrePatch,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> CentreOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    centre = await service.update_centre(
        session, operator, centre_id, changes=changes, now=rt.clock.now()
    )
    return centre_out(centre)


@operator_router.put(
    "/fulfilment-centres/{centre_id}/delivery-options/{level}", response_model=CentreOut
)
async def set_centre_option(
    centre_id: Id,
    level: DeliveryLevel,
    body: OptionIn,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> CentreOut:
    centre = await service.set_centre_option(
        session, operator, centre_id, level=level, service_id=body.service_id, now=rt.clock.now()
    )
    return centre_out(centre)


@operator_router.post("/markets/{market_code}/default-network", response_model=NetworkSeededOut)
async def seed_default_network(
    market_code: str,
    session: SessionDep,
    operator: CurrentOperator,
    rt: RuntimeDep,
) -> NetworkSeededOut:
    now = rt.clock.now()
    seeded = await service.ensure_default_network(
        session, market_code.upper(), now=now, settings=rt.settings
    )
    service.audit_network_seed(session, operator, seeded, now=now)
    return NetworkSeededOut(
        market_code=seeded.market_code,
        carriers=seeded.carriers,
        services=seeded.services,
        postal_areas=seeded.postal_areas,
        centre=seeded.centre,
    )
