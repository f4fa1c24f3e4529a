"""records settings, from RECORDS_* environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hssk_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECORDS_", extra="ignore")

    http_port: int = 8002
    mongo_db: str = "hssk_records"
    # A doctor may read a record when the citizen visited the doctor's facility this recently.
    doctor_access_days: int = Field(default=365, ge=1, le=3650)
    # An emergency access lasts this long, and a doctor may open this many a day.
    emergency_access_minutes: int = Field(default=60, ge=5, le=24 * 60)
    emergency_accesses_per_day: int = Field(default=10, ge=1, le=100)
