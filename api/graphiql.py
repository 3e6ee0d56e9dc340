"""GraphiQL's page. In development, a browser on this machine finds the embedded database's
secretariat token already in the Authorization header, so its first query answers; every other
client gets the placeholder and a hint where tokens come from. Nothing secret leaves loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse

from resolvers.errors import is_outage
from resolvers.viewer import authenticate
from store.database import Database

PAGE = (Path(__file__).parent / "static" / "graphiql.html").read_text()
OPTIONS_MARK = "/*OPTIONS*/null"
PLACEHOLDER = "paste-your-token-here"
ISSUE_COMMAND = "python -m api token issue --participant NATO --role SECRETARIAT"
HEADERS = {
    # The page may carry a token: never keep it in a cache, never let another site frame it.
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


async def graphiql_page(
    request: Request, database: Database, token_file: Path | None
) -> HTMLResponse:
    """The page for this request; `token_file` is the development token it may fill in (None
    outside development or on a database that was given)."""
    token = None
    if token_file is not None and from_this_machine(request):
        token = await _valid_token(database, token_file)
    return HTMLResponse(render(token), headers=HEADERS)


def render(token: str | None) -> str:
    """The page, with `token` in the Authorization header, or the placeholder and a hint."""
    if token is None:
        hint = (
            "Every request needs a token. Issue one on the server with "
            f"`{ISSUE_COMMAND}` and paste it in place of {PLACEHOLDER} under Headers."
        )
    else:
        hint = (
            "Signed in as the NATO secretariat with the development token (given to this machine "
            "only): press ▶ to run the example. Change the Authorization header under Headers "
            "to act as someone else; the docs and completion follow it."
        )
    headers = json.dumps({"Authorization": f"Bearer {token or PLACEHOLDER}"}, indent=2)
    options = {"headers": headers, "prefilled": token is not None, "hint": hint}
    return PAGE.replace(OPTIONS_MARK, _script_json(options))


def from_this_machine(request: Request) -> bool:
    """Whether the request comes from a loopback address, to a loopback host name. The host
    check keeps out pages of other sites that a DNS rebinding points at this machine."""
    client = request.client
    return (
        client is not None
        and _is_loopback_address(client.host)
        and _is_loopback_host(request.headers.get("host", ""))
    )


def _is_loopback_host(host_header: str) -> bool:
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        host = host[1 : host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host == "localhost" or host.endswith(".localhost") or _is_loopback_address(host)


def _is_loopback_address(value: str) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


async def _valid_token(database: Database, token_file: Path) -> str | None:
    """The token in `token_file` if it still opens this database (not from an older database,
    not revoked): a stale token would only bring back the error it is there to avoid."""
    try:
        secret = (await asyncio.to_thread(token_file.read_text)).strip()
    except OSError:
        return None
    try:
        viewer = await authenticate(database, secret)
    except Exception as problem:
        if not is_outage(problem):
            raise
        return None  # the page still opens; its queries will report the outage
    return secret if viewer is not None else None


def _script_json(value: object) -> str:
    """JSON that cannot end its <script> element or open a comment in it, whatever it holds."""
    text = json.dumps(value)
    for character in "<>&\u2028\u2029":
        text = text.replace(character, f"\\u{ord(character):04x}")
    return text
