"""The coordination dashboard at `/`: a page and its two built files (web/ holds their sources).

The page is a client of the public GraphQL API like any other: it holds no token of its own and
reads nothing the API would not give the token a person pastes into it. Its policy lets it load
and connect to this server only, so no request leaves the machine it came from.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

FILES = Path(__file__).parent / "static" / "dashboard"
PAGE = (FILES / "index.html").read_text()

# 'self' covers the page's own ws:// and wss:// origin too: graphql-ws reaches /graphql there.
POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


async def page(_request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE, headers=HEADERS)


class Files(StaticFiles):
    """The built script and style, revalidated on each load so a new release shows at once."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update({"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
        return response


def routes() -> list[Route | Mount]:
    return [
        Route("/", page, methods=["GET", "HEAD"]),
        Mount("/dashboard", Files(directory=FILES), name="dashboard"),
    ]
