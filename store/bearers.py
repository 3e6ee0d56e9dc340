"""Tokens this process has already verified, kept so that a request need not ask the database
again: only while it is sure to hear of every revocation.

On PostgreSQL every revocation sends NOTIFY in its own transaction (store/signals.py), and each
instance LISTENs: while that connection is up the cache is trusted, and any notice empties it
(the revoker waits until every instance has confirmed that it did); when the connection drops,
the cache is emptied and left unused until it is back. On SQLite
nothing announces a revocation made by another process (`python -m api token revoke`), so the
cache is never trusted there and every request reads the token, from a local file.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")

# Enough for every token in use at once; past it, the cache starts again.
MOST = 10_000


class Verified(Generic[T]):
    """What each verified secret's digest stands for, while the cache is trusted."""

    def __init__(self) -> None:
        self._found: dict[str, T] = {}
        self._trusted = False
        # Goes up at every change of the record of tokens this process hears of, so that an
        # answer read before a revocation is not kept after it.
        self.generation = 0

    def get(self, digest: str) -> T | None:
        return self._found.get(digest) if self._trusted else None

    def keep(self, digest: str, found: T, generation: int) -> None:
        """Keeps what the database said of `digest` when the generation was `generation`."""
        if not self._trusted or generation != self.generation:
            return
        if len(self._found) >= MOST:
            self._found.clear()
        self._found[digest] = found

    def changed(self) -> None:
        """A token was revoked somewhere: nothing kept can be relied on."""
        self.generation += 1
        self._found.clear()

    def trust(self) -> None:
        """Every revocation from now on will be heard of."""
        self.changed()
        self._trusted = True

    def distrust(self) -> None:
        """Revocations may go unheard: ask the database every time."""
        self._trusted = False
        self.changed()
