"""records settings, from RECORDS_* environment variables."""

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from hssk_kit.settings import DEV_KEY_MARKER, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECORDS_", extra="ignore")

    http_port: int = 8002
    mongo_db: str = "hssk_records"
    # A doctor may read a record when the citizen visited the doctor's facility this recently.
    doctor_access_days: int = Field(default=365, ge=1, le=3650)
    # An emergency access lasts this long, and a doctor may open this many a day.
    emergency_access_minutes: int = Field(default=60, ge=5, le=24 * 60)
    emergency_accesses_per_day: int = Field(default=10, ge=1, le=100)
    # QR codes for self-declaration: signed with this secret, valid this long, used once.
    qr_secret_file: str = ".hssk/keys/records-qr.key"
    qr_valid_hours: int = Field(default=72, ge=1, le=24 * 30)
    # Citizen sessions opened by a QR code: signed with a key the services' verifiers trust.
    session_key_file: str = ".hssk/keys/dev-issuer.pem"
    session_minutes: int = Field(default=120, ge=5, le=24 * 60)
    # Where citizens open QR links (the pages), as they would type it; records' events name
    # their schemas under it too (locally, records serves them itself).
    public_url: str = "http://127.0.0.1:8002"
    # Statistics: no cell under this many people is ever shown (the city's floor is 10; a
    # deployment may only raise it), and the API's figures are refreshed this often.
    stats_min_cell: int = Field(default=10, ge=10, le=1000)
    stats_refresh_seconds: float = Field(default=1.0, ge=0.1, le=60)

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> "Settings":
        if self.environment == "production":
            dev = [f for f in (self.qr_secret_file, self.session_key_file) if DEV_KEY_MARKER in f]
            if dev:
                raise ValueError(f"unsafe production settings: dev secrets {dev}")
        return self
