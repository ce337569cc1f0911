from ragsell.application.ports.repositories import SessionRepository


class LogOut:
    def __init__(self, sessions: SessionRepository) -> None:
        self._sessions = sessions

    async def __call__(self, token_hash: str) -> None:
        await self._sessions.remove(token_hash)
