"""Who is asking: the participant and role a bearer token speaks for, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from store import tokens
from store.contributions import Contribution
from store.database import Database
from store.enums import Role, Visibility


@dataclass(frozen=True)
class Viewer:
    participant_id: int
    role: Role
    token_id: int
    expires_at: datetime | None

    @property
    def is_secretariat(self) -> bool:
        return self.role is Role.SECRETARIAT

    def sees_detail(self, contribution: Contribution) -> bool:
        """Who gave a restricted contribution, and how much, is for its contributor, its recipient
        and the secretariat only."""
        return self.sees(
            contribution.visibility, contribution.contributor_id, contribution.recipient_id
        )

    def sees(self, visibility: Visibility, contributor_id: int, recipient_id: int) -> bool:
        """`sees_detail`, from the three columns that decide it."""
        return (
            visibility is Visibility.PUBLIC
            or self.is_secretariat
            or self.participant_id in (contributor_id, recipient_id)
        )

    def restricted_scope(self) -> int | None:
        """For list filters: whose restricted contributions this viewer may see (None: all)."""
        return None if self.is_secretariat else self.participant_id


async def authenticate(database: Database, secret: str) -> Viewer | None:
    """The viewer a bearer secret stands for, or None if it is unknown, expired or revoked."""
    if not secret.startswith(tokens.PREFIX) or len(secret) > 200:
        return None
    async with database.connect() as connection:
        bearer = await tokens.authenticate(connection, secret, datetime.now(UTC))
    if bearer is None:
        return None
    return Viewer(bearer.participant_id, bearer.role, bearer.token_id, bearer.expires_at)
