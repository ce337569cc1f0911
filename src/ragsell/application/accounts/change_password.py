import msgspec

from ragsell.application.errors import InvalidCredentials
from ragsell.application.ports.repositories import OwnerRepository, SessionRepository
from ragsell.application.ports.security import PasswordHasher
from ragsell.domain.accounts import MAX_PASSWORD_LENGTH, Owner, check_new_password


class ChangePasswordCommand(msgspec.Struct, frozen=True, kw_only=True):
    owner: Owner
    current_session_hash: str
    current_password: str
    new_password: str


class ChangePassword:
    """Sets a new password and ends every other session of the owner at once."""

    def __init__(self, owners: OwnerRepository, sessions: SessionRepository, hasher: PasswordHasher) -> None:
        self._owners = owners
        self._sessions = sessions
        self._hasher = hasher

    async def __call__(self, command: ChangePasswordCommand) -> int:
        new_password = check_new_password(command.new_password, email=command.owner.email)
        if not await self._hasher.verify(command.owner.password_hash, command.current_password[:MAX_PASSWORD_LENGTH]):
            raise InvalidCredentials("Your current password is wrong.", field="currentPassword")
        await self._owners.set_password_hash(command.owner.id, await self._hasher.hash(new_password))
        return await self._sessions.remove_for_owner(command.owner.id, keep=command.current_session_hash)
