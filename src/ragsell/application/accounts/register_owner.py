import msgspec

from ragsell.application.accounts.sessions import OpenedSession, SessionOpener
from ragsell.application.errors import EmailTaken
from ragsell.application.ports.repositories import DuplicateKey, OwnerRepository
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.throttling import SIGNUP_PER_IP, Throttle
from ragsell.domain.accounts import MINIMUM_AGE, Owner, check_name, check_new_password
from ragsell.domain.contact import normalize_email
from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import OwnerId
from ragsell.domain.usage import PlanCatalogue


class RegisterOwnerCommand(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    email: str
    password: str
    confirms_minimum_age: bool
    ip: str
    user_agent: str


class RegisterOwner:
    def __init__(
        self,
        owners: OwnerRepository,
        hasher: PasswordHasher,
        opener: SessionOpener,
        throttle: Throttle,
        clock: Clock,
        ids: IdGenerator,
        plans: PlanCatalogue,
    ) -> None:
        self._owners = owners
        self._hasher = hasher
        self._opener = opener
        self._throttle = throttle
        self._clock = clock
        self._ids = ids
        self._plans = plans

    async def __call__(self, command: RegisterOwnerCommand) -> OpenedSession:
        if not command.confirms_minimum_age:
            raise InvalidValue(f"You must be {MINIMUM_AGE} or older to open an account.", field="confirmsMinimumAge")
        name = check_name(command.name)
        email = normalize_email(command.email)
        password = check_new_password(command.password, email=email)
        now = self._clock.now()
        await self._throttle.check(SIGNUP_PER_IP, command.ip, now)
        if await self._owners.by_email(email) is not None:
            raise EmailTaken("An account with this email already exists; log in instead.", field="email")
        owner = Owner(
            id=OwnerId(self._ids.new_id()),
            name=name,
            email=email,
            password_hash=await self._hasher.hash(password),
            plan=self._plans.default,
            created_at=now,
        )
        try:
            await self._owners.add(owner)
        except DuplicateKey:
            raise EmailTaken("An account with this email already exists; log in instead.", field="email") from None
        return await self._opener.open(owner, ip=command.ip, user_agent=command.user_agent)
