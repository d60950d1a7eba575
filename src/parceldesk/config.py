"""Settings: environment variables with the ``PARCELDESK_`` prefix, and an optional TOML file.

Read once at start-up (``Settings()``) and passed down; nothing reads the environment elsewhere.
Precedence: environment variables, then the file named by ``PARCELDESK_CONFIG_FILE``, then defaults.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from parceldesk.domain.errors import ParceldeskError


class InvalidSettings(ParceldeskError):
    code = "invalid_settings"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/parceldesk``, that is ``~/.local/share/parceldesk`` on most machines."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "parceldesk"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARCELDESK_", extra="forbid")

    config_file: Path | None = None
    """A TOML file with any of these settings (keys without the prefix, in lower case)."""
    data_dir: Path = default_data_dir()
    """Where the embedded database and the generated secret key live."""
    database_url: str | None = None
    """SQLAlchemy URL; default ``sqlite:///<data_dir>/parceldesk.db``."""
    policy_file: Path | None = None
    """The carrier's policy (YAML); default: the packaged policy, see docs/policy.md."""
    secret_key: SecretStr | None = None
    """Key for hashing one-time codes and tokens; default: generated once into data_dir."""
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    workers: int = Field(1, ge=1, le=64)
    """Server processes `serve` starts (each loads the model; SQLite or PostgreSQL both work)."""
    turn_threads: int = Field(4, ge=1, le=64)
    """Customer turns one server process works on at once (more wait in order; see docs)."""
    conversations_per_minute: int = Field(30, ge=1)
    """New conversations one client address may start per minute."""
    messages_per_minute: int = Field(60, ge=1)
    """Messages one conversation may send per minute."""
    redis_url: str | None = None
    """Redis for live messages across server processes (redis://host:6379/0); none: in-process."""
    csat_survey: bool = True
    """Ask the one-question satisfaction survey (1-5) when a conversation ends."""
    embed_origins: list[str] = []
    """Sites that may embed the web chat with /static/widget.js (e.g. https://www.carrier.com)."""
    voice_gateway_key: str = ""
    """Bearer key a SIP gateway sends to /api/v1/voice/media so its caller ID is trusted."""
    voice_threads: int = Field(2, ge=1)
    """CPU threads one speech-recognition model may use (2 answered sooner than 1 on a 2-core
    machine with one call and with two at once: docs/voice.md)."""
    voice_asr_tail_seconds: int | None = Field(None, ge=10, le=29)
    """Unset: Whisper reads its fixed 30 s window for every utterance. 10-29: it reads the speech
    and this many seconds after it, about twice as fast with 15, but long numbers spoken digit by
    digit are heard right less often (docs/voice.md); for CPUs too slow for the full window."""
    public_url: str | None = None
    """The address customers reach the service at (used in self-service links)."""
    sites_dir: Path | None = None
    """Data-centre site files for the footprint dashboard; default ``<data_dir>/sites``."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("PARCELDESK_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @field_validator("embed_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?", origin):
                raise ValueError(f"{origin!r} is not an origin like https://www.example.com")
        return origins

    @property
    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'parceldesk.db'}"


def load_settings() -> Settings:
    """Read the settings, turning any mistake into one clear ``InvalidSettings`` line."""
    config_file = os.environ.get("PARCELDESK_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        raise InvalidSettings(f"the configuration file {config_file} does not exist")
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidSettings(f"setting {where}: {first['msg']}") from None
    except (OSError, ValueError) as error:
        raise InvalidSettings(
            f"cannot read the configuration file {config_file}: {error}"
        ) from None
