"""Settings, read once from the environment. Nothing else in the service reads it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = CHECKOUT / "data"


@dataclass(frozen=True)
class Settings:
    """How one instance of the service runs."""

    database_url: str
    # True when no DATABASE_URL was given: the embedded SQLite file sets itself up on first start.
    embedded: bool = False
    environment: str = "development"
    pool_size: int = 10
    demo_scale: float = 0.05
    log_level: str = "INFO"

    @property
    def graphiql(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        url = environ.get("DATABASE_URL", "").strip()
        data_dir = Path(environ.get("DATA_DIR", str(DEFAULT_DATA_DIR)))
        environment = environ.get("ENVIRONMENT", "development").strip().lower()
        if environment not in {"development", "production"}:
            raise SystemExit(f"ENVIRONMENT must be development or production, not {environment!r}")
        return cls(
            database_url=url or f"sqlite+aiosqlite:///{data_dir / 'coordination.sqlite3'}",
            embedded=not url,
            environment=environment,
            pool_size=_positive_int(environ, "DATABASE_POOL_SIZE", 10),
            demo_scale=_scale(environ.get("DEMO_SCALE", "0.05")),
            log_level=environ.get("LOG_LEVEL", "INFO").upper(),
        )


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


def _scale(raw: str) -> float:
    try:
        scale = float(raw)
    except ValueError:
        scale = -1.0
    if not 0 <= scale <= 100:
        raise SystemExit(f"DEMO_SCALE must be a number from 0 to 100, not {raw!r}")
    return scale
