import logging

import msgspec

from ragsell.application.errors import MailNotConfigured
from ragsell.application.links import PublicLinks
from ragsell.application.ports.mail import DeliveryFailed, Mailer, OutgoingEmail
from ragsell.application.ports.repositories import OwnerRepository, PasswordResetRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.throttling import RESET_REQUESTS_PER_EMAIL, RESET_REQUESTS_PER_IP, Throttle
from ragsell.domain.accounts import token_hash
from ragsell.domain.contact import normalize_email
from ragsell.domain.password_resets import new_reset

log = logging.getLogger(__name__)


class RequestPasswordResetCommand(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    ip: str


class RequestPasswordReset:
    """Makes a single-use reset link for the account with that email, if there is one.

    The answer is the same either way. The email itself goes out in ``deliver``, which the
    caller runs after answering, so that the answer's timing does not tell either.
    """

    def __init__(
        self,
        owners: OwnerRepository,
        resets: PasswordResetRepository,
        mailer: Mailer,
        throttle: Throttle,
        clock: Clock,
        ids: IdGenerator,
        links: PublicLinks,
    ) -> None:
        self._owners = owners
        self._resets = resets
        self._mailer = mailer
        self._throttle = throttle
        self._clock = clock
        self._ids = ids
        self._links = links

    async def __call__(self, command: RequestPasswordResetCommand) -> OutgoingEmail | None:
        """The email to ``deliver``; None when no open account has that address."""
        if not self._mailer.enabled:
            raise MailNotConfigured(
                "This ragsell cannot send email (no mail server is configured), so passwords cannot be "
                "reset by email. Ask the person who runs it."
            )
        email = normalize_email(command.email)
        now = self._clock.now()
        await self._throttle.check(RESET_REQUESTS_PER_IP, command.ip, now)
        await self._throttle.check(RESET_REQUESTS_PER_EMAIL, email, now)
        owner = await self._owners.by_email(email)
        if owner is None or owner.is_closed:
            return None
        token = self._ids.secret_token()
        await self._resets.add(new_reset(token_hash=token_hash(token), owner_id=owner.id, now=now))
        return OutgoingEmail(
            to=owner.email,
            subject="Reset your ragsell password",
            text=(
                f"Someone, hopefully you, asked to reset the password of the ragsell account {owner.email}.\n\n"
                f"To choose a new password, open this link within an hour:\n\n{self._links.reset_password(token)}\n\n"
                "The link works once, and using it logs you out everywhere. If you did not ask for this, "
                "ignore this email: your password stays as it is.\n"
            ),
        )

    async def deliver(self, email: OutgoingEmail) -> None:
        """Send the reset email; a failure is logged (the requester was already answered)."""
        try:
            await self._mailer.send(email)
        except DeliveryFailed as error:
            log.warning("password reset email not sent", extra={"reason": error.reason})
