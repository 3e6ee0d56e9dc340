"""Settings, read once from the environment. Nothing else in the service reads it."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

from sqlalchemy.engine import make_url

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = CHECKOUT / "data"

LogFormat = Literal["json", "text"]
LOG_FORMATS: frozenset[str] = frozenset(get_args(LogFormat))


@dataclass(frozen=True)
class Settings:
    """How one instance of the service runs."""

    database_url: str
    # True when no DATABASE_URL was given: the embedded SQLite file sets itself up on first start.
    embedded: bool = False
    environment: str = "development"
    pool_size: int = 10
    # Seconds a request waits for a free connection before failing, rather than queueing without
    # bound behind a saturated pool.
    pool_timeout: float = 10.0
    demo_scale: float = 0.05
    log_level: str = "INFO"
    # None follows the environment: see `json_logs`.
    log_format: LogFormat | None = None
    # What one request may ask of the service (see README, "Limits").
    max_query_cost: int = 50_000
    cost_budget: int = 500_000
    cost_restore_rate: float = 10_000.0
    request_timeout: float = 15.0
    max_body_bytes: int = 1_048_576
    # Compiled reads: answer supported queries with one SQL statement per root field
    # (schema/compiled_reads.py); off, every query runs through the resolvers field by field.
    # Either way clients see the same answers.
    compiled_reads: bool = True

    @property
    def graphiql(self) -> bool:
        return self.environment == "development"

    @property
    def secretariat_token_file(self) -> Path | None:
        """Where the embedded database keeps the secretariat token issued on its first start, beside
        its file (None on a database that was given: its tokens are issued by its operators)."""
        if not self.embedded:
            return None
        database = make_url(self.database_url).database
        return None if not database else Path(database).parent / "secretariat.token"

    @property
    def graphiql_token_file(self) -> Path | None:
        """The token GraphiQL may fill in for a browser on this machine: in development only."""
        return self.secretariat_token_file if self.graphiql else None

    @property
    def json_logs(self) -> bool:
        """One JSON object a line for a log collector in production; readable text elsewhere."""
        if self.log_format is None:
            return self.environment == "production"
        return self.log_format == "json"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        url = environ.get("DATABASE_URL", "").strip()
        data_dir = Path(environ.get("DATA_DIR", str(DEFAULT_DATA_DIR)))
        environment = environ.get("ENVIRONMENT", "development").strip().lower()
        if environment not in {"development", "production"}:
            raise SystemExit(f"ENVIRONMENT must be development or production, not {environment!r}")
        max_cost = _positive_int(environ, "MAX_QUERY_COST", 50_000)
        budget = _positive_int(environ, "COST_BUDGET", 500_000)
        if budget < max_cost:
            # Otherwise a request allowed by the first limit could never be paid for.
            raise SystemExit(f"COST_BUDGET ({budget}) must be at least MAX_QUERY_COST ({max_cost})")
        return cls(
            database_url=url or f"sqlite+aiosqlite:///{data_dir / 'coordination.sqlite3'}",
            embedded=not url,
            environment=environment,
            pool_size=_positive_int(environ, "DATABASE_POOL_SIZE", 10),
            pool_timeout=_positive_number(environ, "DATABASE_POOL_TIMEOUT", 10.0),
            demo_scale=_scale(environ.get("DEMO_SCALE", "0.05")),
            log_level=environ.get("LOG_LEVEL", "INFO").upper(),
            log_format=_log_format(environ.get("LOG_FORMAT", "")),
            max_query_cost=max_cost,
            cost_budget=budget,
            cost_restore_rate=_positive_number(environ, "COST_RESTORE_RATE", 10_000.0),
            request_timeout=_positive_number(environ, "REQUEST_TIMEOUT", 15.0),
            max_body_bytes=_positive_int(environ, "MAX_BODY_BYTES", 1_048_576),
            # DIRECT_READS is the setting's earlier name, still honoured.
            compiled_reads=_switch(
                environ, "COMPILED_READS", _switch(environ, "DIRECT_READS", True)
            ),
        )


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


def _positive_number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, f"{default:g}")
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    # NaN fails the comparison too; an infinite wait is what the timeout exists to prevent.
    if not 0 < value < math.inf:
        raise SystemExit(f"{name} must be a positive number, not {raw!r}")
    return value


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in {"on", "off", "1", "0", "true", "false"}:
        raise SystemExit(f"{name} must be on or off, not {raw!r}")
    return raw in {"on", "1", "true"}


def _log_format(raw: str) -> LogFormat | None:
    value = raw.strip().lower()
    if not value:
        return None
    if value not in LOG_FORMATS:
        raise SystemExit(f"LOG_FORMAT must be json or text, not {raw!r}")
    return cast(LogFormat, value)


def _scale(raw: str) -> float:
    try:
        scale = float(raw)
    except ValueError:
        scale = -1.0
    if not 0 <= scale <= 100:
        raise SystemExit(f"DEMO_SCALE must be a number from 0 to 100, not {raw!r}")
    return scale
