import msgspec

from ragsell.application.accounts.sessions import OpenedSession, SessionOpener
from ragsell.application.errors import InvalidCredentials
from ragsell.application.ports.repositories import OwnerRepository
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock
from ragsell.application.throttling import LOGIN_PER_ACCOUNT, LOGIN_PER_ACCOUNT_AND_IP, LOGIN_PER_IP, Throttle
from ragsell.domain.accounts import MAX_PASSWORD_LENGTH
from ragsell.domain.contact import normalize_email
from ragsell.domain.errors import InvalidEmail


class LogInCommand(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str
    ip: str
    user_agent: str


class LogIn:
    def __init__(
        self, owners: OwnerRepository, hasher: PasswordHasher, opener: SessionOpener, throttle: Throttle, clock: Clock
    ) -> None:
        self._owners = owners
        self._hasher = hasher
        self._opener = opener
        self._throttle = throttle
        self._clock = clock

    async def __call__(self, command: LogInCommand) -> OpenedSession:
        now = self._clock.now()
        await self._throttle.check(LOGIN_PER_IP, command.ip, now)
        try:
            email = normalize_email(command.email)
        except InvalidEmail:
            email = None
        if email is not None:
            await self._throttle.check(LOGIN_PER_ACCOUNT_AND_IP, f"{email}|{command.ip}", now)
            await self._throttle.check(LOGIN_PER_ACCOUNT, email, now)
        owner = await self._owners.by_email(email) if email is not None else None
        if owner is not None and owner.is_closed:
            owner = None
        # No stored password is longer than the maximum, so a longer one cannot match;
        # it is still checked against a hash so that it takes the usual time.
        too_long = len(command.password) > MAX_PASSWORD_LENGTH
        stored = owner.password_hash if owner is not None and not too_long else None
        # Unknown and wrong look the same: same error, and a hash check either way.
        matches = await self._hasher.verify(stored, command.password[:MAX_PASSWORD_LENGTH])
        if owner is None or not matches:
            raise InvalidCredentials("The email or password is wrong.")
        if self._hasher.needs_rehash(owner.password_hash):
            await self._owners.set_password_hash(owner.id, await self._hasher.hash(command.password))
        return await self._opener.open(owner, ip=command.ip, user_agent=command.user_agent)
