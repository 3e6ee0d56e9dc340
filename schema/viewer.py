"""The caller: which participant a token speaks for, and in which role."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.viewer import Viewer as ViewerValue
from schema.enums import Role
from schema.participant import Participant


@strawberry.type(description="You: the participant your token speaks for, and your role.")
class Viewer:
    participant: Participant = strawberry.field(description="The participant you act for.")
    role: Role = strawberry.field(description="The role your token grants.")
    token_expires_at: datetime | None = strawberry.field(
        description="When your token stops working; null if it does not expire."
    )

    @staticmethod
    def of(viewer: ViewerValue) -> Viewer:
        return Viewer(
            participant=Participant.from_row(viewer.participant),
            role=viewer.role,
            token_expires_at=viewer.expires_at,
        )
