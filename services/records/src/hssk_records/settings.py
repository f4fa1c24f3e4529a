"""records settings, from RECORDS_* environment variables."""

from pydantic_settings import SettingsConfigDict

from hssk_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECORDS_", extra="ignore")

    http_port: int = 8002
    mongo_db: str = "hssk_records"
    # A doctor may read a record when the citizen visited the doctor's facility this recently.
    doctor_access_days: int = 365
