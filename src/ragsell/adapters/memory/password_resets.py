from datetime import datetime

from ragsell.application.ports.repositories import DuplicateKey, PasswordResetRepository
from ragsell.domain.ids import OwnerId
from ragsell.domain.password_resets import PasswordReset


class InMemoryPasswordResetRepository(PasswordResetRepository):
    def __init__(self) -> None:
        self._resets: dict[str, PasswordReset] = {}

    async def add(self, reset: PasswordReset) -> None:
        if reset.token_hash in self._resets:
            raise DuplicateKey("token_hash")
        self._resets[reset.token_hash] = reset

    async def get(self, token_hash: str, *, now: datetime) -> PasswordReset | None:
        reset = self._resets.get(token_hash)
        return reset if reset is not None and reset.is_valid(now) else None

    async def take(self, token_hash: str, *, now: datetime) -> PasswordReset | None:
        reset = self._resets.pop(token_hash, None)
        return reset if reset is not None and reset.is_valid(now) else None

    async def remove_for_owner(self, owner_id: OwnerId) -> int:
        ending = [key for key, reset in self._resets.items() if reset.owner_id == owner_id]
        for key in ending:
            del self._resets[key]
        return len(ending)
