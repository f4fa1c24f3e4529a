"""identity settings, from IDENTITY_* environment variables."""

from pydantic_settings import SettingsConfigDict

from hssk_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    http_port: int = 8001
    mongo_db: str = "hssk_identity"
