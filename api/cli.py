"""Command line: serve, migrate, seed, and manage API tokens."""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime
from pathlib import Path

import uvicorn
from sqlalchemy.engine import make_url

from api.settings import Settings
from resolvers import tallying, tokens
from resolvers.vocabulary import Role
from seeds import GeneratedDataConflict, MissingReferenceData, generate, load_reference
from store.database import analyze, create_engine, create_sessionmaker
from store.migrate import upgrade


async def _token_issue(url: str, code: str, role: Role, days: float | None) -> str:
    engine = create_engine(url)
    try:
        return await tokens.issue(create_sessionmaker(engine), code, role, days)
    finally:
        await engine.dispose()


async def _token_revoke(url: str, token_id: int) -> bool:
    engine = create_engine(url)
    try:
        return await tokens.revoke(create_sessionmaker(engine), token_id)
    finally:
        await engine.dispose()


async def _token_list(url: str) -> None:
    engine = create_engine(url)
    try:
        lines = await tokens.listing(create_sessionmaker(engine))
    finally:
        await engine.dispose()
    print("id\thint\tparticipant\trole\tcreated\texpires\trevoked")
    for line in lines:
        print(
            f"{line.id}\t{line.hint}…\t{line.participant}\t{line.role}\t"
            f"{_when(line.created_at)}\t{_when(line.expires_at)}\t{_when(line.revoked_at)}"
        )


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}Z"


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
        # Bulk loading bypasses the write path, so the tallies are computed once at the end.
        print(f"tallied {await tallying.rebuild(sessions)} objectives")
        # The planner's statistics, as after any bulk load: without them (autovacuum off, or not
        # yet round) it guesses row counts and can pick plans that read whole tables.
        await analyze(engine)
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
        secret = asyncio.run(_token_issue(settings.database_url, "NATO", Role.SECRETARIAT, None))
        token_file = path.parent / "secretariat.token"
        token_file.write_text(secret + "\n")
        token_file.chmod(0o600)
        print(f"development secretariat token (also in {token_file}):\n{secret}")


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
    token = commands.add_parser("token", help="issue, revoke and list API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    issue = token_commands.add_parser("issue", help="print a new token (shown once)")
    issue.add_argument("--participant", required=True, help="participant code, e.g. DE or NATO")
    issue.add_argument("--role", required=True, choices=[role.name for role in tokens.ROLES])
    issue.add_argument("--expires", type=float, metavar="DAYS", help="days until it expires")
    revoke = token_commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    token_commands.add_parser("list", help="list tokens (never their secrets)")
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
    elif args.command == "token":
        if settings.embedded:
            prepare_embedded(settings, demo=False)
        _token(settings.database_url, args)


def _token(url: str, args: argparse.Namespace) -> None:
    if args.token_command == "issue":
        try:
            secret = asyncio.run(_token_issue(url, args.participant, Role[args.role], args.expires))
        except tokens.TokenError as problem:
            raise SystemExit(f"token issue: {problem}") from None
        print(secret)
    elif args.token_command == "revoke":
        if not asyncio.run(_token_revoke(url, args.id)):
            raise SystemExit(f"token revoke: no token has the id {args.id}")
        print(f"token {args.id} revoked")
    else:
        asyncio.run(_token_list(url))
