import logging
from datetime import timedelta

from ragsell.application.conversations.visitor_conversation import VisitorConversationQuery, visitors_conversation
from ragsell.application.errors import VoiceUnavailable
from ragsell.application.ports.repositories import ConversationRepository, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.ports.voice import SpeechUnavailable, VoiceRooms
from ragsell.application.throttling import VOICE_CALLS_PER_VISITOR, Throttle
from ragsell.application.usage.quota import Quota
from ragsell.application.voice.features import VoiceFeatures, require_voice
from ragsell.application.widget_access import OwnOrigin
from ragsell.domain.usage import Meter
from ragsell.domain.voice import RoomBrief, RoomTicket, brief_metadata, room_name

log = logging.getLogger(__name__)
# The visitor has this long to join with the token; the room waits as long for them.
JOIN_WINDOW = timedelta(minutes=2)
# A call is the visitor and the voice agent.
CALL_PARTICIPANTS = 2


class StartVoiceCallCommand(VisitorConversationQuery, frozen=True, kw_only=True):
    """The visitor's conversation the call belongs to."""


class StartVoiceCall:
    """Opens a room for a live call with the assistant, and a token that lets this
    visitor, and only them, into it. The voice agent joins when the visitor does."""

    def __init__(
        self,
        sites: SiteRepository,
        own: OwnOrigin,
        conversations: ConversationRepository,
        features: VoiceFeatures,
        quota: Quota,
        throttle: Throttle,
        rooms: VoiceRooms,
        ids: IdGenerator,
        clock: Clock,
    ) -> None:
        self._sites = sites
        self._own = own
        self._conversations = conversations
        self._features = features
        self._quota = quota
        self._throttle = throttle
        self._rooms = rooms
        self._ids = ids
        self._clock = clock

    async def __call__(self, command: StartVoiceCallCommand) -> RoomTicket:
        site, conversation = await visitors_conversation(self._sites, self._own, self._conversations, command)
        require_voice(self._features, site, call=True)
        now = self._clock.now()
        await self._throttle.check(VOICE_CALLS_PER_VISITOR, f"{site.id}:{conversation.visitor_id}", now)
        await self._quota.ensure_remaining(owner_id=site.owner_id, meter=Meter.VOICE_SECONDS, now=now)
        brief = RoomBrief(
            owner_id=site.owner_id,
            site_id=site.id,
            widget_key=site.widget_key,
            visitor_id=conversation.visitor_id,
            conversation_id=conversation.id,
            language=site.branding.language,
            voice=site.voice,
            ends_at=now + self._features.call_limit,
        )
        name = room_name(site.id, self._ids.new_id())
        try:
            await self._rooms.create(
                name,
                metadata=brief_metadata(brief),
                empty_timeout=JOIN_WINDOW,
                max_participants=CALL_PARTICIPANTS,
            )
        except SpeechUnavailable as error:
            log.warning("voice rooms unavailable", extra={"site_id": site.id, "error": repr(error)})
            raise VoiceUnavailable("Calls are not working right now; please type your question.") from None
        # A fresh identity per call: the visitor id stays out of the call service.
        token = self._rooms.access_token(room=name, identity=f"visitor-{self._ids.new_id()}", ttl=JOIN_WINDOW)
        return RoomTicket(url=self._rooms.url, token=token, room=name, ends_at=brief.ends_at)
