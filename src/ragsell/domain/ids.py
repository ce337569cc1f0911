"""Identifiers. All are random strings of at least 128 bits, made by the IdGenerator port."""

import re
from typing import NewType

from ragsell.domain.errors import InvalidValue

OwnerId = NewType("OwnerId", str)
SiteId = NewType("SiteId", str)
WidgetKey = NewType("WidgetKey", str)
SnippetId = NewType("SnippetId", str)
ChunkId = NewType("ChunkId", str)
JobId = NewType("JobId", str)
ConversationId = NewType("ConversationId", str)
MessageId = NewType("MessageId", str)
LeadId = NewType("LeadId", str)
VisitorId = NewType("VisitorId", str)
ClientMessageId = NewType("ClientMessageId", str)
NotificationId = NewType("NotificationId", str)

# 22 url-safe base64 characters carry 132 bits; ids we issue are exactly that.
_ISSUED_ID = re.compile(r"[A-Za-z0-9_-]{22}")
_WIDGET_KEY = re.compile(r"pk_[A-Za-z0-9_-]{22}")
# Visitor ids and client message ids are made in the browser with crypto.randomUUID().
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def is_issued_id(value: str) -> bool:
    return _ISSUED_ID.fullmatch(value) is not None


def is_widget_key(value: str) -> bool:
    return _WIDGET_KEY.fullmatch(value) is not None


def visitor_id(value: str) -> VisitorId:
    if _UUID4.fullmatch(value) is None:
        raise InvalidValue("A visitor id is a random lower-case UUID (version 4).", field="visitorId")
    return VisitorId(value)


def client_message_id(value: str) -> ClientMessageId:
    if _UUID4.fullmatch(value) is None:
        raise InvalidValue("A client message id is a random lower-case UUID (version 4).", field="clientMessageId")
    return ClientMessageId(value)
