from datetime import datetime

from ragsell.application.ports.privacy import PrivacyRequestLog
from ragsell.domain.ids import OwnerId
from ragsell.domain.privacy import PrivacyRequest


class InMemoryPrivacyRequestLog(PrivacyRequestLog):
    def __init__(self) -> None:
        self._requests: list[PrivacyRequest] = []

    async def add(self, request: PrivacyRequest) -> None:
        self._requests.append(request)

    async def list_for_owner(self, owner_id: OwnerId, *, limit: int) -> list[PrivacyRequest]:
        found = [request for request in self._requests if request.owner_id == owner_id]
        found.sort(key=lambda request: (request.requested_at, request.id), reverse=True)
        return found[: max(limit, 0)]

    async def purge_before(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        kept = [request for request in self._requests if request.requested_at >= cutoff]
        removed = len(self._requests) - len(kept)
        if not dry_run:
            self._requests = kept
        return removed
