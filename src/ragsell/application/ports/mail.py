"""Sending email: lead notifications and password-reset links."""

from typing import Protocol

import msgspec


class OutgoingEmail(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    # Plain text; no HTML is sent.
    text: str


class DeliveryFailed(Exception):
    """A message could not be delivered. ``permanent``: trying again will not help (the
    address was refused, the server said no for good); otherwise it may be retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Mailer(Protocol):
    # False when no mail server is configured: nothing is ever sent, and features that
    # need mail say so.
    enabled: bool

    async def send(self, email: OutgoingEmail) -> None:
        """Hand the message to the mail server. Raises DeliveryFailed."""
