"""Who is asking: the participant and role a bearer token speaks for, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from store import tokens, visibility
from store.contributions import Staged
from store.database import Database
from store.enums import Role, Visibility
from store.visibility import Scope


@dataclass(frozen=True)
class Viewer:
    participant_id: int
    role: Role
    token_id: int
    expires_at: datetime | None
    # The funds its participant manages, for which it acts too (store/funds.py).
    funds: frozenset[int] = frozenset()

    @property
    def is_secretariat(self) -> bool:
        return self.role is Role.SECRETARIAT

    def sees_detail(self, contribution: Staged) -> bool:
        """Who gave a restricted contribution, how much and the rest of its detail are for its
        contributor, its recipient and the secretariat only (store/visibility.py decides)."""
        return self.sees(
            contribution.visibility, contribution.contributor_id, contribution.recipient_id
        )

    def sees(
        self, visibility_: Visibility | str, contributor_id: int | None, recipient_id: int | None
    ) -> bool:
        """`sees_detail`, from the three values that decide it."""
        return visibility.sees(self.restricted_scope(), visibility_, contributor_id, recipient_id)

    def restricted_scope(self) -> Scope:
        """Whose restricted detail this viewer sees, as store/visibility.py takes it (None: all)."""
        return None if self.is_secretariat else self.acting_for

    @cached_property
    def acting_for(self) -> frozenset[int]:
        """The participants this viewer acts for: its own, and the funds it manages."""
        return self.funds | {self.participant_id}


async def authenticate(database: Database, secret: str) -> Viewer | None:
    """The viewer a bearer secret stands for, or None if it is unknown, expired or revoked: from
    the tokens this process has verified while it hears of every revocation (store/bearers.py),
    else from the database."""
    if not secret.startswith(tokens.PREFIX) or len(secret) > 200:
        return None
    hashed, now = tokens.digest(secret), datetime.now(UTC)
    bearer: tokens.Bearer | None = database.bearers.get(hashed)
    if bearer is None:
        generation = database.bearers.generation
        async with database.connect() as connection:
            bearer = await tokens.authenticate(connection, hashed, now)
        if bearer is None:
            return None
        database.bearers.keep(hashed, bearer, generation)
    elif not bearer.valid_at(now):
        return None
    return Viewer(
        bearer.participant_id, bearer.role, bearer.token_id, bearer.expires_at, bearer.funds
    )
