"""ingest-emr settings, from INGEST_EMR_* environment variables."""

from pydantic_settings import SettingsConfigDict

from hssk_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_EMR_", extra="ignore")

    http_port: int = 8003
    mongo_db: str = "hssk_ingest_emr"
    max_payload_bytes: int = 5 * 1024 * 1024
