"""Issuing, revoking and listing API tokens (for the command line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store import participants, signals, tokens
from store.enums import ParticipantKind, Role

ROLES = (Role.ALLY, Role.PARTNER, Role.INSTITUTION, Role.SECRETARIAT)


class TokenError(ValueError):
    """A token request that cannot be granted, with the reason."""


async def issue(
    sessions: async_sessionmaker[AsyncSession], code: str, role: Role, days: float | None
) -> str:
    """A new token for participant `code` acting as `role`; returns the secret (shown once)."""
    if role not in ROLES:
        raise TokenError(f"role must be one of {', '.join(r.name for r in ROLES)}")
    if days is not None and days <= 0:
        raise TokenError("--expires must be a positive number of days")
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        participant = (await participants.by_codes(session, [code.upper()])).get(code.upper())
        if participant is None:
            raise TokenError(f"no participant has the code {code!r}")
        history = (await participants.partnerships_of(session, [participant.id]))[participant.id]
        held = participants.role_on(participant, history, now.date())
        if role is not held and not (role is Role.INSTITUTION and held is Role.SECRETARIAT):
            raise TokenError(f"{participant.name} is {held.name} today, not {role.name}")
        if participant.kind is ParticipantKind.INSTITUTION and role not in (
            Role.INSTITUTION,
            Role.SECRETARIAT,
        ):
            raise TokenError(f"{participant.name} is an institution")
        expires = None if days is None else now + timedelta(days=days)
        _, secret = await tokens.issue(session, participant.id, role, expires)
    return secret


async def revoke(
    sessions: async_sessionmaker[AsyncSession],
    token_id: int,
    patience: float = signals.PATIENCE_SECONDS,
) -> bool:
    """Revokes the token; returns once every instance has heard, so that each refuses it from its
    next request on (store/signals.py)."""
    async with (
        sessions() as session,
        signals.revocation(session.get_bind().engine.url, patience) as announced,
        session.begin(),
    ):
        token = await tokens.revoke(session, token_id, datetime.now(UTC), announced)
    return token is not None


@dataclass(frozen=True)
class TokenLine:
    id: int
    hint: str
    participant: str
    role: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


async def listing(sessions: async_sessionmaker[AsyncSession]) -> list[TokenLine]:
    async with sessions() as session:
        rows = await tokens.listing(session)
    return [
        TokenLine(
            token.id,
            token.hint,
            participant.code,
            token.role.name,
            token.created_at,
            token.expires_at,
            token.revoked_at,
        )
        for token, participant in rows
    ]
