"""What an HTML form sent, kept as typed so a page shown again after an error keeps it."""

from collections.abc import Mapping

from litestar import Request

from ragsell.application.errors import NotAuthenticated, NotFound
from ragsell.domain.errors import DomainError, InvalidValue
from ragsell.entrypoints.http.errors import Forbidden

MAX_FIELD_LENGTH = 25_000


class Form:
    def __init__(self, values: Mapping[str, list[str]] | None = None) -> None:
        self._values = dict(values or {})

    def text(self, name: str) -> str:
        """The field's value ('' when absent); longer than any field the domain accepts is refused."""
        values = self._values.get(name) or [""]
        if len(values[0]) > MAX_FIELD_LENGTH:
            raise InvalidValue("This field is too long.", field=name)
        return values[0]

    def optional(self, name: str) -> str | None:
        """The field's value, or None when left empty."""
        return self.text(name).strip() or None

    def lines(self, name: str) -> list[str]:
        """A textarea's non-empty lines, trimmed."""
        return [line.strip() for line in self.text(name).splitlines() if line.strip()]

    def all(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def checked(self, name: str) -> bool:
        return any(self._values.get(name, []))

    def choice(self, name: str, choices: tuple[str, ...], label: str) -> str:
        value = self.text(name)
        if value not in choices:
            raise InvalidValue(f"Choose one of the offered {label}.", field=name)
        return value

    def number(self, name: str, label: str) -> int | None:
        value = self.text(name).strip()
        if not value:
            return None
        if not value.isdigit() or len(value) > 9:
            raise InvalidValue(f"Enter {label} as a whole number, or leave it empty.", field=name)
        return int(value)


async def read_form(request: Request) -> Form:
    data = await request.form()
    return Form({key: [v for v in data.getall(key) if isinstance(v, str)] for key in data})


def form_error(error: DomainError) -> DomainError:
    """An error to show on the form, or raised on when it is no fault of what was typed."""
    if isinstance(error, NotFound | NotAuthenticated | Forbidden):
        raise error
    return error
