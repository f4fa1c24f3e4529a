"""notify settings, from NOTIFY_* environment variables."""

from pydantic_settings import SettingsConfigDict

from hssk_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    http_port: int = 8004
    mongo_db: str = "hssk_notify"
