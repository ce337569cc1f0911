"""Asking a logged-in owner for their password again before something that cannot be
undone: a session left open must not be enough."""

from ragsell.application.errors import InvalidCredentials
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock
from ragsell.application.throttling import PASSWORD_CHANGES_PER_OWNER, Throttle
from ragsell.domain.accounts import MAX_PASSWORD_LENGTH, Owner


class Reauthentication:
    def __init__(self, hasher: PasswordHasher, throttle: Throttle, clock: Clock) -> None:
        self._hasher = hasher
        self._throttle = throttle
        self._clock = clock

    async def confirm(self, owner: Owner, password: str) -> None:
        """Raises InvalidCredentials unless ``password`` is the owner's; a stolen session
        cannot use this to guess it (the tries are rate-limited per owner)."""
        await self._throttle.check(PASSWORD_CHANGES_PER_OWNER, owner.id, self._clock.now())
        stored = owner.password_hash if len(password) <= MAX_PASSWORD_LENGTH else None
        if not await self._hasher.verify(stored, password[:MAX_PASSWORD_LENGTH]):
            raise InvalidCredentials("Your password is wrong.", field="password")
