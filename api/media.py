"""The media types of GraphQL over HTTP, and the error answers given before GraphQL runs."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer in, by the client's `Accept` header; None if it takes neither.

    With no `Accept` at all the GraphQL-over-HTTP media type is assumed, as the specification
    asks since 2025. A bare wildcard (what curl and most HTTP libraries send by default) gets
    plain JSON, which every GraphQL client reads; asking for the newer type by name gets it.
    """
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE
    ranked: list[tuple[float, bool, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        kind, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offered = _offered(kind.lower())
        if offered is not None and quality > 0:
            # Higher quality first; among equals, a type named outright before a wildcard, and
            # then the client's own order.
            ranked.append((-quality, "*" in kind, position, offered))
    return min(ranked)[3] if ranked else None


def _offered(kind: str) -> str | None:
    if kind in (GRAPHQL_RESPONSE, JSON):
        return kind
    if kind in ("*/*", "application/*"):
        return JSON
    return None


def error_response(
    message: str,
    code: str,
    status_code: int,
    media_type: str | None,
    headers: Mapping[str, str] | None = None,
    member: str | None = None,
) -> JSONResponse:
    """A GraphQL response holding one request error and no `data`, for failures before execution;
    `member` names the request's member at fault, if one is."""
    extensions = {"code": code} if member is None else {"code": code, "member": member}
    return JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]},
        status_code=status_code,
        media_type=media_type or JSON,
        headers=dict(headers or {}),
    )
