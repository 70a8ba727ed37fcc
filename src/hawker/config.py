"""Settings, read from the environment with the prefix HAWKER_."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAWKER_", env_file=".env", extra="ignore")

    # Storage
    database_url: str = "sqlite+aiosqlite:///./var/hawker.db"
    redis_url: str | None = None
    redis_prefix: str = "hawker:"
    media_dir: Path = Path("./var/media")
    sqlite_synchronous: str = "FULL"

    # HTTP
    secret_key: str = "hawker-dev-secret-change-me"
    session_cookie: str = "hawker_session"
    cookie_secure: bool = False
    token_ttl_hours: int = 24 * 30
    base_url: str = "http://127.0.0.1:8000"

    # Background work: run the job runner inside `hawker serve` (embedded default).
    run_jobs_in_process: bool = True
    job_poll_seconds: float = 0.5
    timer_interval_seconds: float = 1.0
    job_max_attempts: int = 8

    # Orders and checkout (RULES.md)
    payment_window_minutes: int = 24 * 60
    flash_payment_window_minutes: int = 15
    remorse_window_minutes: int = 60
    idempotency_ttl_hours: int = 24
    idempotency_key_max_length: int = 255
    max_cart_lines: int = 100
    max_line_quantity: int = 999

    # Catalog
    image_max_bytes: int = 8 * 1024 * 1024
    image_max_pixels: int = 40_000_000
    thumbnail_px: int = 320
    prohibited_terms: list[str] = Field(
        default_factory=lambda: [
            "counterfeit",
            "replica",
            "knockoff",
            "fake designer",
            "firearm",
            "ammunition",
            "explosive",
            "cocaine",
            "heroin",
            "ivory",
            "rhino horn",
            "prescription drug",
            "stolen",
        ]
    )
    title_min_length: int = 5
    title_max_length: int = 255

    # Money: referral fee as a share of the customer payment (RULES.md).
    referral_fee_rate: Decimal = Decimal("0.06")

    # Accounts
    login_attempts_per_minute: int = 10
    password_min_length: int = 8
    # "fast" lowers argon2's cost for tests and demo seeding; never use it in production.
    password_hash_profile: str = "default"

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            rest = self.database_url[len(prefix) :]
            return None if rest in ("", ":memory:") else Path(rest.split("?")[0])
        return None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
