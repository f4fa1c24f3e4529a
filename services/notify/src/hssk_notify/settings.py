"""notify settings, from NOTIFY_* environment variables."""

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from hssk_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    http_port: int = 8004
    mongo_db: str = "hssk_notify"
    # Channels: a channel whose address is empty is not used (the ladder skips it).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "nhac-nho@hssk.local"
    sms_url: str = ""
    zns_url: str = ""
    push_url: str = ""
    provider_token_file: str | None = None  # a bearer token the providers expect
    # The secret providers sign delivery receipts with (HMAC-SHA256); none: receipts refused.
    receipt_secret_file: str | None = None
    provider_timeout_s: float = Field(default=5.0, gt=0, le=60)
    provider_retries: int = Field(default=2, ge=0, le=5)
    # The page where a citizen fills in their record (named in every completeness reminder).
    self_declaration_url: str = "http://127.0.0.1:8002/me"
    # The share of each campaign's citizens held out (nothing sent) to measure the effect.
    holdout_share: float = Field(default=0.05, ge=0, le=0.5)
    # No statistics cell under this count is disclosed; it can only be raised.
    min_cell: int = Field(default=10, ge=10)
    scheduler_tick_s: float = Field(default=1.0, gt=0, le=60)
    # Tests and demos only: a clock an operator may set (PUT /v1/dev/clock). Refused in production.
    manual_clock: bool = False

    @model_validator(mode="after")
    def _refuse_a_settable_clock_in_production(self) -> "Settings":
        if self.environment == "production" and self.manual_clock:
            raise ValueError("unsafe production settings: manual_clock is for tests and demos")
        return self
