"""An owner's deletion request: the account closes at once (every session ends, the
widget stops, nobody can log in) and its data is purged after the grace period, or at
once when the owner asks. A closed account is never opened again."""

from datetime import datetime

import msgspec

from ragsell.application.accounts.reauthentication import Reauthentication
from ragsell.application.errors import NotFound
from ragsell.application.ports.system import Clock
from ragsell.application.privacy.account_purge import AccountCloser, AccountPurger
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.domain.accounts import Owner
from ragsell.domain.privacy import PrivacyAction, SubjectKind
from ragsell.domain.retention import RetentionPolicy


class DeleteAccountCommand(msgspec.Struct, frozen=True, kw_only=True):
    owner: Owner
    password: str
    immediately: bool = False


class AccountClosed(msgspec.Struct, frozen=True, kw_only=True):
    closed_at: datetime
    # When the data goes; None: it is gone already.
    purge_after: datetime | None
    ended_sessions: int


class DeleteAccount:
    def __init__(
        self,
        reauthentication: Reauthentication,
        closer: AccountCloser,
        purger: AccountPurger,
        audit: PrivacyAudit,
        clock: Clock,
        retention: RetentionPolicy,
    ) -> None:
        self._closer = closer
        self._reauthentication = reauthentication
        self._clock = clock
        self._retention = retention
        self._purger = purger
        self._audit = audit

    async def __call__(self, command: DeleteAccountCommand) -> AccountClosed:
        owner = command.owner
        await self._reauthentication.confirm(owner, command.password)
        now = self._clock.now()
        ended = await self._closer.close(owner.id, now)
        if ended is None:
            raise NotFound("That account does not exist.")
        counts = {"sessions": ended}
        purge_after: datetime | None = self._retention.purge_after(now)
        if command.immediately:
            counts = {**await self._purger.purge(owner), **counts}
            purge_after = None
        await self._audit.record(
            owner_id=owner.id,
            action=PrivacyAction.DELETE_ACCOUNT,
            subject=SubjectKind.ACCOUNT,
            site_id=None,
            counts=counts,
        )
        return AccountClosed(closed_at=now, purge_after=purge_after, ended_sessions=ended)
