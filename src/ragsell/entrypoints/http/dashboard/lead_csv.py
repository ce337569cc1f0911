"""Leads as CSV for spreadsheets: quoted where needed, and no cell a spreadsheet would
run as a formula (CSV injection)."""

import csv
import io
import re

from ragsell.domain.leads import Lead
from ragsell.domain.sites import Site

COLUMNS = ("created_at", "name", "email", "phone", "kind", "status", "message", "page_url", "conversation_id", "id")
# Spreadsheets treat a cell starting with one of these as a formula (or its start).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9]+")


def safe_cell(value: str) -> str:
    """``value``, with a leading ' when a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _row(lead: Lead) -> list[str]:
    values = {
        "created_at": lead.created_at.isoformat(timespec="seconds"),
        "name": lead.name,
        "email": lead.email or "",
        "phone": lead.phone or "",
        "kind": lead.kind.value,
        "status": lead.status.value,
        "message": lead.message,
        "page_url": lead.page_url or "",
        "conversation_id": lead.conversation_id or "",
        "id": lead.id,
    }
    return [safe_cell(values[column]) for column in COLUMNS]


def leads_csv(leads: list[Lead]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read it as UTF-8), CRLF rows."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(lead) for lead in leads)
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def csv_filename(site: Site) -> str:
    """leads-<site name in plain letters>.csv: nothing in it needs quoting in a header."""
    stem = _UNSAFE_NAME.sub("-", site.name).strip("-").lower()[:60] or "site"
    return f"leads-{stem}.csv"
