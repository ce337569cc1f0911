"""Operator commands on the whole installation, never reachable over HTTP:
``ragsell privacy export|erase`` for requests a visitor sends to the operator, and
``ragsell retention run`` for a retention sweep now."""

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from ragsell.application.privacy.erase_visitor_data import OperatorEraseVisitorData
from ragsell.application.privacy.export_visitor_data import OperatorExportVisitorData
from ragsell.application.privacy.requests import VisitorQuery
from ragsell.application.retention.sweep import RetentionSweep

COMMANDS = ("privacy", "retention")
# Runs ``use`` on the use case of the given type, in a container on the configured store.
Runner = Callable[[Callable[[Any], Awaitable[str]], type], str]


def add_commands(commands: Any, data: argparse.ArgumentParser) -> None:
    """``commands`` is the ``ragsell`` parser's subparsers; ``data`` the --data-dir parent."""
    privacy = commands.add_parser("privacy", help="Visitors' requests sent to the operator, across every site.")
    actions = privacy.add_subparsers(dest="privacy", required=True)
    for action, text in (
        ("export", "Print everything stored about a visitor as JSON (a dry run prints counts)."),
        ("erase", "Erase everything stored about a visitor (a dry run counts what would go)."),
    ):
        parser = actions.add_parser(action, parents=[data], help=text)
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="The address the visitor gave in a lead form.")
        who.add_argument("--phone", help="The number the visitor gave, with its country code.")
        who.add_argument("--visitor-id", help="The id the widget keeps in the visitor's browser.")
        parser.add_argument("--dry-run", action="store_true", help="Change and record nothing.")
    retention = commands.add_parser("retention", help="Retention sweeps.")
    sweeps = retention.add_subparsers(dest="retention", required=True)
    run = sweeps.add_parser("run", parents=[data], help="Remove now what is past its retention.")
    run.add_argument("--dry-run", action="store_true", help="Print what would be removed; remove nothing.")


def run_command(arguments: argparse.Namespace, run: Runner) -> None:
    if arguments.command == "retention":
        print(run(lambda sweep: _sweep(sweep, dry_run=arguments.dry_run), RetentionSweep))
        return
    query = VisitorQuery(visitor_id=arguments.visitor_id, email=arguments.email, phone=arguments.phone)
    if arguments.privacy == "export":
        print(run(lambda export: _export(export, query, dry_run=arguments.dry_run), OperatorExportVisitorData))
    else:
        print(run(lambda erase: _erase(erase, query, dry_run=arguments.dry_run), OperatorEraseVisitorData))


def _counts(title: str, counts: dict[str, int]) -> str:
    width = max(map(len, counts), default=0)
    return "\n".join([title, *(f"  {kind:<{width}}  {count:>8}" for kind, count in counts.items())])


async def _sweep(sweep: RetentionSweep, *, dry_run: bool) -> str:
    report = await sweep.run(dry_run=dry_run)
    return _counts("Would remove (dry run):" if dry_run else "Removed:", report.removed)


async def _export(export: OperatorExportVisitorData, query: VisitorQuery, *, dry_run: bool) -> str:
    found = await export(query, dry_run=dry_run)
    if dry_run:
        return _counts("Would export (dry run):", found.counts())
    return msgspec.json.format(msgspec.json.encode(found), indent=2).decode()


async def _erase(erase: OperatorEraseVisitorData, query: VisitorQuery, *, dry_run: bool) -> str:
    erasure = await erase(query, dry_run=dry_run)
    return _counts("Would erase (dry run):" if dry_run else "Erased:", erasure.counts())
