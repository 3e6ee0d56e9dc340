"""API tokens: random secrets of which only a hash is kept; they can expire and be revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store import signals
from store.base import Base, enum_column, utcnow
from store.columns import UTCDateTime
from store.enums import Role
from store.funds import Fund
from store.participants import Participant

PREFIX = "pca_"


class Token(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "token_role"))
    # SHA-256 suffices: the secret is 256 random bits, so there is nothing to brute-force.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so people can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue(
    session: AsyncSession, participant_id: int, role: Role, expires_at: datetime | None
) -> tuple[Token, str]:
    """A new token; the secret is returned once and never stored."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = Token(
        participant_id=participant_id,
        role=role,
        secret_hash=digest(secret),
        hint=secret[: len(PREFIX) + 6],
        expires_at=expires_at,
    )
    session.add(token)
    await session.flush()
    return token, secret


@dataclass(frozen=True)
class Bearer:
    """Who a valid token speaks for."""

    token_id: int
    participant_id: int
    role: Role
    expires_at: datetime | None
    # The funds its participant manages: the token acts for them too.
    funds: frozenset[int]

    def valid_at(self, now: datetime) -> bool:
        """Whether it has not expired by `now` (as `_VALID` asks of the stored token)."""
        return self.expires_at is None or self.expires_at > now


# Built once, and run as plain rows: every request runs it, and building it or loading entities
# from it cost more than PostgreSQL takes to answer it. One row per fund the participant manages
# (one row when none), so knowing them costs no second round trip.
_VALID = (
    select(Token.id, Token.participant_id, Token.role, Token.expires_at, Fund.participant_id)
    .outerjoin(Fund, Fund.manager_id == Token.participant_id)
    .where(
        Token.secret_hash == bindparam("secret_hash"),
        Token.revoked_at.is_(None),
        or_(Token.expires_at.is_(None), Token.expires_at > bindparam("now", type_=UTCDateTime())),
    )
)


async def authenticate(connection: AsyncConnection, hashed: str, now: datetime) -> Bearer | None:
    """Who the token whose secret has the digest `hashed` speaks for, if it is valid `now`."""
    found = (await connection.execute(_VALID, {"secret_hash": hashed, "now": now})).all()
    if not found:
        return None
    token_id, participant_id, role, expires_at, _ = found[0]
    funds = frozenset(row[4] for row in found if row[4] is not None)
    return Bearer(token_id, participant_id, role, expires_at, funds)


async def revoke(
    session: AsyncSession, token_id: int, now: datetime, announced: signals.Revocation
) -> Token | None:
    """Revokes the token, and tells every instance through `announced` when this commits."""
    token = await session.get(Token, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = now
        await announced.announce(session)
    return token


async def listing(session: AsyncSession) -> Sequence[tuple[Token, Participant]]:
    rows = await session.execute(
        select(Token, Participant)
        .join(Participant, Participant.id == Token.participant_id)
        .order_by(Token.id)
    )
    return [(token, participant) for token, participant in rows]
