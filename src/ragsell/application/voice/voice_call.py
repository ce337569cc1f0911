import asyncio
import logging
import math
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from ragsell.application.conversations.answer_events import ErrorEvent, TokenEvent
from ragsell.application.conversations.post_visitor_message import PostVisitorMessage, PostVisitorMessageCommand
from ragsell.application.errors import NotFound, VoiceOff
from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.ports.voice import SpeechUnavailable, VoiceRooms
from ragsell.application.usage.quota import Quota
from ragsell.application.voice.features import VoiceFeatures, require_voice
from ragsell.domain.conversations import MAX_MESSAGE_LENGTH, Channel
from ragsell.domain.errors import DomainError
from ragsell.domain.usage import Meter
from ragsell.domain.voice import ROOM_PREFIX, RoomBrief, read_brief, voice_seconds

log = logging.getLogger(__name__)


class VoiceCall:
    """One live call, as the voice agent serves it: replies from the knowledge base
    (stored as voice messages), the seconds heard and spoken counted as they pass, and
    the room closed when the plan's voice seconds run out."""

    def __init__(
        self, room: str, brief: RoomBrief, quota: Quota, rooms: VoiceRooms, answer: PostVisitorMessage, clock: Clock
    ) -> None:
        self.room = room
        self.brief = brief
        self._quota = quota
        self._rooms = rooms
        self._answer = answer
        self._clock = clock
        self._heard = 0.0
        self._spoken = 0.0
        self._charged = 0
        self._lock = asyncio.Lock()
        self._closed = False

    def time_left(self) -> timedelta:
        return max(self.brief.ends_at - self._clock.now(), timedelta(0))

    async def reply(self, utterance: str) -> AsyncIterator[str]:
        """The answer to what the visitor said, piece by piece as it is written."""
        text = utterance.strip()[:MAX_MESSAGE_LENGTH]
        if not text:
            return
        try:
            events = await self._answer(
                PostVisitorMessageCommand(
                    widget_key=self.brief.widget_key,
                    origin=None,
                    visitor_id=self.brief.visitor_id,
                    conversation_id=self.brief.conversation_id,
                    client_message_id=str(uuid.uuid4()),
                    text=text,
                    channel=Channel.VOICE,
                )
            )
        except DomainError as error:
            # Refused (a plan limit, too many messages): the visitor hears why.
            yield error.message
            return
        async for event in events:
            if isinstance(event, TokenEvent):
                yield event.text
            elif isinstance(event, ErrorEvent):
                yield event.message

    async def count(self, *, heard: float = 0.0, spoken: float = 0.0) -> bool:
        """Adds audio heard and spoken; whole seconds are charged as they complete.
        Returns False once the plan's voice seconds are used up: the room is closed then."""
        async with self._lock:
            self._heard += heard
            self._spoken += spoken
            left = await self._charge_up_to(math.floor(round(self._heard + self._spoken, 3)))
        if not left:
            await self.end()
        return left

    async def end(self) -> None:
        """Charges the last part second and closes the room (again is harmless)."""
        async with self._lock:
            await self._charge_up_to(voice_seconds(self._heard, self._spoken))
            if self._closed:
                return
            self._closed = True
        try:
            await self._rooms.close(self.room)
        except SpeechUnavailable as error:
            # LiveKit ends it on its own once empty; the sweep closes it after its time.
            log.warning("voice room not closed", extra={"site_id": self.brief.site_id, "error": repr(error)})

    async def _charge_up_to(self, total: int) -> bool:
        amount = max(total - self._charged, 0)
        left = await asyncio.shield(
            self._quota.charge(
                owner_id=self.brief.owner_id,
                site_id=self.brief.site_id,
                meter=Meter.VOICE_SECONDS,
                amount=amount,
                now=self._clock.now(),
            )
        )
        # Counted only once stored: a failed write is tried again with the next count.
        self._charged += amount
        return left


class JoinVoiceCall:
    """What the voice agent asks when a room it was sent to starts: the call, checked
    again against the site and its plan, or the room closed."""

    def __init__(
        self,
        sites: SiteRepository,
        features: VoiceFeatures,
        quota: Quota,
        rooms: VoiceRooms,
        answer: PostVisitorMessage,
        clock: Clock,
    ) -> None:
        self._sites = sites
        self._features = features
        self._quota = quota
        self._rooms = rooms
        self._answer = answer
        self._clock = clock

    async def __call__(self, room: str, metadata: str) -> VoiceCall:
        if not room.startswith(ROOM_PREFIX):
            raise NotFound("Not a ragsell call room.")
        try:
            brief = read_brief(metadata)
        except DomainError:
            raise NotFound("The room does not describe a call.") from None
        call = VoiceCall(room, brief, self._quota, self._rooms, self._answer, self._clock)
        try:
            site = await self._sites.get(brief.owner_id, brief.site_id)
            if site is None or not room.startswith(f"{ROOM_PREFIX}{site.id}-"):
                raise VoiceOff("The site is gone.")
            require_voice(self._features, site, call=True)
            if brief.ends_at <= self._clock.now():
                raise VoiceOff("The call's time is over.")
            await self._quota.ensure_remaining(
                owner_id=brief.owner_id, meter=Meter.VOICE_SECONDS, now=self._clock.now()
            )
        except DomainError:
            await call.end()
            raise
        return call
