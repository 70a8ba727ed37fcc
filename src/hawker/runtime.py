"""What every entrypoint (HTTP app, worker, CLI, tests) builds once and shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from hawker.broker import Broker, create_broker
from hawker.config import Settings
from hawker.db import Database
from hawker.kit.clock import Clock, SystemClock


@dataclass
class Runtime:
    settings: Settings
    db: Database
    broker: Broker
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def build(cls, settings: Settings | None = None, clock: Clock | None = None) -> Runtime:
        settings = settings or Settings()
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        settings.media_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        return cls(
            settings=settings,
            db=db,
            broker=create_broker(settings.redis_url, settings.redis_prefix),
            clock=clock or SystemClock(),
        )

    async def close(self) -> None:
        await self.broker.close()
        await self.db.dispose()
