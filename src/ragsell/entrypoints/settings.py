"""The service's settings, read once from the environment.

Every variable is named RAGSELL_*; an unknown RAGSELL_ variable or a bad value stops
start-up with a message that names it.
"""

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from ragsell.domain.accounts import SessionPolicy
from ragsell.domain.contact import normalize_email
from ragsell.domain.errors import DomainError
from ragsell.domain.retention import RetentionPolicy
from ragsell.domain.urls import normalize_url, origin_of
from ragsell.domain.usage import DEFAULT_PLANS, Plan, PlanCatalogue

PREFIX = "RAGSELL_"
# Providers' own variables, read when the RAGSELL_ one is not set.
PROVIDER_VARIABLES = {
    "OPENAI_API_KEY": "openai_api_key",
    "OPENAI_BASE_URL": "openai_base_url",
    "AWS_DEFAULT_REGION": "aws_region",
    "AWS_REGION": "aws_region",
    "DEEPGRAM_API_KEY": "deepgram_api_key",
    "CARTESIA_API_KEY": "cartesia_api_key",
    "LIVEKIT_URL": "livekit_url",
    "LIVEKIT_API_KEY": "livekit_api_key",
    "LIVEKIT_API_SECRET": "livekit_api_secret",
}


class SettingsError(Exception):
    """A setting is missing, unknown or invalid; the message names the variable."""


class Store(StrEnum):
    # MongoDB: the embedded nx-27017 server, or RAGSELL_MONGODB_URI.
    MONGO = "mongo"
    # The in-memory harness: nothing survives a restart. For maintainers and demos.
    MEMORY = "memory"


class Embeddings(StrEnum):
    # all-MiniLM-L6-v2 (int8) on this machine: no key, nothing downloaded.
    LOCAL = "local"
    # OpenAI's embeddings API, or any server speaking it (RAGSELL_OPENAI_BASE_URL).
    OPENAI = "openai"


class Answers(StrEnum):
    # Composed from the best sentences of the retrieved passages: no model, no key.
    EXTRACTIVE = "extractive"
    # AWS Bedrock's Converse API (credentials from the standard AWS chain).
    BEDROCK = "bedrock"
    # OpenAI chat completions, or any server speaking them (vLLM, Ollama, llama.cpp).
    OPENAI = "openai"


class VectorSearch(StrEnum):
    # An in-process index per site, built from the store and cached.
    LOCAL = "local"
    # MongoDB Atlas Vector Search (needs the index in docs/atlas-vector-search.md).
    ATLAS = "atlas"


class SmtpTls(StrEnum):
    # STARTTLS before anything else is said (port 587 by default).
    STARTTLS = "starttls"
    # TLS from the first byte (port 465 by default).
    SSL = "ssl"
    # No encryption (port 25 by default): a mail server on this machine or network only.
    NONE = "none"


_SMTP_PORTS = {SmtpTls.STARTTLS: 587, SmtpTls.SSL: 465, SmtpTls.NONE: 25}
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".ragsell")
    # Where owners and visitors reach this service; "" means http://HOST:PORT.
    public_url: str = ""
    store: Store = Store.MONGO
    mongodb_uri: str = ""
    mongodb_database: str = "ragsell"
    log_level: str = "INFO"
    # Trust X-Forwarded-For for the client address (only behind your own proxy).
    trust_proxy_headers: bool = False
    session_idle_minutes: int = 120
    session_absolute_hours: int = 168
    # A JSON file: {"default": "free", "plans": [{"name": ..., "sites": ..., ...}]}
    plans_file: Path | None = None
    closed_account_grace_days: int = 30
    page_view_retention_days: int = 30
    answers: Answers = Answers.EXTRACTIVE
    bedrock_model_id: str = "amazon.nova-micro-v1:0"
    # AWS_REGION (or AWS_DEFAULT_REGION) is read too, as boto3 does.
    aws_region: str = "us-east-1"
    bedrock_endpoint_url: str = ""
    openai_chat_model: str = "gpt-4.1-mini"
    # Longest answer, in model tokens (always sent to the model).
    answer_max_tokens: int = 600
    # Whole-answer deadline and the longest silence inside a streamed answer.
    answer_deadline_seconds: int = 60
    answer_stall_seconds: int = 15
    embeddings: Embeddings = Embeddings.LOCAL
    vector_search: VectorSearch = VectorSearch.LOCAL
    # OPENAI_API_KEY and OPENAI_BASE_URL are read too, as the OpenAI SDK does.
    openai_api_key: str = ""
    openai_base_url: str = ""
    openai_embedding_model: str = "text-embedding-3-small"
    # 0: the model's own size.
    openai_embedding_dimensions: int = 0
    # Run crawl jobs inside `ragsell serve` too (besides any `ragsell worker`).
    worker_in_process: bool = True
    # Let the crawler fetch 127.0.0.1 and ::1. For the project's own tests only.
    crawl_allow_loopback: bool = False
    # Outgoing mail (lead notifications, password resets). No host: mail is off.
    smtp_host: str = ""
    # 0: the usual port of smtp_tls (587, 465 or 25).
    smtp_port: int = 0
    smtp_username: str = ""
    smtp_password: str = ""
    # The From header: "noreply@example.com" or "Acme assistant <noreply@example.com>".
    smtp_from: str = ""
    smtp_tls: SmtpTls = SmtpTls.STARTTLS
    # Let lead webhooks reach 127.0.0.1 and ::1. For the project's own tests only.
    webhook_allow_loopback: bool = False
    # Voice: Deepgram hears, Cartesia speaks; both keys turn voice on (DEEPGRAM_API_KEY
    # and CARTESIA_API_KEY are read too).
    deepgram_api_key: str = ""
    deepgram_base_url: str = "https://api.deepgram.com"
    deepgram_model: str = "nova-3"
    # "": detected per recording.
    deepgram_language: str = ""
    deepgram_smart_format: bool = True
    cartesia_api_key: str = ""
    cartesia_base_url: str = "https://api.cartesia.ai"
    cartesia_model: str = "sonic-2"
    # Sites may choose another voice; this one speaks for the rest.
    cartesia_voice_id: str = "f786b574-daa5-4673-aa0c-cbe3e8534c02"
    # Live calls also need a LiveKit server (LIVEKIT_URL, LIVEKIT_API_KEY and
    # LIVEKIT_API_SECRET are read too) and `ragsell voice-agent` running.
    livekit_url: str = ""
    livekit_api_key: str = ""
    livekit_api_secret: str = ""
    voice_call_max_minutes: int = 15
    # Let the speech services' addresses be http://127.0.0.1. For the project's own tests only.
    voice_allow_loopback: bool = False

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def public_origin(self) -> str:
        return origin_of(self.base_url)

    @property
    def uses_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def voice_available(self) -> bool:
        return bool(self.deepgram_api_key and self.cartesia_api_key)

    @property
    def voice_calls_available(self) -> bool:
        return self.voice_available and bool(self.livekit_url and self.livekit_api_key and self.livekit_api_secret)

    @property
    def smtp_port_or_default(self) -> int:
        return self.smtp_port or _SMTP_PORTS[self.smtp_tls]

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(minutes=self.session_idle_minutes), absolute=timedelta(hours=self.session_absolute_hours)
        )

    @property
    def retention_policy(self) -> RetentionPolicy:
        return RetentionPolicy(
            closed_account_grace=timedelta(days=self.closed_account_grace_days),
            raw_page_views=timedelta(days=self.page_view_retention_days),
        )

    def plan_catalogue(self) -> PlanCatalogue:
        if self.plans_file is None:
            return PlanCatalogue(plans=DEFAULT_PLANS)
        name = f"{PREFIX}PLANS_FILE"
        try:
            raw = msgspec.json.decode(self.plans_file.read_bytes())
            plans = tuple(Plan(**plan) for plan in raw["plans"])
            return PlanCatalogue(plans=plans, default=raw.get("default", plans[0].name))
        except OSError as error:
            raise SettingsError(f"{name}: cannot read {self.plans_file}: {error.strerror}.") from None
        except (msgspec.DecodeError, KeyError, TypeError, IndexError) as error:
            raise SettingsError(f"{name}: {self.plans_file} is not a plan list ({error}).") from None
        except DomainError as error:
            raise SettingsError(f"{name}: {error.message}") from None


def _reason(error: Exception) -> str:
    return str(getattr(error, "message", error)).rstrip(".")


def _not_negative(value: int) -> int:
    if value < 0:
        raise ValueError("must be zero or a positive whole number")
    return value


def _positive(value: int) -> int:
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _port(value: int) -> int:
    if not 0 <= value <= 65535:
        raise ValueError("must be a port number from 0 to 65535")
    return value


def _public_url(value: str) -> str:
    if value and normalize_url(value, keep_query=False).rstrip("/") != value.rstrip("/"):
        raise ValueError("must be an http(s) URL such as https://chat.example.com")
    return value.rstrip("/")


def _log_level(value: str) -> str:
    if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return value.upper()


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "port": _port,
    "session_idle_minutes": _positive,
    "session_absolute_hours": _positive,
    "closed_account_grace_days": _not_negative,
    "page_view_retention_days": _positive,
    "public_url": _public_url,
    "openai_base_url": _public_url,
    "openai_embedding_dimensions": _not_negative,
    "bedrock_endpoint_url": _public_url,
    "answer_max_tokens": _positive,
    "answer_deadline_seconds": _positive,
    "answer_stall_seconds": _positive,
    "log_level": _log_level,
    "smtp_port": _port,
    "voice_call_max_minutes": _positive,
}


def _check_voice(settings: Settings) -> None:
    addresses = {
        "DEEPGRAM_BASE_URL": (settings.deepgram_base_url, ("https://",)),
        "CARTESIA_BASE_URL": (settings.cartesia_base_url, ("https://",)),
        "LIVEKIT_URL": (settings.livekit_url, ("wss://", "https://")),
    }
    for name, (address, secure) in addresses.items():
        if not address or address.startswith(secure):
            continue
        host = urlsplit(address).hostname or ""
        if not (settings.voice_allow_loopback and host in _LOOPBACK_HOSTS):
            raise SettingsError(f"{PREFIX}{name}={address!r}: must start with {' or '.join(secure)}.")


def _check_smtp(settings: Settings) -> None:
    if not settings.smtp_host:
        return
    address = parseaddr(settings.smtp_from)[1]
    try:
        valid = bool(address) and normalize_email(address) == address.lower()
    except DomainError:
        valid = False
    if not valid:
        raise SettingsError(f"{PREFIX}SMTP_HOST needs {PREFIX}SMTP_FROM, the sender's address (noreply@example.com).")
    if bool(settings.smtp_username) != bool(settings.smtp_password):
        raise SettingsError(f"{PREFIX}SMTP_USERNAME and {PREFIX}SMTP_PASSWORD go together: set both or neither.")
    if settings.smtp_password and settings.smtp_tls is SmtpTls.NONE and settings.smtp_host not in _LOOPBACK_HOSTS:
        raise SettingsError(
            f"{PREFIX}SMTP_TLS=none would send {PREFIX}SMTP_PASSWORD unencrypted; use starttls or ssl "
            "(a server on this machine, at 127.0.0.1, is the exception)."
        )


def _parse(field: str, raw: str, kind: Any) -> Any:
    if kind is bool:
        if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise ValueError("must be true or false")
        return raw.lower() in ("1", "true", "yes", "on")
    if kind is int:
        if not raw.lstrip("-").isdigit():
            raise ValueError("must be a whole number")
        return int(raw)
    if kind in (Path, Path | None):
        return Path(raw).expanduser() if raw else None
    return msgspec.convert(raw, kind)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from RAGSELL_* variables (``os.environ`` by default), then ``overrides``."""
    environ = os.environ if environ is None else environ
    fields = {field.name: field.type for field in msgspec.structs.fields(Settings)}
    values: dict[str, Any] = {
        field: environ[variable].strip() for variable, field in PROVIDER_VARIABLES.items() if environ.get(variable)
    }
    for variable, raw in environ.items():
        if not variable.startswith(PREFIX):
            continue
        field = variable.removeprefix(PREFIX).lower()
        if field not in fields:
            raise SettingsError(f"{variable} is not a ragsell setting; see the README for the list.")
        try:
            values[field] = _parse(field, raw.strip(), fields[field])
        except (ValueError, msgspec.ValidationError, DomainError) as error:
            raise SettingsError(f"{variable}={raw!r}: {_reason(error)}.") from None
    values.update(overrides)
    for field, check in _CHECKS.items():
        if field in values:
            try:
                values[field] = check(values[field])
            except (ValueError, DomainError) as error:
                raise SettingsError(f"{PREFIX}{field.upper()}: {_reason(error)}.") from None
    settings = Settings(**values)
    try:
        settings.session_policy  # noqa: B018 - building it checks idle <= absolute
    except DomainError as error:
        raise SettingsError(
            f"{PREFIX}SESSION_IDLE_MINUTES / {PREFIX}SESSION_ABSOLUTE_HOURS: {_reason(error)}."
        ) from None
    settings.plan_catalogue()
    if Answers.OPENAI is settings.answers and not settings.openai_api_key:
        raise SettingsError(f"{PREFIX}ANSWERS=openai needs OPENAI_API_KEY (or {PREFIX}OPENAI_API_KEY).")
    if settings.embeddings is Embeddings.OPENAI and not settings.openai_api_key:
        raise SettingsError(f"{PREFIX}EMBEDDINGS=openai needs OPENAI_API_KEY (or {PREFIX}OPENAI_API_KEY).")
    if settings.vector_search is VectorSearch.ATLAS and settings.store is not Store.MONGO:
        raise SettingsError(f"{PREFIX}VECTOR_SEARCH=atlas needs {PREFIX}STORE=mongo and an Atlas {PREFIX}MONGODB_URI.")
    _check_smtp(settings)
    _check_voice(settings)
    return settings
