"""Command line: serve, migrate, seed."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import uvicorn
from sqlalchemy.engine import make_url

from api.settings import Settings
from seeds import GeneratedDataConflict, MissingReferenceData, generate, load_reference
from store.database import create_engine, create_sessionmaker
from store.migrate import upgrade


async def _seed(url: str, scale: float) -> None:
    engine = create_engine(url)
    try:
        sessions = create_sessionmaker(engine)
        started = time.perf_counter()
        reference = await load_reference(sessions)
        print(f"reference data: {reference}")
        if scale > 0:
            generated = await generate(sessions, scale)
            print(f"generated at scale {scale}: {generated}")
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    finally:
        await engine.dispose()


def prepare_embedded(settings: Settings, *, demo: bool) -> None:
    """The embedded default sets itself up: its file is created and migrated, and on first start
    (`demo`) seeded with the reference data and a small demonstration data set."""
    database = make_url(settings.database_url).database
    assert database
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not path.exists()
    upgrade(settings.database_url)
    if is_new and demo:
        print(f"new database at {path}: loading reference and demo data")
        asyncio.run(_seed(settings.database_url, settings.demo_scale))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API over HTTP and WebSocket")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="bring the database schema up to date")
    seed = commands.add_parser("seed", help="load reference data, and generated data at a scale")
    seed.add_argument("--scale", type=float, default=0.0, help="1 ≈ 60,000 contributions")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    if args.command == "serve":
        if settings.embedded:
            prepare_embedded(settings, demo=True)
        uvicorn.run(
            "api.app:from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
        )
    elif args.command == "migrate":
        if settings.embedded:
            prepare_embedded(settings, demo=False)
        else:
            upgrade(settings.database_url)
        print("database schema is current")
    elif args.command == "seed":
        if args.scale < 0:
            parser.error("--scale must be zero or more")
        if settings.embedded:
            prepare_embedded(settings, demo=False)
        try:
            asyncio.run(_seed(settings.database_url, args.scale))
        except (GeneratedDataConflict, MissingReferenceData) as problem:
            raise SystemExit(
                f"seed: {problem}. Point DATABASE_URL (or DATA_DIR) at a fresh database."
            ) from None
