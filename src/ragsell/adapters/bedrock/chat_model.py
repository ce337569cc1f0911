"""Answers from a model on Amazon Bedrock, streamed through the Converse API."""

import asyncio
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import urllib3.exceptions
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from ragsell.adapters.bedrock.stream_reader import Events, Interruptible, StreamReader
from ragsell.adapters.chat_messages import conversation_turns
from ragsell.adapters.stream_timing import answer_timer
from ragsell.application.ports.ai import ChatModel, ChatRequest, ModelUnavailable
from ragsell.domain.conversations import ModelUsage

# Amazon's smallest text model: the cheapest and quickest on Bedrock, on demand in
# us-east-1 without a cross-region profile, and enough to phrase answers from passages.
DEFAULT_MODEL_ID = "amazon.nova-micro-v1:0"
DEFAULT_REGION = "us-east-1"
_PROVIDER_ERRORS = (BotoCoreError, ClientError, ResponseParserError, urllib3.exceptions.HTTPError, OSError)
_OPERATION_EVENT = "after-call.bedrock-runtime.ConverseStream"
# Events waiting for the event loop; the reader waits when it runs this far ahead.
_QUEUE_SIZE = 64


class _OpenedResponses(threading.local):
    """The HTTP response of the stream each worker thread opened last."""

    response: Interruptible | None = None


def _reason(error: BaseException) -> str:
    """The provider's error code and message, which never hold the prompt."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{details.get('Code')}{f' (HTTP {status})' if status else ''}: {details.get('Message')}"
    return f"{type(error).__name__}: {error}"


class BedrockChatModel(ChatModel):
    """ConverseStream with ``max_tokens`` always set. botocore's standard retry mode
    retries throttling, 5xx and connection failures up to ``max_attempts`` attempts in
    all, each connection and socket read bounded by ``connect_timeout`` and
    ``read_timeout``. The blocking stream is read in a worker thread (at most
    ``max_streams`` at once); the answer must be complete within ``deadline`` seconds
    and may not go quiet for ``stall_timeout`` seconds, or the stream is cut and
    ModelUnavailable raised. Credentials come from the standard AWS chain unless given."""

    def __init__(
        self,
        *,
        model_id: str = DEFAULT_MODEL_ID,
        region: str = DEFAULT_REGION,
        endpoint_url: str | None = None,
        max_tokens: int = 600,
        temperature: float | None = 0.2,
        top_p: float | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 3,
        deadline: float = 60.0,
        stall_timeout: float = 15.0,
        max_streams: int = 32,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
    ) -> None:
        self._model_id = model_id
        self._name = f"Bedrock model {model_id}"
        inference: dict[str, Any] = {"maxTokens": max_tokens, "temperature": temperature, "topP": top_p}
        self._inference = {name: value for name, value in inference.items() if value is not None}
        self._deadline = deadline
        self._stall_timeout = stall_timeout
        session = boto3.session.Session(
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            region_name=region,
        )
        config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            # "total_max_attempts" counts the first attempt; botocore's "max_attempts" would not.
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            max_pool_connections=max_streams,
        )
        self._client = session.client("bedrock-runtime", endpoint_url=endpoint_url, config=config)
        self._opened = _OpenedResponses()
        self._client.meta.events.register(_OPERATION_EVENT, self._keep_response)
        self._threads = ThreadPoolExecutor(max_workers=max_streams, thread_name_prefix="bedrock-stream")

    def _keep_response(self, http_response: Any, **_: object) -> None:
        # Runs in the worker thread, inside converse_stream: the raw response is what
        # a stalled read can be interrupted through.
        self._opened.response = http_response.raw

    def _open_stream(self, request: ChatRequest) -> tuple[Events, Interruptible | None]:
        self._opened.response = None
        answer = self._client.converse_stream(
            modelId=self._model_id,
            system=[{"text": request.system}],
            messages=[{"role": turn.role, "content": [{"text": turn.text}]} for turn in conversation_turns(request)],
            inferenceConfig=self._inference,
        )
        return answer["stream"], self._opened.response

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ModelUsage]:
        loop = asyncio.get_running_loop()
        timer = answer_timer(model=self._name, deadline=self._deadline, stall_timeout=self._stall_timeout)
        reader = StreamReader(loop, queue_size=_QUEUE_SIZE, patience=self._deadline)
        loop.run_in_executor(self._threads, reader.read, lambda: self._open_stream(request))
        stop_reason: str | None = None
        usage: dict[str, int] = {}
        try:
            event = await timer.wait(reader.next(), stall=False)
            while event is not None:
                if text := event.get("contentBlockDelta", {}).get("delta", {}).get("text"):
                    yield text
                stop_reason = event.get("messageStop", {}).get("stopReason", stop_reason)
                usage = event.get("metadata", {}).get("usage", usage)
                event = await timer.wait(reader.next())
        except _PROVIDER_ERRORS as error:
            raise ModelUnavailable(f"{self._name} failed: {_reason(error)}") from error
        finally:
            reader.stop()
        if stop_reason is None:
            raise ModelUnavailable(f"{self._name} ended its stream before finishing the answer.")
        yield ModelUsage(
            stop_reason=stop_reason,
            input_tokens=usage.get("inputTokens", 0),
            output_tokens=usage.get("outputTokens", 0),
        )

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._client.close()
