"""The widget's public API: no cookies, identified by the site's widget key and the
visitor's random id, answering only the site's allowed origins."""

from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from ragsell.application.conversations.post_visitor_message import PostVisitorMessage, PostVisitorMessageCommand
from ragsell.application.conversations.rate_answer import RateAnswer, RateAnswerCommand
from ragsell.application.conversations.record_page_view import RecordPageView, RecordPageViewCommand
from ragsell.application.conversations.start_conversation import StartConversation, StartConversationCommand
from ragsell.application.conversations.visitor_conversation import VisitorConversation, VisitorConversationQuery
from ragsell.application.leads.capture_lead import CaptureLead, CaptureLeadCommand
from ragsell.application.sites.widget_config import GetWidgetConfig
from ragsell.application.voice.start_voice_call import StartVoiceCall, StartVoiceCallCommand
from ragsell.application.voice.take_voice_turn import TakeVoiceTurn, TakeVoiceTurnCommand
from ragsell.application.voice.turn_events import VoiceTurnEvent
from ragsell.domain.conversations import Feedback
from ragsell.domain.leads import LeadKind
from ragsell.domain.voice import MAX_TURN_BYTES, MAX_TURN_SECONDS, check_recording_size
from ragsell.entrypoints.http.widget.schemas import (
    ConversationStartedView,
    FeedbackBody,
    HistoryView,
    LeadBody,
    LeadCapturedView,
    MessageBody,
    PageViewBody,
    StartConversationBody,
    VoiceCallView,
    WidgetConfigView,
    WidgetMessageView,
)
from ragsell.entrypoints.http.wire import view_of

VisitorHeader = Annotated[str, HeaderParameter(name="x-visitor-id", min_length=36, max_length=36)]
ClientMessageHeader = Annotated[str, HeaderParameter(name="x-client-message-id", min_length=36, max_length=36)]
_encoder = msgspec.json.Encoder()


def _origin(request: Request) -> str | None:
    return request.headers.get("origin")


def _stream(events: AsyncIterator[VoiceTurnEvent]) -> ServerSentEvent:
    # A typed answer's events are among a voice turn's (AnswerEvent is part of VoiceTurnEvent).
    return ServerSentEvent(_sse(events), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _sse(events: AsyncIterator[VoiceTurnEvent]) -> AsyncIterator[ServerSentEventMessage]:
    async for event in events:
        name = type(event).__struct_config__.tag
        payload = msgspec.structs.asdict(event)
        yield ServerSentEventMessage(event=str(name), data=_encoder.encode(_camel(payload)).decode())


def _camel(payload: dict[str, object]) -> dict[str, object]:
    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    return {camel(key): msgspec.to_builtins(value) for key, value in payload.items()}


class WidgetController(Controller):
    path = "/widget/v1/sites/{widget_key:str}"
    tags = ["widget"]

    @get("/config", summary="The widget's look and words", cache=False)
    async def config(
        self, request: Request, widget_key: FromPath[str], get_config: FromDishka[GetWidgetConfig]
    ) -> WidgetConfigView:
        return view_of(await get_config(widget_key, _origin(request)), WidgetConfigView)

    @post("/page-views", status_code=HTTP_204_NO_CONTENT, summary="A page was viewed (drives 'active now')")
    async def page_view(
        self,
        request: Request,
        widget_key: FromPath[str],
        data: JSONBody[PageViewBody],
        record: FromDishka[RecordPageView],
    ) -> None:
        await record(
            RecordPageViewCommand(
                widget_key=widget_key,
                origin=_origin(request),
                visitor_id=data.visitor_id,
                url=data.url,
                referrer=data.referrer,
            )
        )

    @post("/conversations", status_code=HTTP_201_CREATED, summary="Start a conversation")
    async def start_conversation(
        self,
        request: Request,
        widget_key: FromPath[str],
        data: JSONBody[StartConversationBody],
        start: FromDishka[StartConversation],
    ) -> ConversationStartedView:
        conversation = await start(
            StartConversationCommand(widget_key=widget_key, origin=_origin(request), visitor_id=data.visitor_id)
        )
        return ConversationStartedView(conversation_id=conversation.id)

    @get("/conversations/{conversation_id:str}", summary="The visitor's own conversation so far", cache=False)
    async def history(
        self,
        request: Request,
        widget_key: FromPath[str],
        conversation_id: FromPath[str],
        visitor_id: VisitorHeader,
        conversation: FromDishka[VisitorConversation],
    ) -> HistoryView:
        messages = await conversation(
            VisitorConversationQuery(
                widget_key=widget_key, origin=_origin(request), visitor_id=visitor_id, conversation_id=conversation_id
            )
        )
        return HistoryView(conversation_id=conversation_id, messages=[view_of(m, WidgetMessageView) for m in messages])

    @post(
        "/conversations/{conversation_id:str}/messages",
        status_code=200,
        summary="Ask a question; the answer streams back as Server-Sent Events",
        description="Events: token {text}, citations {citations}, done {messageId, answered}, error {code, message}.",
    )
    async def post_message(
        self,
        request: Request,
        widget_key: FromPath[str],
        conversation_id: FromPath[str],
        data: JSONBody[MessageBody],
        post_message: FromDishka[PostVisitorMessage],
    ) -> ServerSentEvent:
        events = await post_message(
            PostVisitorMessageCommand(
                widget_key=widget_key,
                origin=_origin(request),
                visitor_id=data.visitor_id,
                conversation_id=conversation_id,
                client_message_id=data.client_message_id,
                text=data.text,
            )
        )
        return _stream(events)

    @post(
        "/conversations/{conversation_id:str}/voice-turns",
        status_code=200,
        summary="Ask by voice: the recording in, the answer back as text and speech (Server-Sent Events)",
        description=(
            "The body is the recording (audio/webm, audio/ogg, audio/mp4, audio/mpeg or audio/wav; at most "
            f"{MAX_TURN_SECONDS} seconds, {MAX_TURN_BYTES} bytes). Events: transcript {{text, language}}, "
            "token {text}, speech {audio: base64 16-bit little-endian mono PCM, sampleRate}, citations "
            "{citations}, done {messageId, answered} (last), error {code, message}."
        ),
    )
    async def voice_turn(
        self,
        request: Request,
        widget_key: FromPath[str],
        conversation_id: FromPath[str],
        visitor_id: VisitorHeader,
        client_message_id: ClientMessageHeader,
        take_turn: FromDishka[TakeVoiceTurn],
    ) -> ServerSentEvent:
        declared = request.headers.get("content-length", "")
        check_recording_size(int(declared) if declared.isdigit() else 0)
        events = await take_turn(
            TakeVoiceTurnCommand(
                widget_key=widget_key,
                origin=_origin(request),
                visitor_id=visitor_id,
                conversation_id=conversation_id,
                client_message_id=client_message_id,
                media_type=request.headers.get("content-type"),
                audio=request.stream(),
            )
        )
        return _stream(events)

    @post(
        "/conversations/{conversation_id:str}/voice-calls",
        status_code=HTTP_201_CREATED,
        summary="Start a live call with the assistant: a LiveKit room and a token for this visitor only",
    )
    async def voice_call(
        self,
        request: Request,
        widget_key: FromPath[str],
        conversation_id: FromPath[str],
        data: JSONBody[StartConversationBody],
        start_call: FromDishka[StartVoiceCall],
    ) -> VoiceCallView:
        ticket = await start_call(
            StartVoiceCallCommand(
                widget_key=widget_key,
                origin=_origin(request),
                visitor_id=data.visitor_id,
                conversation_id=conversation_id,
            )
        )
        return VoiceCallView(url=ticket.url, token=ticket.token, room=ticket.room, ends_at=ticket.ends_at)

    @post(
        "/conversations/{conversation_id:str}/messages/{message_id:str}/feedback",
        status_code=HTTP_204_NO_CONTENT,
        summary="Rate one of the assistant's answers (thumbs up or down); rating again replaces it",
    )
    async def rate_answer(
        self,
        request: Request,
        widget_key: FromPath[str],
        conversation_id: FromPath[str],
        message_id: FromPath[str],
        data: JSONBody[FeedbackBody],
        rate: FromDishka[RateAnswer],
    ) -> None:
        await rate(
            RateAnswerCommand(
                widget_key=widget_key,
                origin=_origin(request),
                visitor_id=data.visitor_id,
                conversation_id=conversation_id,
                message_id=message_id,
                feedback=Feedback(data.rating),
            )
        )

    @post("/leads", status_code=HTTP_201_CREATED, summary="Leave contact details for the site's team")
    async def capture_lead(
        self, request: Request, widget_key: FromPath[str], data: JSONBody[LeadBody], capture: FromDishka[CaptureLead]
    ) -> LeadCapturedView:
        lead = await capture(
            CaptureLeadCommand(
                widget_key=widget_key,
                origin=_origin(request),
                visitor_id=data.visitor_id,
                conversation_id=data.conversation_id,
                name=data.name,
                email=data.email,
                phone=data.phone,
                message=data.message,
                kind=LeadKind(data.kind),
                page_url=data.page_url,
            )
        )
        return LeadCapturedView(lead_id=lead.id)
