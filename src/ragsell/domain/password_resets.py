"""Password resets: a single-use secret link sent by email, valid for an hour. Only the
secret's hash is stored (see ``accounts.token_hash``)."""

import re
from datetime import datetime, timedelta

import msgspec

from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import OwnerId

RESET_LIFETIME = timedelta(hours=1)
# Tokens are 256 random bits, url-safe base64 without padding (IdGenerator.secret_token).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def is_reset_token(value: str) -> bool:
    """Whether ``value`` has the form of a token we issue (anything else is not looked up)."""
    return _TOKEN.fullmatch(value) is not None


class PasswordReset(msgspec.Struct, frozen=True, kw_only=True):
    token_hash: str
    owner_id: OwnerId
    created_at: datetime
    expires_at: datetime

    def __post_init__(self) -> None:
        if not self.created_at < self.expires_at <= self.created_at + RESET_LIFETIME:
            raise InvalidValue("A reset link expires within an hour of being made.")

    def is_valid(self, now: datetime) -> bool:
        return now < self.expires_at


def new_reset(*, token_hash: str, owner_id: OwnerId, now: datetime) -> PasswordReset:
    return PasswordReset(token_hash=token_hash, owner_id=owner_id, created_at=now, expires_at=now + RESET_LIFETIME)
