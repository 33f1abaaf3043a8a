"""The schema revisions this deskapp knows, read from the migration files themselves.

Light on purpose (no alembic, no SQLAlchemy): the console's start-up check and `migrate` use it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


@cache
def revisions() -> dict[str, str | None]:
    """Every revision this deskapp knows → the one it follows, read from the migration files."""
    found: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision:
            found[revision.group(1)] = down.group(1) if down and down.group(1) else None
    return found


def head_revision() -> str:
    """The last revision: the one no other follows (the migrations are one line)."""
    known = revisions()
    followed = set(known.values())
    heads = [revision for revision in known if revision not in followed]
    return heads[0] if len(heads) == 1 else ""
