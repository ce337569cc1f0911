import msgspec

from ragsell.application.errors import InvalidResetLink
from ragsell.application.ports.repositories import OwnerRepository, PasswordResetRepository, SessionRepository
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock
from ragsell.application.throttling import RESETS_PER_IP, Throttle
from ragsell.domain.accounts import check_new_password, token_hash
from ragsell.domain.password_resets import is_reset_token


class ResetPasswordCommand(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    new_password: str
    ip: str


class ResetPassword:
    """Sets a new password with a reset link's token, which then stops working, and ends
    every session of the account. A weak password leaves the link usable."""

    def __init__(
        self,
        resets: PasswordResetRepository,
        owners: OwnerRepository,
        sessions: SessionRepository,
        hasher: PasswordHasher,
        throttle: Throttle,
        clock: Clock,
    ) -> None:
        self._resets = resets
        self._owners = owners
        self._sessions = sessions
        self._hasher = hasher
        self._throttle = throttle
        self._clock = clock

    async def __call__(self, command: ResetPasswordCommand) -> int:
        """How many sessions ended."""
        now = self._clock.now()
        await self._throttle.check(RESETS_PER_IP, command.ip, now)
        invalid = InvalidResetLink("This reset link is not valid or has expired; ask for a new one.", field="token")
        if not is_reset_token(command.token):
            raise invalid
        hashed = token_hash(command.token)
        reset = await self._resets.get(hashed, now=now)
        owner = None if reset is None else await self._owners.get(reset.owner_id)
        if owner is None or owner.is_closed:
            raise invalid
        new_hash = await self._hasher.hash(check_new_password(command.new_password, email=owner.email))
        if await self._resets.take(hashed, now=self._clock.now()) is None:
            raise invalid
        await self._owners.set_password_hash(owner.id, new_hash)
        await self._resets.remove_for_owner(owner.id)
        return await self._sessions.remove_for_owner(owner.id)
