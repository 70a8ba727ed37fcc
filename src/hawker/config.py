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
    # after a wake-up, the runner waits this long so commits arriving together share a round
    job_gather_seconds: float = 0.02
    timer_interval_seconds: float = 1.0
    # `hawker demo` turns this on: simulated viewers keep the demo's live rooms busy.
    demo_simulation: bool = False
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

    # Shoppable videos
    video_max_bytes: int = 200 * 1024 * 1024
    video_max_seconds: int = 600
    video_max_short_side_px: int = 720  # "720p": the shorter side, for portrait and landscape
    video_max_fps: int = 30
    video_max_tags: int = 20

    # Live rooms
    rtmp_ingest_url: str = "rtmp://127.0.0.1:1935/live"  # encoders publish to <this>/<stream key>
    hls_base_url: str = "http://127.0.0.1:8080/hls"  # viewers play <this>/<public name>.m3u8
    live_hook_secret: str = "hawker-dev-hook-secret-change-me"  # ?secret= on the RTMP hook URLs
    live_banned_words: list[str] = Field(
        default_factory=lambda: [
            "idiot",
            "stupid",
            "scam",
            "whatsapp me",
            "telegram me",
            "dm for cheaper",
        ]
    )
    live_comments_per_window: int = 5
    live_comment_window_seconds: int = 10
    live_like_messages_per_second: int = 10
    live_frame_interval_ms: int = 200
    live_stats_interval_ms: int = 1000
    live_send_queue: int = 64
    live_room_idle_seconds: float = 5.0  # a room with no viewers stops after this long
    live_stats_settle_seconds: int = 30  # final statistics are taken this long after the end
    live_max_bag_items: int = 50

    # Fulfilment and logistics (RULES.md)
    dispatch_business_days: int = 2  # acceptance scan due this many business days after ON_HOLD
    auto_cancel_business_days: int = 7  # no acceptance scan by then: cancelled and refunded
    default_cutoff_hour: int = 14  # same-day cut-off of a warehouse, local time
    default_handling_days: int = 1  # business days a shop's warehouse takes to hand over
    volumetric_divisor_cm_kg: int = 5000  # chargeable weight = max(actual, L×W×H / divisor)
    weight_tolerance_g: int = 30  # a parcel lighter than expected by more than
    weight_tolerance_pct: int = 25  # max(30 g, 25 %) is held for review
    zone_bands_km: list[int] = Field(default_factory=lambda: [100, 400, 1000, 2500])
    performance_window_days: int = 30  # late dispatch and valid tracking rates look back this far
    late_dispatch_rate_max: Decimal = Decimal("0.04")  # seller governance thresholds (reported)
    valid_tracking_rate_min: Decimal = Decimal("0.95")
    # The carrier API of simulated carriers (`hawker carrier-sim`), and its webhook secret.
    carrier_sim_url: str = "http://127.0.0.1:8900"
    carrier_sim_secret: str = "hawker-dev-carrier-secret-change-me"
    carrier_timeout_seconds: float = 10.0

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
