"""The caller: which participant a token speaks for, and in which role."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.context import Context
from resolvers.viewer import Viewer as ViewerValue
from schema.enums import Role
from schema.participant import Participant

Info = strawberry.Info[Context, None]


async def _participant(root: Viewer, info: Info) -> Participant:
    found = await info.context.loaders.participant.load(root.participant_id)
    assert found is not None, "a token's participant is never deleted"
    return Participant.from_row(found)


@strawberry.type(description="You: the participant your token speaks for, and your role.")
class Viewer:
    participant_id: strawberry.Private[int]
    participant: Participant = strawberry.field(
        resolver=_participant, description="The participant you act for."
    )
    role: Role = strawberry.field(description="The role your token grants.")
    token_expires_at: datetime | None = strawberry.field(
        description="When your token stops working; null if it does not expire."
    )

    @staticmethod
    def of(viewer: ViewerValue) -> Viewer:
        return Viewer(
            participant_id=viewer.participant_id,
            role=viewer.role,
            token_expires_at=viewer.expires_at,
        )
