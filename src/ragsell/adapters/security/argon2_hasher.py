import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from ragsell.application.ports.security import PasswordHasher

# OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane (~35 ms here).
MEMORY_KIB = 19_456
TIME_COST = 2
PARALLELISM = 1


class Argon2PasswordHasher(PasswordHasher):
    """argon2id, run on a small thread pool so hashing never blocks the event loop and
    a burst of log-ins queues instead of exhausting memory (each hash takes 19 MiB)."""

    def __init__(
        self,
        *,
        memory_kib: int = MEMORY_KIB,
        time_cost: int = TIME_COST,
        parallelism: int = PARALLELISM,
        max_concurrent: int = 2,
    ) -> None:
        self._argon2 = Argon2(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="argon2")
        self._dummy_hash: str | None = None

    async def _run(self, function, *args):  # type: ignore[no-untyped-def]
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def hash(self, password: str) -> str:
        return await self._run(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            self._dummy_hash = self._dummy_hash or await self.hash("no account has this password")
            await self._run(self._matches, self._dummy_hash, password)
            return False
        return await self._run(self._matches, password_hash, password)

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def close(self) -> None:
        self._pool.shutdown(wait=False)
