import logging
from datetime import timedelta

from ragsell.application.ports.system import Clock
from ragsell.application.ports.voice import SpeechUnavailable, VoiceRooms
from ragsell.application.voice.features import VoiceFeatures
from ragsell.domain.errors import InvalidValue
from ragsell.domain.voice import ROOM_PREFIX, read_brief

log = logging.getLogger(__name__)
# The voice agent closes a call at its end; the sweep closes what an agent that
# stopped left open.
GRACE = timedelta(minutes=1)


class CloseOverdueCalls:
    def __init__(self, rooms: VoiceRooms, features: VoiceFeatures, clock: Clock) -> None:
        self._rooms = rooms
        self._features = features
        self._clock = clock

    async def __call__(self) -> int:
        """Closes ragsell's rooms past their call's end; returns how many."""
        if not self._features.calls:
            return 0
        now = self._clock.now()
        closed = 0
        try:
            for room in await self._rooms.list(ROOM_PREFIX):
                try:
                    ends_at = read_brief(room.metadata).ends_at
                except InvalidValue:
                    ends_at = room.created_at + self._features.call_limit
                if now >= ends_at + GRACE:
                    await self._rooms.close(room.name)
                    closed += 1
        except SpeechUnavailable as error:
            log.warning("overdue calls not closed", extra={"error": repr(error)})
        return closed
