from typing import Protocol


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches. With no hash, spends the time a real check
        takes and returns False, so unknown accounts cannot be told apart by timing."""

    def needs_rehash(self, password_hash: str) -> bool: ...
