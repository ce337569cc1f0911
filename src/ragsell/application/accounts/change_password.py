import msgspec

from ragsell.application.errors import InvalidCredentials
from ragsell.application.ports.repositories import OwnerRepository, SessionRepository
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock
from ragsell.application.throttling import PASSWORD_CHANGES_PER_OWNER, Throttle
from ragsell.domain.accounts import MAX_PASSWORD_LENGTH, Owner, check_new_password


class ChangePasswordCommand(msgspec.Struct, frozen=True, kw_only=True):
    owner: Owner
    current_session_hash: str
    current_password: str
    new_password: str


class ChangePassword:
    """Sets a new password and ends every other session of the owner at once."""

    def __init__(
        self,
        owners: OwnerRepository,
        sessions: SessionRepository,
        hasher: PasswordHasher,
        throttle: Throttle,
        clock: Clock,
    ) -> None:
        self._owners = owners
        self._sessions = sessions
        self._hasher = hasher
        self._throttle = throttle
        self._clock = clock

    async def __call__(self, command: ChangePasswordCommand) -> int:
        new_password = check_new_password(command.new_password, email=command.owner.email)
        # A stolen session must not become a way to guess the password.
        await self._throttle.check(PASSWORD_CHANGES_PER_OWNER, command.owner.id, self._clock.now())
        current = command.current_password
        stored = command.owner.password_hash if len(current) <= MAX_PASSWORD_LENGTH else None
        if not await self._hasher.verify(stored, current[:MAX_PASSWORD_LENGTH]):
            raise InvalidCredentials("Your current password is wrong.", field="currentPassword")
        await self._owners.set_password_hash(command.owner.id, await self._hasher.hash(new_password))
        return await self._sessions.remove_for_owner(command.owner.id, keep=command.current_session_hash)
