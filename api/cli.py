"""Command line: serve, migrate, seed, and manage API tokens."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from api.demo import seed_flows
from api.settings import Settings
from resolvers import tallying, tokens
from resolvers.vocabulary import Role
from seeds import (
    GeneratedDataConflict,
    GeneratedSummary,
    MissingReferenceData,
    ReferenceSummary,
    generate,
    load_reference,
)
from store.database import Database, analyze, create_engine, create_sessionmaker
from store.migrate import is_current, upgrade


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


def _upgrade(url: str) -> int:
    """Migrations, then any figure the tallies keep that this release keeps more of than the
    database holds (tallying.derive); how many lines were worked out again."""
    upgrade(url)
    return asyncio.run(_derive(url))


async def _derive(url: str) -> int:
    engine = create_engine(url)
    try:
        return await tallying.derive(create_sessionmaker(engine))
    finally:
        await engine.dispose()


async def _seed(url: str, scale: float, generated: str = "data") -> None:
    """Reference data, `generated` data at `scale`, then what bulk loading leaves to do."""
    engine = create_engine(url)
    try:
        sessions = create_sessionmaker(engine)
        with _step("loading reference data") as done:
            done(_reference_size(await load_reference(sessions)))
        if scale > 0:
            size = f"about {round(CONTRIBUTIONS_AT_SCALE_1 * scale):,} contributions"
            with _step(f"generating {generated} at scale {scale:g} ({size})") as done:
                done(_generated_size(await generate(sessions, scale)))
        # Bulk loading bypasses the write path, so the tallies are computed once at the end.
        with _step("tallying what each objective has received") as done:
            done(f"{await tallying.rebuild(sessions):,} objectives")
        # The planner's statistics, as after any bulk load: without them (autovacuum off, or not
        # yet round) it guesses row counts and can pick plans that read whole tables.
        with _step("updating the query planner's statistics"):
            await analyze(engine)
    finally:
        await engine.dispose()
    # Through the service's own commands, as its users write: funds, allocations, a report on a
    # contributor's behalf, confirmations and a dispute.
    database = Database.open(url)
    try:
        with _step("recording support through funds, and the partners' confirmations") as done:
            done(f"{(await seed_flows(database)).written} writes")
    finally:
        await database.dispose()


def _reference_size(summary: ReferenceSummary) -> str:
    return (
        f"{summary.participants} participants, {summary.plans} plans, "
        f"{summary.objectives} objectives, {summary.exchange_rates} exchange rates"
    )


def _generated_size(summary: GeneratedSummary) -> str:
    counts = (
        (summary.plans, "plans"),
        (summary.objectives, "objectives"),
        (summary.contributions, "contributions"),
    )
    size = ", ".join(f"{count:,} {noun}" for count, noun in counts if count) or "nothing"
    return size if summary.written else f"already there: {size}"


def _say(line: str, end: str = "\n") -> None:
    """Progress, on stderr: stdout keeps to results, so `TOKEN=$(python -m api token issue …)`
    holds the token alone even when it creates the database. Flushed at once, as it happens."""
    print(line, end=end, file=sys.stderr, flush=True)


@contextmanager
def _step(what: str) -> Iterator[Callable[[str], None]]:
    """Announce `what` as it starts, then how it ended and how long it took: a first start takes
    a while, and a terminal that says nothing for a minute looks stuck."""
    _say(f"  {what} …", end="")
    outcome = ["done"]

    def report(result: str) -> None:
        outcome[0] = result

    started = time.perf_counter()
    try:
        yield report
    except BaseException:
        _say(" failed")
        raise
    _say(f" {outcome[0]} ({time.perf_counter() - started:.1f} s)")


def _shown(path: Path) -> str:
    """`path` as the user would type it: relative to where they are, when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def prepare_embedded(settings: Settings, *, demo: bool) -> None:
    """The embedded default sets itself up: its file is created and migrated, and on first start
    (`demo`) seeded with the reference data and a small demonstration data set."""
    database = make_url(settings.database_url).database
    token_file = settings.secretariat_token_file
    assert database and token_file
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not path.exists()
    first_start = is_new and demo
    started = time.perf_counter()
    if first_start:
        where = _shown(path.parent)
        _say(f"First start: preparing the embedded database in {where} (later starts skip this)")
    if is_new or demo:
        with _step(f"{'creating' if is_new else 'migrating'} the database {_shown(path)}"):
            _upgrade(settings.database_url)
    else:
        _upgrade(settings.database_url)
    if not first_start:
        return
    asyncio.run(_seed(settings.database_url, settings.demo_scale, "the demo data set"))
    with _step("issuing the development secretariat token") as done:
        secret = asyncio.run(_token_issue(settings.database_url, "NATO", Role.SECRETARIAT, None))
        _write_secret(token_file, secret)
        done(f"saved in {_shown(token_file)}")
    _say(f"First start done in {time.perf_counter() - started:.1f} s.")
    print(
        f"Development secretariat token (send it as `Authorization: Bearer <token>`):\n  {secret}"
    )
    sys.stdout.flush()


def _write_secret(path: Path, secret: str) -> None:
    """Write `secret` readable by its owner only, from the first byte on."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")


def _announce(settings: Settings, host: str, port: int) -> None:
    """Where the API answers, before uvicorn's own lines."""
    browse = "localhost" if host in ("", "0.0.0.0", "::") else host
    if ":" in browse:
        browse = f"[{browse}]"
    url = f"http://{browse}:{port}/graphql"
    _say(f"Serving the API at {url}")
    if settings.graphiql:
        prefilled = settings.graphiql_token_file
        token = (
            " with the development token filled in for this machine"
            if prefilled is not None and prefilled.exists()
            else ""
        )
        _say(f"  open it in a browser for GraphiQL{token}")


CONTRIBUTIONS_AT_SCALE_1 = 60_000
ENVIRONMENT_HELP = f"""\
environment (read by every command; the README's "Configuration" says more):
  DATABASE_URL           PostgreSQL (postgresql+asyncpg://…) or SQLite URL; unset: the embedded
                         SQLite file, created, migrated and seeded on first start
  DATA_DIR               where the embedded database and its token live (default: data/ in
                         the checkout)
  DEMO_SCALE             size of the embedded database's demo data, 0 to 100 (default: 0.05;
                         1 ≈ {CONTRIBUTIONS_AT_SCALE_1:,} contributions)
  ENVIRONMENT            development (GraphiQL, introspection) or production (default: development)
  LOG_LEVEL, LOG_FORMAT  INFO…; json or text (default: json in production, text otherwise)
  DATABASE_POOL_SIZE, DATABASE_POOL_TIMEOUT
                         connections per process (default: 10); seconds to wait for one (10)
  MAX_QUERY_COST, COST_BUDGET, COST_RESTORE_RATE
                         query cost limits (default: 50000, 500000, 10000 per second)
  REQUEST_TIMEOUT, MAX_BODY_BYTES
                         seconds per request (default: 15); request body size (1048576)
  COMPILED_READS         on or off: supported queries answered by one statement per root field
                         that writes their JSON (default: on; DIRECT_READS, its earlier name,
                         is still read)
"""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Each option with its default (unless it has none to show), and the epilog as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.required or action.default is None:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """The command line, each command and option described with its default."""

    def command(name: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=description, description=description, formatter_class=_HelpFormatter
        )

    parser = argparse.ArgumentParser(
        prog="python -m api",
        description=__doc__,
        epilog=ENVIRONMENT_HELP,
        formatter_class=_HelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = command(
        "serve",
        "serve the API over HTTP and WebSocket at /graphql (on the embedded database, set it up "
        "first if need be)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: all)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes, each with its own connections"
    )
    command("migrate", "bring the database schema up to date")
    seed = command("seed", "load the reference data, and generated data at a scale")
    seed.add_argument(
        "--scale",
        type=float,
        default=0.0,
        help=f"size of the generated data: 0 none, 1 ≈ {CONTRIBUTIONS_AT_SCALE_1:,} contributions",
    )
    token = command("token", "issue, revoke and list API tokens")
    token_commands = token.add_subparsers(
        dest="token_command", required=True, metavar="TOKEN_COMMAND"
    )

    def token_command(name: str, description: str) -> argparse.ArgumentParser:
        return token_commands.add_parser(
            name, help=description, description=description, formatter_class=_HelpFormatter
        )

    issue = token_command("issue", "print a new token (its secret is shown this once only)")
    issue.add_argument("--participant", required=True, help="participant code, e.g. DE or NATO")
    issue.add_argument(
        "--role",
        required=True,
        choices=[role.name for role in tokens.ROLES],
        help="what the token may do",
    )
    issue.add_argument(
        "--expires", type=float, metavar="DAYS", help="days until it expires (default: never)"
    )
    revoke = token_command("revoke", "revoke a token by its id (see `token list`)")
    revoke.add_argument("id", type=int, help="the token's id")
    token_command("list", "list tokens (never their secrets)")
    return parser


SHUTDOWN_SECONDS = 10


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    if args.command == "serve":
        if settings.embedded:
            prepare_embedded(settings, demo=True)
        _announce(settings, args.host, args.port)
        uvicorn.run(
            "api.app:from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level.lower(),
            # Subscriptions keep their WebSockets open for good: on SIGTERM they get this long
            # to end before they are closed, so that a stop never waits forever.
            timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        )
    elif args.command == "migrate":
        if settings.embedded:
            prepare_embedded(settings, demo=False)
        else:
            _upgrade(settings.database_url)
        print("database schema is current")
    elif args.command == "seed":
        if args.scale < 0:
            parser.error("--scale must be zero or more")
        if settings.embedded:
            prepare_embedded(settings, demo=False)
        else:
            _require_current(settings.database_url, "seed")
        started = time.perf_counter()
        try:
            asyncio.run(_seed(settings.database_url, args.scale))
        except (GeneratedDataConflict, MissingReferenceData) as problem:
            raise SystemExit(
                f"seed: {problem}. Point DATABASE_URL (or DATA_DIR) at a fresh database."
            ) from None
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    elif args.command == "token":
        if settings.embedded:
            prepare_embedded(settings, demo=False)
        else:
            _require_current(settings.database_url, "token")
        _token(settings.database_url, args)


def _require_current(url: str, command: str) -> None:
    """A database given in DATABASE_URL is migrated by its operator, never behind their back:
    a command that needs the current schema says so rather than fail half-way."""

    async def current() -> bool:
        engine = create_engine(url)
        try:
            return await is_current(engine)
        finally:
            await engine.dispose()

    try:
        ready = asyncio.run(current())
    except (DBAPIError, OSError) as problem:
        reason = getattr(problem, "orig", None) or problem  # the driver's words, not the SQL
        raise SystemExit(f"{command}: cannot read the database in DATABASE_URL: {reason}") from None
    if not ready:
        raise SystemExit(
            f"{command}: the database's schema is not current. Run `python -m api migrate` "
            "first, with the same DATABASE_URL."
        )


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
