"""The record kept of every privacy request, and the owner's view of their own."""

from ragsell.application.ports.privacy import PrivacyRequestLog
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.privacy import PrivacyAction, PrivacyRequest, Requester, SubjectKind

MAX_LISTED = 200


class PrivacyAudit:
    """Writes what was asked and what came of it; never the subject's email, phone or id."""

    def __init__(self, log: PrivacyRequestLog, clock: Clock, ids: IdGenerator) -> None:
        self._log = log
        self._clock = clock
        self._ids = ids

    async def record(
        self,
        *,
        owner_id: OwnerId | None,
        action: PrivacyAction,
        subject: SubjectKind,
        site_id: SiteId | None,
        counts: dict[str, int],
    ) -> PrivacyRequest:
        request = PrivacyRequest(
            id=self._ids.new_id(),
            requester=Requester.OPERATOR if owner_id is None else Requester.OWNER,
            owner_id=owner_id,
            action=action,
            subject=subject,
            site_id=site_id,
            requested_at=self._clock.now(),
            counts=counts,
        )
        await self._log.add(request)
        return request


class ListPrivacyRequests:
    def __init__(self, log: PrivacyRequestLog) -> None:
        self._log = log

    async def __call__(self, owner_id: OwnerId) -> list[PrivacyRequest]:
        return await self._log.list_for_owner(owner_id, limit=MAX_LISTED)
