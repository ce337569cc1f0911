"""The record of privacy requests."""

from datetime import datetime
from typing import Protocol

from ragsell.domain.ids import OwnerId
from ragsell.domain.privacy import PrivacyRequest


class PrivacyRequestLog(Protocol):
    async def add(self, request: PrivacyRequest) -> None: ...

    async def list_for_owner(self, owner_id: OwnerId, *, limit: int) -> list[PrivacyRequest]:
        """The owner's own requests, newest first (ties: larger id first)."""

    async def purge_before(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        """Remove records of requests made before ``cutoff``; returns how many were (or would be) removed."""
