"""Owners (the people who run sites) and their dashboard log-in sessions."""

import hashlib
from datetime import datetime, timedelta

import msgspec

from ragsell.domain.contact import normalize_email
from ragsell.domain.errors import InvalidValue, WeakPassword
from ragsell.domain.ids import OwnerId

MIN_PASSWORD_LENGTH = 10
# argon2 hashes any length, but an unbounded input is a cheap way to burn CPU.
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 100
MINIMUM_AGE = 16


def check_new_password(password: str, *, email: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"Use at most {MAX_PASSWORD_LENGTH} characters.", field="password")
    if password.strip().lower() == email.strip().lower():
        raise WeakPassword("Your password must not be your email address.", field="password")
    return password


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH or not cleaned.isprintable():
        raise InvalidValue(f"Enter a name of 1 to {MAX_NAME_LENGTH} characters.", field="name")
    return cleaned


class Owner(msgspec.Struct, frozen=True, kw_only=True):
    id: OwnerId
    name: str
    email: str
    password_hash: str
    plan: str
    created_at: datetime
    closed_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.email != normalize_email(self.email):
            raise InvalidValue("Owner emails are stored normalized.", field="email")
        check_name(self.name)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SessionPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How long a dashboard session lives without use, and at most."""

    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(days=7)
    # Seen-at updates closer together than this are skipped: it bounds writes, not safety.
    touch_interval: timedelta = timedelta(minutes=1)

    def __post_init__(self) -> None:
        if not timedelta(minutes=1) <= self.idle <= self.absolute <= timedelta(days=90):
            raise InvalidValue("Session timeouts need 1 minute <= idle <= absolute <= 90 days.")


class LoginSession(msgspec.Struct, frozen=True, kw_only=True):
    """A server-side session record. The cookie token is never stored, only its hash."""

    token_hash: str
    owner_id: OwnerId
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    absolute_expires_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str

    def __post_init__(self) -> None:
        if not self.created_at <= self.last_seen_at < self.expires_at <= self.absolute_expires_at:
            raise InvalidValue("A session's times must be in order.")

    def is_active(self, now: datetime) -> bool:
        return now < self.expires_at

    @property
    def public_id(self) -> str:
        """What the session is shown and ended under: derived one way from the token hash,
        which itself never leaves the server."""
        return hashlib.sha256(f"session-id:{self.token_hash}".encode()).hexdigest()[:32]

    def needs_touch(self, now: datetime, policy: SessionPolicy) -> bool:
        # Never skip for more than half the idle time, or a session in steady use
        # lapses when the idle time is short (a one-minute idle with a one-minute interval).
        return now - self.last_seen_at >= min(policy.touch_interval, policy.idle / 2)

    def touched(self, now: datetime, policy: SessionPolicy) -> "LoginSession":
        return LoginSession(
            token_hash=self.token_hash,
            owner_id=self.owner_id,
            csrf_token=self.csrf_token,
            created_at=self.created_at,
            last_seen_at=now,
            absolute_expires_at=self.absolute_expires_at,
            expires_at=min(self.absolute_expires_at, now + policy.idle),
            ip=self.ip,
            user_agent=self.user_agent,
        )


def open_session(
    *,
    token_hash: str,
    owner_id: OwnerId,
    csrf_token: str,
    now: datetime,
    policy: SessionPolicy,
    ip: str,
    user_agent: str,
) -> LoginSession:
    absolute = now + policy.absolute
    return LoginSession(
        token_hash=token_hash,
        owner_id=owner_id,
        csrf_token=csrf_token,
        created_at=now,
        last_seen_at=now,
        absolute_expires_at=absolute,
        expires_at=min(absolute, now + policy.idle),
        ip=ip[:64],
        user_agent=user_agent[:256],
    )


def token_hash(token: str) -> str:
    """What is stored of a secret token: its SHA-256. The token itself only travels in the cookie."""
    return hashlib.sha256(token.encode()).hexdigest()
