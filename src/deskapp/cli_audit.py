"""`deskapp audit`: check the audit log's hash chain, print a record's history. Registered in cli.py.

No import of deskapp.cli at the top (cli.py imports this module); heavy imports inside commands.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated

import typer

from deskapp.errors import DeskappError

audit_app = typer.Typer(help="The audit log (审计日志): check that it is intact, print a record's history.")

# As in cli.py: the global --db and --lang may also be given after the command.
DbOption = Annotated[str | None, typer.Option("--db", help="SQLAlchemy database URL (as for deskapp --db).")]
LangOption = Annotated[str | None, typer.Option("--lang", help="UI language: zh (default) or en.")]


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, db: DbOption = None, lang: LangOption = None) -> None:
    """Recompute the hash chain over every event in order. Exit 1 naming the first event that was
    edited, inserted, or follows a removed (or reordered) one."""
    from deskapp.cli import _context, cleanly

    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.services import audit

        context = _context(options)
        check = audit.verify(context.store)
        if check.broken is not None:
            event = check.broken.event
            at = event.at.astimezone(context.policy.timezone).strftime("%Y-%m-%d %H:%M:%S")
            raise DeskappError(f"audit.{check.broken.fault}", id=event.id, at=at, action=event.action, checked=check.checked)
        typer.echo(context.t("audit.ok", count=check.checked))


@audit_app.command("show")
def audit_show(
    ctx: typer.Context,
    record: Annotated[str, typer.Option(
        "--record", metavar="KIND:ID",
        help="work_order:12 (or WX000012), feedback:3, slip:12 (the slip number), visit:5, call:7, key_loan:2 …",
    )],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """A record's history from the audit log, oldest first: local time, who, what, and the detail
    (before → after where a value changed)."""
    from deskapp.cli import _context, cleanly

    options = ctx.obj.merged(db, lang, None)
    with cleanly(options):
        from deskapp.services import audit

        context = _context(options)
        t, tz = context.t, context.policy.timezone
        kind, ident = audit.parse_record(record)
        entries = audit.history(context.store, kind, ident)
        typer.echo(t("audit.history", record=f"{kind}:{ident}", count=len(entries)))
        for e in entries:
            at = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
            line = f"{at}  {e.who or t('audit.system')}  {e.action}"
            shown = detail_text(e.detail, t, tz)
            typer.echo(f"{line}  {shown}" if shown else line)


def detail_text(detail: dict[str, object], t, tz) -> str:
    """before/after as one change; a `changes` mapping of field → [before, after]; the rest name=value.
    Times (kept as ISO text in UTC) are shown in local time."""
    parts: list[str] = []
    rest = dict(detail)
    if "before" in rest or "after" in rest:
        before, after = _value(rest.pop("before", None), tz), _value(rest.pop("after", None), tz)
        parts.append(t("audit.changed", before=before, after=after))
    changes = rest.pop("changes", None)
    if isinstance(changes, dict):
        for name, pair in changes.items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            parts.append(f"{name}: " + t("audit.changed", before=_value(before, tz), after=_value(after, tz)))
    elif changes is not None:
        rest["changes"] = changes
    parts.extend(f"{name}={_value(value, tz)}" for name, value in rest.items())
    return "; ".join(parts)


_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}.*[+-]\d{2}:\d{2}")


def _value(value: object, tz) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        if _INSTANT.fullmatch(value):
            try:
                return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                pass
        return value
    return json.dumps(value, ensure_ascii=False)
