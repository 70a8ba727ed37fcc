"""The carrier simulator, started for real once per run (uvicorn on a free local port).

Its webhooks wait to be drained (no webhook URL) so tests hand them to Hawker's app
themselves, and its clock is frozen at the test clock's time: every journey is moved
deterministically through the test hooks. One test lets it push to a served Hawker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from hawker.config import Settings
from hawker.kit.clock import FrozenClock
from hawker.logistics.simulator.app import SimConfig, create_simulator_app
from hawker.logistics.simulator.engine import Faults
from hawker.logistics.simulator.server import ThreadedServer
from tests.factories.fulfillment import SimClient


@pytest.fixture(scope="session")
def carrier_sim_url() -> Iterator[str]:
    config = SimConfig(
        webhook_url=None,
        default_secret=Settings(_env_file=None).carrier_sim_secret,  # type: ignore[call-arg]
        auto=False,
        faults=Faults(
            weight_jitter_g=3, failed_attempt_rate=0, duplicate_rate=0, out_of_order_rate=0
        ),
        seed=20260105,
    )
    server = ThreadedServer(create_simulator_app(config))
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
async def sim(
    carrier_sim_url: str, settings: Settings, clock: FrozenClock, client: httpx.AsyncClient
) -> AsyncIterator[SimClient]:
    settings.carrier_sim_url = carrier_sim_url
    handle = SimClient(carrier_sim_url, client)
    await handle.reset(clock.now())
    yield handle
